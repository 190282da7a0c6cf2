"""OAuth2 for integrations: client credentials, scopes on every API group, revocation,
introspection, expiry, and the client's organization as the limit of what it sees."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from telehealth import clock
from telehealth.api import SPECS
from telehealth.db import utcnow
from telehealth.identity.scopes import SCOPES, derive_scope
from tests.identity.conftest import basic


@pytest.fixture
def admin(auth, make_user):  # type: ignore[no-untyped-def]
    return auth.login(make_user("admin"))


@pytest.fixture
def register(admin):  # type: ignore[no-untyped-def]
    """Register a client through the admin API; returns its JSON (with the secret)."""

    def reg(org, scopes, name="PACS gateway"):  # type: ignore[no-untyped-def]
        r = admin.post("/api/admin/oauth-clients", json={"name": name, "organization_id": org.id, "scopes": scopes})
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    return reg


def issue(client, c, scope=None):  # type: ignore[no-untyped-def]
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    return client.post("/oauth/token", data=data, headers=basic(c["client_id"], c["client_secret"]))


def bearer(token):  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {token}"}


def test_token_issue_and_use_within_the_organization(client, register, make_org, make_user, make_case):
    org_a, org_b = make_org("referring", "A"), make_org("referring", "B")
    case_a = make_case(make_user("referrer", org=org_a))
    case_b = make_case(make_user("referrer", org=org_b))
    c = register(org_a, ["cases:read", "cases:write"])
    assert c["client_secret"] and c["token_endpoint"].endswith("/oauth/token")
    r = issue(client, c)
    assert r.status_code == 200
    tok = r.get_json()
    assert tok["token_type"].lower() == "bearer" and tok["expires_in"] == 3600
    assert tok["scope"] == "cases:read cases:write" and "refresh_token" not in tok
    h = bearer(tok["access_token"])
    listed = client.get("/api/cases", headers=h).get_json()
    assert [i["id"] for i in listed["items"]] == [case_a.id]
    assert client.get(f"/api/cases/{case_a.id}", headers=h).status_code == 200
    # Another organization's case does not exist for this client.
    assert client.get(f"/api/cases/{case_b.id}", headers=h).status_code == 404
    created = client.post("/api/cases", json={"title": "From the EHR", "question": "Fracture?"}, headers=h)
    assert created.status_code == 201
    from telehealth.cases.models import Case
    from telehealth.extensions import db

    assert db.session.get(Case, created.get_json()["id"]).organization_id == org_a.id


def test_client_authentication_and_scope_requests(client, register, make_org):
    c = register(make_org(), ["cases:read"])
    bad = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                      headers=basic(c["client_id"], "wrong-secret"))
    assert bad.status_code == 401 and bad.get_json()["error"] == "invalid_client"
    post_auth = client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": c["client_id"],
                                                  "client_secret": c["client_secret"]})
    assert post_auth.status_code == 200
    too_much = issue(client, c, "cases:read cases:write")
    assert too_much.status_code == 400 and too_much.get_json()["error"] == "invalid_scope"
    unknown = issue(client, c, "admin")
    assert unknown.status_code == 400 and unknown.get_json()["error"] == "invalid_scope"
    grant = client.post("/oauth/token", data={"grant_type": "password", "username": "x", "password": "y"},
                        headers=basic(c["client_id"], c["client_secret"]))
    assert grant.status_code == 400 and grant.get_json()["error"] == "unsupported_grant_type"


def _fill(rule: str, case_id: str) -> str:
    path = rule.replace("<case_id>", case_id)
    return re.sub(r"<(?:[a-z]+:)?[a-zA-Z_]+>", "00000000-0000-0000-0000-000000000000", path)


def _routes(app):  # type: ignore[no-untyped-def]
    for rule in app.url_map.iter_rules():
        spec = SPECS.get(rule.endpoint)
        if spec is None or spec.auth == "none" or not rule.rule.startswith("/api"):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            scope = derive_scope(rule.rule, method) if spec.scope == "auto" else spec.scope
            yield rule.rule, method, scope


def test_scopes_are_enforced_on_every_api_group(app, client, register, make_org, make_user, make_case):
    org = make_org()
    case = make_case(make_user("referrer", org=org))
    full = issue(client, register(org, list(SCOPES), "everything")).get_json()["access_token"]
    reports_only = issue(client, register(org, ["reports:read"], "reports")).get_json()["access_token"]
    groups_checked = set()
    for rule, method, scope in _routes(app):
        path = _fill(rule, case.id)
        token = full if scope is None else reports_only
        if scope == "reports:read":
            continue  # held by reports_only; checked below
        r = client.open(path, method=method, headers=bearer(token), json={} if method != "GET" else None)
        assert r.status_code == 403, (method, rule, r.status_code)
        assert r.get_json()["error"]["code"] == "insufficient_scope", (method, rule)
        groups_checked.add(rule.split("/")[2] if scope is None else scope)
    assert {"admin", "auth", "audit", "cases:read", "cases:write", "dicomweb:read", "dicomweb:write"} <= groups_checked
    # Within scope the request gets through to the feature (whatever it answers).
    assert client.get(f"/api/cases/{case.id}/report", headers=bearer(reports_only)).status_code != 403
    assert client.get(f"/api/cases/{case.id}", headers=bearer(full)).status_code == 200
    assert client.get(f"/api/cases/{case.id}/dicomweb/studies", headers=bearer(full)).status_code in (200, 204)
    denied = client.get(f"/api/cases/{case.id}/dicomweb/studies", headers=bearer(reports_only))
    assert denied.status_code == 403 and "dicomweb:read" in denied.headers["WWW-Authenticate"]


def test_revoked_token_is_refused_and_introspection_follows(client, register, make_org):
    c = register(make_org(), ["cases:read"])
    token = issue(client, c).get_json()["access_token"]
    creds = basic(c["client_id"], c["client_secret"])
    info = client.post("/oauth/introspect", data={"token": token}, headers=creds).get_json()
    assert info["active"] is True and info["scope"] == "cases:read" and info["client_id"] == c["client_id"]
    assert client.get("/api/cases", headers=bearer(token)).status_code == 200
    assert client.post("/oauth/revoke", data={"token": token}, headers=creds).status_code == 200
    refused = client.get("/api/cases", headers=bearer(token))
    assert refused.status_code == 401
    assert client.post("/oauth/introspect", data={"token": token}, headers=creds).get_json() == {"active": False}


def test_a_client_cannot_introspect_or_revoke_anothers_token(client, register, make_org):
    org = make_org()
    mine, other = register(org, ["cases:read"], "mine"), register(org, ["cases:read"], "other")
    token = issue(client, mine).get_json()["access_token"]
    creds = basic(other["client_id"], other["client_secret"])
    assert client.post("/oauth/introspect", data={"token": token}, headers=creds).get_json() == {"active": False}
    client.post("/oauth/revoke", data={"token": token}, headers=creds)
    assert client.get("/api/cases", headers=bearer(token)).status_code == 200


def test_expired_token_is_refused(client, register, make_org):
    clock.set_time(utcnow())
    c = register(make_org(), ["cases:read"])
    token = issue(client, c).get_json()["access_token"]
    clock.advance(timedelta(seconds=3599))
    assert client.get("/api/cases", headers=bearer(token)).status_code == 200
    clock.advance(timedelta(seconds=2))
    assert client.get("/api/cases", headers=bearer(token)).status_code == 401


def test_deleting_a_client_ends_its_tokens(client, admin, register, make_org):
    c = register(make_org(), ["cases:read"])
    token = issue(client, c).get_json()["access_token"]
    assert [x["client_id"] for x in admin.get("/api/admin/oauth-clients").get_json()["items"]] == [c["client_id"]]
    assert "client_secret" not in admin.get("/api/admin/oauth-clients").get_json()["items"][0]
    assert admin.delete(f"/api/admin/oauth-clients/{c['id']}").status_code == 204
    assert client.get("/api/cases", headers=bearer(token)).status_code == 401
    assert issue(client, c).status_code == 401
    assert admin.get("/api/admin/oauth-clients").get_json()["items"] == []
    assert admin.delete(f"/api/admin/oauth-clients/{c['id']}").status_code == 404


def test_only_admins_manage_clients_and_scopes_are_validated(auth, make_user, make_org, admin):
    org = make_org()
    r = admin.post("/api/admin/oauth-clients", json={"name": "x", "organization_id": org.id, "scopes": ["root"]})
    assert r.status_code == 422
    r = admin.post("/api/admin/oauth-clients", json={"name": "x", "organization_id": "nope", "scopes": ["cases:read"]})
    assert r.status_code == 422
    referrer = auth.login(make_user("referrer", org=org))
    r = referrer.post("/api/admin/oauth-clients", json={"name": "x", "organization_id": org.id,
                                                        "scopes": ["cases:read"]})
    assert r.status_code == 403


def test_client_accounts_cannot_sign_in_with_a_password(client, register, make_org):
    c = register(make_org(), ["cases:read"])
    email = f"{c['client_id'].lower()}@oauth-clients.invalid"
    r = client.post("/api/auth/login", json={"email": email, "password": "anything-at-all"})
    assert r.status_code == 401
