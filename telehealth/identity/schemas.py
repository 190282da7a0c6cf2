"""Request and response schemas of the identity API."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from telehealth.api import Out, Schema

Scope = Literal["cases:read", "cases:write", "dicomweb:read", "dicomweb:write", "reports:read"]


class MfaEnrolOut(Out):
    """A new TOTP secret: show the otpauth:// URI as a QR code (or the secret for manual entry)."""

    secret: str
    otpauth_uri: str


class MfaConfirmIn(Schema):
    """The first code from the authenticator app."""

    code: str = Field(min_length=6, max_length=10)


class RecoveryCodesOut(Out):
    """Single-use recovery codes: shown once, store them safely."""

    recovery_codes: list[str]


class ReauthIn(Schema):
    """Prove it is still you: your password or a current TOTP code."""

    password: str | None = Field(default=None, min_length=1, max_length=200)
    totp: str | None = Field(default=None, min_length=6, max_length=10)


class ReauthOut(Out):
    """The session is re-authenticated until `valid_until` for sensitive actions."""

    reauthenticated_at: datetime
    valid_until: datetime


class PasswordChangeIn(Schema):
    """Change one's password."""

    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


class PasswordResetIn(Schema):
    """Ask for a reset link by e-mail."""

    email: str = Field(min_length=3, max_length=254)


class PasswordResetConfirmIn(Schema):
    """Set a new password with the e-mailed token."""

    token: str = Field(min_length=10, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


class AcceptedOut(Out):
    """The request was taken; the outcome is not disclosed."""

    status: str


class SsoProviderOut(Out):
    """A single sign-on button on the sign-in page."""

    slug: str
    name: str
    organization_id: str
    login_url: str


class SsoProviderList(Out):
    """The sign-in providers."""

    items: list[SsoProviderOut]


class OidcProviderIn(Schema):
    """An organization's OpenID provider (discovered from `issuer`)."""

    slug: str = Field(min_length=2, max_length=50, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1, max_length=200)
    organization_id: str = Field(min_length=1, max_length=36)
    issuer: str = Field(min_length=8, max_length=500)
    client_id: str = Field(min_length=1, max_length=200)
    client_secret: str = Field(min_length=1, max_length=500)
    scopes: str = Field(default="openid email profile", max_length=300)
    role_mapping: dict[str, Any] | None = Field(
        default=None, description='e.g. {"claim": "groups", "map": {"radiology": ["specialist"]}, '
                                  '"default": ["referrer"]}')


class OidcProviderOut(Out):
    """A configured provider (the client secret is never shown)."""

    id: str
    slug: str
    name: str
    organization_id: str
    issuer: str
    client_id: str
    scopes: str
    role_mapping: dict[str, Any] | None = None
    enabled: bool
    created_at: datetime


class OidcProviderList(Out):
    """Configured providers."""

    items: list[OidcProviderOut]


class OAuthClientIn(Schema):
    """Register an integration client of an organization."""

    name: str = Field(min_length=1, max_length=200)
    organization_id: str = Field(min_length=1, max_length=36)
    scopes: list[Scope] = Field(min_length=1)


class OAuthClientOut(Out):
    """A registered client (the secret is shown once, at creation)."""

    id: str
    client_id: str
    name: str
    organization_id: str
    scopes: list[str]
    created_at: datetime


class OAuthClientCreated(OAuthClientOut):
    """The new client with its secret: store it now, it cannot be shown again."""

    client_secret: str
    token_endpoint: str


class OAuthClientList(Out):
    """Registered clients."""

    items: list[OAuthClientOut]


class MfaResetIn(Schema):
    """An administrator removes a user's authenticator and grants days to enrol again."""

    grace_days: int = Field(default=3, ge=0, le=90)
