"""Fixtures of the live session tests: a case in review with its people, and socket clients."""
from __future__ import annotations

import uuid
from typing import Any

import pytest

from telehealth.cases.conversation import add_participant
from telehealth.cases.offers import offer_case, respond
from telehealth.dicom.models import DicomInstance, DicomPatient, DicomSeries, DicomStudy
from telehealth.extensions import db, socketio
from tests.live.servers import Redis, Server

STUDY = "1.2.826.0.1.3680043.8.498.1"
SERIES = "1.2.826.0.1.3680043.8.498.1.1"
SOP = "1.2.826.0.1.3680043.8.498.1.1.1"


def length(points: Any = ((10.0, 20.0), (110.5, 20.0)), **over: Any) -> dict[str, Any]:
    """A valid length annotation (a client-made UUID, SCOORD POLYLINE in pixel coordinates)."""
    a = {"id": str(uuid.uuid4()), "kind": "length", "study_instance_uid": STUDY, "series_instance_uid": SERIES,
         "sop_instance_uid": SOP, "frame_number": 1, "graphic_type": "POLYLINE", "points": [list(p) for p in points],
         "measurements": [{"name": "length", "value": 50.25, "unit": "mm"}], "label": "meniscus"}
    a.update(over)
    return a


def add_image(case_id: str, study: str = STUDY, series: str = SERIES, sop: str = SOP, frames: int = 1) -> None:
    """Index one instance in the case's archive (what the viewer would be showing)."""
    dp = DicomPatient(case_id=case_id, identity_key=uuid.uuid4().hex)
    db.session.add(dp)
    db.session.flush()
    st = DicomStudy(case_id=case_id, patient_ref_id=dp.id, study_instance_uid=study)
    db.session.add(st)
    db.session.flush()
    se = DicomSeries(case_id=case_id, study_id=st.id, series_instance_uid=series, modality="MR")
    db.session.add(se)
    db.session.flush()
    db.session.add(DicomInstance(case_id=case_id, study_id=st.id, series_id=se.id, sop_instance_uid=sop,
                                 sop_class_uid="1.2.840.10008.5.1.4.1.1.4", transfer_syntax_uid="1.2.840.10008.1.2.1",
                                 number_of_frames=frames, blob_sha256="0" * 64, size=1))


@pytest.fixture(scope="session", autouse=True)
def _cluster_boot(request, database_url: str):  # type: ignore[no-untyped-def]
    """When scale-out tests are selected, boot their servers at once, so they start while other tests run."""
    if not any("test_scaleout" in item.nodeid for item in request.session.items):
        yield None
        return
    redis = Redis().start()
    # One process with the Procfile's threaded worker, one with gunicorn's gevent worker (supported too).
    servers = [Server(database_url, redis.url).start(worker_class="gthread"),
               Server(database_url, redis.url).start(worker_class="gevent")]
    try:
        yield {"a": servers[0], "b": servers[1], "redis": redis}
    finally:
        for s in servers:
            s.stop()
        redis.stop()


@pytest.fixture(scope="module")
def cluster(_cluster_boot):  # type: ignore[no-untyped-def]
    """Two gunicorn processes sharing a private Redis (the shared Redis is left alone), up and answering:
    "a" with the Procfile's threaded worker, "b" with gunicorn's gevent worker.

    They are stopped after the module, so that they never see the tests of other features.
    """
    assert _cluster_boot is not None
    for key in ("a", "b"):
        _cluster_boot[key].wait()
    yield _cluster_boot
    for key in ("a", "b"):
        _cluster_boot[key].stop()
    _cluster_boot["redis"].stop()


@pytest.fixture
def people(make_user, make_case):  # type: ignore[no-untyped-def]
    """A case accepted by a specialist, with its referrer and patient; and an outsider."""
    referrer = make_user("referrer")
    specialist = make_user("specialist")
    coordinator = make_user("coordinator")
    patient = make_user("patient")
    outsider = make_user("specialist")
    case = make_case(referrer, submit=True)
    offer_case(db.session, coordinator, case.id, specialist.id)
    respond(db.session, specialist, case.id, accept=True)
    add_participant(db.session, case, patient, "patient", referrer)
    add_image(case.id)
    db.session.commit()
    return {"referrer": referrer, "specialist": specialist, "coordinator": coordinator, "patient": patient,
            "outsider": outsider, "case": case}


class Live:
    """Opens HTTP and socket clients for users."""

    def __init__(self, app, auth) -> None:  # type: ignore[no-untyped-def]
        self.app, self.auth = app, auth
        self.http: dict[str, Any] = {}

    def api(self, user):  # type: ignore[no-untyped-def]
        """A signed-in HTTP client of the user (one per user)."""
        if user.id not in self.http:
            self.http[user.id] = self.auth.login(user)
        return self.http[user.id]

    def socket(self, user, *, bearer: bool = False):  # type: ignore[no-untyped-def]
        """A connected /live socket client, with the session cookie or a bearer token."""
        if bearer:
            token = self.auth.token(user).bearer
            return socketio.test_client(self.app, namespace="/live", auth={"token": token})
        return socketio.test_client(self.app, namespace="/live", flask_test_client=self.api(user).http)

    def open_session(self, host, case, title: str = "Review") -> str:  # type: ignore[no-untyped-def]
        """The host opens a session now; its id."""
        r = self.api(host).post(f"/api/cases/{case.id}/sessions", json={"title": title})
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]

    def joined(self, user, session_id: str, **kw: Any):  # type: ignore[no-untyped-def]
        """A socket client that joined the session; (client, snapshot)."""
        c = self.socket(user, **kw)
        assert c.is_connected("/live")
        snap = c.emit("join", {"session_id": session_id}, callback=True, namespace="/live")
        assert "error" not in snap, snap
        return c, snap


@pytest.fixture
def live(app, auth):  # type: ignore[no-untyped-def]
    """The live test helper."""
    return Live(app, auth)


def received(client, name: str | None = None) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The events a test client received since last asked (optionally of one name): their payloads."""
    return [m["args"][0] for m in client.get_received("/live") if name is None or m["name"] == name]


def emit(client, event: str, data: Any) -> Any:  # type: ignore[no-untyped-def]
    """Send an event and return its ack."""
    return client.emit(event, data, callback=True, namespace="/live")
