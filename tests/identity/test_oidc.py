"""Single sign-on against a real OpenID provider (oidc-provider on loopback), through HTTP."""
from __future__ import annotations

import time

from sqlalchemy import select

from telehealth.accounts.models import User
from telehealth.audit.models import AuditEvent
from telehealth.extensions import db
from telehealth.identity.models import OidcIdentity
from tests.identity.conftest import JSON, callback_path, start_sso


def test_full_login_provisions_a_user_with_mapped_roles(client, make_provider):
    provider = make_provider()
    back = start_sso(client, next_path="/cases")
    r = client.get(callback_path(back))
    assert r.status_code == 302 and r.headers["Location"] == "/cases"
    me = client.get("/api/auth/me").get_json()
    assert me["user"]["email"] == "alice@hospital.test"
    assert me["user"]["roles"] == ["specialist"]  # "radiology" group mapped
    assert me["user"]["organization"]["id"] == provider.organization_id
    assert me["csrf_token"]
    # The identity provider enforces the second factor of SSO-only accounts, not our TOTP policy.
    assert me["mfa"]["required"] is False
    # A second login links by (provider, sub): still one account.
    client2 = client.application.test_client()
    assert client2.get(callback_path(start_sso(client2))).status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(User).where(User.email == "alice@hospital.test")) == 1
    link = db.session.scalars(select(OidcIdentity)).one()
    assert link.subject == "alice" and link.provider_id == provider.id


def test_existing_account_of_the_organization_is_linked_by_verified_email(client, make_provider, make_org, make_user):
    org = make_org("referring", "Hospital")
    local = make_user("referrer", org=org, email="bob@hospital.test")
    make_provider(org)
    r = client.get(callback_path(start_sso(client, login_hint="bob")))
    assert r.status_code == 302
    assert client.get("/api/auth/me").get_json()["user"]["id"] == local.id
    assert db.session.scalar(select(OidcIdentity.user_id)) == local.id


def test_account_of_another_organization_is_not_taken_over(client, make_provider, make_org, make_user):
    other = make_org("referring", "Elsewhere")
    make_user("referrer", org=other, email="bob@hospital.test")
    make_provider()
    r = client.get(callback_path(start_sso(client, login_hint="bob")), headers=JSON)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "account_exists"
    assert client.get("/api/auth/me").status_code == 401


def test_unverified_email_is_not_provisioned(client, make_provider):
    make_provider()
    r = client.get(callback_path(start_sso(client, login_hint="mallory")), headers=JSON)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "email_not_verified"


def test_local_login_still_works_next_to_sso(auth, make_user, make_provider):
    make_provider()
    c = auth.login(make_user("patient"))
    assert c.get("/api/auth/me").status_code == 200


def test_providers_listed_for_the_sign_in_page(client, make_provider):
    make_provider()
    items = client.get("/api/auth/oidc/providers").get_json()["items"]
    assert [(i["slug"], i["login_url"]) for i in items] == [("hospital", "/auth/oidc/hospital/login")]


def _refused(client, back, code):  # type: ignore[no-untyped-def]
    r = client.get(callback_path(back), headers=JSON)
    assert r.status_code in (400, 401), r.get_json()
    assert r.get_json()["error"]["code"] == code, r.get_json()
    assert client.get("/api/auth/me").status_code == 401
    return r


def test_wrong_audience_is_refused(client, make_provider, op, patch_id_token):
    make_provider()
    patch_id_token(lambda claims, raw: op.sign({**claims, "aud": "some-other-client"}))
    _refused(client, start_sso(client), "sso_wrong_audience")


def test_expired_id_token_is_refused(client, make_provider, op, patch_id_token):
    make_provider()
    now = int(time.time())
    patch_id_token(lambda claims, raw: op.sign({**claims, "iat": now - 7200, "exp": now - 3600}))
    _refused(client, start_sso(client), "sso_id_token_expired")


def test_tampered_id_token_is_refused(client, make_provider, patch_id_token):
    import base64
    import json

    def tamper(claims, raw):  # type: ignore[no-untyped-def]
        header, _payload, sig = raw.split(".")
        forged = base64.urlsafe_b64encode(json.dumps({**claims, "email": "admin@hospital.test"}).encode())
        return ".".join([header, forged.decode().rstrip("="), sig])

    make_provider()
    patch_id_token(tamper)
    _refused(client, start_sso(client), "sso_invalid_id_token")


def test_token_signed_by_another_key_is_refused(client, make_provider, patch_id_token):
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    stranger = RSAKey.generate_key(2048, parameters={"kid": "test-op-key"})
    make_provider()
    patch_id_token(lambda claims, raw: jwt.encode({"alg": "RS256", "kid": "test-op-key"}, claims, stranger))
    _refused(client, start_sso(client), "sso_invalid_id_token")


def test_id_token_from_an_unknown_issuer_is_refused(client, make_provider, op, patch_id_token):
    make_provider()
    patch_id_token(lambda claims, raw: op.sign({**claims, "iss": "https://evil.example"}))
    _refused(client, start_sso(client), "sso_unknown_issuer")


