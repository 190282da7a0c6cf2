"""The OAuth2 endpoints for integrations: /oauth/token, /oauth/revoke, /oauth/introspect.

They speak RFC 6749/7009/7662 (form-encoded requests, RFC error bodies) so that standard
OAuth2 client libraries work unchanged.
"""
from __future__ import annotations

from flask import Blueprint, Response

from telehealth.api import route
from telehealth.identity import oauth_server, settings

bp = Blueprint("oauth", __name__, url_prefix="/oauth")


@bp.record_once
def _configure(state) -> None:  # type: ignore[no-untyped-def]
    settings.init_app(state.app.config)
    oauth_server.init_app(state.app)


def _form(fields: dict[str, str], required: list[str]) -> dict:  # type: ignore[type-arg]
    return {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object", "required": required,
        "properties": {k: {"type": "string", "description": v} for k, v in fields.items()}}}}}


_CLIENT_AUTH = {"client_id": "with client_secret_post (or use HTTP Basic)", "client_secret": "client_secret_post"}
_TOKEN_RESPONSES = {"200": {"description": "RFC 6749 §5.1 token response", "content": {"application/json": {
    "schema": {"type": "object", "properties": {"access_token": {"type": "string"}, "token_type": {"type": "string"},
                                                "expires_in": {"type": "integer"}, "scope": {"type": "string"}}}}}},
                    "400": {"description": "RFC 6749 §5.2 error"}, "401": {"description": "invalid_client"}}


@route(bp, "/token", methods=["POST"], auth="none", raw=True, responses=_TOKEN_RESPONSES, tags=["oauth"],
       request_body=_form({"grant_type": "client_credentials", "scope": "space-separated scopes", **_CLIENT_AUTH},
                          ["grant_type"]),
       summary="Client credentials grant: an access token for an integration client")
def token() -> Response:
    return oauth_server.get_server().create_token_response()


@route(bp, "/revoke", methods=["POST"], auth="none", raw=True, tags=["oauth"],
       responses={"200": {"description": "Revoked (or unknown: RFC 7009 §2.2)"}},
       request_body=_form({"token": "the access token", "token_type_hint": "access_token", **_CLIENT_AUTH},
                          ["token"]),
       summary="Revoke one of the client's tokens (RFC 7009)")
def revoke() -> Response:
    return oauth_server.get_server().create_endpoint_response("revocation")


@route(bp, "/introspect", methods=["POST"], auth="none", raw=True, tags=["oauth"],
       responses={"200": {"description": "RFC 7662 introspection response ({\"active\": false} when not active)"}},
       request_body=_form({"token": "the access token", "token_type_hint": "access_token", **_CLIENT_AUTH},
                          ["token"]),
       summary="Introspect one of the client's tokens (RFC 7662)")
def introspect() -> Response:
    return oauth_server.get_server().create_endpoint_response("introspection")
