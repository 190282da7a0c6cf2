"""GET /api/openapi.json: the OpenAPI 3.1 document, generated from the routes' own schemas."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, jsonify
from pydantic import BaseModel

from telehealth.api import SPECS, RouteSpec
from telehealth.identity.scopes import SCOPES, derive_scope

bp = Blueprint("openapi", __name__)

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {}},
        }
    },
}
DOCUMENTED_PREFIXES = ("/api", "/share", "/oauth", "/auth", "/healthz")


def _add_schema(components: dict[str, Any], model: type[BaseModel]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


SCOPE_TEXT = {
    "cases:read": "Read the organization's cases, messages and participants",
    "cases:write": "Open cases, write messages, act on cases",
    "dicomweb:read": "Search and retrieve the cases' images (QIDO-RS, WADO-RS)",
    "dicomweb:write": "Add images to cases (STOW-RS, uploads)",
    "reports:read": "Read signed reports (JSON, PDF, DICOM SR, FHIR)",
}
assert set(SCOPE_TEXT) == set(SCOPES)


def _operation(spec: RouteSpec, rule: str, method: str, params: list[str],
               components: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": spec.summary, "tags": spec.tags, "responses": {}}
    parameters: list[dict[str, Any]] = [
        {"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in params
    ]
    if spec.query is not None:
        qschema = spec.query.model_json_schema(ref_template="#/components/schemas/{model}")
        required = set(qschema.get("required", []))
        for name, prop in qschema.get("properties", {}).items():
            parameters.append({"name": name, "in": "query", "required": name in required, "schema": prop})
    if parameters:
        op["parameters"] = parameters
    if spec.body is not None and method in ("post", "put", "patch", "delete"):
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _add_schema(components, spec.body)}},
        }
    elif spec.request_body is not None:
        op["requestBody"] = spec.request_body
    if spec.responses:
        op["responses"].update(spec.responses)
    elif spec.response is not None:
        op["responses"][str(spec.status)] = {
            "description": "OK",
            "content": {"application/json": {"schema": _add_schema(components, spec.response)}},
        }
    else:
        op["responses"][str(spec.status)] = {"description": "OK" if spec.status != 204 else "No content"}
    err = {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    op["responses"]["4XX"] = err
    if spec.auth == "user":
        op["security"] = [{"cookieAuth": []}, {"bearerAuth": []}]
        scope = derive_scope(rule, method) if spec.scope == "auto" else spec.scope
        if scope is not None:  # integration clients may call it with a token holding this scope
            op["security"].append({"oauth2": [scope]})
    elif spec.auth == "none":
        op["security"] = []
    return op


def build_document() -> dict[str, Any]:
    """Walk the URL map and describe every documented route."""
    components: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, dict[str, Any]] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith(DOCUMENTED_PREFIXES):
            continue
        spec = SPECS.get(rule.endpoint)
        if spec is None:
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-zA-Z_]+)>", r"{\1}", rule.rule)
        params = re.findall(r"{([a-zA-Z_]+)}", path)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(spec, rule.rule, method.lower(), params, components)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Telehealth consultation and second-opinion API",
            "version": "1.0.0",
            "description": "JSON API under /api; DICOMweb (PS3.18) under /api/cases/{case_id}/dicomweb. "
            'Errors are {"error": {"code", "message", "details"}}.',
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": components,
            "securitySchemes": {
                "cookieAuth": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": current_app.config["SESSION_COOKIE_NAME"],
                    "description": "Browser session; unsafe methods also need the X-CSRF-Token header.",
                },
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "A person's token from POST /api/auth/token."},
                "oauth2": {
                    "type": "oauth2",
                    "description": "Integration clients (client credentials, created by an admin); an operation "
                    "lists the scope it needs, and operations without one refuse client tokens (403 "
                    "insufficient_scope).",
                    "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": SCOPE_TEXT}},
                },
            },
        },
    }


@bp.get("/api/openapi.json")
def openapi_json():  # type: ignore[no-untyped-def]
    """Serve the generated OpenAPI document."""
    return jsonify(build_document())


SPECS["openapi.openapi_json"] = RouteSpec(summary="This OpenAPI document", auth="none", tags=["meta"])
