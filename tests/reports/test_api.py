"""The reports API over HTTP against PostgreSQL: draft, autosave, sign, amend, outputs, access."""
from __future__ import annotations

import copy
import importlib
import json
import os
from io import BytesIO
from typing import Any

import highdicom as hd
import pydicom
import pytest
from pydicom.data import get_testdata_file

from telehealth.cases import offers
from telehealth.dicom.service import ingest_file
from telehealth.dicom.settings import blob_store
from telehealth.extensions import db
from tests.conftest import PASSWORD
from tests.reports.test_fhir import check_diagnostic_report

# Tables of features that auth and the archive use, whether or not their blueprints are wired yet.
for _module in ("telehealth.identity.models", "telehealth.dicom.models", "telehealth.live.models"):
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError:
        pass


@pytest.fixture
def journey(app, make_user, make_case, auth, tmp_path) -> dict[str, Any]:
    """A case under review by a specialist, with two CT images stored in its study."""
    app.config["REPORTS_BACKGROUND"] = False  # post-signature work inline, so tests see its results
    referrer_org = None
    patient = make_user("patient", name="Maria Keller")
    specialist = make_user("specialist", name="Anna Specialist")
    coordinator = make_user("coordinator")
    case = make_case(patient, submit=True, patient_birth_date="1961-03-14", patient_sex="F")
    if case.status == "triage":
        offers.offer_case(db.session, coordinator, case.id, specialist.id)
    offers.respond(db.session, specialist, case.id, accept=True)
    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    second = copy.deepcopy(ct)
    second.SOPInstanceUID = pydicom.uid.generate_uid(entropy_srcs=["api-test-2"])
    uids = []
    for i, ds in enumerate((ct, second)):
        path = tmp_path / f"ct{i}.dcm"
        ds.save_as(path)
        result = ingest_file(db.session, blob_store(app.config), case, str(path), name=path.name)
        assert result.status == "stored", result
        uids.append(ds.SOPInstanceUID)
    return {"case": case, "patient": patient, "specialist": specialist, "coordinator": coordinator,
            "ct": ct, "uids": uids, "spec": auth.login(specialist), "pat": auth.login(patient),
            "referrer_org": referrer_org}


def _body(j: dict[str, Any], version: int, **changes: Any) -> dict[str, Any]:
    ct = j["ct"]
    image = {"study_instance_uid": ct.StudyInstanceUID, "series_instance_uid": ct.SeriesInstanceUID,
             "sop_class_uid": ct.SOPClassUID, "sop_instance_uid": j["uids"][0]}
    body = {
        "base_version": version, "title": "Second opinion report",
        "history": "Ex-smoker.", "technique": "Non-contrast CT.",
        "findings": [{"key": "lungs", "title": "Lungs", "text": "Solid 12 mm nodule."}],
        "measurements": [{**image, "annotation_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "kind": "length",
                          "value": 12.4, "unit": "mm", "graphic_type": "POLYLINE",
                          "points": [[10, 12.5], [40.25, 52]], "finding": "RUL nodule"},
                         {**image, "annotation_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "kind": "area",
                          "value": 113.1, "unit": "mm2", "graphic_type": "ELLIPSE",
                          "points": [[30, 40], [70, 40], [50, 30], [50, 50]]}],
        "impression": ["Spiculated nodule, suspicious."],
        "recommendations": ["PET-CT."],
        "agreement": {"agreement": "minor_discrepancy", "comment": "Size under-called."},
        "key_images": [{**image, "window_center": 40, "window_width": 400,
                        "annotation_ids": ["0f8fad5b-d9cb-469f-a165-70867728950e"], "caption": "Nodule"}],
    }
    body.update(changes)
    return body


