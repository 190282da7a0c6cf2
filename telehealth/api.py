"""The `route` decorator: request validation, auth, response shaping, and the OpenAPI registry.

Every API route is declared with `route(...)`, so `GET /api/openapi.json` is generated from
the same pydantic models that validate requests and shape responses.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from pydantic import BaseModel, ConfigDict, ValidationError

from telehealth.accounts.auth import current_user, enforce_scope, require_user
from telehealth.errors import BadRequest, UnsupportedMediaType, ValidationFailed


class Schema(BaseModel):
    """Base of request schemas: unknown fields are refused, strings are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Out(BaseModel):
    """Base of response schemas."""

    model_config = ConfigDict(from_attributes=True)


@dataclass
class RouteSpec:
    """What the OpenAPI document says about one view."""

    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    auth: str = "user"
    tags: list[str] = field(default_factory=list)
    responses: dict[str, Any] = field(default_factory=dict)
    request_body: dict[str, Any] | None = None
    # OAuth2 scope an integration client needs ("auto": derived from the URL and method).
    scope: str | None = "auto"


# endpoint name ("blueprint.function") -> spec
SPECS: dict[str, RouteSpec] = {}


def _validation_details(err: ValidationError) -> list[dict[str, Any]]:
    # Never echo the input back: it may be a password.
    return [
        {"field": ".".join(str(p) for p in e["loc"]) or None, "message": e["msg"], "type": e["type"]}
        for e in err.errors(include_url=False, include_input=False, include_context=False)
    ]


def parse_body(model: type[BaseModel]) -> BaseModel:
    """Validate the JSON body against a model (an empty body counts as {})."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        data: Any = {}
    else:
        ctype = request.mimetype or ""
        if ctype != "application/json" and not ctype.endswith("+json"):
            raise UnsupportedMediaType("Send the body as application/json", code="unsupported_media_type")
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as e:
            raise BadRequest(f"Malformed JSON: {e}", code="malformed_json") from None
    if not isinstance(data, dict):
        raise ValidationFailed("The JSON body must be an object", code="validation_failed")
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise ValidationFailed("Invalid request body", details=_validation_details(e)) from None


def parse_query(model: type[BaseModel]) -> BaseModel:
    """Validate the query string against a model (repeated keys become lists)."""
    data: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        data[key] = values if len(values) > 1 else values[0]
    known = set(model.model_fields)
    try:
        return model.model_validate({k: v for k, v in data.items() if k in known})
    except ValidationError as e:
        raise ValidationFailed("Invalid query parameters", details=_validation_details(e)) from None


def _render(rv: Any, response: type[BaseModel] | None, status: int) -> Any:
    if isinstance(rv, Response) or rv is None and status == 204:
        return rv if rv is not None else Response(status=204)
    if isinstance(rv, tuple):
        return rv
    if isinstance(rv, BaseModel):
        payload = rv.model_dump(mode="json")
    elif response is not None:
        payload = response.model_validate(rv).model_dump(mode="json")
    else:
        payload = rv
    resp = jsonify(payload)
    resp.status_code = status
    return resp


def route(
    bp: Blueprint,
    rule: str,
    *,
    methods: tuple[str, ...] | list[str] = ("GET",),
    summary: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    auth: str = "user",
    raw: bool = False,
    responses: dict[str, Any] | None = None,
    request_body: dict[str, Any] | None = None,
    tags: list[str] | None = None,
    scope: str | None = "auto",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare an API view; auth is "user" (signed in, CSRF checked), "optional" or "none".

    `scope` is the OAuth2 scope an integration client's token needs here (e.g. "cases:read");
    "auto" derives it from the URL and method (telehealth.identity.scopes), None refuses clients.
    """

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def view(**kwargs: Any) -> Any:
            if auth in ("user", "optional"):
                enforce_scope(scope)
            if auth == "user":
                user = require_user()
                if "case_id" in kwargs:
                    # Case visibility first: a case the caller may not see is 404 whatever the body.
                    from telehealth.cases.access import get_visible_case
                    from telehealth.extensions import db

                    # Kept on `g` so the identity map answers the view's own lookup without SQL.
                    g.visible_case = get_visible_case(db.session, user, kwargs["case_id"])
            elif auth == "optional":
                current_user()
            if body is not None:
                kwargs["body"] = parse_body(body)
            if query is not None:
                kwargs["query"] = parse_query(query)
            rv = fn(**kwargs)
            return rv if raw else _render(rv, response, status)

        bp.add_url_rule(rule, endpoint=fn.__name__, view_func=view, methods=list(methods))
        SPECS[f"{bp.name}.{fn.__name__}"] = RouteSpec(
            summary=summary, body=body, query=query, response=response, status=status, auth=auth,
            tags=tags or [bp.name], responses=responses or {}, request_body=request_body, scope=scope,
        )
        return view

    return deco

