"""Administration of integration clients: register, list, revoke (admins only)."""
from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.admin import require_admin
from telehealth.accounts.models import Organization, User, UserRole
from telehealth.audit.service import record
from telehealth.errors import NotFound, ValidationFailed
from telehealth.identity.crypto import digest
from telehealth.identity.models import OAuthClient, OAuthToken
from telehealth.identity.scopes import SCOPES

# Service accounts of integration clients get addresses in the reserved .invalid domain (RFC 2606).
SERVICE_EMAIL_DOMAIN = "@oauth-clients.invalid"


def is_service_account(user: User) -> bool:
    """Whether this account is an integration client's (it has no inbox and no screen to notify)."""
    return user.email.endswith(SERVICE_EMAIL_DOMAIN)


def create_client(session: Session, admin: User, *, name: str, organization_id: str,
                  scopes: list[str]) -> tuple[OAuthClient, str]:
    """Register a client of an organization; returns it and its secret (shown once)."""
    require_admin(admin)
    org = session.get(Organization, organization_id) if len(organization_id) <= 36 else None
    if org is None:
        raise ValidationFailed("No such organization", code="organization_not_found",
                               details=[{"field": "organization_id", "message": "unknown"}])
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise ValidationFailed("Unknown or missing scopes", code="invalid_scope",
                               details=[{"field": "scopes", "message": f"allowed: {' '.join(SCOPES)}"}])
    client_id = "thc_" + secrets.token_urlsafe(18)
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    # The client acts as this account: a referrer of its organization, who cannot sign in.
    service_user = User(email=f"{client_id.lower()}{SERVICE_EMAIL_DOMAIN}", name=f"API client: {name}",
                        organization_id=org.id, password_hash=None, created_at=now)
    service_user.role_rows = [UserRole(role="referrer")]
    session.add(service_user)
    session.flush()
    client = OAuthClient(client_id=client_id, secret_hash=digest(secret), name=name, organization_id=org.id,
                         service_user_id=service_user.id, scope=" ".join(s for s in SCOPES if s in scopes),
                         created_by_id=admin.id, created_at=now)
    session.add(client)
    session.flush()
    record(session, actor=admin, action="oauth.client_created", entity_type="oauth_client", entity_id=client.id,
           details={"client_id": client_id, "organization_id": org.id, "scope": client.scope})
    session.commit()
    return client, secret


def list_clients(session: Session, admin: User) -> list[OAuthClient]:
    """All active clients."""
    require_admin(admin)
    return list(session.scalars(select(OAuthClient).where(OAuthClient.revoked_at.is_(None))
                                .order_by(OAuthClient.created_at)))


def delete_client(session: Session, admin: User, client_pk: str) -> None:
    """Revoke a client and every token it holds; its service account is deactivated."""
    require_admin(admin)
    client = session.get(OAuthClient, client_pk) if len(client_pk) <= 36 else None
    if client is None or client.revoked_at is not None:
        raise NotFound("No such client", code="client_not_found")
    now = clock.now()
    client.revoked_at = now
    client.service_user.is_active = False
    for token in session.scalars(select(OAuthToken).where(OAuthToken.client_pk == client.id,
                                                          OAuthToken.revoked_at.is_(None))):
        token.revoked_at = now
    record(session, actor=admin, action="oauth.client_revoked", entity_type="oauth_client", entity_id=client.id)
    session.commit()
