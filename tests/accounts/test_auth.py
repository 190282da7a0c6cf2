"""Sign-up, login, tokens, sessions, CSRF and login throttling through HTTP."""
from __future__ import annotations

from sqlalchemy import select

from telehealth.audit.models import AuditEvent
from telehealth.extensions import db
from tests.conftest import PASSWORD


def test_register_signs_in_with_a_safe_cookie(client):
    r = client.post("/api/auth/register", json={"email": "Ann@Example.org", "password": PASSWORD, "name": "Ann"})
    assert r.status_code == 201
    body = r.get_json()
    assert body["user"]["email"] == "ann@example.org" and body["user"]["roles"] == ["patient"]
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    me = client.get("/api/auth/me")
    assert me.status_code == 200 and me.get_json()["user"]["name"] == "Ann"


def test_weak_and_duplicate_passwords_are_refused(client, make_user):
    short = client.post("/api/auth/register", json={"email": "a@example.org", "password": "short", "name": "A"})
    assert short.status_code == 422 and short.get_json()["error"]["code"] == "weak_password"
    common = client.post("/api/auth/register", json={"email": "a@example.org", "password": "password123456",
                                                     "name": "A"})
    assert common.status_code == 422 and "too common" in common.get_json()["error"]["message"]
    user = make_user("patient")
    dup = client.post("/api/auth/register", json={"email": user.email, "password": PASSWORD, "name": "B"})
    assert dup.status_code == 409 and dup.get_json()["error"]["code"] == "email_taken"


def test_login_logout_invalidates_on_server(app, make_user):
    user = make_user("patient")
    c = app.test_client()
    r = c.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 200
    csrf = r.get_json()["csrf_token"]
    cookie = c.get_cookie("telehealth_session").value
    assert c.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    # Replaying the old cookie after logout does not work.
    c2 = app.test_client()
    c2.set_cookie("telehealth_session", cookie)
    assert c2.get("/api/auth/me").status_code == 401


def test_cookie_writes_need_the_csrf_token(auth, make_user):
    c = auth.login(make_user("patient"))
    no_csrf = c.http.post("/api/cases", json={"title": "t", "question": "q"})
    assert no_csrf.status_code == 403 and no_csrf.get_json()["error"]["code"] == "csrf_failed"
    wrong = c.http.post("/api/cases", json={"title": "t", "question": "q"}, headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403
    assert c.post("/api/cases", json={"title": "t", "question": "q"}).status_code == 201


def test_bearer_token_for_scripts(auth, make_user, client):
    user = make_user("referrer")
    r = client.post("/api/auth/token", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 200
    body = r.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get("/api/auth/me", headers=headers).get_json()["user"]["id"] == user.id
    # No CSRF token needed with a bearer token.
    assert client.post("/api/cases", json={"title": "t", "question": "q"}, headers=headers).status_code == 201
    assert client.get("/api/auth/me", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/auth/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_sessions_listed_and_revoked(auth, make_user, app):
    user = make_user("patient")
    a, b = auth.login(user), auth.login(user)
    items = a.get("/api/auth/sessions").get_json()["items"]
    assert len(items) == 2 and sum(i["current"] for i in items) == 1
    other = next(i for i in items if not i["current"])
    assert a.delete(f"/api/auth/sessions/{other['id']}").status_code == 204
    assert b.get("/api/auth/me").status_code == 401
    assert a.get("/api/auth/me").status_code == 200
    # Someone else's session id is "not found".
    stranger = auth.login(make_user("patient"))
    mine = a.get("/api/auth/sessions").get_json()["items"][0]["id"]
    assert stranger.delete(f"/api/auth/sessions/{mine}").status_code == 404


def test_repeated_failures_lock_the_account_with_an_audit_event(client, make_user, app):
    user = make_user("patient")
    codes = [client.post("/api/auth/login", json={"email": user.email, "password": "wrong-password-x"}).status_code
             for _ in range(5)]
    assert codes == [401] * 5
    locked = client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    assert locked.status_code == 423 and int(locked.headers["Retry-After"]) > 0
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == user.id)).all()
    assert "auth.account_locked" in actions


def test_failures_from_one_address_are_throttled(client, make_user, app):
    app.config["LOGIN_MAX_FAILURES_IP"] = 3
    for i in range(3):
        client.post("/api/auth/login", json={"email": f"nobody{i}@example.org", "password": "wrong-password-x"})
    user = make_user("patient")
    r = client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 429 and r.get_json()["error"]["code"] == "too_many_attempts"


def test_idle_session_expires(auth, make_user, app):
    from datetime import timedelta

    from telehealth import clock
    from telehealth.db import utcnow

    c = auth.login(make_user("patient"))
    assert c.get("/api/auth/me").status_code == 200
    clock.set_time(utcnow() + timedelta(minutes=31))
    try:
        from telehealth.accounts.models import AuthSession
        s = db.session.scalars(select(AuthSession)).one()
        s.last_seen_at = utcnow() - timedelta(minutes=31)
        db.session.commit()
    finally:
        clock.set_time(None)
    assert c.get("/api/auth/me").status_code == 401
