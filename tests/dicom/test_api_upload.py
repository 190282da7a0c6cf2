"""Uploads through HTTP: per-instance results, duplicates, conflicts, archives, patient mismatch."""

from __future__ import annotations

import io
import os
import zipfile

import pydicom

from .conftest import read, upload
from .samples import REJECTED, image_files, uid_buckets, valid_files


def test_upload_stores_and_reports_each_instance(api, case):
    r = upload(api, case.id, "CT_small.dcm", "MR_small.dcm", files=[("notes.txt", b"hello")])
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["stored"], body["duplicate"], body["rejected"]) == (2, 0, 1)
    by_name = {x["name"]: x for x in body["results"]}
    assert by_name["CT_small.dcm"]["status"] == "stored"
    assert by_name["notes.txt"]["status"] == "rejected" and by_name["notes.txt"]["reason"] == "not_dicom"


def test_same_instance_twice_is_a_duplicate(api, case):
    upload(api, case.id, "CT_small.dcm")
    body = upload(api, case.id, "CT_small.dcm").get_json()
    assert body["results"][0]["status"] == "duplicate" and body["stored"] == 0


def test_different_object_same_uid_is_a_conflict(api, case):
    upload(api, case.id, "CT_small.dcm")
    ds = pydicom.dcmread(io.BytesIO(read("CT_small.dcm")))
    ds.SeriesDescription = "changed"
    buf = io.BytesIO()
    ds.save_as(buf)
    body = upload(api, case.id, files=[("changed.dcm", buf.getvalue())]).get_json()
    assert body["results"][0]["status"] == "conflict" and body["results"][0]["reason"] == "uid_conflict"


def test_every_valid_test_file_is_stored_and_broken_ones_rejected(api, case, make_case, owner):
    results = {}
    for bucket in uid_buckets(valid_files()):
        target = make_case(owner)
        results.update({x["name"]: x for x in upload(api, target.id, *bucket).get_json()["results"]})
    for n in valid_files():
        assert results[n]["status"] == "stored", (n, results[n])
    body = upload(api, case.id, *[n for n in REJECTED if n.endswith(".dcm")]).get_json()
    results = {x["name"]: x for x in body["results"]}
    for n in REJECTED:
        if n.endswith(".dcm"):
            assert results[n]["status"] == "rejected" and results[n]["reason"] == REJECTED[n]


def test_zip_upload_and_zip_slip_refused(api, case, app):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a/ct.dcm", read("CT_small.dcm"))
        zf.writestr("b/mr.dcm", read("MR_small.dcm"))
    body = upload(api, case.id, files=[("study.zip", buf.getvalue())]).get_json()
    assert body["stored"] == 2
    bad = io.BytesIO()
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("ok.dcm", read("MR_small_RLE.dcm"))
        zf.writestr("../../evil.dcm", b"x")
    r = upload(api, case.id, files=[("evil.zip", bad.getvalue())])
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "zip_slip"
    qido = api.get(f"/api/cases/{case.id}/dicomweb/instances").get_json()
    assert len(qido) == 2  # nothing from the refused archive


def test_zip_bomb_refused_with_413(api, case):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for i in range(2):
            zf.writestr(f"{i}.dcm", b"\0" * (50 * 1024**2))
    r = upload(api, case.id, files=[("bomb.zip", buf.getvalue())])
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "zip_bomb"


def test_folder_with_dicomdir(api, case):
    from .samples import DICOMDIR_TESTS

    files = []
    for p in sorted(DICOMDIR_TESTS.rglob("*")):
        rel = p.relative_to(DICOMDIR_TESTS).as_posix()
        if p.is_file() and (rel == "DICOMDIR" or rel.startswith(("77654033/", "98892001/"))):
            files.append((f"CD/{rel}", p.read_bytes()))
    body = upload(api, case.id, files=files).get_json()
    assert body["stored"] == 14 and body["rejected"] == 0


def test_several_patients_flagged(api, case):
    body = upload(api, case.id, "CT_small.dcm", "MR_small.dcm").get_json()
    assert body["patient_mismatch"] is True
    patients = api.get(f"/api/cases/{case.id}/dicom/patients").get_json()
    assert patients["mismatch"] and len(patients["items"]) == 2
    for p in patients["items"]:
        r = api.post(f"/api/cases/{case.id}/dicom/patients/{p['id']}/confirm")
        assert r.status_code == 200
    assert api.get(f"/api/cases/{case.id}/dicom/patients").get_json()["mismatch"] is False


