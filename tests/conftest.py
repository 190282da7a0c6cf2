"""Shared fixtures: app, client, auth, factories, against a real PostgreSQL (and Redis).

The database comes from TELEHEALTH_TEST_DATABASE_URL (CI sets it); without it, a throwaway
PostgreSQL server is started from the local binaries when they exist; otherwise the run
stops with a clear message. Tests are never silently skipped for want of a database.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher, profiles
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from telehealth import create_app
from telehealth.accounts.models import Organization, User
from telehealth.accounts.passwords import use_hasher
from telehealth.accounts.service import create_user
from telehealth.cases.models import Case
from telehealth.cases.service import create_case
from telehealth.db import Base
from telehealth.extensions import db
from tests import pgserver

PASSWORD = "correct-horse-battery-staple"

# Still argon2id, with the cheapest parameters: hashing cost is not what these tests check.
use_hasher(PasswordHasher.from_parameters(profiles.CHEAPEST))


def _normalise(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """The test database (PostgreSQL); its schema is built once per run from the models."""
    url = os.environ.get("TELEHEALTH_TEST_DATABASE_URL")
    server = None
    if not url:
        server = pgserver.start()
        if server is None:
            pytest.exit("No PostgreSQL for the tests: set TELEHEALTH_TEST_DATABASE_URL "
                        "(e.g. postgresql://postgres@127.0.0.1:5432/test) or install PostgreSQL's binaries.",
                        returncode=3)
        url = server.url
    url = _normalise(url)
    engine = create_engine(url)
    import telehealth  # noqa: F401 - models are imported by create_app
    create_app({"SQLALCHEMY_DATABASE_URI": url})
    with engine.begin() as conn:
        # A clean schema, whatever an earlier run (or another branch) left behind.
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        Base.metadata.create_all(conn)
    engine.dispose()
    yield url
    if server is not None:
        server.stop()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis (a real server); TELEHEALTH_TEST_REDIS_URL or the local default."""
    return os.environ.get("TELEHEALTH_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _truncate(url: str) -> None:
    # DELETE beats TRUNCATE for many tiny tables (TRUNCATE recreates and syncs files).
    engine = create_engine(url)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()


@pytest.fixture
def app(database_url: str, tmp_path: Any) -> Iterator[Flask]:
    """The app against the test database, with its data folder in a temp dir."""
    _truncate(database_url)  # also before: a session-scoped server (e2e) may have seeded rows
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DATA_DIR": str(tmp_path),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests",
        "REDIS_URL": None,
    })
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    _truncate(database_url)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """An anonymous HTTP client."""
    return app.test_client()


class ApiClient:
    """A signed-in browser-like client that sends the CSRF token on writes."""

    def __init__(self, app: Flask, user: User | None = None, *, csrf: str | None = None,
                 bearer: str | None = None) -> None:
        self.http = app.test_client()
        self.user = user
        self.csrf = csrf
        self.bearer = bearer

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        h = dict(extra or {})
        if self.csrf:
            h.setdefault("X-CSRF-Token", self.csrf)
        if self.bearer:
            h.setdefault("Authorization", f"Bearer {self.bearer}")
        return h

    def open(self, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any):  # type: ignore[no-untyped-def]
        """Send a request with the auth headers."""
        return self.http.open(path, method=method, headers=self._headers(headers), **kw)

    def get(self, path: str, **kw: Any):  # type: ignore[no-untyped-def]
        """GET."""
        return self.open("GET", path, **kw)

    def post(self, path: str, **kw: Any):  # type: ignore[no-untyped-def]
        """POST."""
        return self.open("POST", path, **kw)

    def put(self, path: str, **kw: Any):  # type: ignore[no-untyped-def]
        """PUT."""
        return self.open("PUT", path, **kw)

    def patch(self, path: str, **kw: Any):  # type: ignore[no-untyped-def]
        """PATCH."""
        return self.open("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any):  # type: ignore[no-untyped-def]
        """DELETE."""
        return self.open("DELETE", path, **kw)


class Auth:
    """Signs users in through the real login route."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def login(self, user: User, password: str = PASSWORD) -> ApiClient:
        """A cookie session for the user, CSRF token included."""
        c = ApiClient(self.app, user)
        r = c.post("/api/auth/login", json={"email": user.email, "password": password})
        assert r.status_code == 200, r.get_json()
        c.csrf = r.get_json()["csrf_token"]
        return c

    def token(self, user: User, password: str = PASSWORD) -> ApiClient:
        """A bearer-token client for the user."""
        c = ApiClient(self.app, user)
        r = c.post("/api/auth/token", json={"email": user.email, "password": password})
        assert r.status_code == 200, r.get_json()
        c.bearer = r.get_json()["access_token"]
        return c


@pytest.fixture
def auth(app: Flask) -> Auth:
    """Log users in: `auth.login(user)` returns a client."""
    return Auth(app)


@pytest.fixture
def make_org(app: Flask):  # type: ignore[no-untyped-def]
    """Factory of organizations."""

    def make(kind: str = "referring", name: str | None = None, network: Organization | None = None) -> Organization:
        org = Organization(name=name or f"{kind} org {os.urandom(3).hex()}", kind=kind,
                           network_id=network.id if network else None)
        db.session.add(org)
        db.session.commit()
        return org

    return make


@pytest.fixture
def network(make_org):  # type: ignore[no-untyped-def]
    """The specialist network of the tests."""
    return make_org("network", "Test Network")


@pytest.fixture
def make_user(app: Flask, network: Organization):  # type: ignore[no-untyped-def]
    """Factory of users; clinicians default to the test network or a referring org."""
    counter = iter(range(1_000_000))

    def make(role: str = "patient", *, org: Organization | None = None, email: str | None = None,
             name: str | None = None, roles: list[str] | None = None, password: str = PASSWORD) -> User:
        n = next(counter)
        if org is None and role in ("specialist", "coordinator", "admin"):
            org = network
        user = create_user(db.session, email=email or f"{role}{n}-{os.urandom(2).hex()}@example.org",
                           name=name or f"{role.title()} {n}", password=password, roles=roles or [role],
                           organization_id=org.id if org else None)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_case(app: Flask):  # type: ignore[no-untyped-def]
    """Factory of cases opened by a patient or referrer."""

    def make(owner: User, *, submit: bool = False, **fields: Any) -> Case:
        from telehealth.cases.service import transition

        fields.setdefault("title", "Knee MRI second opinion")
        fields.setdefault("question", "Is there a meniscal tear?")
        case = create_case(db.session, owner, consent=True, **fields)
        if submit:
            transition(db.session, owner, case.id, "submit")
        return case

    return make


@pytest.fixture
def migrated_postgres(database_url: str) -> Iterator[Any]:
    """A fresh PostgreSQL database on the test server, migrated to head by Alembic."""
    from flask_migrate import upgrade
    from sqlalchemy.engine import make_url

    name = f"telehealth_mig_{os.urandom(4).hex()}"
    admin_url = make_url(database_url).set(database="postgres")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(database_url).set(database=name)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False)})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
