"""Service-level rules of identity, without HTTP."""
from __future__ import annotations

import pytest

from telehealth.errors import ValidationFailed
from telehealth.identity import oidc
from telehealth.identity.models import OidcProvider
from telehealth.identity.scopes import derive_scope, parse


@pytest.mark.parametrize(("rule", "method", "scope"), [
    ("/api/cases", "GET", "cases:read"),
    ("/api/cases", "POST", "cases:write"),
    ("/api/cases/<case_id>/messages", "POST", "cases:write"),
    ("/api/cases/<case_id>/dicomweb/studies", "GET", "dicomweb:read"),
    ("/api/cases/<case_id>/dicomweb/studies", "POST", "dicomweb:write"),
    ("/api/cases/<case_id>/uploads", "POST", "dicomweb:write"),
    ("/api/cases/<case_id>/report", "GET", "reports:read"),
    ("/api/cases/<case_id>/report.pdf", "GET", "reports:read"),
    ("/api/cases/<case_id>/report/sr.dcm", "GET", "reports:read"),
    ("/api/cases/<case_id>/report/sign", "POST", None),
    ("/api/cases/<case_id>/report", "PUT", None),
    ("/api/cases/<case_id>/share-links", "POST", None),
    ("/api/cases/<case_id>/sessions", "GET", None),
    ("/api/admin/users", "GET", None),
    ("/api/audit", "GET", None),
    ("/api/auth/me", "GET", None),
    ("/api/worklist", "GET", None),
])
def test_scope_derived_from_route(rule, method, scope):  # type: ignore[no-untyped-def]
    assert derive_scope(rule, method) == scope


def test_scope_strings_are_normalised():
    assert parse("reports:read  cases:read bogus") == ["cases:read", "reports:read"]
    assert parse(None) == []


def test_roles_mapped_from_claims():
    p = OidcProvider(role_mapping={"claim": "groups", "map": {"rad": ["specialist"], "ops": ["coordinator"]},
                                   "default": ["referrer"]})
    assert oidc.mapped_roles(p, {"groups": ["rad", "ops", "x"]}) == ["specialist", "coordinator"]
    assert oidc.mapped_roles(p, {"groups": "rad"}) == ["specialist"]
    assert oidc.mapped_roles(p, {}) == ["referrer"]
    assert oidc.mapped_roles(OidcProvider(role_mapping=None), {"groups": ["rad"]}) == ["referrer"]


@pytest.mark.parametrize(("path", "safe"), [
    ("/cases/1", "/cases/1"), ("//evil.example/x", None), ("https://evil.example", None), ("/\\evil", None),
    (None, None),
])
def test_only_same_site_paths_after_sign_in(path, safe):  # type: ignore[no-untyped-def]
    assert oidc.safe_next(path) == safe


def test_issuer_urls(app):  # type: ignore[no-untyped-def]
    assert oidc.check_issuer_url("https://idp.example/realms/h/") == "https://idp.example/realms/h"
    assert oidc.check_issuer_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    for bad in ("http://idp.example", "ftp://idp.example", "https://idp.example/?q=1", "idp.example"):
        with pytest.raises(ValidationFailed):
            oidc.check_issuer_url(bad)
