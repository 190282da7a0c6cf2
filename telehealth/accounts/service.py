"""Account services: sign-up, login with throttling, sessions and tokens, invitations."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.auth import token_hash
from telehealth.accounts.models import AuthSession, Invitation, LoginAttempt, User, UserRole
from telehealth.accounts.passwords import check_policy, hash_password, needs_rehash, verify_password
from telehealth.audit.service import record
from telehealth.errors import Conflict, Gone, Locked, NotFound, TooManyRequests, Unauthorized


def _cfg(key: str):  # type: ignore[no-untyped-def]
    return current_app.config[key]


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str | None,
    roles: list[str],
    organization_id: str | None = None,
    region: str | None = None,
    language: str | None = None,
) -> User:
    """Create an account (caller commits); the password must pass the policy."""
    email = email.strip().lower()
    if password is not None:
        check_policy(password, min_length=_cfg("PASSWORD_MIN_LENGTH"), email=email, name=name)
    if session.scalar(select(User.id).where(User.email == email)):
        raise Conflict("An account with this e-mail already exists", code="email_taken")
    user = User(
        email=email,
        name=name,
        organization_id=organization_id,
        region=region,
        language=language,
        password_hash=hash_password(password) if password else None,
        password_changed_at=clock.now() if password else None,
        created_at=clock.now(),
    )
    user.role_rows = [UserRole(role=r) for r in dict.fromkeys(roles)]
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict("An account with this e-mail already exists", code="email_taken") from None
    return user


def register_patient(
    session: Session, *, email: str, name: str, password: str, region: str | None = None, language: str | None = None
) -> User:
    """Patients sign up themselves."""
    user = create_user(
        session, email=email, name=name, password=password, roles=["patient"], region=region, language=language
    )
    record(session, actor=user, action="account.registered", entity_type="user", entity_id=user.id)
    session.commit()
    return user


def _recent_failures(session: Session, **where: str) -> int:
    since = clock.now() - timedelta(minutes=_cfg("LOGIN_WINDOW_MINUTES"))
    q = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.at >= since, LoginAttempt.success.is_(False))
    for key, value in where.items():
        q = q.where(getattr(LoginAttempt, key) == value)
    return session.scalar(q) or 0


def authenticate(
    session: Session, *, email: str, password: str, ip: str, totp: str | None = None, recovery_code: str | None = None
) -> User:
    """Check a password (and the second factor once enrolled), slowing and then locking repeated
    failures per account and per IP. A right password without the code raises `mfa_required`."""
    email = email.strip().lower()
    now = clock.now()
    ip_failures = _recent_failures(session, ip=ip)
    if ip_failures >= _cfg("LOGIN_MAX_FAILURES_IP"):
        record(
            session,
            actor=None,
            actor_email=email,
            action="auth.login",
            entity_type="user",
            outcome="denied",
            details={"reason": "ip_throttled"},
        )
        session.commit()
        raise TooManyRequests(
            "Too many failed sign-ins from your address; try again later",
            code="too_many_attempts",
            headers={"Retry-After": str(60 * _cfg("LOGIN_LOCK_MINUTES"))},
        )
    user = session.scalar(select(User).where(User.email == email))
    if user is not None and user.locked_until is not None and user.locked_until > now:
        record(
            session,
            actor=user,
            action="auth.login",
            entity_type="user",
            entity_id=user.id,
            outcome="denied",
            details={"reason": "locked"},
        )
        session.commit()
        wait = int((user.locked_until - now).total_seconds()) + 1
        raise Locked(
            "This account is locked after repeated failed sign-ins; try again later",
            code="account_locked",
            headers={"Retry-After": str(wait)},
        )
    ok = verify_password(user.password_hash if user else None, password) and user is not None and user.is_active
    second_factor_error = None
    if ok and user is not None:
        from telehealth.identity.mfa import check_login_factor

        second_factor_error = check_login_factor(session, user, totp=totp, recovery_code=recovery_code)
        if second_factor_error is not None and second_factor_error.code == "mfa_required":
            raise second_factor_error  # the first step passed; nothing counts as a failure yet
        ok = second_factor_error is None
    session.add(LoginAttempt(email=email, ip=ip, success=ok, at=now))
    if not ok:
        failures = _recent_failures(session, email=email)  # includes this attempt (autoflush)
        reason = "bad_second_factor" if second_factor_error is not None else "bad_credentials"
        details: dict[str, object] = {"reason": reason, "failures": failures}
        if user is not None and failures >= _cfg("LOGIN_MAX_FAILURES_ACCOUNT"):
            user.locked_until = now + timedelta(minutes=_cfg("LOGIN_LOCK_MINUTES"))
            details["locked_until"] = user.locked_until.isoformat()
            record(
                session,
                actor=user,
                action="auth.account_locked",
                entity_type="user",
                entity_id=user.id,
                outcome="denied",
                details=details,
            )
        record(
            session,
            actor=user,
            actor_email=email,
            action="auth.login",
            entity_type="user",
            entity_id=user.id if user else None,
            outcome="failure",
            details=details,
        )
        session.commit()
        if second_factor_error is not None:
            raise second_factor_error
        raise Unauthorized("Wrong e-mail or password", code="invalid_credentials")
    assert user is not None
    user.locked_until = None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def start_session(
    session: Session, user: User, *, kind: str, ip: str | None, user_agent: str | None
) -> tuple[AuthSession, str]:
    """Open a server-side session (cookie) or issue a bearer token; returns the row and the secret."""
    raw = secrets.token_urlsafe(32)
    now = clock.now()
    lifetime = (
        timedelta(hours=_cfg("SESSION_ABSOLUTE_HOURS"))
        if kind == "cookie"
        else timedelta(seconds=_cfg("TOKEN_TTL_SECONDS"))
    )
    s = AuthSession(
        user_id=user.id,
        token_hash=token_hash(raw),
        kind=kind,
        ip=ip,
        user_agent=(user_agent or "")[:300],
        csrf_token=secrets.token_urlsafe(32) if kind == "cookie" else None,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
    )
    session.add(s)
    session.flush()
    record(
        session,
        actor=user,
        action="auth.login" if kind == "cookie" else "auth.token_issued",
        entity_type="auth_session",
        entity_id=s.id,
    )
    session.commit()
    return s, raw


def end_session(session: Session, auth_session: AuthSession) -> None:
    """Log out: the session is invalid on the server from now on."""
    auth_session.revoked_at = clock.now()
    record(
        session, actor=auth_session.user, action="auth.logout", entity_type="auth_session", entity_id=auth_session.id
    )
    session.commit()


def revoke_all_sessions(session: Session, user: User, *, reason: str) -> int:
    """Invalidate every session and token of the user (after a password change or reset); caller commits."""
    now = clock.now()
    rows = session.scalars(select(AuthSession).where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None)))
    count = 0
    for s in rows:
        s.revoked_at = now
        count += 1
    record(
        session,
        actor=user,
        action="auth.sessions_revoked",
        entity_type="user",
        entity_id=user.id,
        details={"reason": reason, "count": count},
    )
    return count


def list_sessions(session: Session, user: User) -> list[AuthSession]:
    """One's own live sessions and tokens."""
    now = clock.now()
    rows = session.scalars(
        select(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None), AuthSession.expires_at > now)
        .order_by(AuthSession.last_seen_at.desc())
    )
    return list(rows)


