"""TOTP second factor (RFC 6238): enrolment, recovery codes, the login challenge, the
enrolment policy for clinical and staff roles, and re-authentication stamps."""
from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Any

import pyotp
from flask import g, request
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, object_session

from telehealth import clock
from telehealth.accounts.models import AuthSession, LoginAttempt, User
from telehealth.accounts.passwords import verify_password
from telehealth.audit.service import record
from telehealth.errors import ApiError, Conflict, Forbidden, Locked, Unauthorized, ValidationFailed
from telehealth.identity.crypto import decrypt, digest, encrypt
from telehealth.identity.models import MfaFactor, MfaGrace, ReauthStamp, RecoveryCode
from telehealth.identity.settings import setting

STEP_SECONDS = 30
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
# What a session may still do while its user must enrol before using the rest of the API.
ENROLMENT_ENDPOINTS = frozenset({
    "auth.me", "auth.logout", "auth.sessions", "auth.revoke",
    "identity.mfa_status", "identity.mfa_enrol", "identity.mfa_confirm", "identity.change_password",
})


def confirmed_factor(session: Session, user: User) -> MfaFactor | None:
    """The user's active TOTP factor, if enrolled."""
    factor = session.get(MfaFactor, user.id)
    return factor if factor is not None and factor.confirmed_at is not None else None


def policy_requires(user: User) -> bool:
    """Whether policy requires a second factor here: a required role and a local password.

    People without a password sign in only through their organization's identity provider,
    which is where their second factor is enforced.
    """
    return user.password_hash is not None and any(user.has_role(r) for r in setting("MFA_REQUIRED_ROLES"))


def status(session: Session, user: User) -> dict[str, Any]:
    """Where the user stands with MFA: enrolled, required by policy, grace period, blocked."""
    enrolled = confirmed_factor(session, user) is not None
    required = policy_requires(user)
    grace = session.get(MfaGrace, user.id)
    if grace is not None:
        grace_until = grace.until
    else:
        grace_until = user.created_at + timedelta(days=setting("MFA_GRACE_DAYS"))
    must_enrol = required and not enrolled
    blocked = must_enrol and grace_until is not None and grace_until <= clock.now()
    remaining = 0
    if enrolled:
        remaining = session.scalar(select(func.count()).select_from(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0
    return {"enrolled": enrolled, "required": required, "enrolment_required": must_enrol,
            "grace_until": grace_until if must_enrol else None, "blocked": blocked,
            "recovery_codes_left": remaining}


def enforce_enrolment_policy(user: User) -> None:
    """After the grace period, a user who must use MFA may only enrol (and sign out) until they do."""
    if g.get("mfa_policy_checked"):
        return
    g.mfa_policy_checked = True
    if not policy_requires(user):
        return
    from telehealth.extensions import db

    st = status(db.session, user)
    if st["blocked"] and request.endpoint not in ENROLMENT_ENDPOINTS:
        raise Forbidden("Set up two-factor authentication to continue (POST /api/auth/mfa/enrol)",
                        code="mfa_enrolment_required")


def begin_enrolment(session: Session, user: User) -> tuple[str, str]:
    """Start (or restart) TOTP enrolment: a new secret and its otpauth:// URI for a QR code."""
    if confirmed_factor(session, user) is not None:
        raise Conflict("Two-factor authentication is already set up", code="mfa_already_enrolled")
    secret = pyotp.random_base32()
    factor = session.get(MfaFactor, user.id)
    if factor is None:
        factor = MfaFactor(user_id=user.id, secret_enc=encrypt(secret), created_at=clock.now())
        session.add(factor)
    else:
        factor.secret_enc, factor.created_at, factor.last_step = encrypt(secret), clock.now(), None
    record(session, actor=user, action="mfa.enrolment_started", entity_type="user", entity_id=user.id)
    session.commit()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=setting("MFA_ISSUER_NAME"))
    return secret, uri


def _match_step(factor: MfaFactor, code: str | None) -> int | None:
    """The time step a code belongs to (±1 step of drift), if valid and newer than the last one used."""
    code = (code or "").replace(" ", "").strip()
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(decrypt(factor.secret_enc))
    now_step = int(clock.now().timestamp()) // STEP_SECONDS
    for step in (now_step - 1, now_step, now_step + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            if factor.last_step is not None and step <= factor.last_step:
                return None  # a code is good once: a replayed code is refused
            return step
    return None


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(setting("MFA_RECOVERY_CODES")):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user.id, code_hash=digest(raw)))
    return codes


