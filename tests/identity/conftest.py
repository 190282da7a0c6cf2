"""Fixtures of the identity tests: a real OpenID provider, integration clients, TOTP helpers."""
from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import pyotp
import pytest
import requests

from telehealth import clock
from telehealth.extensions import db
from telehealth.identity import oidc
from tests.identity import op_server

PUBLIC_URL = "http://telehealth.test"
OP_CLIENT_ID = "telehealth-rp"
OP_CLIENT_SECRET = "rp-secret-0123456789-0123456789-abcdef"
SLUGS = ("hospital", "clinic-b")
ACCOUNTS = {
    "alice": {"email": "alice@hospital.test", "email_verified": True, "name": "Dr. Alice Radiologist",
              "groups": ["radiology"]},
    "bob": {"email": "bob@hospital.test", "email_verified": True, "name": "Dr. Bob Referrer", "groups": ["gp"]},
    "mallory": {"email": "mallory@hospital.test", "email_verified": False, "name": "Mallory"},
}


@pytest.fixture(scope="session")
def op() -> Iterator[op_server.OpenIdProvider]:
    """The OpenID provider (oidc-provider under node), one per test run."""
    provider = op_server.start(
        clients=[{"client_id": OP_CLIENT_ID, "client_secret": OP_CLIENT_SECRET,
                  "redirect_uris": [f"{PUBLIC_URL}/auth/oidc/{slug}/callback" for slug in SLUGS],
                  "grant_types": ["authorization_code"], "response_types": ["code"],
                  "token_endpoint_auth_method": "client_secret_basic"}],
        accounts=ACCOUNTS, default_account="alice")
    yield provider
    provider.stop()


@pytest.fixture(autouse=True)
def _identity_env(app) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """A fixed public URL (the OP knows our callbacks by it) and the real clock after each test."""
    app.config["PUBLIC_URL"] = PUBLIC_URL
    yield
    clock.set_time(None)


@pytest.fixture
def make_provider(app, op, make_org):  # type: ignore[no-untyped-def]
    """Configure an organization's identity provider pointing at the test OP."""

    def make(org=None, *, slug: str = "hospital", issuer: str | None = None,  # type: ignore[no-untyped-def]
             client_id: str = OP_CLIENT_ID, role_mapping: dict[str, Any] | None = None):
        from telehealth.identity.crypto import encrypt
        from telehealth.identity.models import OidcProvider

        org = org or make_org("referring", "Hospital")
        p = OidcProvider(slug=slug, name="Hospital SSO", organization_id=org.id, issuer=issuer or op.issuer,
                         client_id=client_id, client_secret_enc=encrypt(OP_CLIENT_SECRET),
                         scopes="openid email profile groups",
                         role_mapping=role_mapping if role_mapping is not None else
                         {"claim": "groups", "map": {"radiology": ["specialist"], "gp": ["referrer"]},
                          "default": ["referrer"]})
        db.session.add(p)
        db.session.commit()
        return p

    return make


def authorize_at_op(auth_url: str) -> str:
    """Follow the provider's redirects (its interactions sign in and consent automatically) to our callback."""
    url = auth_url
    with requests.Session() as s:
        for _ in range(15):
            with s.get(url, allow_redirects=False, timeout=10) as r:
                assert r.status_code in (302, 303), (r.status_code, r.text[:300])
                url = urljoin(url, r.headers["Location"])
            if url.startswith(PUBLIC_URL):
                return url
    raise AssertionError("the provider never redirected back")


def callback_path(url: str) -> str:
    """Our callback URL as a path for the Flask test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def start_sso(client, slug: str = "hospital", login_hint: str = "alice", next_path: str | None = None) -> str:  # type: ignore[no-untyped-def]
    """Start SSO in the app and return the provider's redirect back to us (not yet followed)."""
    q = f"?login_hint={login_hint}" + (f"&next={next_path}" if next_path else "")
    r = client.get(f"/auth/oidc/{slug}/login{q}")
    assert r.status_code == 302, r.get_data(as_text=True)
    return authorize_at_op(r.headers["Location"])


JSON = {"Accept": "application/json"}


def totp_now(secret: str, offset_steps: int = 0) -> str:
    """The TOTP code at the service clock's current time."""
    return pyotp.TOTP(secret).at(int(clock.now().timestamp()) + 30 * offset_steps)


def basic(client_id: str, secret: str) -> dict[str, str]:
    """HTTP Basic client authentication (RFC 6749 §2.3.1)."""
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


@pytest.fixture
def patch_id_token(monkeypatch):  # type: ignore[no-untyped-def]
    """Exchange the code for real, then replace the ID token by `forge(real_claims, real_token)`."""

    def install(forge):  # type: ignore[no-untyped-def]
        real = oidc.fetch_token

        def fake(client, **kw):  # type: ignore[no-untyped-def]
            token = real(client, **kw)
            from joserfc import jwt as _jwt
            from joserfc.jwk import KeySet

            claims = _jwt.decode(token["id_token"], KeySet.import_key_set(client.fetch_jwk_set())).claims
            token["id_token"] = forge(dict(claims), token["id_token"])
            return token

        monkeypatch.setattr(oidc, "fetch_token", fake)

    return install
