"""Session hardening: idle and absolute timeouts on the service clock, CSRF, password change and
reset ending every session, no account enumeration, CORS only on capability URLs."""
from __future__ import annotations

import email
import glob
import os
import re
from datetime import timedelta

from telehealth import clock
from telehealth.db import utcnow
from tests.conftest import PASSWORD

NEW_PASSWORD = "a-brand-new-passphrase-42"


def test_idle_timeout_is_30_minutes(auth, make_user):
    clock.set_time(utcnow())
    c = auth.login(make_user("patient"))
    for _ in range(3):  # active every 29 minutes: still signed in
        clock.advance(timedelta(minutes=29))
        assert c.get("/api/auth/me").status_code == 200
    clock.advance(timedelta(minutes=30, seconds=1))
    r = c.get("/api/auth/me")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthenticated"


def test_absolute_timeout_is_12_hours(auth, make_user):
    clock.set_time(utcnow())
    c = auth.login(make_user("patient"))
    for _ in range(35):  # busy all day, every 20 minutes: 11 h 40 min
        clock.advance(timedelta(minutes=20))
        assert c.get("/api/auth/me").status_code == 200
    clock.advance(timedelta(minutes=20))
    assert c.get("/api/auth/me").status_code == 401


def test_csrf_missing_or_wrong_is_refused(auth, make_user):
    c = auth.login(make_user("patient"))
    for headers in ({}, {"X-CSRF-Token": "wrong"}):
        r = c.http.post("/api/auth/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                        headers=headers)
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "csrf_failed"
        assert c.http.post("/api/auth/logout", headers=headers).status_code == 403
    assert c.get("/api/auth/me").status_code == 200


def test_password_change_ends_every_session(auth, make_user, client):
    user = make_user("patient")
    a, b, script = auth.login(user), auth.login(user), auth.token(user)
    wrong = a.post("/api/auth/password", json={"current_password": "not-it-at-all", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 401
    weak = a.post("/api/auth/password", json={"current_password": PASSWORD, "new_password": "short"})
    assert weak.status_code == 422
    r = a.post("/api/auth/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert r.status_code == 200
    assert b.get("/api/auth/me").status_code == 401
    assert script.get("/api/auth/me").status_code == 401
    # The browser that changed it carries on with a fresh session and CSRF token.
    a.csrf = r.get_json()["csrf_token"]
    assert a.get("/api/auth/me").status_code == 200
    assert a.get("/api/auth/sessions").get_json()["items"][0]["current"] is True
    assert client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD}).status_code == 401
    assert client.post("/api/auth/login", json={"email": user.email, "password": NEW_PASSWORD}).status_code == 200


def _reset_token(app, address: str) -> str:
    outbox = os.path.join(app.config["DATA_DIR"], "outbox")
    for path in glob.glob(os.path.join(outbox, "*.eml")):
        with open(path, "rb") as f:
            msg = email.message_from_bytes(f.read())
        if msg["To"] == address:
            body = msg.get_payload(decode=True).decode()
            return re.search(r"token=([A-Za-z0-9_-]+)", body).group(1)  # type: ignore[union-attr]
    raise AssertionError("no reset e-mail")


def test_password_reset_by_single_use_token(app, auth, make_user, client):
    user = make_user("patient")
    signed_in = auth.login(user)
    known = client.post("/api/auth/password-reset", json={"email": user.email.upper()})
    unknown = client.post("/api/auth/password-reset", json={"email": "nobody@example.org"})
    # No account enumeration: the same answer either way.
    assert known.status_code == unknown.status_code == 202
    assert known.get_json() == unknown.get_json()
    token = _reset_token(app, user.email)
    r = client.post("/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
    assert r.status_code == 204
    assert signed_in.get("/api/auth/me").status_code == 401
    again = client.post("/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD + "x"})
    assert again.status_code == 410 and again.get_json()["error"]["code"] == "reset_token_used"
    assert client.post("/api/auth/login", json={"email": user.email, "password": NEW_PASSWORD}).status_code == 200
    bogus = client.post("/api/auth/password-reset/confirm", json={"token": "x" * 40, "new_password": NEW_PASSWORD})
    assert bogus.status_code == 400


def test_password_reset_token_expires_and_requests_are_limited(app, make_user, client):
    clock.set_time(utcnow())
    user = make_user("patient")
    client.post("/api/auth/password-reset", json={"email": user.email})
    token = _reset_token(app, user.email)
    clock.advance(timedelta(minutes=31))
    r = client.post("/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
    assert r.status_code == 410 and r.get_json()["error"]["code"] == "reset_token_expired"
    for _ in range(5):
        assert client.post("/api/auth/password-reset", json={"email": user.email}).status_code == 202
    outbox = glob.glob(os.path.join(app.config["DATA_DIR"], "outbox", "*.eml"))
    assert len(outbox) == 3  # at most 3 an hour; the answer does not change


def test_cors_only_on_share_link_dicomweb(client):
    share = client.get("/share/sometoken/dicomweb/studies", headers={"Origin": "https://viewer.example"})
    assert share.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in share.headers
    api = client.get("/api/auth/me", headers={"Origin": "https://viewer.example"})
    assert "Access-Control-Allow-Origin" not in api.headers
    page = client.get("/share/sometoken", headers={"Origin": "https://viewer.example"})
    page.close()
    assert "Access-Control-Allow-Origin" not in page.headers