def _start(j: dict[str, Any]) -> dict[str, Any]:
    r = j["spec"].post(f"/api/cases/{j['case'].id}/report", json={})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _sign(j: dict[str, Any], version: int, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return j["spec"].post(f"/api/cases/{j['case'].id}/report/sign",
                          json={"password": password, "base_version": version})


def test_draft_autosave_and_stale_save(journey) -> None:
    j = journey
    url = f"/api/cases/{j['case'].id}/report"
    draft = _start(j)
    assert (draft["status"], draft["version"], draft["document_version"]) == ("draft", 1, 1)
    assert draft["missing_fields"] == ["impression"] and draft["can_sign"]
    r = j["spec"].put(url, json=_body(j, 1))
    assert r.status_code == 200, r.get_json()
    saved = r.get_json()
    assert saved["version"] == 2 and saved["content"]["measurements"][0]["value"] == 12.4
    # A second editor still on version 1 is refused, with the current report to merge by hand.
    stale = j["spec"].put(url, json=_body(j, 1, history="Overwrites?"))
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["code"] == "stale_version" and error["details"]["current_version"] == 2
    assert error["details"]["current"]["content"]["history"] == "Ex-smoker."
    # Content rules of the document model come back as 422 with the field path.
    bad = _body(j, 2)
    bad["measurements"][0]["points"] = [[1, 1], [2, 2], [3, 3]]
    r = j["spec"].put(url, json=bad)
    assert r.status_code == 422
    assert r.get_json()["error"]["details"][0]["field"] == "measurements[0].graphic_type"


def test_only_the_assigned_specialist_writes_and_patients_see_no_draft(journey, make_user, auth) -> None:
    j = journey
    url = f"/api/cases/{j['case'].id}/report"
    assert j["pat"].post(url, json={}).status_code == 403
    _start(j)
    assert j["pat"].get(url).status_code == 404  # drafts are not shown to the patient
    assert j["pat"].put(url, json=_body(j, 1)).status_code == 403
    outsider = auth.login(make_user("specialist"))
    assert outsider.get(url).status_code == 404  # not a participant: the case does not exist for them
    assert outsider.get(f"/api/cases/{j['case'].id}/report.pdf").status_code == 404


def test_sign_needs_password_and_makes_a_final_immutable_report(journey, app, dciodvfy) -> None:
    j = journey
    case_id = j["case"].id
    url = f"/api/cases/{case_id}/report"
    _start(j)
    assert _sign(j, 1).get_json()["error"]["code"] == "report_incomplete"
    j["spec"].put(url, json=_body(j, 1))
    r = _sign(j, 2, password="wrong password")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "invalid_credentials"
    assert j["spec"].get(url).get_json()["status"] == "draft"
    r = _sign(j, 2)
    assert r.status_code == 200, r.get_json()
    final = r.get_json()
    assert final["status"] == "final" and final["signer"] == "Anna Specialist"
    assert len(final["verification_code"]) == 14 and final["can_amend"]
    assert j["spec"].get(f"/api/cases/{case_id}").get_json()["status"] == "reported"
    # Final never changes: no save, no second signature.
    assert j["spec"].put(url, json=_body(j, 3)).get_json()["error"]["code"] == "report_signed"
    assert _sign(j, 3).status_code == 409
    # The patient now sees the signed report and its outputs.
    seen = j["pat"].get(url).get_json()
    assert seen["status"] == "final" and not seen["can_edit"]
    pdf = j["pat"].get(f"/api/cases/{case_id}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert pdf.headers["Content-Type"] == "application/pdf"
    sr = pydicom.dcmread(BytesIO(j["pat"].get(f"/api/cases/{case_id}/report/sr.dcm").data))
    assert sr.VerificationFlag == "VERIFIED" and sr.StudyInstanceUID == j["ct"].StudyInstanceUID
    groups = hd.sr.ComprehensiveSR.from_dataset(sr).content.get_planar_roi_measurement_groups()
    assert [m.value for g in groups for m in g.get_measurements()] == [12.4, 113.1]
    for path in ("sr.dcm", "encapsulated-pdf.dcm"):
        errors, output = dciodvfy(j["pat"].get(f"/api/cases/{case_id}/report/{path}").data)
        assert errors == [], output
    enc = pydicom.dcmread(BytesIO(j["pat"].get(f"/api/cases/{case_id}/report/encapsulated-pdf.dcm").data))
    assert enc.EncapsulatedDocument[: int(enc.EncapsulatedDocumentLength)] == pdf.data
    resource = json.loads(j["pat"].get(f"/api/cases/{case_id}/report/fhir").data)
    check_diagnostic_report(resource)
    assert resource["status"] == "final" and resource["conclusionCode"][0]["coding"][0]["code"] == "minor_discrepancy"
    # The printed verification code checks out, without patient data.
    check = app.test_client().get(f"/api/reports/verify/{final['verification_code']}").get_json()
    assert check["valid"] and check["signer"] == "Anna Specialist" and check["document_version"] == 1
    assert "patient" not in json.dumps(check).lower()
    assert app.test_client().get("/api/reports/verify/AAAA-BBBB-CCCC").get_json() == {
        "valid": False, "status": None, "document_version": None, "signed_at": None, "signer": None,
        "organization": None, "superseded_by_version": None, "content_sha256": None}
    # Outputs are cached per version in DATA_DIR.
    cached = [n for _, _, files in os.walk(os.path.join(app.config["DATA_DIR"], "reports")) for n in files]
    assert {"signed-report.pdf", "signed-sr.dcm", "signed-encapsulated-pdf.dcm", "signed-fhir.json"} <= set(cached)


def test_signed_sr_and_pdf_join_the_case_study(journey) -> None:
    from sqlalchemy import select

    from telehealth.dicom.models import DicomInstance

    j = journey
    _start(j)
    j["spec"].put(f"/api/cases/{j['case'].id}/report", json=_body(j, 1))
    assert _sign(j, 2).status_code == 200
    classes = set(db.session.scalars(select(DicomInstance.sop_class_uid).where(
        DicomInstance.case_id == j["case"].id)).all())
    assert {"1.2.840.10008.5.1.4.1.1.88.33", "1.2.840.10008.5.1.4.1.1.104.1"} <= classes


def test_amendment_is_a_new_version_pointing_at_the_old(journey) -> None:
    j = journey
    case_id = j["case"].id
    url = f"/api/cases/{case_id}/report"
    _start(j)
    j["spec"].put(url, json=_body(j, 1))
    first = _sign(j, 2).get_json()
    assert j["pat"].post(f"{url}/amend", json={"reason": "Typo", "base_version": 3}).status_code == 403
    r = j["spec"].post(f"{url}/amend", json={"reason": "Nodule size corrected.", "base_version": 3})
    assert r.status_code == 201, r.get_json()
    draft = r.get_json()
    assert (draft["document_version"], draft["status"], draft["predecessor_version"]) == (2, "draft", 1)
    # The patient still sees version 1 while the amendment is a draft.
    assert j["pat"].get(url).get_json()["document_version"] == 1
    j["spec"].put(url, json=_body(j, 4, impression=["Spiculated 14 mm nodule, suspicious."]))
    amended = _sign(j, 5).get_json()
    assert amended["status"] == "amended" and amended["verification_code"] != first["verification_code"]
    assert [v["number"] for v in amended["versions"]] == [1, 2]
    old_check = j["pat"].get(f"/api/reports/verify/{first['verification_code']}").get_json()
    assert old_check["valid"] and old_check["superseded_by_version"] == 2
    sr = pydicom.dcmread(BytesIO(j["pat"].get(f"/api/cases/{case_id}/report/sr.dcm").data))
    old = pydicom.dcmread(BytesIO(j["pat"].get(f"/api/cases/{case_id}/report/sr.dcm?version=1").data))
    ref = sr.PredecessorDocumentsSequence[0].ReferencedSeriesSequence[0].ReferencedSOPSequence[0]
    assert ref.ReferencedSOPInstanceUID == old.SOPInstanceUID
    text = j["pat"].get(f"/api/cases/{case_id}/report/preview").data.decode()
    assert "AMENDED REPORT." in text and "Nodule size corrected." in text
    assert json.loads(j["pat"].get(f"/api/cases/{case_id}/report/fhir").data)["status"] == "amended"
    # The old version is unchanged and still readable.
    assert j["pat"].get(f"{url}?version=1").get_json()["content"]["impression"] == ["Spiculated nodule, suspicious."]


def test_every_read_and_change_is_audited(journey) -> None:
    from sqlalchemy import select

    from telehealth.audit.models import AuditEvent

    j = journey
    url = f"/api/cases/{j['case'].id}/report"
    _start(j)
    j["spec"].put(url, json=_body(j, 1))
    _sign(j, 2, password="nope")
    _sign(j, 2)
    j["pat"].get(f"{url}.pdf".replace("/report.pdf", "/report.pdf"))
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == j["case"].id)).all()
    for expected in ("report.created", "report.saved", "report.signed", "report.published",
                     "report.downloaded.pdf"):
        assert expected in actions, expected
    failures = db.session.scalars(select(AuditEvent.outcome).where(
        AuditEvent.action == "report.signed", AuditEvent.case_id == j["case"].id)).all()
    assert sorted(failures) == ["failure", "success"]


