"""TOTP MFA: enrolment, the login challenge, recovery codes, brute force, policy, re-authentication."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from telehealth import clock
from telehealth.audit.models import AuditEvent
from telehealth.db import utcnow
from telehealth.extensions import db
from telehealth.identity.mfa import recently_reauthenticated
from telehealth.identity.models import RecoveryCode
from tests.conftest import PASSWORD
from tests.identity.conftest import totp_now


def enrol(c):  # type: ignore[no-untyped-def]
    """Enrol the client's user; returns (secret, recovery codes)."""
    r = c.post("/api/auth/mfa/enrol")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["otpauth_uri"].startswith("otpauth://totp/Telehealth:")
    conf = c.post("/api/auth/mfa/confirm", json={"code": totp_now(body["secret"])})
    assert conf.status_code == 200, conf.get_json()
    return body["secret"], conf.get_json()["recovery_codes"]


def login(client, user, **extra):  # type: ignore[no-untyped-def]
    return client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD, **extra})


def test_enrolment_then_login_needs_the_code(auth, make_user, client):
    clock.set_time(utcnow())
    user = make_user("patient")
    c = auth.login(user)
    assert c.get("/api/auth/mfa").get_json()["enrolled"] is False
    secret, codes = enrol(c)
    assert len(codes) == 10 and len(set(codes)) == 10
    # Stored hashed: no recovery code appears in the database.
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert not set(codes) & set(stored)
    clock.advance(timedelta(seconds=60))
    first = login(client, user)
    assert first.status_code == 401 and first.get_json()["error"]["code"] == "mfa_required"
    assert client.get("/api/auth/me").status_code == 401
    wrong = login(client, user, totp="000000" if totp_now(secret) != "000000" else "111111")
    assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "invalid_mfa_code"
    ok = login(client, user, totp=totp_now(secret))
    assert ok.status_code == 200 and ok.get_json()["mfa"]["enrolled"] is True
    # The bearer-token route needs it too.
    assert client.post("/api/auth/token", json={"email": user.email, "password": PASSWORD}).status_code == 401


def test_a_code_is_accepted_once(auth, make_user, client):
    clock.set_time(utcnow())
    user = make_user("patient")
    secret, _ = enrol(auth.login(user))
    clock.advance(timedelta(seconds=30))
    code = totp_now(secret)
    assert login(client, user, totp=code).status_code == 200
    replay = login(app_client := client.application.test_client(), user, totp=code)
    assert replay.status_code == 401 and app_client.get("/api/auth/me").status_code == 401


def test_recovery_code_works_once(auth, make_user, client):
    clock.set_time(utcnow())
    user = make_user("patient")
    _, codes = enrol(auth.login(user))
    assert login(client, user, recovery_code=codes[0].upper()).status_code == 200
    again = login(client.application.test_client(), user, recovery_code=codes[0])
    assert again.status_code == 401 and again.get_json()["error"]["code"] == "invalid_mfa_code"
    assert login(client.application.test_client(), user, recovery_code=codes[1]).status_code == 200
    me = client.get("/api/auth/mfa").get_json()
    assert me["recovery_codes_left"] == 8
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == user.id)).all()
    assert actions.count("mfa.recovery_code_used") == 2


def test_guessing_codes_locks_the_account(auth, make_user, client):
    clock.set_time(utcnow())
    user = make_user("patient")
    secret, _ = enrol(auth.login(user))
    clock.advance(timedelta(seconds=60))
    good = totp_now(secret)
    bad = [f"{n:06d}" for n in range(100000, 100010) if f"{n:06d}" != good][:5]
    statuses = [login(client, user, totp=code).status_code for code in bad]
    assert statuses == [401] * 5
    locked = login(client, user, totp=good)
    assert locked.status_code == 423 and int(locked.headers["Retry-After"]) > 0


def test_confirm_with_a_wrong_code_and_double_enrolment(auth, make_user):
    c = auth.login(make_user("patient"))
    assert c.post("/api/auth/mfa/confirm", json={"code": "123456"}).status_code == 409  # nothing pending
    c.post("/api/auth/mfa/enrol")
    r = c.post("/api/auth/mfa/confirm", json={"code": "12345x"})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_mfa_code"
    enrol(c)
    assert c.post("/api/auth/mfa/enrol").status_code == 409


def test_enrolment_needs_csrf(auth, make_user):
    c = auth.login(make_user("patient"))
    r = c.http.post("/api/auth/mfa/enrol")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "csrf_failed"
    r = c.http.post("/api/auth/mfa/enrol", headers={"X-CSRF-Token": "wrong"})
    assert r.status_code == 403


