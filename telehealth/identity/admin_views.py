"""Admin routes of identity: integration clients, SSO providers, MFA resets."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, g

from telehealth.accounts.admin import require_admin
from telehealth.accounts.models import User
from telehealth.api import route
from telehealth.errors import NotFound
from telehealth.extensions import db
from telehealth.identity import clients, mfa, oidc
from telehealth.identity.models import OAuthClient
from telehealth.identity.schemas import (
    MfaResetIn,
    OAuthClientCreated,
    OAuthClientIn,
    OAuthClientList,
    OAuthClientOut,
    OidcProviderIn,
    OidcProviderList,
    OidcProviderOut,
)

bp = Blueprint("identity_admin", __name__, url_prefix="/api/admin")


def _client_out(c: OAuthClient) -> OAuthClientOut:
    return OAuthClientOut(id=c.id, client_id=c.client_id, name=c.name, organization_id=c.organization_id,
                          scopes=c.scope.split(), created_at=c.created_at)


@route(bp, "/oauth-clients", response=OAuthClientList, summary="Integration clients (admins)")
def list_oauth_clients() -> OAuthClientList:
    return OAuthClientList(items=[_client_out(c) for c in clients.list_clients(db.session, g.user)])


@route(bp, "/oauth-clients", methods=["POST"], body=OAuthClientIn, response=OAuthClientCreated, status=201,
       summary="Register an integration client of an organization; the secret is shown once")
def create_oauth_client(body: OAuthClientIn) -> tuple[dict, int]:  # type: ignore[type-arg]
    c, secret = clients.create_client(db.session, g.user, name=body.name, organization_id=body.organization_id,
                                      scopes=list(body.scopes))
    out = OAuthClientCreated(**_client_out(c).model_dump(), client_secret=secret,
                             token_endpoint=f"{current_app.config['PUBLIC_URL'].rstrip('/')}/oauth/token")
    return out.model_dump(mode="json"), 201


@route(bp, "/oauth-clients/<client_id>", methods=["DELETE"], status=204,
       summary="Revoke an integration client and all its tokens")
def delete_oauth_client(client_id: str) -> Response:
    clients.delete_client(db.session, g.user, client_id)
    return Response(status=204)


@route(bp, "/oidc-providers", response=OidcProviderList, summary="Single sign-on providers (admins)")
def list_oidc_providers() -> OidcProviderList:
    require_admin(g.user)
    rows = db.session.scalars(db.select(oidc.OidcProvider).order_by(oidc.OidcProvider.name))
    return OidcProviderList(items=[OidcProviderOut.model_validate(p) for p in rows])


@route(bp, "/oidc-providers", methods=["POST"], body=OidcProviderIn, response=OidcProviderOut, status=201,
       summary="Configure an organization's OpenID Connect provider")
def create_oidc_provider(body: OidcProviderIn) -> tuple[dict, int]:  # type: ignore[type-arg]
    p = oidc.create_provider(db.session, g.user, **body.model_dump())
    return OidcProviderOut.model_validate(p).model_dump(mode="json"), 201


@route(bp, "/oidc-providers/<provider_id>", methods=["DELETE"], status=204, summary="Remove a provider")
def delete_oidc_provider(provider_id: str) -> Response:
    oidc.delete_provider(db.session, g.user, provider_id)
    return Response(status=204)


@route(bp, "/users/<user_id>/mfa-reset", methods=["POST"], body=MfaResetIn, status=204,
       summary="Remove a user's authenticator (lost device) and give them days to enrol again")
def reset_mfa(user_id: str, body: MfaResetIn) -> Response:
    require_admin(g.user)
    user = db.session.get(User, user_id) if len(user_id) <= 36 else None
    if user is None:
        raise NotFound("No such user", code="user_not_found")
    mfa.reset_factor(db.session, g.user, user, body.grace_days)
    return Response(status=204)
