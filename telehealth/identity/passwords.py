"""Password change (signed in) and reset by an e-mailed single-use token; both end every session."""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.models import User
from telehealth.accounts.passwords import check_policy, hash_password, verify_password
from telehealth.accounts.service import revoke_all_sessions
from telehealth.audit.service import record
from telehealth.errors import BadRequest, Gone, Unauthorized
from telehealth.identity.crypto import digest
from telehealth.identity.models import PasswordResetToken
from telehealth.identity.settings import setting


def _set_password(session: Session, user: User, new_password: str) -> None:
    check_policy(new_password, min_length=current_app.config["PASSWORD_MIN_LENGTH"], email=user.email,
                 name=user.name)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = clock.now()
    user.locked_until = None


def change_password(session: Session, user: User, *, current_password: str, new_password: str) -> None:
    """Change one's password (the current one is required); every session and token ends."""
    if not verify_password(user.password_hash, current_password):
        record(session, actor=user, action="auth.password_changed", entity_type="user", entity_id=user.id,
               outcome="failure", details={"reason": "bad_current_password"})
        session.commit()
        raise Unauthorized("The current password is wrong", code="invalid_credentials")
    _set_password(session, user, new_password)
    revoke_all_sessions(session, user, reason="password_changed")
    record(session, actor=user, action="auth.password_changed", entity_type="user", entity_id=user.id)
    session.commit()


def request_reset(session: Session, email: str) -> str | None:
    """Make a reset token for an active account with a password; returns it to be e-mailed, or None.

    The caller answers the same whatever happens here, so the endpoint does not reveal accounts.
    """
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active or user.password_hash is None:
        return None
    now = clock.now()
    recent = session.scalar(select(func.count()).select_from(PasswordResetToken).where(
        PasswordResetToken.user_id == user.id, PasswordResetToken.created_at >= now - timedelta(hours=1))) or 0
    if recent >= setting("PASSWORD_RESET_MAX_PER_HOUR"):
        record(session, actor=user, action="auth.password_reset_requested", entity_type="user", entity_id=user.id,
               outcome="denied", details={"reason": "too_many_requests"})
        session.commit()
        return None
    token = secrets.token_urlsafe(32)
    session.add(PasswordResetToken(user_id=user.id, token_hash=digest(token), created_at=now,
                                   expires_at=now + timedelta(minutes=setting("PASSWORD_RESET_TTL_MINUTES"))))
    record(session, actor=user, action="auth.password_reset_requested", entity_type="user", entity_id=user.id)
    session.commit()
    return token


def confirm_reset(session: Session, token: str, new_password: str) -> User:
    """Set a new password with a reset token (usable once, before it expires); every session ends."""
    row = session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == digest(token)))
    if row is None:
        raise BadRequest("This reset link is not valid", code="invalid_reset_token")
    if row.used_at is not None:
        raise Gone("This reset link has already been used", code="reset_token_used")
    if row.expires_at <= clock.now():
        raise Gone("This reset link has expired; ask for a new one", code="reset_token_expired")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise BadRequest("This reset link is not valid", code="invalid_reset_token")
    _set_password(session, user, new_password)
    now = clock.now()
    # Every other outstanding link of this user dies too.
    for other in session.scalars(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id,
                                                                  PasswordResetToken.used_at.is_(None))):
        other.used_at = now
    revoke_all_sessions(session, user, reason="password_reset")
    record(session, actor=user, action="auth.password_reset", entity_type="user", entity_id=user.id)
    session.commit()
    return user
