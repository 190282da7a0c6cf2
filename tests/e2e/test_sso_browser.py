"""Browser journeys of identity: single sign-on through a real OpenID provider, two-step
verification (enrol, challenge, recovery code), sessions, password change and reset.

The OpenID provider is the one the identity tests run (npm ``oidc-provider`` under node on
loopback, ``tests/identity/op_server.py``), registered with this app's callback. The app runs
as its own server here, because its public URL (the OIDC redirect URI and the reset links in
e-mails) must name the port it listens on; it shares the database the ``live_server`` fixture
truncated and seeded.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import closing_responses
from tests.identity import op_server

OP_CLIENT_ID = "telehealth-browser-rp"
OP_CLIENT_SECRET = "browser-rp-secret-0123456789-abcdef-0123"
SLUG = "st-mary"
ACCOUNTS = {
    "alice": {"email": "alice@stmary.test", "email_verified": True, "name": "Dr. Alice Radiologist",
              "groups": ["radiology"]},
}


@dataclass
class IdentityServer:
    """The app on a known port, with the folder its e-mails are written to."""

    base_url: str
    outbox: Path


@pytest.fixture(scope="module")
def identity_server(live_server: str, frontend_dist: Path, database_url: str,
                    redis_url: str) -> Iterator[IdentityServer]:
    """The real app, serving the built frontend, whose PUBLIC_URL is its own address."""
    if os.environ.get("TELEHEALTH_E2E_BASE_URL"):
        pytest.skip("needs its own server: the OIDC redirect URI and reset links name its port")
    from werkzeug.serving import make_server

    from telehealth import create_app
    from telehealth.extensions import db

    data_dir = tempfile.mkdtemp(prefix="telehealth-e2e-sso-")
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "DATA_DIR": data_dir,
        "FRONTEND_DIST": str(frontend_dist),
        "SECRET_KEY": "e2e-secret-key-that-is-long-enough-for-tests",
        # No background timer thread: it would outlive the journeys and share the test clock.
        "EMBEDDED_WORKER": False,
        "LOGIN_MAX_FAILURES_IP": 10_000,
    })
    server = make_server("127.0.0.1", 0, closing_responses(app), threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_URL"] = base_url
    thread = threading.Thread(target=server.serve_forever, name="e2e-sso-server", daemon=True)
    thread.start()
    try:
        yield IdentityServer(base_url=base_url, outbox=Path(data_dir) / "outbox")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def openid_provider(identity_server: IdentityServer) -> Iterator[op_server.OpenIdProvider]:
    """The test OpenID provider, knowing this app's callback for the provider slug the journey registers."""
    provider = op_server.start(
        clients=[{"client_id": OP_CLIENT_ID, "client_secret": OP_CLIENT_SECRET,
                  "redirect_uris": [f"{identity_server.base_url}/auth/oidc/{SLUG}/callback"],
                  "grant_types": ["authorization_code"], "response_types": ["code"],
                  "token_endpoint_auth_method": "client_secret_basic"}],
        accounts=ACCOUNTS, default_account="alice")
    yield provider
    provider.stop()


def test_admin_adds_an_identity_provider_and_a_clinician_signs_in_through_it(
    identity_server: IdentityServer, openid_provider: op_server.OpenIdProvider, run_journey: Callable[..., str]
) -> None:
    """Admin registers the hospital's provider and an API client; Alice clicks "Sign in with …",
    passes the provider's interaction and lands on her worklist as a specialist; a replayed
    callback comes back to the sign-in page with a readable error."""
    output = run_journey("sso-login", identity_server.base_url, OP_ISSUER=openid_provider.issuer,
                         OP_CLIENT_ID=OP_CLIENT_ID, OP_CLIENT_SECRET=OP_CLIENT_SECRET, SSO_SLUG=SLUG)
    assert "sso-04-signed-in.png" in output
    assert "passed the provider's interaction" in output


def test_patient_enrols_two_step_verification_and_signs_in_with_a_code(
    identity_server: IdentityServer, run_journey: Callable[..., str]
) -> None:
    """Enrol with the QR page's key, sign in with a TOTP code and once with a recovery code,
    sign out another device, change the password, then reset it from the e-mailed link."""
    output = run_journey("sso-mfa", identity_server.base_url, OUTBOX_DIR=str(identity_server.outbox))
    assert "mfa-03-challenge.png" in output
    assert "reset link worked once" in output
