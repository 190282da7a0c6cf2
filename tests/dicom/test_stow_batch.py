"""STOW-RS indexes a request in one transaction: per-instance outcomes stay as before (one SAVEPOINT each
when something clashes), one upload record and one audit event per request, concurrent requests share rows."""

from __future__ import annotations

import io
import threading

import pydicom
from pydicom.uid import generate_uid
from sqlalchemy import func, select

from telehealth.audit.models import AuditEvent
from telehealth.dicom.models import DicomInstance, DicomPatient, DicomSeries, DicomStudy, DicomUpload
from telehealth.dicom.multipart import write_multipart
from telehealth.extensions import db

from .samples import path as sample_path

FAILED, STORED, REASON = "00081198", "00081199", "00081197"


def _copy(**changes: object) -> bytes:
    """CT_small.dcm with a new SOP Instance UID (or the given one) and other attributes changed."""
    ds = pydicom.dcmread(sample_path("CT_small.dcm"))
    ds.SOPInstanceUID = changes.pop("SOPInstanceUID", None) or generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    for key, value in changes.items():
        setattr(ds, key, value)
    buf = io.BytesIO()
    ds.save_as(buf)
    return buf.getvalue()


def _stow(client, case_id: str, payloads: list[bytes]):  # type: ignore[no-untyped-def]
    boundary = "batchb0undary"
    body = b"".join(write_multipart((({"Content-Type": "application/dicom"}, [p]) for p in payloads), boundary))
    return client.post(f"/api/cases/{case_id}/dicomweb/studies", data=body,
                       content_type=f'multipart/related; type="application/dicom"; boundary={boundary}')


def _count(model, case_id: str) -> int:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(model.case_id == case_id))


def test_one_upload_record_and_audit_event_per_request(api, case):
    r = _stow(api, case.id, [_copy(), _copy(), _copy()])
    assert r.status_code == 200 and len(r.get_json()[STORED]["Value"]) == 3
    assert _count(DicomInstance, case.id) == 3
    uploads = db.session.scalars(select(DicomUpload).where(DicomUpload.case_id == case.id)).all()
    assert [(u.source, u.stored, u.status) for u in uploads] == [("stow", 3, "done")]
    assert {i.upload_id for i in db.session.scalars(select(DicomInstance).where(DicomInstance.case_id == case.id))} \
        == {uploads[0].id}
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "dicom.uploaded",
                                                         AuditEvent.case_id == case.id)).all()
    assert len(events) == 1 and events[0].details["stored"] == 3


def test_same_uid_twice_in_one_request_keeps_the_others(api, case):
    """A clash inside the request falls back to one SAVEPOINT per instance: only the clashing part fails."""
    uid = generate_uid()
    r = _stow(api, case.id, [_copy(SOPInstanceUID=uid), _copy(), _copy(SOPInstanceUID=uid, PatientName="Other^Name"),
                             _copy(SOPInstanceUID=uid)])
    assert r.status_code == 202
    body = r.get_json()
    assert [f[REASON]["Value"] for f in body[FAILED]["Value"]] == [[0x0111]]
    # The first copy and the other instance are stored; the identical repeat counts as a duplicate (success).
    assert len(body[STORED]["Value"]) == 3
    assert _count(DicomInstance, case.id) == 2
    upload = db.session.scalars(select(DicomUpload).where(DicomUpload.case_id == case.id)).one()
    assert (upload.stored, upload.duplicate, upload.rejected) == (2, 1, 1)


def test_series_of_another_study_is_rejected_alone(api, case):
    first = _copy()
    ds = pydicom.dcmread(io.BytesIO(first))
    assert _stow(api, case.id, [first]).status_code == 200
    moved = _copy(StudyInstanceUID=generate_uid(), SeriesInstanceUID=ds.SeriesInstanceUID)
    fine = _copy()
    r = _stow(api, case.id, [moved, fine])
    assert r.status_code == 202
    upload = db.session.scalars(select(DicomUpload).where(DicomUpload.case_id == case.id)
                                .order_by(DicomUpload.created_at.desc())).first()
    assert [x["status"] for x in upload.results] == ["rejected", "stored"]
    assert upload.results[0]["reason"] == "series_in_other_study"
    assert _count(DicomInstance, case.id) == 2
    assert _count(DicomStudy, case.id) == 1  # the rolled-back SAVEPOINT left no study behind


def test_concurrent_requests_share_patient_study_and_series(app, auth, owner, case):
    """Requests racing to create the same rows all succeed (no 500), and the rows exist once."""
    study, series = generate_uid(), generate_uid()
    batches = [[_copy(StudyInstanceUID=study, SeriesInstanceUID=series) for _ in range(5)] for _ in range(3)]
    clients = [auth.login(owner) for _ in batches]
    start = threading.Barrier(len(batches))
    results: list = [None] * len(batches)

    def run(i: int) -> None:
        with app.app_context():  # each thread its own context and database session, as in a server
            start.wait()
            results[i] = _stow(clients[i], case.id, batches[i])
            db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(batches))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in results] == [200] * len(batches), [r.get_json() for r in results]
    assert _count(DicomInstance, case.id) == 15
    for model in (DicomPatient, DicomStudy, DicomSeries):
        assert _count(model, case.id) == 1
