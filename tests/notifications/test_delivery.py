"""Notifications reach the right people: stored, pushed over Socket.IO, e-mailed over real SMTP."""
from __future__ import annotations

from datetime import timedelta

from telehealth.cases.offers import respond
from telehealth.cases.service import transition
from telehealth.extensions import db, socketio
from telehealth.notifications.service import notify
from tests.routing.factories import add_profile, notifications


def _events(sio, name: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return [e["args"][0] for e in sio.get_received("/notifications") if e["name"] == name]


def test_offer_is_emailed_over_smtp_without_clinical_details(smtp, frozen, make_user, make_case, app):
    spec = make_user("specialist")
    add_profile(spec)
    case = make_case(make_user("patient"), region="EU-DE", title="Mr X brain tumour?", submit=True)
    assert case.status == "offered"
    [mail] = smtp.to(spec.email)
    assert mail["From"] == "noreply@telehealth.test"
    assert mail["Subject"] == "[Telehealth] A case is offered to you"
    body = mail.get_content()
    assert f"/cases/{case.id}" in body and "tumour" not in body and "Mr X" not in body
    # In the app, the same notification carries the details.
    [n] = notifications(spec, "offer_received")
    assert n.title == "New case offered to you: Mr X brain tumour?" and n.read_at is None


def test_preferences_choose_email_and_in_app_per_kind(smtp, frozen, auth, make_user, make_case):
    patient_user = make_user("patient")
    spec = make_user("specialist")
    add_profile(spec)
    patient = auth.login(patient_user)
    prefs = {p["kind"]: p for p in patient.get("/api/notifications/preferences").get_json()["items"]}
    assert prefs["case_accepted"] == {"kind": "case_accepted", "label": prefs["case_accepted"]["label"],
                                      "in_app": True, "email": True}
    r = patient.put("/api/notifications/preferences", json={"preferences": [
        {"kind": "case_accepted", "email": False}, {"kind": "info_requested", "in_app": False}]})
    assert r.status_code == 200
    bad = patient.put("/api/notifications/preferences", json={"preferences": [{"kind": "nope", "email": True}]})
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "unknown_kind"
    case = make_case(patient_user, region="EU-DE", submit=True)
    respond(db.session, spec, case.id, accept=True)
    transition(db.session, spec, case.id, "start_review")
    transition(db.session, spec, case.id, "request_info", "Please send the prior report")
    assert len(notifications(patient_user, "case_accepted")) == 1
    assert smtp.to(patient_user.email) != [] and all(
        "accepted" not in m["Subject"] for m in smtp.to(patient_user.email))
    assert notifications(patient_user, "info_requested") == []  # in-app off...
    assert any(m["Subject"] == "[Telehealth] The specialist asks for more information"
               for m in smtp.to(patient_user.email))  # ...but still e-mailed


def test_live_notification_reaches_only_its_user(frozen, auth, make_user, app):
    alice_user, bob_user = make_user("patient"), make_user("patient")
    alice, bob = auth.login(alice_user), auth.login(bob_user)
    alice_sio = socketio.test_client(app, namespace="/notifications", flask_test_client=alice.http)
    bob_sio = socketio.test_client(app, namespace="/notifications", flask_test_client=bob.http)
    assert alice_sio.is_connected("/notifications") and bob_sio.is_connected("/notifications")
    assert _events(alice_sio, "unread") == [{"unread": 0}]
    _events(bob_sio, "unread")

    notify(db.session, [alice_user], kind="case_status", title="Your case moved", body="It is in review")
    db.session.commit()

    [pushed] = _events(alice_sio, "notification")
    assert pushed["notification"]["title"] == "Your case moved" and pushed["unread"] == 1
    assert bob_sio.get_received("/notifications") == []
    # Nothing is pushed for a change that is rolled back.
    notify(db.session, [alice_user], kind="case_status", title="Never happened")
    db.session.rollback()
    assert alice_sio.get_received("/notifications") == []
    alice_sio.disconnect("/notifications")
    bob_sio.disconnect("/notifications")


def test_socket_refuses_strangers_and_accepts_a_bearer_token(frozen, auth, make_user, app, client):
    anonymous = socketio.test_client(app, namespace="/notifications", flask_test_client=client)
    assert not anonymous.is_connected("/notifications")
    forged = socketio.test_client(app, namespace="/notifications", auth={"token": "not-a-token"})
    assert not forged.is_connected("/notifications")
    user = make_user("referrer")
    token = auth.token(user).bearer
    sio = socketio.test_client(app, namespace="/notifications", auth={"token": token})
    assert sio.is_connected("/notifications")
    notify(db.session, [user], kind="message", title="Hello")
    db.session.commit()
    assert [e["notification"]["title"] for e in _events(sio, "notification")] == ["Hello"]
    sio.disconnect("/notifications")


def test_list_mark_read_and_read_all(frozen, auth, make_user):
    me_user, other_user = make_user("patient"), make_user("patient")
    me, other = auth.login(me_user), auth.login(other_user)
    for i in range(3):
        notify(db.session, [me_user], kind="case_status", title=f"Update {i}")
        frozen.advance(timedelta(minutes=1))
    notify(db.session, [other_user], kind="case_status", title="Theirs")
    db.session.commit()
    page = me.get("/api/notifications?per_page=2").get_json()
    assert page["total"] == 3 and page["unread"] == 3
    assert [n["title"] for n in page["items"]] == ["Update 2", "Update 1"]
    first = page["items"][0]["id"]
    r = me.post(f"/api/notifications/{first}/read")
    assert r.status_code == 200 and r.get_json()["read_at"] is not None
    assert me.get("/api/notifications").get_json()["unread"] == 2
    assert [n["title"] for n in me.get("/api/notifications?unread=true").get_json()["items"]] == \
        ["Update 1", "Update 0"]
    # Someone else's notification does not exist for me.
    theirs = other.get("/api/notifications").get_json()["items"][0]["id"]
    assert me.post(f"/api/notifications/{theirs}/read").status_code == 404
    r = me.post("/api/notifications/read-all")
    assert r.get_json() == {"marked": 2, "unread": 0}
    assert other.get("/api/notifications").get_json()["unread"] == 1
    assert me.http.get("/api/notifications", headers={}).status_code == 200
    assert me.http.post("/api/notifications/read-all").status_code == 403  # CSRF still applies


def test_lifecycle_events_notify_the_people_concerned(frozen, make_user, make_case):
    referrer = make_user("referrer")
    patient = make_user("patient")
    coordinator = make_user("coordinator")
    spec = make_user("specialist")
    add_profile(spec)
    case = make_case(referrer, region="EU-DE", submit=True)
    from telehealth.cases.conversation import add_participant, post_message

    add_participant(db.session, case, patient, "patient", referrer)
    db.session.commit()

    def kinds(user):  # type: ignore[no-untyped-def]
        return [n.kind for n in notifications(user)]

    respond(db.session, spec, case.id, accept=True)
    assert kinds(patient) == kinds(referrer) == ["case_accepted"]
    frozen.advance(timedelta(minutes=1))
    transition(db.session, spec, case.id, "start_review")
    frozen.advance(timedelta(minutes=1))
    post_message(db.session, spec, case.id, "Looking at it now")
    assert kinds(spec) == ["offer_received"]  # not told about their own steps and messages
    assert kinds(patient) == ["case_accepted", "case_status", "message"]
    frozen.advance(timedelta(minutes=1))
    transition(db.session, referrer, case.id, "cancel", "Patient withdrew")
    assert notifications(spec)[-1].title == f"Case cancelled: {case.title}"
    assert notifications(patient)[-1].title == f"Case cancelled: {case.title}"
    assert kinds(referrer) == ["case_accepted", "case_status", "message"]  # the actor is not told
    assert kinds(coordinator) == []  # nothing went wrong: nothing to escalate


def test_integration_service_accounts_are_not_notified(frozen, make_user, make_org, make_case):
    from telehealth.identity.clients import create_client

    org = make_org("referring")
    admin = make_user("admin")
    client, _secret = create_client(db.session, admin, name="PACS gateway", organization_id=org.id,
                                    scopes=["cases:write"])
    person = make_user("referrer")
    made = notify(db.session, [client.service_user, person], kind="message", title="New message")
    db.session.commit()
    assert [n.user_id for n in made] == [person.id]
    assert notifications(client.service_user) == []
