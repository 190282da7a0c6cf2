"""Ingest service without HTTP: atomicity when the database fails, request limits."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from telehealth.dicom import service, settings
from telehealth.dicom.models import DicomInstance, DicomStudy
from telehealth.extensions import db

from .conftest import upload
from .samples import path


def test_crash_while_indexing_leaves_no_blob_and_no_rows(app, case, monkeypatch):
    store = settings.blob_store(app.config)
    real_commit = db.session.commit

    def boom():
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", boom)
    with pytest.raises(RuntimeError):
        service.ingest_file(db.session, store, case, path("CT_small.dcm"), name="CT_small.dcm")
    monkeypatch.setattr(db.session, "commit", real_commit)
    assert db.session.scalar(select(func.count()).select_from(DicomInstance)) == 0
    assert db.session.scalar(select(func.count()).select_from(DicomStudy)) == 0
    assert [f for _, _, fs in os.walk(store.root) for f in fs] == []
    again = service.ingest_file(db.session, store, case, path("CT_small.dcm"), name="CT_small.dcm")
    assert again.status == "stored"


def test_request_size_limit(app, api, case):
    app.config["MAX_UPLOAD_BYTES"] = 10_000
    r = upload(api, case.id, "CT_small.dcm")
    assert r.status_code == 413


def test_closed_case_refuses_uploads(api, case):
    case.status = "closed"
    db.session.commit()
    r = upload(api, case.id, "CT_small.dcm")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "case_closed"


def test_anonymous_case_refuses_what_cannot_be_deidentified(app, make_case, owner, monkeypatch):
    from telehealth.dicom import service as svc

    case = make_case(owner, anonymous=True)
    store = settings.blob_store(app.config)

    def broken(*args, **kwargs):
        raise ValueError("unsupported element")

    monkeypatch.setattr(svc, "deidentify", broken)
    result = svc.ingest_file(db.session, store, case, path("CT_small.dcm"), name="CT_small.dcm")
    assert result.status == "rejected" and result.reason == "deidentification_failed"
    assert db.session.scalar(select(func.count()).select_from(DicomInstance)) == 0
    assert not os.path.exists(path("CT_small.dcm") + ".deid")


def test_stow_into_anonymous_case_warns_of_coercion(auth, make_case, owner):
    from .conftest import read
    from .test_api_dicomweb import _stow

    case = make_case(owner, anonymous=True)
    api = auth.login(owner)
    r = _stow(api, case.id, [read("MR_small.dcm")])
    assert r.status_code == 200
    item = r.get_json()["00081199"]["Value"][0]
    assert item["00081196"]["Value"] == [0xB000]
