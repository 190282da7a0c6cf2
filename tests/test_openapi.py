"""The OpenAPI document covers every route, from the code's own schemas."""
from __future__ import annotations

import re

from telehealth.openapi import DOCUMENTED_PREFIXES


def test_every_route_is_documented(app, client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(DOCUMENTED_PREFIXES):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-zA-Z_]+)>", r"{\1}", rule.rule)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            if method.lower() not in doc["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert missing == []


def test_schemas_come_from_the_models(client):
    doc = client.get("/api/openapi.json").get_json()
    create = doc["paths"]["/api/cases"]["post"]
    ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"title", "question"} <= set(schema["required"]) and schema["additionalProperties"] is False
    assert "201" in create["responses"] and "4XX" in create["responses"]
    token = doc["paths"]["/api/auth/token"]["post"]
    out = doc["components"]["schemas"][token["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
                                       .rsplit("/", 1)[1]]
    assert set(out["properties"]) == {"access_token", "token_type", "expires_in"}
    for ref in re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', str(doc).replace("'", '"')):
        assert ref in doc["components"]["schemas"]


def test_operations_name_the_oauth_scope_integrations_need(client):
    doc = client.get("/api/openapi.json").get_json()
    flows = doc["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
    assert flows["tokenUrl"] == "/oauth/token"
    assert set(flows["scopes"]) == {"cases:read", "cases:write", "dicomweb:read", "dicomweb:write", "reports:read"}

    def scopes(path: str, method: str) -> list[str]:
        return [s for req in doc["paths"][path][method]["security"] for s in req.get("oauth2", [])]

    assert scopes("/api/cases", "get") == ["cases:read"]
    assert scopes("/api/cases", "post") == ["cases:write"]
    assert scopes("/api/cases/{case_id}/report.pdf", "get") == ["reports:read"]
    assert scopes("/api/cases/{case_id}/report/sign", "post") == []  # signing is for people
    assert scopes("/api/audit", "get") == []
    dicomweb = [p for p in doc["paths"] if p.startswith("/api/cases/{case_id}/dicomweb/studies")]
    assert dicomweb and all(scopes(p, "get") == ["dicomweb:read"] for p in dicomweb if "get" in doc["paths"][p])
