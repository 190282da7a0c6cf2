"""Delivery of signed reports by STOW-RS to the referrer's DICOMweb server, with retries."""
from __future__ import annotations

import base64
import copy
import importlib
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from typing import Any

import pydicom
import pytest
from pydicom.data import get_testdata_file

from telehealth import clock
from telehealth.cases import offers
from telehealth.dicom.multipart import iter_parts, parse_content_type
from telehealth.dicom.service import ingest_file
from telehealth.dicom.settings import blob_store
from telehealth.extensions import db
from telehealth.reports import delivery
from telehealth.reports.models import ReportDelivery
from tests.conftest import PASSWORD

for _module in ("telehealth.identity.models", "telehealth.dicom.models", "telehealth.live.models"):
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError:
        pass


class StowServer(ThreadingHTTPServer):
    """A STOW-RS endpoint (PS3.18 10.5): Basic auth, multipart/related parsing, DICOM JSON answer.

    ``fail_next`` requests are answered 503 first, to exercise the retry."""

    def __init__(self, tmp: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.tmp, self.fail_next, self.stored, self.requests = tmp, 0, [], 0
        self.expected_auth = "Basic " + base64.b64encode(b"pacs:s3cret").decode()


class _Handler(BaseHTTPRequestHandler):
    server: StowServer

    def log_message(self, *args: Any) -> None:  # keep the test output clean
        pass

    def _answer(self, status: int, payload: dict[str, Any] | None = None) -> None:
        body = json.dumps(payload or {}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/dicom+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.server.requests += 1
        length = int(self.headers["Content-Length"])
        data = self.rfile.read(length)
        if self.headers.get("Authorization") != self.server.expected_auth:
            return self._answer(401)
        if not self.path.endswith("/dicomweb/studies"):
            return self._answer(404)
        if self.server.fail_next:
            self.server.fail_next -= 1
            return self._answer(503)
        media, params = parse_content_type(self.headers["Content-Type"])
        assert media == "multipart/related" and params["type"] == "application/dicom"
        refs = []
        for part in iter_parts(BytesIO(data), params["boundary"], self.server.tmp):
            ds = pydicom.dcmread(part.path)
            self.server.stored.append(ds)
            refs.append({"00081150": {"vr": "UI", "Value": [ds.SOPClassUID]},
                         "00081155": {"vr": "UI", "Value": [ds.SOPInstanceUID]}})
        self._answer(200, {"00081199": {"vr": "SQ", "Value": refs}})


@pytest.fixture
def stow(tmp_path) -> Iterator[StowServer]:
    """The referrer's DICOMweb server, running for the test."""
    server = StowServer(str(tmp_path))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def signed_case(app, make_user, make_org, make_case, auth, stow, tmp_path) -> dict[str, Any]:
    """A referrer's case with stored images, reported by a specialist; deliveries are run by hand."""
    app.config["REPORTS_DELIVER_ON_SIGN"] = False
    app.config["REPORTS_BACKGROUND"] = False
    org = make_org("referring", "City Hospital")
    org.dicomweb_url = f"http://pacs:s3cret@127.0.0.1:{stow.server_address[1]}/dicomweb"
    db.session.commit()
    referrer = make_user("referrer", org=org)
    specialist = make_user("specialist")
    coordinator = make_user("coordinator")
    case = make_case(referrer, submit=True, patient_name="Maria Keller")
    if case.status == "triage":
        offers.offer_case(db.session, coordinator, case.id, specialist.id)
    offers.respond(db.session, specialist, case.id, accept=True)
    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    path = tmp_path / "ct.dcm"
    copy.deepcopy(ct).save_as(path)
    assert ingest_file(db.session, blob_store(app.config), case, str(path), name="ct.dcm").status == "stored"
    spec = auth.login(specialist)
    url = f"/api/cases/{case.id}/report"
    assert spec.post(url, json={}).status_code == 201
    body = {"base_version": 1, "impression": ["No nodule."], "history": "Cough."}
    assert spec.put(url, json=body).status_code == 200
    r = spec.post(f"{url}/sign", json={"password": PASSWORD, "base_version": 2})
    assert r.status_code == 200, r.get_json()
    return {"case": case, "spec": spec, "ref": auth.login(referrer), "ct": ct}


def test_failed_push_is_retried_with_backoff_then_delivered(app, signed_case, stow) -> None:
    case = signed_case["case"]
    [row] = delivery.deliveries(db.session, case.id)
    assert (row.status, row.attempts) == ("pending", 0)
    stow.fail_next = 1
    now = clock.now()
    assert delivery.deliver_due(db.session, app.config, now=now) == {"delivered": 0, "retry": 1, "failed": 0}
    db.session.refresh(row)
    assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, 503)
    assert row.next_attempt_at == now + timedelta(seconds=30)
    # Not due yet: nothing is sent.
    assert delivery.deliver_due(db.session, app.config, now=now + timedelta(seconds=29))["retry"] == 0
    assert stow.requests == 1
    result = delivery.deliver_due(db.session, app.config, now=now + timedelta(seconds=31))
    assert result["delivered"] == 1
    classes = sorted(ds.SOPClassUID for ds in stow.stored)
    assert classes == ["1.2.840.10008.5.1.4.1.1.104.1", "1.2.840.10008.5.1.4.1.1.88.33"]
    assert {ds.StudyInstanceUID for ds in stow.stored} == {signed_case["ct"].StudyInstanceUID}
    log = signed_case["ref"].get(f"/api/cases/{case.id}/report/deliveries").get_json()["items"]
    assert [(d["status"], d["attempts"], d["document_version"]) for d in log] == [("delivered", 2, 1)]
    assert ":***@" in log[0]["url"] and "s3cret" not in log[0]["url"]


def test_rejected_credentials_fail_without_retrying(app, signed_case, stow) -> None:
    row = db.session.query(ReportDelivery).one()
    row.url = row.url.replace("s3cret", "wrong")
    db.session.commit()
    assert delivery.deliver_due(db.session, app.config)["failed"] == 1
    db.session.refresh(row)
    assert (row.status, row.last_status_code, row.next_attempt_at) == ("failed", 401, None)
    assert stow.stored == []


def test_attempts_run_out(app, signed_case, stow) -> None:
    app.config["REPORTS_DELIVERY_MAX_ATTEMPTS"] = 2
    stow.fail_next = 5
    now = clock.now()
    delivery.deliver_due(db.session, app.config, now=now)
    delivery.deliver_due(db.session, app.config, now=now + timedelta(hours=1))
    row = db.session.query(ReportDelivery).one()
    assert (row.status, row.attempts, row.last_status_code) == ("failed", 2, 503)


def test_backoff_doubles_and_is_capped() -> None:
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert delivery.backoff(20).total_seconds() == 3600


def test_anonymous_case_is_reidentified_for_the_referrer(app, make_user, make_org, make_case, auth, stow,
                                                          tmp_path, dciodvfy) -> None:
    app.config["REPORTS_DELIVER_ON_SIGN"] = False
    app.config["REPORTS_BACKGROUND"] = False
    org = make_org("referring", "Anonymising Clinic")
    org.dicomweb_url = f"http://pacs:s3cret@127.0.0.1:{stow.server_address[1]}/dicomweb"
    db.session.commit()
    referrer = make_user("referrer", org=org)
    specialist = make_user("specialist")
    case = make_case(referrer, submit=True, anonymous=True, patient_name="Maria Keller",
                     patient_birth_date="1961-03-14", patient_sex="F")
    if case.status == "triage":
        offers.offer_case(db.session, make_user("coordinator"), case.id, specialist.id)
    offers.respond(db.session, specialist, case.id, accept=True)
    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    path = tmp_path / "ct.dcm"
    ct.save_as(path)
    assert ingest_file(db.session, blob_store(app.config), case, str(path), name="ct.dcm").status == "stored"
    spec = auth.login(specialist)
    url = f"/api/cases/{case.id}/report"
    spec.post(url, json={})
    spec.put(url, json={"base_version": 1, "impression": ["Normal."]})
    assert spec.post(f"{url}/sign", json={"password": PASSWORD, "base_version": 2}).status_code == 200
    seen_by_specialist = pydicom.dcmread(BytesIO(spec.get(f"{url}/sr.dcm").data))
    assert seen_by_specialist.StudyInstanceUID != ct.StudyInstanceUID  # pseudonymised in the platform
    assert "Keller" not in str(seen_by_specialist.PatientName)
    assert b"Keller" not in spec.get(f"{url}/preview").data  # the specialist reads a pseudonym
    # The referring side downloads the identified variant.
    ref = auth.login(referrer)
    for_referrer = pydicom.dcmread(BytesIO(ref.get(f"{url}/sr.dcm").data))
    assert for_referrer.StudyInstanceUID == ct.StudyInstanceUID
    assert str(for_referrer.PatientName) == "Keller^Maria"
    assert b"Maria Keller" in ref.get(f"{url}/preview").data
    assert delivery.deliver_due(db.session, app.config)["delivered"] == 1
    sent = next(ds for ds in stow.stored if ds.Modality == "SR")
    assert sent.StudyInstanceUID == ct.StudyInstanceUID
    evidence = sent.CurrentRequestedProcedureEvidenceSequence[0].ReferencedSeriesSequence[0]
    assert evidence.SeriesInstanceUID == ct.SeriesInstanceUID
    assert evidence.ReferencedSOPSequence[0].ReferencedSOPInstanceUID == ct.SOPInstanceUID
    assert (str(sent.PatientName), sent.PatientBirthDate, sent.PatientSex) == ("Keller^Maria", "19610314", "F")
    assert {ds.StudyInstanceUID for ds in stow.stored} == {ct.StudyInstanceUID}
    for ds in stow.stored:  # re-identified objects stay valid
        buffer = BytesIO()
        ds.save_as(buffer, enforce_file_format=True)
        errors, output = dciodvfy(buffer.getvalue())
        assert errors == [], output


def test_push_to_a_second_instance_of_this_app_after_a_refused_connection(
        app, database_url, make_user, make_org, make_case, auth, tmp_path) -> None:
    """The referrer's "PACS" is another instance of this platform (its case-scoped STOW-RS base)."""
    import socket

    from sqlalchemy import select
    from werkzeug.serving import make_server

    from telehealth import create_app
    from telehealth.dicom.models import DicomInstance

    app.config["REPORTS_BACKGROUND"] = False
    app.config["REPORTS_DELIVER_ON_SIGN"] = False
    # The receiving side: a referrer with a case of their own on the other instance, and an API token.
    receiver = make_user("referrer", org=make_org("referring", "Receiving Hospital"))
    inbox = make_case(receiver, title="Reports received from the second-opinion service")
    token = auth.token(receiver).bearer
    with socket.socket() as probe:  # a free port, closed for now: the first push is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    org = make_org("referring", "Sending Clinic")
    org.dicomweb_url = f"http://bearer:{token}@127.0.0.1:{port}/api/cases/{inbox.id}/dicomweb"
    db.session.commit()
    referrer, specialist = make_user("referrer", org=org), make_user("specialist")
    case = make_case(referrer, submit=True)
    if case.status == "triage":
        offers.offer_case(db.session, make_user("coordinator"), case.id, specialist.id)
    offers.respond(db.session, specialist, case.id, accept=True)
    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    ct.save_as(tmp_path / "ct.dcm")
    ingest_file(db.session, blob_store(app.config), case, str(tmp_path / "ct.dcm"), name="ct.dcm")
    spec = auth.login(specialist)
    url = f"/api/cases/{case.id}/report"
    spec.post(url, json={})
    spec.put(url, json={"base_version": 1, "impression": ["Normal."]})
    assert spec.post(f"{url}/sign", json={"password": PASSWORD, "base_version": 2}).status_code == 200

    now = clock.now()
    assert delivery.deliver_due(db.session, app.config, now=now)["retry"] == 1
    row = db.session.query(ReportDelivery).one()
    assert "Connection refused" in (row.last_error or "")
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                        "DATA_DIR": str(tmp_path / "other"), "REDIS_URL": None,
                        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests"})
    server = make_server("127.0.0.1", port, other, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert delivery.deliver_due(db.session, app.config, now=now + timedelta(seconds=31))["delivered"] == 1, \
            db.session.query(ReportDelivery).one().last_error
    finally:
        server.shutdown()
        server.server_close()
        with other.app_context():
            db.session.remove()
            db.engine.dispose()  # close the second instance's connections
    received = set(db.session.scalars(select(DicomInstance.sop_class_uid).where(
        DicomInstance.case_id == inbox.id)).all())
    assert received == {"1.2.840.10008.5.1.4.1.1.88.33", "1.2.840.10008.5.1.4.1.1.104.1"}
    assert [(d["status"], d["attempts"]) for d in auth.login(referrer).get(
        f"/api/cases/{case.id}/report/deliveries").get_json()["items"]] == [("delivered", 2)]
