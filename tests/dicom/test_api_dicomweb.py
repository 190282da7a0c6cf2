"""DICOMweb through HTTP: WADO-RS byte-identical retrieval, frames, rendered, metadata, QIDO, STOW, audit."""

from __future__ import annotations

import io
import json
import warnings

import numpy as np
import pydicom
import pytest
from PIL import Image
from sqlalchemy import func, select

from telehealth.audit.models import AuditEvent
from telehealth.dicom.multipart import iter_parts, parse_content_type, write_multipart
from telehealth.dicom.render import to_display
from telehealth.extensions import db

from .conftest import read, upload
from .samples import image_files, path, reference_frames, uid_buckets


def parts(resp, tmp_path):
    media, params = parse_content_type(resp.headers["Content-Type"])
    assert media == "multipart/related"
    out = []
    for p in iter_parts(io.BytesIO(resp.data), params["boundary"], str(tmp_path)):
        with open(p.path, "rb") as fh:
            out.append((p.headers, fh.read()))
    return out


def header(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pydicom.dcmread(path(name), stop_before_pixels=True)


def wado_url(case_id, ds):
    return (f"/api/cases/{case_id}/dicomweb/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}"
            f"/instances/{ds.SOPInstanceUID}")


def test_every_image_file_round_trips(api, make_case, owner, tmp_path):
    for bucket in uid_buckets(image_files()):
        case = make_case(owner)
        assert upload(api, case.id, *bucket).get_json()["stored"] == len(bucket)
        for name in bucket:
            ds = header(name)
            url = wado_url(case.id, ds)
            stored = 'multipart/related; type="application/dicom"; transfer-syntax=*'
            got = parts(api.get(url, headers={"Accept": stored}), tmp_path)
            assert len(got) == 1 and got[0][1] == read(name), name
            ref = reference_frames(name)
            last = ref.shape[0]
            r = api.get(f"{url}/frames/{last}")
            assert r.status_code == 200, (name, r.get_json())
            (hdrs, data), = parts(r, tmp_path)
            assert hdrs["content-type"].startswith("application/octet-stream")
            native_422 = (ds.PhotometricInterpretation == "YBR_FULL_422"
                          and not ds.file_meta.TransferSyntaxUID.is_compressed)
            if ds.BitsAllocated > 1 and not native_422:
                expected = ref[-1].astype(ref.dtype.newbyteorder("<")).tobytes()
                assert data == expected, name
            png = api.get(f"{url}/frames/{last}/rendered", headers={"Accept": "image/png"})
            assert png.status_code == 200 and png.mimetype == "image/png"
            reference = to_display(ref[-1], ds, last - 1)
            assert np.array_equal(np.asarray(Image.open(io.BytesIO(png.data))), reference), name


def _one(api, case, name="CT_small.dcm"):
    assert upload(api, case.id, name).get_json()["stored"] == 1
    return header(name)


def test_frames_as_stored(api, case, tmp_path):
    ds = _one(api, case, "MR_small_jpeg_ls_lossless.dcm")
    r = api.get(f"{wado_url(case.id, ds)}/frames/1",
                headers={"Accept": 'multipart/related; type="application/octet-stream"; transfer-syntax=*'})
    (hdrs, data), = parts(r, tmp_path)
    assert hdrs["content-type"] == "image/jls; transfer-syntax=1.2.840.10008.1.2.4.80"
    assert data[:2] == b"\xff\xd8"
    r = api.get(f"{wado_url(case.id, ds)}/frames/1", headers={"Accept": 'multipart/related; type="image/gif"'})
    assert r.status_code == 406


def test_bad_frame_number(api, case):
    ds = _one(api, case)
    assert api.get(f"{wado_url(case.id, ds)}/frames/2").status_code == 400
    assert api.get(f"{wado_url(case.id, ds)}/frames/x").status_code == 400


def test_metadata_and_bulkdata(api, case, tmp_path):
    ds = _one(api, case)
    r = api.get(f"/api/cases/{case.id}/dicomweb/studies/{ds.StudyInstanceUID}/metadata")
    assert r.status_code == 200 and r.mimetype == "application/dicom+json"
    (meta,) = r.get_json()
    assert meta["00080018"]["Value"] == [ds.SOPInstanceUID]
    uri = meta["7FE00010"]["BulkDataURI"]
    bulk = api.get(uri[uri.index("/api/"):])
    (_, data), = parts(bulk, tmp_path)
    assert data == reference_frames("CT_small.dcm")[0].astype("<i2").tobytes()


def test_etag_and_cache_control(api, case):
    ds = _one(api, case)
    url = f"{wado_url(case.id, ds)}/rendered"
    first = api.get(url)
    assert first.status_code == 200 and first.mimetype == "image/jpeg"
    assert first.headers["Cache-Control"].startswith("private") and first.headers["ETag"]
    again = api.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_thumbnails(api, case):
    ds = _one(api, case)
    base = f"/api/cases/{case.id}/dicomweb/studies/{ds.StudyInstanceUID}"
    for url in (f"{base}/thumbnail", f"{base}/series/{ds.SeriesInstanceUID}/thumbnail"):
        r = api.get(url, headers={"Accept": "image/png"})
        assert r.status_code == 200
        assert max(Image.open(io.BytesIO(r.data)).size) <= 128


def test_rendered_window_from_request(api, case):
    ds = _one(api, case)
    r = api.get(f"{wado_url(case.id, ds)}/rendered?window=100,50", headers={"Accept": "image/png"})
    full = pydicom.dcmread(path("CT_small.dcm"))
    expected = to_display(full.pixel_array, full, 0, (100.0, 50.0))
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(r.data))), expected)
    assert api.get(f"{wado_url(case.id, ds)}/rendered?window=abc").status_code == 400