def test_templates_are_admin_data_and_seed_the_draft(journey, make_user, auth) -> None:
    j = journey
    admin = auth.login(make_user("admin"))
    template = {"name": "Chest CT", "specialty": None, "modality": "CT", "title": "Chest CT second opinion",
                "sections": [{"key": "lungs", "title": "Lungs", "required": True, "default": "Clear."},
                             {"key": "pleura", "title": "Pleura"}],
                "required_fields": ["technique"]}
    assert j["spec"].post("/api/report-templates", json=template).status_code == 403
    r = admin.post("/api/report-templates", json=template)
    assert r.status_code == 201, r.get_json()
    draft = j["spec"].post(f"/api/cases/{j['case'].id}/report", json={"template_id": r.get_json()["id"]}).get_json()
    assert draft["content"]["title"] == "Chest CT second opinion"
    assert [f["title"] for f in draft["content"]["findings"]] == ["Lungs", "Pleura"]
    assert draft["required_fields"] == ["impression", "technique"]
    assert set(draft["missing_fields"]) == {"impression", "technique"}
    assert j["spec"].get("/api/report-templates").get_json()["items"][0]["name"] == "Chest CT"


def test_signing_without_a_code_needs_a_recent_reauthentication(journey, app) -> None:
    j = journey
    url = f"/api/cases/{j['case'].id}/report"
    _start(j)
    j["spec"].put(url, json=_body(j, 1))
    app.config["REAUTH_WINDOW_SECONDS"] = 0  # the sign-in no longer counts as recent
    r = j["spec"].post(f"{url}/sign", json={"base_version": 2})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "reauthentication_required"
    app.config["REAUTH_WINDOW_SECONDS"] = 300
    assert j["spec"].post("/api/auth/reauth", json={"password": PASSWORD}).status_code == 200
    r = j["spec"].post(f"{url}/sign", json={"base_version": 2})
    assert r.status_code == 200 and r.get_json()["status"] == "final"