def revoke_session(session: Session, user: User, session_id: str) -> None:
    """Revoke one of one's own sessions (another user's is "not found")."""
    s = session.get(AuthSession, session_id) if len(session_id) <= 36 else None
    if s is None or s.user_id != user.id or s.revoked_at is not None:
        raise NotFound("No such session", code="session_not_found")
    s.revoked_at = clock.now()
    record(session, actor=user, action="auth.session_revoked", entity_type="auth_session", entity_id=s.id)
    session.commit()


def find_invitation(session: Session, token: str) -> Invitation:
    """A usable invitation by its token: unknown is 404, used or expired is 410."""
    inv = session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
    if inv is None:
        raise NotFound("No such invitation", code="invitation_not_found")
    if inv.accepted_at is not None or inv.revoked_at is not None:
        raise Gone("This invitation has already been used", code="invitation_used")
    if inv.expires_at <= clock.now():
        raise Gone("This invitation has expired; ask for a new one", code="invitation_expired")
    return inv


def accept_invitation(
    session: Session, token: str, *, user: User | None, name: str | None, password: str | None
) -> User:
    """Accept an invitation: create the account (new people) and join the case, if any."""
    from telehealth.cases.conversation import add_participant
    from telehealth.cases.models import Case

    inv = find_invitation(session, token)
    if user is None:
        existing = session.scalar(select(User).where(User.email == inv.email))
        if existing is not None:
            raise Conflict("You already have an account: sign in, then open the invitation", code="sign_in_first")
        if not name or not password:
            raise Unauthorized("Name and password are required to create your account", code="unauthenticated")
        user = create_user(
            session, email=inv.email, name=name, password=password, roles=inv.roles, organization_id=inv.organization_id
        )
    elif user.email != inv.email:
        raise Conflict("This invitation was sent to another e-mail address", code="wrong_account")
    else:
        for role in inv.roles:
            if not user.has_role(role):
                user.role_rows.append(UserRole(role=role))
    if inv.case_id:
        case = session.get(Case, inv.case_id)
        if case is not None:
            add_participant(
                session,
                case,
                user,
                inv.case_role or inv.roles[0],
                session.get(User, inv.invited_by_id) if inv.invited_by_id else None,
            )
            if inv.case_role == "patient" and case.patient_user_id is None:
                case.patient_user_id = user.id
    inv.accepted_at = clock.now()
    record(
        session,
        actor=user,
        action="invitation.accepted",
        entity_type="invitation",
        entity_id=inv.id,
        case_id=inv.case_id,
    )
    session.commit()
    return user