def test_wrong_nonce_is_refused(client, make_provider, op, patch_id_token):
    make_provider()
    patch_id_token(lambda claims, raw: op.sign({**claims, "nonce": "not-the-one-we-sent"}))
    _refused(client, start_sso(client), "sso_invalid_id_token")


def test_provider_whose_discovery_names_another_issuer_is_refused(client, make_provider, op):
    # Same server reached under another name: the discovery document's issuer does not match.
    make_provider(issuer=op.issuer.replace("127.0.0.1", "localhost"))
    r = client.get("/auth/oidc/hospital/login", headers=JSON)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "sso_unknown_issuer"


def test_replayed_response_and_replayed_code_are_refused(client, make_provider):
    make_provider()
    back = start_sso(client)
    assert client.get(callback_path(back)).status_code == 302
    client.post  # noqa: B018 - same browser
    # The same response again: the state was used.
    _refused_again = client.application.test_client()
    r = client.get(callback_path(back), headers=JSON)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "sso_state_replayed"
    # The old code with a fresh state: the provider refuses the code.
    fresh = _refused_again
    new_back = start_sso(fresh)
    old_code = dict(p.split("=", 1) for p in back.split("?", 1)[1].split("&"))["code"]
    new_params = dict(p.split("=", 1) for p in new_back.split("?", 1)[1].split("&"))
    r = fresh.get(f"/auth/oidc/hospital/callback?code={old_code}&state={new_params['state']}", headers=JSON)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "sso_code_rejected"
    assert fresh.get("/api/auth/me").status_code == 401


def test_response_naming_another_issuer_is_refused(client, make_provider, op):
    make_provider()
    back = start_sso(client)
    assert "iss=" in back  # RFC 9207: the provider names itself in the response
    from urllib.parse import quote

    forged = back.replace(quote(op.issuer, safe=""), quote("https://evil.example", safe=""))
    assert forged != back
    _refused(client, forged, "sso_unknown_issuer")


def test_authorization_request_uses_pkce_and_nonce(client, make_provider):
    from urllib.parse import parse_qs, urlsplit

    make_provider()
    r = client.get("/auth/oidc/hospital/login")
    q = parse_qs(urlsplit(r.headers["Location"]).query)
    assert q["code_challenge_method"] == ["S256"] and len(q["code_challenge"][0]) >= 43
    assert q["nonce"] and q["state"] and q["response_type"] == ["code"]
    assert "openid" in q["scope"][0].split()
    cookie = r.headers["Set-Cookie"]
    assert "telehealth_sso=" in cookie and "HttpOnly" in cookie and "Path=/auth/oidc" in cookie


def test_bad_state_is_refused(client, make_provider):
    make_provider()
    back = start_sso(client)
    code = back.split("code=", 1)[1].split("&", 1)[0]
    r = client.get(f"/auth/oidc/hospital/callback?code={code}&state=forged-state", headers=JSON)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "sso_invalid_state"
    # A response started in another browser (no binding cookie) is refused too.
    other = client.application.test_client()
    r = other.get(callback_path(back), headers=JSON)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "sso_invalid_state"


def test_browser_failures_go_back_to_the_sign_in_page_and_are_audited(client, make_provider):
    make_provider()
    r = client.get("/auth/oidc/hospital/callback?code=x&state=y")
    assert r.status_code == 302 and r.headers["Location"] == "/login?sso_error=sso_invalid_state"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.sso_login")).all()
    assert [e.outcome for e in events] == ["failure"]


def test_unknown_provider_and_provider_errors(client, make_provider):
    assert client.get("/auth/oidc/nope/login", headers=JSON).status_code == 404
    make_provider()
    r = client.get("/auth/oidc/hospital/callback?error=access_denied&error_description=no", headers=JSON)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "sso_denied"


def test_admin_configures_providers_and_http_issuers_are_loopback_only(auth, make_user, make_org, op):
    admin = auth.login(make_user("admin"))
    org = make_org("referring", "Hospital")
    body = {"slug": "hosp", "name": "Hospital", "organization_id": org.id, "issuer": op.issuer,
            "client_id": "x", "client_secret": "y", "role_mapping": {"map": {"radiology": ["specialist"]}}}
    r = admin.post("/api/admin/oidc-providers", json=body)
    assert r.status_code == 201 and "client_secret" not in r.get_json()
    insecure = admin.post("/api/admin/oidc-providers", json={**body, "slug": "h2", "issuer": "http://idp.example"})
    assert insecure.status_code == 422 and insecure.get_json()["error"]["code"] == "invalid_issuer"
    bad_role = admin.post("/api/admin/oidc-providers",
                          json={**body, "slug": "h3", "role_mapping": {"map": {"x": ["emperor"]}}})
    assert bad_role.status_code == 422
    assert [p["slug"] for p in admin.get("/api/admin/oidc-providers").get_json()["items"]] == ["hosp"]
    pid = r.get_json()["id"]
    assert admin.delete(f"/api/admin/oidc-providers/{pid}").status_code == 204
    non_admin = auth.login(make_user("referrer", org=org))
    assert non_admin.post("/api/admin/oidc-providers", json=body).status_code == 403