def test_measurements_come_from_live_annotations_and_reach_the_sr(journey) -> None:
    import uuid

    from telehealth.live.models import Annotation

    j = journey
    ct = j["ct"]
    where = {"case_id": j["case"].id, "study_instance_uid": ct.StudyInstanceUID,
             "series_instance_uid": ct.SeriesInstanceUID, "sop_instance_uid": j["uids"][0],
             "author_id": j["specialist"].id}
    annotations = [
        Annotation(id=str(uuid.uuid4()), kind="length", graphic_type="POLYLINE", points=[[10, 10], [50, 40]],
                   measurements=[{"name": "length", "value": 33.07, "unit": "mm"}], label="Nodule", **where),
        Annotation(id=str(uuid.uuid4()), kind="ellipse_roi", graphic_type="ELLIPSE",
                   points=[[30, 40], [70, 40], [50, 30], [50, 50]],
                   measurements=[{"name": "area", "value": 412.5, "unit": "mm2"},
                                 {"name": "mean", "value": -35.5, "unit": "[hnsf'U]"}], **where),
        Annotation(id=str(uuid.uuid4()), kind="arrow", graphic_type="POLYLINE", points=[[5, 5], [20, 20]],
                   measurements=[], label="look", **where),
    ]
    db.session.add_all(annotations)
    db.session.commit()
    url = f"/api/cases/{j['case'].id}/report"
    _start(j)
    listed = j["spec"].get(f"{url}/annotations").get_json()
    items = listed["items"]
    assert [(i["annotation_id"], i["kind"], i["value"]) for i in items] == [
        (annotations[0].id, "length", 33.07), (annotations[1].id, "area", 412.5),
        (annotations[1].id, "mean", -35.5)]
    assert items[0]["sop_class_uid"] == ct.SOPClassUID  # filled from the archive
    image = {k: items[0][k] for k in ("study_instance_uid", "series_instance_uid", "sop_class_uid",
                                      "sop_instance_uid")}
    key = {**image, "window_center": 40, "window_width": 400, "caption": "Nodule",
           "annotation_ids": [annotations[0].id, annotations[2].id]}
    r = j["spec"].put(url, json=_body(j, 1, measurements=items, key_images=[key]))
    assert r.status_code == 200, r.get_json()
    assert _sign(j, 2).status_code == 200
    sr = pydicom.dcmread(BytesIO(j["spec"].get(f"/api/cases/{j['case'].id}/report/sr.dcm").data))
    groups = hd.sr.ComprehensiveSR.from_dataset(sr).content.get_planar_roi_measurement_groups()
    got = [(str(g.tracking_uid), m.value, m.unit.value) for g in groups for m in g.get_measurements()]
    assert got == [(f"2.25.{uuid.UUID(a.id).int}", m["value"], m["unit"])
                   for a in annotations for m in a.measurements]
    pdf = j["spec"].get(f"/api/cases/{j['case'].id}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")


