"""Identity tables: SSO providers and links, OAuth2 clients and tokens, MFA factors, reset tokens.

Secrets are never stored in clear: tokens, client secrets and recovery codes as SHA-256 hashes
(they are high-entropy random strings), and the secrets we must be able to use again (a TOTP
seed, an identity provider's client secret) encrypted with a key derived from SECRET_KEY.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telehealth.accounts.models import Organization, User
from telehealth.db import Base, UTCDateTime, new_id, utcnow


class OidcProvider(Base):
    """An organization's OpenID Connect identity provider (discovered from its issuer URL)."""

    __tablename__ = "oidc_provider"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # The URL segment of /auth/oidc/<slug>/login.
    slug: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organization_id: Mapped[str] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret_enc: Mapped[str] = mapped_column(Text)
    scopes: Mapped[str] = mapped_column(String(300), default="openid email profile")
    # {"claim": "groups", "map": {"radiology": ["specialist"]}, "default": ["referrer"]}
    role_mapping: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship(lazy="joined")


class OidcIdentity(Base):
    """A user's account at an identity provider: the stable link is (provider, sub)."""

    __tablename__ = "oidc_identity"
    __table_args__ = (UniqueConstraint("provider_id", "subject", name="uq_oidc_identity_provider_subject"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    provider_id: Mapped[str] = mapped_column(ForeignKey("oidc_provider.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class OidcLoginState(Base):
    """One started SSO login: state, nonce and PKCE verifier, kept server-side and used once."""

    __tablename__ = "oidc_login_state"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Ties the callback to the browser that started the login (hash of a cookie value).
    browser_hash: Mapped[str] = mapped_column(String(64))
    provider_id: Mapped[str] = mapped_column(ForeignKey("oidc_provider.id", ondelete="CASCADE"))
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(200))
    redirect_uri: Mapped[str] = mapped_column(String(500))
    next_path: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class OAuthClient(Base):
    """An integration (EHR, PACS gateway) of one organization, acting through its service account."""

    __tablename__ = "oauth_client"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    organization_id: Mapped[str] = mapped_column(ForeignKey("organization.id"), index=True)
    # The account the client acts as: a referrer of the organization without a password.
    service_user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"))
    scope: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    organization: Mapped[Organization] = relationship(lazy="joined")
    service_user: Mapped[User] = relationship(foreign_keys=[service_user_id], lazy="joined")


class OAuthToken(Base):
    """An access token issued by the client credentials grant (stored as a hash)."""

    __tablename__ = "oauth_token"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_pk: Mapped[str] = mapped_column(ForeignKey("oauth_client.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(300), default="")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    client: Mapped[OAuthClient] = relationship(lazy="joined")


class MfaFactor(Base):
    """A user's TOTP authenticator (RFC 6238); active once confirmed with a first code."""

    __tablename__ = "mfa_factor"

    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    secret_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The last accepted 30-second step: a code is never accepted twice.
    last_step: Mapped[int | None] = mapped_column(Integer, default=None)


class RecoveryCode(Base):
    """A single-use recovery code (hashed), shown once at enrolment."""

    __tablename__ = "mfa_recovery_code"
    __table_args__ = (Index("ix_mfa_recovery_code_user_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class MfaGrace(Base):
    """An exception to the MFA policy: until when a user may sign in without enrolling (None: open-ended)."""

    __tablename__ = "mfa_grace"

    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    reason: Mapped[str | None] = mapped_column(String(200), default=None)


class ReauthStamp(Base):
    """When the holder of a session last re-entered their password or a TOTP code."""

    __tablename__ = "reauth_stamp"

    auth_session_id: Mapped[str] = mapped_column(ForeignKey("auth_session.id", ondelete="CASCADE"),
                                                 primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    method: Mapped[str] = mapped_column(String(20))


class PasswordResetToken(Base):
    """An e-mailed single-use password reset token (hashed)."""

    __tablename__ = "password_reset_token"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