def test_policy_grace_then_enrolment_required(auth, make_user, client):
    start = utcnow()
    clock.set_time(start)
    specialist = make_user("specialist")
    first = login(client, specialist)
    assert first.status_code == 200
    mfa = first.get_json()["mfa"]
    assert mfa["required"] and mfa["enrolment_required"] and not mfa["blocked"] and mfa["grace_until"]
    # After the grace period: sign-in still works, but only to enrol.
    clock.set_time(start + timedelta(days=15))
    c = auth.login(specialist)
    assert c.get("/api/auth/me").get_json()["mfa"]["blocked"] is True
    blocked = c.get("/api/cases")
    assert blocked.status_code == 403 and blocked.get_json()["error"]["code"] == "mfa_enrolment_required"
    enrol(c)
    assert c.get("/api/cases").status_code == 200
    # Patients are not asked.
    patient = login(client.application.test_client(), make_user("patient")).get_json()
    assert patient["mfa"]["required"] is False


def test_demo_accounts_are_never_locked_out_by_the_policy(auth, make_user, app):
    from telehealth.identity.seed import seed_demo

    start = utcnow()
    clock.set_time(start)
    admin = make_user("admin")
    seed_demo(db.session, {"admin": admin})
    clock.set_time(start + timedelta(days=400))
    c = auth.login(admin)
    mfa = c.get("/api/auth/me").get_json()["mfa"]
    assert mfa["enrolment_required"] and not mfa["blocked"]
    assert c.get("/api/admin/users").status_code == 200


def test_required_roles_are_configurable(auth, make_user, app):
    app.config["MFA_REQUIRED_ROLES"] = ["patient"]
    c = auth.login(make_user("patient"))
    assert c.get("/api/auth/mfa").get_json()["required"] is True
    assert auth.login(make_user("specialist")).get("/api/auth/mfa").get_json()["required"] is False


def test_reauthentication_stamp(auth, make_user, client):
    start = utcnow()
    clock.set_time(start)
    user = make_user("specialist")
    c = auth.login(user)
    from telehealth.accounts.models import AuthSession

    s = db.session.scalars(select(AuthSession)).one()
    assert recently_reauthenticated(s, 300)  # the sign-in itself is recent
    clock.advance(timedelta(minutes=10))
    assert not recently_reauthenticated(s, 300)
    wrong = c.post("/api/auth/reauth", json={"password": "not-my-password"})
    assert wrong.status_code == 401
    r = c.post("/api/auth/reauth", json={"password": PASSWORD})
    assert r.status_code == 200
    db.session.expire_all()
    assert recently_reauthenticated(s, 300)
    clock.advance(timedelta(minutes=6))
    assert not recently_reauthenticated(s, 300)
    # With TOTP once enrolled.
    secret, _ = enrol(c)
    clock.advance(timedelta(seconds=60))
    assert c.post("/api/auth/reauth", json={"totp": totp_now(secret)}).status_code == 200
    db.session.expire_all()
    assert recently_reauthenticated(s, 60)
    assert c.post("/api/auth/reauth", json={}).status_code == 422


def test_recovery_codes_regenerated_after_reauth(auth, make_user):
    start = utcnow()
    clock.set_time(start)
    c = auth.login(make_user("patient"))
    _, old = enrol(c)
    clock.advance(timedelta(minutes=10))
    r = c.post("/api/auth/mfa/recovery-codes")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "reauth_required"
    c.post("/api/auth/reauth", json={"password": PASSWORD})
    new = c.post("/api/auth/mfa/recovery-codes").get_json()["recovery_codes"]
    assert len(new) == 10 and not set(new) & set(old)


def test_admin_resets_a_lost_authenticator(auth, make_user, client):
    clock.set_time(utcnow())
    user = make_user("coordinator")
    enrol(auth.login(user))
    admin = auth.login(make_user("admin"))
    assert admin.post(f"/api/admin/users/{user.id}/mfa-reset", json={"grace_days": 2}).status_code == 204
    clock.advance(timedelta(seconds=60))
    r = login(client, user)
    assert r.status_code == 200 and r.get_json()["mfa"]["enrolled"] is False


def test_disable_needs_reauth_and_is_refused_where_policy_requires(auth, make_user, client):
    start = utcnow()
    clock.set_time(start)
    patient = make_user("patient")
    c = auth.login(patient)
    enrol(c)
    clock.advance(timedelta(minutes=10))
    r = c.delete("/api/auth/mfa")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "reauth_required"
    c.post("/api/auth/reauth", json={"password": PASSWORD})
    assert c.delete("/api/auth/mfa").status_code == 204
    assert login(client, patient).status_code == 200  # password alone again
    specialist = make_user("specialist")
    s = auth.login(specialist)
    enrol(s)
    r = s.delete("/api/auth/mfa")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "mfa_required_by_policy"
