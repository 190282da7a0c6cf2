"""Request and response schemas of the accounts API."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from telehealth.api import Out, Schema

_EMAIL = re.compile(
    r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def _check_email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("not a valid e-mail address")
    return value.lower()


EmailStr = Annotated[str, AfterValidator(_check_email)]
Role = Literal["patient", "referrer", "specialist", "coordinator", "admin"]


class OrganizationOut(Out):
    """An organization as clients see it."""

    id: str
    name: str
    kind: str


class UserOut(Out):
    """A user as they see themself (and as admins see them)."""

    id: str
    email: str
    name: str
    roles: list[str]
    organization: OrganizationOut | None = None
    region: str | None = None
    language: str | None = None
    is_active: bool = True


class RegisterIn(Schema):
    """Patient sign-up."""

    email: EmailStr
    password: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=200)
    region: str | None = Field(default=None, max_length=20)
    language: str | None = Field(default=None, max_length=10)


class LoginIn(Schema):
    """E-mail and password (plus a TOTP code once MFA is enrolled)."""

    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=200)
    totp: str | None = Field(default=None, max_length=10)
    recovery_code: str | None = Field(default=None, max_length=20)


class MfaStatusOut(Out):
    """Two-factor status: enrolled, required by policy, and until when one may still sign in without it."""

    enrolled: bool
    required: bool
    enrolment_required: bool
    grace_until: datetime | None = None
    blocked: bool = False
    recovery_codes_left: int = 0


class SessionOut(Out):
    """The signed-in user and the CSRF token to send on writes."""

    user: UserOut
    csrf_token: str | None = None
    mfa: MfaStatusOut | None = None


class TokenOut(Out):
    """A bearer token for scripts and integrations."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int


class AuthSessionOut(Out):
    """One of one's own active sessions or tokens."""

    id: str
    kind: str
    ip: str | None
    user_agent: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    current: bool = False


class AuthSessionList(Out):
    """One's active sessions."""

    items: list[AuthSessionOut]


class InvitationInfo(Out):
    """What an invitation offers, shown before accepting it."""

    email: str
    roles: list[str]
    case_id: str | None = None
    case_title: str | None = None
    invited_by: str | None = None
    expires_at: datetime
    account_exists: bool


class AcceptInvitationIn(Schema):
    """New people choose a name and password; signed-in people send nothing."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    password: str | None = Field(default=None, min_length=1, max_length=200)


class AdminUserIn(Schema):
    """An admin creates a clinician or staff account, or invites them by e-mail."""

    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    roles: list[Role] = Field(min_length=1)
    organization_id: str | None = None
    password: str | None = Field(default=None, max_length=200)
    region: str | None = Field(default=None, max_length=20)
    language: str | None = Field(default=None, max_length=10)


class AdminUserPatch(Schema):
    """Change roles, organization or activity of an account."""

    roles: list[Role] | None = Field(default=None, min_length=1)
    organization_id: str | None = None
    is_active: bool | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)


class AdminUserCreated(Out):
    """The new account, and the invitation link when no password was set."""

    user: UserOut | None = None
    invitation_url: str | None = None


class UserList(Out):
    """A page of users."""

    items: list[UserOut]
    total: int


class UserQuery(Schema):
    """Filters for the user list."""

    role: Role | None = None
    q: str | None = Field(default=None, max_length=100)
    page: int = Field(default=1, ge=1)
    per_page: int = Field(default=50, ge=1, le=200)


class OrganizationIn(Schema):
    """A new organization."""

    name: str = Field(min_length=1, max_length=200)
    kind: Literal["referring", "network"]
    network_id: str | None = None
    region: str | None = Field(default=None, max_length=20)
    dicomweb_url: str | None = Field(default=None, max_length=500)


class OrganizationList(Out):
    """All organizations."""

    items: list[OrganizationOut]
