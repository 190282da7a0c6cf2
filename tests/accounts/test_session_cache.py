"""The per-process cache of resolved sessions: hits skip the database, revocation and expiry still refuse at once."""
from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event, text

from telehealth import clock
from telehealth.accounts import session_cache
from telehealth.accounts.models import User, UserRole
from telehealth.db import utcnow
from telehealth.extensions import db


@pytest.fixture
def statements(app) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """The SQL statements run while the test runs."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


def _fresh_request_session() -> None:
    # The tests share the app context (and so the database session) with the requests; a real request
    # starts with an empty session, which is when a cached entry is used.
    db.session.remove()


def _me(c):  # type: ignore[no-untyped-def]
    _fresh_request_session()
    return c.get("/api/auth/me")


def test_a_cached_token_is_resolved_without_reading_its_session(auth, make_user, statements):
    c = auth.token(make_user("referrer"))
    assert _me(c).status_code == 200  # read from the database, then cached
    statements.clear()
    r = _me(c)
    assert r.status_code == 200 and r.get_json()["user"]["roles"] == ["referrer"]
    assert not [s for s in statements if "auth_session" in s or "user_account" in s]


def test_a_revoked_token_is_refused_at_once(auth, make_user):
    user = make_user("referrer")
    c = auth.token(user)
    other = auth.token(user)
    assert _me(c).status_code == 200 and _me(c).status_code == 200  # the second from the cache
    _fresh_request_session()
    items = other.get("/api/auth/sessions").get_json()["items"]
    (first,) = [s for s in items if not s["current"]]
    _fresh_request_session()
    assert other.delete(f"/api/auth/sessions/{first['id']}").status_code == 204
    assert _me(c).status_code == 401
    assert _me(other).status_code == 200
    _fresh_request_session()
    assert other.post("/api/auth/logout").status_code == 204
    assert _me(other).status_code == 401


def test_logout_of_a_cookie_session_is_immediate(auth, make_user, app):
    c = auth.login(make_user("patient"))
    assert _me(c).status_code == 200 and _me(c).status_code == 200
    cookie = c.http.get_cookie("telehealth_session").value
    assert c.post("/api/auth/logout").status_code == 204
    replay = app.test_client()
    replay.set_cookie("telehealth_session", cookie)
    _fresh_request_session()
    assert replay.get("/api/auth/me").status_code == 401


def test_an_expired_cached_session_is_refused(auth, make_user):
    c = auth.token(make_user("referrer"))
    assert _me(c).status_code == 200
    clock.set_time(utcnow() + timedelta(hours=2))  # bearer tokens live TOKEN_TTL_SECONDS (1 hour)
    try:
        assert _me(c).status_code == 401
    finally:
        clock.set_time(None)


def test_deactivation_and_role_changes_apply_at_once(auth, make_user):
    user = make_user("referrer")
    user_id = user.id
    c = auth.token(user)
    assert _me(c).get_json()["user"]["roles"] == ["referrer"]
    db.session.add(UserRole(user_id=user_id, role="specialist"))
    db.session.commit()
    assert _me(c).get_json()["user"]["roles"] == ["referrer", "specialist"]
    db.session.get(User, user_id).is_active = False
    db.session.commit()
    assert _me(c).status_code == 401


def test_another_process_revoking_is_seen_through_the_shared_file(app, auth, make_user):
    c = auth.token(make_user("referrer"))
    assert _me(c).status_code == 200
    # Another process revokes: its commit reaches this process only through the database and the file.
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE auth_session SET revoked_at = created_at"))
    assert _me(c).status_code == 200  # still cached: nothing in this process saw the change
    path = os.path.join(app.config["DATA_DIR"], session_cache.GENERATION_FILE)
    with open(path, "w") as fh:
        fh.write("another process")
    assert _me(c).status_code == 401


def test_an_entry_is_used_for_at_most_auth_cache_seconds(app, auth, make_user, monkeypatch):
    c = auth.token(make_user("referrer"))
    assert _me(c).status_code == 200
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE auth_session SET revoked_at = created_at"))
    later = session_cache.time.monotonic() + app.config["AUTH_CACHE_SECONDS"] + 0.1
    monkeypatch.setattr(session_cache.time, "monotonic", lambda: later)
    assert _me(c).status_code == 401


def test_writing_last_seen_does_not_empty_the_cache(auth, make_user, statements):
    c = auth.token(make_user("referrer"))
    assert _me(c).status_code == 200
    clock.set_time(utcnow() + timedelta(minutes=2))  # past the 60 s throttle: last_seen_at is written
    try:
        assert _me(c).status_code == 200
        statements.clear()
        assert _me(c).status_code == 200
        assert not [s for s in statements if "auth_session" in s]
    finally:
        clock.set_time(None)


def test_a_data_folder_not_made_yet_gets_the_shared_file(app, auth, make_user, tmp_path):
    app.config["DATA_DIR"] = str(tmp_path / "not-yet")
    app.extensions.pop(session_cache.EXTENSION, None)  # the cache reads DATA_DIR when first used
    user = make_user("referrer")
    user_id = user.id
    c = auth.token(user)
    assert _me(c).status_code == 200
    db.session.get(User, user_id).is_active = False
    db.session.commit()  # bumps the generation: writes DATA_DIR/auth-generation
    assert os.path.isfile(tmp_path / "not-yet" / session_cache.GENERATION_FILE)
    assert _me(c).status_code == 401
