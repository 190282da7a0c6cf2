"""The OAuth2 authorization server for integrations (Authlib): client credentials grant
(RFC 6749 §4.4), revocation (RFC 7009) and introspection (RFC 7662)."""
from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin, grants
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from flask import Flask, current_app
from sqlalchemy import delete, select

from telehealth import clock
from telehealth.audit.service import record
from telehealth.extensions import db
from telehealth.identity.crypto import digest
from telehealth.identity.models import OAuthClient, OAuthToken
from telehealth.identity.scopes import SCOPES, parse
from telehealth.identity.settings import setting
from telehealth.identity.tokens import find_token

AUTH_METHODS = ("client_secret_basic", "client_secret_post")


class Client(ClientMixin):
    """Authlib's view of an OAuthClient row."""

    def __init__(self, row: OAuthClient) -> None:
        self.row = row

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        allowed = set(self.row.scope.split())
        if not scope:
            return " ".join(parse(self.row.scope))
        return " ".join(s for s in parse(scope) if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(digest(client_secret or ""), self.row.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"


class Token(TokenMixin):
    """Authlib's view of an OAuthToken row."""

    def __init__(self, row: OAuthToken) -> None:
        self.row = row

    def check_client(self, client: Client) -> bool:
        return self.row.client_pk == client.row.id

    def get_scope(self) -> str:
        return self.row.scope

    def get_expires_in(self) -> int:
        return int((self.row.expires_at - self.row.issued_at).total_seconds())

    def is_expired(self) -> bool:
        return self.row.expires_at <= clock.now()

    def is_revoked(self) -> bool:
        client = self.row.client
        return self.row.revoked_at is not None or client.revoked_at is not None or not client.service_user.is_active

    def get_user(self) -> None:
        return None

    def get_client(self) -> Client:
        return Client(self.row.client)


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    """Client credentials; a request for scopes the client does not hold is refused, not narrowed."""

    TOKEN_ENDPOINT_AUTH_METHODS = list(AUTH_METHODS)

    def validate_token_request(self) -> None:
        super().validate_token_request()
        requested = (self.request.payload.scope or "").split()
        allowed = set(self.request.client.row.scope.split())
        if any(s not in allowed for s in requested):
            from authlib.oauth2.rfc6749.errors import InvalidScopeError

            raise InvalidScopeError("The client may not request this scope")


class Revocation(RevocationEndpoint):
    """RFC 7009: a client revokes its own tokens."""

    CLIENT_AUTH_METHODS = list(AUTH_METHODS)

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        row = find_token(db.session, token_string)
        return Token(row) if row is not None else None

    def revoke_token(self, token: Token, request: Any) -> None:
        if token.row.revoked_at is None:
            token.row.revoked_at = clock.now()
            record(db.session, actor=token.row.client.service_user, action="oauth.token_revoked",
                   entity_type="oauth_token", entity_id=token.row.id)
            db.session.commit()


class Introspection(IntrospectionEndpoint):
    """RFC 7662: a client introspects its own tokens (others' read as inactive)."""

    CLIENT_AUTH_METHODS = list(AUTH_METHODS)

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        row = find_token(db.session, token_string)
        return Token(row) if row is not None else None

    def check_permission(self, token: Token, client: Client, request: Any) -> bool:
        return token.check_client(client)

    def introspect_token(self, token: Token) -> dict[str, Any]:
        row = token.row
        return {
            "active": True, "client_id": row.client.client_id, "token_type": "Bearer", "scope": row.scope,
            "sub": row.client.service_user_id, "username": row.client.service_user.email,
            "organization_id": row.client.organization_id, "iss": current_app.config["PUBLIC_URL"],
            "exp": int(row.expires_at.timestamp()), "iat": int(row.issued_at.timestamp()),
        }


def query_client(client_id: str) -> Client | None:
    """The registered, non-revoked client by its client_id."""
    if not client_id or len(client_id) > 64:
        return None
    row = db.session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id,
                                                      OAuthClient.revoked_at.is_(None)))
    return Client(row) if row is not None else None


def save_token(token: dict[str, Any], request: Any) -> None:
    """Store a newly issued access token (only its hash)."""
    client: Client = request.client
    now = clock.now()
    # The client's tokens that expired over a day ago are of no further use, not even to introspection.
    db.session.execute(delete(OAuthToken).where(OAuthToken.client_pk == client.row.id,
                                                OAuthToken.expires_at < now - timedelta(days=1)))
    row = OAuthToken(token_hash=digest(token["access_token"]), client_pk=client.row.id,
                     scope=token.get("scope", ""), issued_at=now,
                     expires_at=now + timedelta(seconds=int(token["expires_in"])))
    db.session.add(row)
    db.session.flush()
    record(db.session, actor=client.row.service_user, action="oauth.token_issued", entity_type="oauth_token",
           entity_id=row.id, details={"client_id": client.row.client_id, "scope": row.scope})
    db.session.commit()


def init_app(app: Flask) -> None:
    """Create the app's authorization server (one per app: grants are registered on it)."""
    server = AuthorizationServer()
    server.init_app(app, query_client=query_client, save_token=save_token)
    server.scopes_supported = list(SCOPES)
    server.register_token_generator("default", BearerTokenGenerator(
        access_token_generator=_new_token, expires_generator=lambda client, grant_type: _ttl()))
    server.register_grant(ClientCredentialsGrant)
    server.register_endpoint(Revocation)
    server.register_endpoint(Introspection)
    app.extensions["telehealth.oauth_server"] = server


def get_server() -> AuthorizationServer:
    """The running app's authorization server."""
    return current_app.extensions["telehealth.oauth_server"]


def _new_token(client: Any, grant_type: str, user: Any, scope: str) -> str:
    import secrets

    return secrets.token_urlsafe(32)


def _ttl() -> int:
    return int(setting("OAUTH2_TOKEN_TTL_SECONDS"))
