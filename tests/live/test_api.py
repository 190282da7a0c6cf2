"""The live sessions HTTP API: who may open, read and end sessions; summaries; OpenAPI."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from telehealth import clock
from telehealth.cases.models import CaseEvent
from telehealth.extensions import db
from telehealth.live.signals import session_scheduled
from tests.live.conftest import emit, length, received


def test_only_a_specialist_of_the_case_opens_a_session(live, people):
    case = people["case"]
    assert live.api(people["referrer"]).post(f"/api/cases/{case.id}/sessions", json={"title": "x"}
                                             ).get_json()["error"]["code"] == "not_allowed"
    # Someone who cannot see the case learns nothing about it.
    r = live.api(people["outsider"]).post(f"/api/cases/{case.id}/sessions", json={"title": "x"})
    assert r.status_code == 404
    bad = live.api(people["specialist"]).post(f"/api/cases/{case.id}/sessions", json={"title": ""})
    assert bad.status_code == 422
    naive = live.api(people["specialist"]).post(f"/api/cases/{case.id}/sessions",
                                                json={"title": "t", "scheduled_at": "2030-01-01T10:00:00"})
    assert naive.status_code == 422


def test_a_scheduled_session_notifies_and_starts_on_first_join(live, people):
    heard = []

    def listener(live_session, **kw):  # type: ignore[no-untyped-def]
        heard.append(live_session.id)

    session_scheduled.connect(listener)
    try:
        at = (clock.now() + timedelta(days=1)).isoformat()
        r = live.api(people["specialist"]).post(f"/api/cases/{people['case'].id}/sessions",
                                                json={"title": "Tumour board", "scheduled_at": at})
    finally:
        session_scheduled.disconnect(listener)
    body = r.get_json()
    assert r.status_code == 201 and body["status"] == "scheduled" and body["started_at"] is None
    assert heard == [body["id"]]
    timeline = db.session.scalars(select(CaseEvent.action).where(CaseEvent.case_id == people["case"].id)).all()
    assert "live_session_scheduled" in timeline
    # The other people of the case are invited (in-app; e-mail when SMTP is configured).
    inbox = live.api(people["referrer"]).get("/api/notifications").get_json()["items"]
    assert [n["kind"] for n in inbox if n["kind"] == "live_session"] == ["live_session"]
    assert "scheduled for" in next(n["title"] for n in inbox if n["kind"] == "live_session")
    host_inbox = live.api(people["specialist"]).get("/api/notifications").get_json()["items"]
    assert not any(n["kind"] == "live_session" for n in host_inbox)
    live.joined(people["referrer"], body["id"])
    now = live.api(people["referrer"]).get(f"/api/sessions/{body['id']}").get_json()
    assert now["status"] == "live" and now["started_at"] is not None


def test_the_host_ends_the_session_for_everyone(live, people):
    sid = live.open_session(people["specialist"], people["case"])
    host, _ = live.joined(people["specialist"], sid)
    ref, _ = live.joined(people["referrer"], sid)
    emit(host, "annotation:add", {"session_id": sid, "annotation": length()})
    received(ref)
    assert live.api(people["referrer"]).post(f"/api/sessions/{sid}/end").status_code == 403
    r = live.api(people["specialist"]).post(f"/api/sessions/{sid}/end")
    body = r.get_json()
    assert r.status_code == 200 and body["status"] == "ended" and body["duration_seconds"] >= 0
    assert body["annotation_count"] == 1
    assert {p["user"]["id"] for p in body["participants"]} == {people["specialist"].id, people["referrer"].id}
    assert not any(p["present"] for p in body["participants"])
    assert [e["type"] for e in received(ref)] == ["session:ended"]
    # Nothing more is accepted, and nobody can come back in.
    assert emit(ref, "chat", {"session_id": sid, "body": "hello?"})["error"]["code"] == "not_joined"
    assert emit(ref, "join", {"session_id": sid})["error"]["code"] == "session_ended"
    assert live.api(people["specialist"]).post(f"/api/sessions/{sid}/end").status_code == 409
    # The annotations stay readable for the report.
    assert len(live.api(people["specialist"]).get(f"/api/sessions/{sid}/annotations").get_json()["items"]) == 1


def test_the_host_can_end_over_the_socket_too(live, people):
    sid = live.open_session(people["specialist"], people["case"])
    host, _ = live.joined(people["specialist"], sid)
    ref, _ = live.joined(people["referrer"], sid)
    received(ref)
    assert emit(ref, "end", {"session_id": sid})["error"]["code"] == "not_host"
    assert emit(host, "end", {"session_id": sid})["ok"]
    assert [e["type"] for e in received(ref)] == ["session:ended"]


def test_sessions_are_listed_on_the_case_and_hidden_from_others(live, people):
    sid = live.open_session(people["specialist"], people["case"], title="First look")
    items = live.api(people["patient"]).get(f"/api/cases/{people['case'].id}/sessions").get_json()["items"]
    assert [(i["id"], i["title"], i["host"]["id"]) for i in items] == [(sid, "First look", people["specialist"].id)]
    outsider = live.api(people["outsider"])
    assert outsider.get(f"/api/sessions/{sid}").status_code == 404
    assert outsider.get(f"/api/sessions/{sid}/annotations").status_code == 404
    assert outsider.get(f"/api/cases/{people['case'].id}/annotations").status_code == 404
    assert live.api(people["patient"]).get("/api/sessions/" + "x" * 80).status_code == 404


def test_a_revoked_sign_in_is_dropped_from_the_socket(app, live, people, auth):
    sid = live.open_session(people["specialist"], people["case"])
    api = auth.login(people["referrer"])
    from telehealth.extensions import socketio
    from telehealth.live.events import namespace

    c = socketio.test_client(app, namespace="/live", flask_test_client=api.http)
    assert "error" not in emit(c, "join", {"session_id": sid})
    host, _ = live.joined(people["specialist"], sid)
    assert api.post("/api/auth/logout").status_code == 204
    namespace.recheck_sign_ins()  # what the background task does every LIVE_AUTH_RECHECK_SECONDS
    assert not c.is_connected("/live")
    assert host.is_connected("/live")
    assert [(e["data"]["action"], e["data"]["reason"]) for e in received(host, "presence")
            if e["data"]["action"] == "leave"] == [("leave", "disconnect")]


def test_a_connection_that_only_listens_is_rechecked_too(app, live, people):
    """Nothing it sends triggers the check: an expired sign-in stops receiving the session all the same."""
    from telehealth.accounts.models import AuthSession
    from telehealth.live.events import namespace

    sid = live.open_session(people["specialist"], people["case"])
    host, _ = live.joined(people["specialist"], sid)
    listener, _ = live.joined(people["patient"], sid)
    namespace.recheck_sign_ins()
    assert listener.is_connected("/live")  # still signed in: kept
    db.session.execute(AuthSession.__table__.update().where(AuthSession.user_id == people["patient"].id)
                       .values(expires_at=clock.now() - timedelta(seconds=1)))
    db.session.commit()
    namespace.recheck_sign_ins()
    assert not listener.is_connected("/live")
    emit(host, "chat", {"session_id": sid, "body": "after the patient's sign-in expired"})
    assert host.is_connected("/live")


def test_only_a_connection_in_use_keeps_its_sign_in_from_idling_out(app, live, people):
    from telehealth.accounts.models import AuthSession
    from telehealth.live.events import namespace

    sid = live.open_session(people["specialist"], people["case"])
    host, _ = live.joined(people["specialist"], sid)
    listener, _ = live.joined(people["patient"], sid)
    stale = clock.now() - timedelta(minutes=5)
    db.session.execute(AuthSession.__table__.update().values(last_seen_at=stale))
    db.session.commit()
    namespace.recheck_sign_ins()  # both joined (an event each) since they connected
    db.session.execute(AuthSession.__table__.update().values(last_seen_at=stale))
    db.session.commit()
    emit(host, "pointer", {"session_id": sid, "x": 1, "y": 1})
    namespace.recheck_sign_ins()
    seen = dict(db.session.execute(select(AuthSession.user_id, AuthSession.last_seen_at)).all())
    assert seen[people["specialist"].id] > stale
    assert seen[people["patient"].id] == stale


def test_openapi_documents_the_live_routes(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/cases/{case_id}/sessions", "/api/sessions/{session_id}", "/api/sessions/{session_id}/end",
                 "/api/sessions/{session_id}/annotations", "/api/cases/{case_id}/annotations"):
        assert path in paths, path
    assert {"get", "post"} <= set(paths["/api/cases/{case_id}/sessions"])


def test_someone_taken_off_the_case_stops_receiving_the_session(app, live, people):
    from telehealth.live.events import namespace

    sid = live.open_session(people["specialist"], people["case"])
    host, _ = live.joined(people["specialist"], sid)
    pat, _ = live.joined(people["patient"], sid)
    received(host)
    from telehealth.cases.models import CaseParticipant

    db.session.execute(CaseParticipant.__table__.delete().where(CaseParticipant.user_id == people["patient"].id))
    db.session.commit()
    db.session.expire_all()
    namespace.recheck_sign_ins()
    assert emit(pat, "pointer", {"session_id": sid, "x": 1, "y": 1})["error"]["code"] == "not_joined"
    assert [(e["data"]["action"], e["data"]["reason"]) for e in received(host, "presence")] == [("leave", "removed")]
    emit(host, "chat", {"session_id": sid, "body": "not for the patient any more"})
    assert received(pat) == []
    assert pat.is_connected("/live")  # still signed in: only this case's session is gone


def test_a_cross_site_page_cannot_ride_the_session_cookie(app, live, people):
    from telehealth.extensions import socketio

    http = live.api(people["referrer"]).http
    evil = socketio.test_client(app, namespace="/live", flask_test_client=http,
                                headers={"Origin": "https://evil.example"})
    assert not evil.is_connected("/live")
    own = socketio.test_client(app, namespace="/live", flask_test_client=http, headers={"Origin": "http://localhost"})
    assert own.is_connected("/live")


def test_nothing_happens_in_a_session_of_a_cancelled_case(live, people):
    sid = live.open_session(people["specialist"], people["case"])
    host, _ = live.joined(people["specialist"], sid)
    r = live.api(people["referrer"]).post(f"/api/cases/{people['case'].id}/cancel", json={"reason": "moved"})
    assert r.status_code == 200, r.get_json()
    assert emit(host, "annotation:add", {"session_id": sid, "annotation": length()})["error"]["code"] == "case_closed"
    late = live.socket(people["referrer"])
    assert emit(late, "join", {"session_id": sid})["error"]["code"] == "case_closed"
