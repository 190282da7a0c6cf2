"""The PyPI `dicomweb-client` as an external client: store, search and retrieve through our endpoints."""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pydicom
import pytest
import requests
from dicomweb_client.api import DICOMwebClient
from werkzeug.serving import make_server

from .samples import path, reference_frames


@pytest.fixture
def server(app):
    """The app served over real HTTP on a free port."""
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(5)
    srv.server_close()


def _read(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pydicom.dcmread(path(name))


@pytest.fixture
def web(server, auth, owner, case):
    token = auth.token(owner).bearer
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    yield DICOMwebClient(url=f"{server}/api/cases/{case.id}/dicomweb", session=session)
    session.close()


def test_store_search_retrieve(web):
    names = ["CT_small.dcm", "MR_small.dcm", "SC_rgb_rle_2frame.dcm"]
    result = web.store_instances([_read(n) for n in names])
    assert len(result.ReferencedSOPSequence) == 3
    studies = web.search_for_studies()
    assert len(studies) == 3
    ct = _read("CT_small.dcm")
    found = web.search_for_studies(search_filters={"PatientID": ct.PatientID})
    assert [s["0020000D"]["Value"][0] for s in found] == [ct.StudyInstanceUID]
    series = web.search_for_series(study_instance_uid=ct.StudyInstanceUID)
    assert series[0]["0020000E"]["Value"][0] == ct.SeriesInstanceUID
    instances = web.search_for_instances(search_filters={"Modality": "MR"})
    assert len(instances) == 1
    got = web.retrieve_instance(ct.StudyInstanceUID, ct.SeriesInstanceUID, ct.SOPInstanceUID)
    assert got.SOPInstanceUID == ct.SOPInstanceUID
    assert np.array_equal(got.pixel_array, ct.pixel_array)
    study = web.retrieve_study(ct.StudyInstanceUID)
    assert [d.SOPInstanceUID for d in study] == [ct.SOPInstanceUID]
    meta = web.retrieve_study_metadata(ct.StudyInstanceUID)
    assert meta[0]["00100020"]["Value"] == [ct.PatientID]
    rgb = _read("SC_rgb_rle_2frame.dcm")
    frames = web.retrieve_instance_frames(rgb.StudyInstanceUID, rgb.SeriesInstanceUID, rgb.SOPInstanceUID,
                                          frame_numbers=[2], media_types=("application/octet-stream",))
    expected = reference_frames("SC_rgb_rle_2frame.dcm")[1]
    assert np.array_equal(np.frombuffer(frames[0], dtype=np.uint8).reshape(expected.shape), expected)
    rendered = web.retrieve_instance_rendered(ct.StudyInstanceUID, ct.SeriesInstanceUID, ct.SOPInstanceUID,
                                              media_types=("image/png",))
    assert rendered[:8] == b"\x89PNG\r\n\x1a\n"


def test_stow_conflict_surfaces_as_http_error(web):
    web.store_instances([_read("CT_small.dcm")])
    changed = _read("CT_small.dcm")
    changed.PatientName = "Someone^Else"
    with pytest.raises(requests.HTTPError) as info:
        web.store_instances([changed])
    assert info.value.response.status_code == 409