def test_template_is_picked_by_the_study_modality(journey, make_user, auth) -> None:
    j = journey
    admin = auth.login(make_user("admin"))
    for name, modality in (("Knee MRI", "MR"), ("Chest CT", "CT")):
        r = admin.post("/api/report-templates", json={
            "name": name, "modality": modality, "sections": [{"key": "main", "title": f"{name} findings"}]})
        assert r.status_code == 201
    draft = _start(j)  # the case's images are CT
    assert [f["title"] for f in draft["content"]["findings"]] == ["Chest CT findings"]


def test_post_signature_work_runs_off_the_request_thread(journey, app) -> None:
    import time

    from sqlalchemy import select

    from telehealth.dicom.models import DicomInstance

    app.config["REPORTS_BACKGROUND"] = True
    j = journey
    _start(j)
    j["spec"].put(f"/api/cases/{j['case'].id}/report", json=_body(j, 1))
    assert _sign(j, 2).status_code == 200
    deadline = time.monotonic() + 60
    found: set[str] = set()
    while time.monotonic() < deadline:
        db.session.rollback()
        found = set(db.session.scalars(select(DicomInstance.sop_class_uid).where(
            DicomInstance.case_id == j["case"].id)).all())
        cached = [n for _, _, files in os.walk(os.path.join(app.config["DATA_DIR"], "reports")) for n in files]
        if "1.2.840.10008.5.1.4.1.1.104.1" in found and "signed-fhir.json" in cached:
            break
        time.sleep(0.2)
    assert {"1.2.840.10008.5.1.4.1.1.88.33", "1.2.840.10008.5.1.4.1.1.104.1"} <= found
    assert "signed-fhir.json" in cached


def test_concurrent_saves_on_one_base_version_let_exactly_one_win(journey, app) -> None:
    import threading as th

    j = journey
    url = f"/api/cases/{j['case'].id}/report"
    _start(j)
    editors = [j["spec"], j["spec"]]
    results: list[int] = []
    barrier = th.Barrier(len(editors))

    def save(client, text: str) -> None:  # type: ignore[no-untyped-def]
        with app.app_context():
            barrier.wait()
            results.append(client.put(url, json=_body(j, 1, history=text)).status_code)

    threads = [th.Thread(target=save, args=(c, f"editor {i}")) for i, c in enumerate(editors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]
    assert j["spec"].get(url).get_json()["version"] == 2


def test_preview_of_the_draft_prints_its_key_images(journey) -> None:
    j = journey
    url = f"/api/cases/{j['case'].id}/report"
    _start(j)
    assert j["spec"].put(url, json=_body(j, 1, key_images=[])).status_code == 200
    plain = j["spec"].get(f"{url}/preview").data.decode()
    assert 'alt="Key image 1"' not in plain
    assert j["spec"].put(url, json=_body(j, 2)).status_code == 200
    r = j["spec"].get(f"{url}/preview?version=1")
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.data.decode()
    assert 'alt="Key image 1"' in html and "data:image/jpeg;base64," in html and "Nodule" in html
    assert "W 400 / L 40" in html