def confirm_enrolment(session: Session, user: User, code: str) -> list[str]:
    """Activate the factor with a first code; returns the recovery codes (shown once)."""
    factor = session.get(MfaFactor, user.id)
    if factor is None or factor.confirmed_at is not None:
        raise Conflict("Start enrolment first", code="mfa_not_pending")
    step = _match_step(factor, code)
    if step is None:
        raise ValidationFailed("That code is not valid; check your authenticator's time", code="invalid_mfa_code")
    factor.confirmed_at, factor.last_step = clock.now(), step
    codes = _new_recovery_codes(session, user)
    session.execute(delete(MfaGrace).where(MfaGrace.user_id == user.id))
    record(session, actor=user, action="mfa.enrolled", entity_type="user", entity_id=user.id)
    session.commit()
    return codes


def regenerate_recovery_codes(session: Session, user: User, auth_session: AuthSession | None) -> list[str]:
    """New recovery codes (the old ones stop working); needs a recent re-authentication."""
    if confirmed_factor(session, user) is None:
        raise Conflict("Two-factor authentication is not set up", code="mfa_not_enrolled")
    if auth_session is None or not recently_reauthenticated(auth_session, setting("REAUTH_WINDOW_SECONDS")):
        raise Forbidden("Confirm your password or a code first (POST /api/auth/reauth)", code="reauth_required")
    codes = _new_recovery_codes(session, user)
    record(session, actor=user, action="mfa.recovery_codes_regenerated", entity_type="user", entity_id=user.id)
    session.commit()
    return codes


def disable(session: Session, user: User, auth_session: AuthSession | None) -> None:
    """Turn two-factor sign-in off (only where policy does not require it; needs a recent re-authentication)."""
    if confirmed_factor(session, user) is None:
        raise Conflict("Two-factor authentication is not set up", code="mfa_not_enrolled")
    if policy_requires(user):
        raise Forbidden("Your role requires two-factor authentication", code="mfa_required_by_policy")
    if auth_session is None or not recently_reauthenticated(auth_session, setting("REAUTH_WINDOW_SECONDS")):
        raise Forbidden("Confirm your password or a code first (POST /api/auth/reauth)", code="reauth_required")
    session.execute(delete(MfaFactor).where(MfaFactor.user_id == user.id))
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record(session, actor=user, action="mfa.disabled", entity_type="user", entity_id=user.id)
    session.commit()


def check_login_factor(session: Session, user: User, *, totp: str | None,
                       recovery_code: str | None) -> ApiError | None:
    """The second step of a login: None when passed (or not enrolled), else the error to raise.

    The caller counts an invalid code as a failed sign-in, so guessing codes locks the account
    like guessing passwords does.
    """
    factor = confirmed_factor(session, user)
    if factor is None:
        return None
    if not totp and not recovery_code:
        return Unauthorized("Enter the code from your authenticator app, or a recovery code", code="mfa_required",
                            details={"methods": ["totp", "recovery_code"]})
    if totp:
        step = _match_step(factor, totp)
        if step is not None:
            factor.last_step = step
            return None
    if recovery_code:
        norm = recovery_code.lower().replace("-", "").replace(" ", "").strip()
        row = session.scalar(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                        RecoveryCode.code_hash == digest(norm),
                                                        RecoveryCode.used_at.is_(None)))
        if row is not None:
            row.used_at = clock.now()
            record(session, actor=user, action="mfa.recovery_code_used", entity_type="user", entity_id=user.id)
            return None
    return Unauthorized("Wrong or already used code", code="invalid_mfa_code")


