"""Resolving OAuth2 access tokens for the resource side (our API and DICOMweb)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.models import User
from telehealth.identity.crypto import digest
from telehealth.identity.models import OAuthClient, OAuthToken
from telehealth.identity.scopes import parse


@dataclass
class ClientAccess:
    """Who an access token speaks for: the client, its service account, and the granted scopes."""

    client: OAuthClient
    user: User
    scopes: list[str]
    token: OAuthToken


def token_is_active(token: OAuthToken) -> bool:
    """Not revoked, not expired, and issued to a client that still exists and is active."""
    client = token.client
    return (token.revoked_at is None and token.expires_at > clock.now() and client.revoked_at is None
            and client.service_user.is_active)


def find_token(session: Session, raw: str) -> OAuthToken | None:
    """The stored token for a raw access token string, active or not."""
    if not raw or len(raw) > 200:
        return None
    return session.scalar(select(OAuthToken).where(OAuthToken.token_hash == digest(raw)))


def resolve_access_token(session: Session, raw: str) -> ClientAccess | None:
    """The client access behind a bearer token, or None when it is unknown, expired or revoked."""
    token = find_token(session, raw)
    if token is None or not token_is_active(token):
        return None
    return ClientAccess(client=token.client, user=token.client.service_user, scopes=parse(token.scope), token=token)