def test_qido_matching(api, case):
    upload(api, case.id, "CT_small.dcm", "MR_small.dcm", "rtdose.dcm")
    base = f"/api/cases/{case.id}/dicomweb"
    ct, mr = header("CT_small.dcm"), header("MR_small.dcm")
    assert len(api.get(f"{base}/studies").get_json()) == 3
    found = api.get(f"{base}/studies?PatientName={str(ct.PatientName)[:-1].lower()}?").get_json()
    assert [s["0020000D"]["Value"][0] for s in found] == [ct.StudyInstanceUID]
    found = api.get(f"{base}/studies?ModalitiesInStudy=MR").get_json()
    assert [s["0020000D"]["Value"][0] for s in found] == [mr.StudyInstanceUID]
    found = api.get(f"{base}/studies?StudyDate={ct.StudyDate}-{ct.StudyDate}").get_json()
    assert ct.StudyInstanceUID in [s["0020000D"]["Value"][0] for s in found]
    assert api.get(f"{base}/studies?StudyDate=2020-13").status_code == 400
    assert api.get(f"{base}/studies?NotAnAttribute=1").status_code == 400
    page = api.get(f"{base}/studies?limit=1&offset=1").get_json()
    assert len(page) == 1
    series = api.get(f"{base}/studies/{ct.StudyInstanceUID}/series").get_json()
    assert series[0]["00080060"]["Value"] == ["CT"] and series[0]["00201209"]["Value"] == [1]
    inst = api.get(f"{base}/instances?SOPInstanceUID={ct.SOPInstanceUID},{mr.SOPInstanceUID}").get_json()
    assert len(inst) == 2
    assert api.get(f"{base}/studies?00100020={ct.PatientID}").get_json()[0]["00100020"]["Value"] == [ct.PatientID]


def test_study_viewed_audited_once_per_hour(api, case):
    ds = _one(api, case)
    for _ in range(3):
        api.get(f"{wado_url(case.id, ds)}/frames/1")
        api.get(f"{wado_url(case.id, ds)}/metadata")
    n = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "study.viewed", AuditEvent.entity_id == ds.StudyInstanceUID))
    assert n == 1


def _stow(api, case_id, payloads, study=None):
    boundary = "stowb0undary"
    body = b"".join(write_multipart((({"Content-Type": "application/dicom"}, [p]) for p in payloads), boundary))
    url = f"/api/cases/{case_id}/dicomweb/studies" + (f"/{study}" if study else "")
    return api.post(url, data=body,
                    content_type=f'multipart/related; type="application/dicom"; boundary={boundary}')


def test_stow_statuses(api, case):
    r = _stow(api, case.id, [read("CT_small.dcm"), read("MR_small.dcm")])
    assert r.status_code == 200 and r.mimetype == "application/dicom+json"
    assert len(r.get_json()["00081199"]["Value"]) == 2
    assert _stow(api, case.id, [read("CT_small.dcm")]).status_code == 200  # idempotent
    r = _stow(api, case.id, [read("examples_palette.dcm"), b"not dicom"])
    assert r.status_code == 202
    failed = r.get_json()["00081198"]["Value"]
    assert failed[0]["00081197"]["Value"] == [0xC000]
    ds = pydicom.dcmread(io.BytesIO(read("CT_small.dcm")))
    ds.PatientName = "Changed^Content"
    buf = io.BytesIO()
    ds.save_as(buf)
    r = _stow(api, case.id, [buf.getvalue()])
    assert r.status_code == 409 and r.get_json()["00081198"]["Value"][0]["00081197"]["Value"] == [0x0111]
    r = _stow(api, case.id, [read("rtdose.dcm")], study="1.2.3.4")
    assert r.status_code == 409 and r.get_json()["00081198"]["Value"][0]["00081197"]["Value"] == [0xA900]


def test_stow_wrong_media_type(api, case):
    r = api.post(f"/api/cases/{case.id}/dicomweb/studies", data=b"{}", content_type="application/json")
    assert r.status_code == 415


def test_specialist_outside_case_gets_404(auth, make_user, api, case):
    ds = _one(api, case)
    other = auth.login(make_user("specialist"))
    assert other.get(f"{wado_url(case.id, ds)}/metadata").status_code == 404


def test_openapi_documents_dicomweb(client):
    doc = client.get("/api/openapi.json").get_json()
    assert "/api/cases/{case_id}/dicomweb/studies" in doc["paths"]
    assert "/share/{token}/dicomweb/studies" in doc["paths"]
    json.dumps(doc)


@pytest.mark.parametrize("name", ["JPEG-lossy.dcm"])
def test_undecodable_frames_are_406_not_500(api, case, name):
    ds = _one(api, case, name)
    assert api.get(f"{wado_url(case.id, ds)}/frames/1").status_code == 406
    assert api.get(f"{wado_url(case.id, ds)}/rendered").status_code == 406


def test_default_retrieval_is_explicit_vr_little_endian(api, make_case, owner, tmp_path):
    """PS3.18 8.7.3.5.2: without transfer-syntax, instances come as Explicit VR Little Endian."""
    name = "JPEG2000.dcm"
    case = make_case(owner)
    assert upload(api, case.id, name).get_json()["stored"] == 1
    ds = header(name)
    default = 'multipart/related; type="application/dicom"'
    (hdrs, data), = parts(api.get(wado_url(case.id, ds), headers={"Accept": default}), tmp_path)
    assert hdrs["content-type"] == "application/dicom; transfer-syntax=1.2.840.10008.1.2.1"
    got = pydicom.dcmread(io.BytesIO(data))
    assert got.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1" and got.SOPInstanceUID == ds.SOPInstanceUID
    assert np.array_equal(got.pixel_array, reference_frames(name)[0])