def test_outsider_cannot_upload_or_see(app, auth, make_user, case):
    other = auth.login(make_user("patient"))
    r = other.post(f"/api/cases/{case.id}/uploads", data=b"--x--", content_type="multipart/form-data; boundary=x")
    assert r.status_code == 404
    assert other.get(f"/api/cases/{case.id}/dicomweb/studies").status_code == 404


def test_blob_store_has_no_leftovers_after_rejections(api, case, app):
    upload(api, case.id, "MR_truncated.dcm", "badVR.dcm")
    blob_root = os.path.join(app.config["DATA_DIR"], "blobs")
    files = [f for _, _, fs in os.walk(blob_root) for f in fs]
    assert files == []
    assert os.listdir(os.path.join(app.config["DATA_DIR"], "tmp")) == []


def test_anonymous_case_is_deidentified(auth, make_case, owner):
    case = make_case(owner, anonymous=True)
    api = auth.login(owner)
    body = upload(api, case.id, "CT_small.dcm").get_json()
    assert body["stored"] == 1
    res = body["results"][0]
    original = pydicom.dcmread(io.BytesIO(read("CT_small.dcm")))
    assert res["sop_instance_uid"] != original.SOPInstanceUID
    studies = api.get(f"/api/cases/{case.id}/dicomweb/studies").get_json()
    assert studies[0]["00100010"]["Value"][0]["Alphabetic"].startswith("ANONYMOUS")
    assert upload(api, case.id, "CT_small.dcm").get_json()["results"][0]["status"] == "duplicate"
    from telehealth.dicom.service import original_uid
    from telehealth.extensions import db

    assert original_uid(db.session, case.id, res["sop_instance_uid"]) == original.SOPInstanceUID
    assert original_uid(db.session, case.id, res["study_instance_uid"]) == original.StudyInstanceUID


def test_image_files_count(api, case):
    assert len(image_files()) > 40


def test_concurrent_uploads_to_one_case_share_the_index_rows(app, auth, owner, case):
    """Two uploads racing to create the same patient/study/series rows both succeed (no 500)."""
    import io
    import threading

    import pydicom
    from pydicom.uid import generate_uid
    from sqlalchemy import func, select

    from telehealth.dicom.models import DicomPatient, DicomSeries, DicomStudy
    from telehealth.extensions import db

    from .samples import path as sample_path

    def copies(n: int) -> list[tuple[str, bytes]]:
        out = []
        for i in range(n):
            ds = pydicom.dcmread(sample_path("CT_small.dcm"))
            ds.SOPInstanceUID = generate_uid()
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            buf = io.BytesIO()
            ds.save_as(buf)
            out.append((f"slice{i}.dcm", buf.getvalue()))
        return out

    batches = [copies(4), copies(4)]
    clients = [auth.login(owner), auth.login(owner)]
    start = threading.Barrier(2)
    results: list = [None, None]

    def run(i: int) -> None:
        with app.app_context():  # each thread its own context and database session, as in a server
            start.wait()
            results[i] = upload(clients[i], case.id, files=batches[i])
            db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in results] == [201, 201], [r.get_json() for r in results]
    assert sum(r.get_json()["stored"] for r in results) == 8
    db.session.expire_all()
    for model in (DicomPatient, DicomStudy, DicomSeries):
        assert db.session.scalar(select(func.count()).select_from(model).where(model.case_id == case.id)) == 1


def test_get_or_create_takes_the_row_a_concurrent_upload_committed_first(app, case):
    """The race, made deterministic: another upload commits the same patient between our lookup and insert."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from telehealth.dicom.models import DicomPatient
    from telehealth.dicom.service import _get_or_create
    from telehealth.extensions import db

    query = select(DicomPatient).where(DicomPatient.case_id == case.id, DicomPatient.identity_key == "k1")

    def row() -> DicomPatient:
        return DicomPatient(case_id=case.id, identity_key="k1", patient_id="P1", patient_name="A^B",
                            patient_birth_date="", patient_sex="")

    def make_after_a_competitor_won() -> DicomPatient:
        with Session(db.engine) as other:
            winner = row()
            other.add(winner)
            other.commit()
            winners.append(winner.id)
        return row()

    winners: list[str] = []
    got = _get_or_create(db.session, query, make_after_a_competitor_won)
    db.session.commit()
    assert got.id == winners[0]
    assert db.session.scalar(select(func.count()).select_from(DicomPatient).where(DicomPatient.case_id == case.id)) == 1
