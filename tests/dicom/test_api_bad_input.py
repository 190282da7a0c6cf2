"""Bad input to the archive's routes gets a clear 4xx, never a 500."""

from __future__ import annotations

import os

import pytest

from .conftest import upload
from .test_api_dicomweb import header, wado_url


@pytest.fixture
def stored(api, case):
    assert upload(api, case.id, "CT_small.dcm").get_json()["stored"] == 1
    return header("CT_small.dcm")


@pytest.mark.parametrize("suffix", [
    "/frames/0", "/frames/1,,x", "/frames/99999999999999999999", "/bulkdata/ZZZZ", "/bulkdata/00100010",
    "/rendered?window=1,0", "/rendered?window=x,y", "/rendered?viewport=0,0", "/rendered?viewport=a,b",
    "/rendered?quality=abc", "/frames/1/rendered?window=40",
])
def test_wado_bad_parameters(api, case, stored, suffix):
    r = api.get(wado_url(case.id, stored) + suffix)
    assert 400 <= r.status_code < 500 or (suffix.endswith("00100010") and r.status_code == 200), r.status_code


@pytest.mark.parametrize("query", ["limit=abc", "offset=-1", "StudyDate=abc", "00100010=", "SeriesNumber=abc",
                                   "includefield=all&fuzzymatching=true&PatientName=a"])
def test_qido_bad_parameters(api, case, stored, query):
    r = api.get(f"/api/cases/{case.id}/dicomweb/instances?{query}")
    assert r.status_code in (200, 400), (query, r.status_code)


STOW = 'multipart/related; type="application/dicom"; boundary=abc'


@pytest.mark.parametrize("body,ctype", [
    (b"garbage", STOW),
    (b"--abc\r\nContent-Type: application/dicom\r\n\r\nxx", STOW),
    (b"--abc--", 'multipart/related; type="application/dicom"'),
    (b"", 'multipart/related; type="application/dicom+json"; boundary=abc'),
])
def test_stow_bad_bodies(api, case, body, ctype):
    r = api.post(f"/api/cases/{case.id}/dicomweb/studies", data=body, content_type=ctype)
    assert 400 <= r.status_code < 500


def test_upload_random_bytes_and_empty(api, case):
    r = upload(api, case.id, files=[("a.dcm", os.urandom(5000)), ("b.dcm", b""), ("c.zip", b"PK\x03\x04junk")])
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "bad_zip"
    r = upload(api, case.id, files=[("a.dcm", os.urandom(5000)), ("b.dcm", b"")])
    assert r.status_code == 201 and r.get_json()["rejected"] == 2
    assert api.post(f"/api/cases/{case.id}/uploads", json={}).status_code == 415


def test_unknown_ids(api, case):
    base = f"/api/cases/{case.id}/dicomweb"
    assert api.get(f"{base}/studies/1.2.3/metadata").status_code == 404
    assert api.get(f"/api/cases/{'x' * 500}/dicomweb/studies").status_code == 404
    assert api.get(f"/api/cases/{case.id}/uploads/{'y' * 80}").status_code == 404
    assert api.delete(f"/api/share-links/{'z' * 80}").status_code == 404