def _count_failure(session: Session, user: User, ip: str, reason: str) -> None:
    """A failed re-authentication counts like a failed sign-in (and locks the account the same way)."""
    from flask import current_app

    now = clock.now()
    session.add(LoginAttempt(email=user.email, ip=ip, success=False, at=now))
    since = now - timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
    failures = session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.email == user.email, LoginAttempt.success.is_(False), LoginAttempt.at >= since)) or 0
    if failures >= current_app.config["LOGIN_MAX_FAILURES_ACCOUNT"]:
        user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        record(session, actor=user, action="auth.account_locked", entity_type="user", entity_id=user.id,
               outcome="denied", details={"reason": reason, "failures": failures})
    record(session, actor=user, action="auth.reauth", entity_type="user", entity_id=user.id, outcome="failure",
           details={"reason": reason})
    session.commit()


def reauthenticate(session: Session, user: User, auth_session: AuthSession | None, *, password: str | None,
                   totp: str | None, ip: str) -> ReauthStamp:
    """Re-enter the password or a TOTP code: stamps this session as recently re-authenticated."""
    if auth_session is None:
        raise Forbidden("Integration clients cannot re-authenticate", code="reauth_not_possible")
    now = clock.now()
    if user.locked_until is not None and user.locked_until > now:
        raise Locked("This account is locked after repeated failures; try again later", code="account_locked",
                     headers={"Retry-After": str(int((user.locked_until - now).total_seconds()) + 1)})
    if not password and not totp:
        raise ValidationFailed("Send your password or a code from your authenticator", code="validation_failed")
    method = "password"
    if totp:
        factor = confirmed_factor(session, user)
        step = _match_step(factor, totp) if factor is not None else None
        ok = step is not None
        if ok and factor is not None:
            factor.last_step = step
        method = "totp"
    else:
        ok = verify_password(user.password_hash, password or "")
    if not ok:
        _count_failure(session, user, ip, f"bad_{method}")
        raise Unauthorized("Wrong password or code", code="invalid_credentials")
    stamp = session.get(ReauthStamp, auth_session.id)
    if stamp is None:
        stamp = ReauthStamp(auth_session_id=auth_session.id, at=now, method=method)
        session.add(stamp)
    else:
        stamp.at, stamp.method = now, method
    record(session, actor=user, action="auth.reauth", entity_type="auth_session", entity_id=auth_session.id,
           details={"method": method})
    session.commit()
    return stamp


def recently_reauthenticated(auth_session: AuthSession | None, within_seconds: int | None = None) -> bool:
    """Whether the session's holder proved who they are within the last `within_seconds`
    (a re-authentication, or the sign-in itself). For sensitive actions such as signing a report."""
    if auth_session is None:
        return False
    within = within_seconds if within_seconds is not None else setting("REAUTH_WINDOW_SECONDS")
    since = clock.now() - timedelta(seconds=within)
    if auth_session.created_at >= since:
        return True
    from telehealth.extensions import db

    owner = object_session(auth_session)
    stamp = (owner or db.session).get(ReauthStamp, auth_session.id)
    return stamp is not None and stamp.at >= since


def reset_factor(session: Session, admin: User, user: User, grace_days: int) -> None:
    """An administrator removes a user's factor (lost phone) and grants time to enrol again."""
    session.execute(delete(MfaFactor).where(MfaFactor.user_id == user.id))
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    grace = session.get(MfaGrace, user.id) or MfaGrace(user_id=user.id)
    grace.until, grace.reason = clock.now() + timedelta(days=grace_days), f"reset by {admin.email}"
    session.add(grace)
    record(session, actor=admin, action="mfa.reset", entity_type="user", entity_id=user.id)
    session.commit()
