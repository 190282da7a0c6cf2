"""tus resumable uploads: an upload cut part-way resumes from the server's offset and is ingested."""

from __future__ import annotations

import base64
import io
import zipfile

from .conftest import read


def _zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in ("CT_small.dcm", "MR_small.dcm", "rtdose.dcm"):
            zf.writestr(name, read(name))
    return buf.getvalue()


def test_resume_after_cut(api, case):
    data = _zip()
    r = api.post(f"/api/cases/{case.id}/tus", headers={
        "Tus-Resumable": "1.0.0", "Upload-Length": str(len(data)),
        "Upload-Metadata": "filename " + base64.b64encode(b"study.zip").decode()})
    assert r.status_code == 201, r.get_json()
    url = r.headers["Location"][r.headers["Location"].index("/api/"):]
    cut = int(len(data) * 0.8)
    r = api.patch(url, data=data[:cut], headers={"Tus-Resumable": "1.0.0", "Upload-Offset": "0",
                                                 "Content-Type": "application/offset+octet-stream"})
    assert r.status_code == 204 and r.headers["Upload-Offset"] == str(cut)
    head = api.open("HEAD", url, headers={"Tus-Resumable": "1.0.0"})
    assert head.headers["Upload-Offset"] == str(cut) and head.headers["Upload-Length"] == str(len(data))
    stale = api.patch(url, data=data, headers={"Upload-Offset": "0",
                                               "Content-Type": "application/offset+octet-stream"})
    assert stale.status_code == 409 and stale.headers["Upload-Offset"] == str(cut)
    r = api.patch(url, data=data[cut:], headers={"Tus-Resumable": "1.0.0", "Upload-Offset": str(cut),
                                                 "Content-Type": "application/offset+octet-stream"})
    assert r.status_code == 204 and r.headers["Upload-Offset"] == str(len(data))
    result = api.get(f"/api/cases/{case.id}/uploads/{r.headers['Upload-Result']}").get_json()
    assert result["stored"] == 3


def test_length_required_and_termination(api, case):
    assert api.post(f"/api/cases/{case.id}/tus").status_code == 400
    r = api.post(f"/api/cases/{case.id}/tus", headers={"Upload-Length": "10"})
    url = r.headers["Location"][r.headers["Location"].index("/api/"):]
    assert api.delete(url).status_code == 204
    assert api.open("HEAD", url).status_code == 404
