"""Auth routes: sign-up, login/logout, me, bearer tokens, sessions, invitations."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, request

from telehealth.accounts import service
from telehealth.accounts.auth import clear_session_cookie, client_ip, current_user, set_session_cookie
from telehealth.accounts.models import User
from telehealth.accounts.schemas import (
    AcceptInvitationIn,
    AuthSessionList,
    AuthSessionOut,
    InvitationInfo,
    LoginIn,
    MfaStatusOut,
    RegisterIn,
    SessionOut,
    TokenOut,
    UserOut,
)
from telehealth.api import route
from telehealth.errors import Unauthorized
from telehealth.extensions import db

bp = Blueprint("auth", __name__, url_prefix="/api/auth")



def mfa_out(user: User) -> MfaStatusOut:
    """The user's two-factor status (enrolment may be asked for by policy)."""
    from telehealth.identity.mfa import status

    return MfaStatusOut.model_validate(status(db.session, user))


def _signed_in(user: User, status: int) -> Response:
    s, raw = service.start_session(
        db.session, user, kind="cookie", ip=client_ip(), user_agent=request.user_agent.string
    )
    resp = jsonify(
        SessionOut(user=UserOut.model_validate(user), csrf_token=s.csrf_token, mfa=mfa_out(user)).model_dump(
            mode="json"
        )
    )
    resp.status_code = status
    set_session_cookie(resp, raw, max_age=current_app.config["SESSION_ABSOLUTE_HOURS"] * 3600)
    return resp


@route(
    bp,
    "/register",
    methods=["POST"],
    body=RegisterIn,
    response=SessionOut,
    status=201,
    auth="none",
    summary="Patient sign-up; signs the new patient in",
)
def register(body: RegisterIn) -> Response:
    user = service.register_patient(
        db.session, email=body.email, name=body.name, password=body.password, region=body.region, language=body.language
    )
    return _signed_in(user, 201)


@route(
    bp,
    "/login",
    methods=["POST"],
    body=LoginIn,
    response=SessionOut,
    auth="none",
    summary="Browser sign-in: sets the HttpOnly session cookie and returns the CSRF token; once MFA is "
    "enrolled, a right password without `totp` (or `recovery_code`) answers 401 `mfa_required`",
)
def login(body: LoginIn) -> Response:
    user = service.authenticate(
        db.session,
        email=body.email,
        password=body.password,
        ip=client_ip(),
        totp=body.totp,
        recovery_code=body.recovery_code,
    )
    return _signed_in(user, 200)


@route(
    bp,
    "/token",
    methods=["POST"],
    body=LoginIn,
    response=TokenOut,
    auth="none",
    summary="Bearer token for scripts and integrations",
)
def token(body: LoginIn) -> TokenOut:
    user = service.authenticate(
        db.session,
        email=body.email,
        password=body.password,
        ip=client_ip(),
        totp=body.totp,
        recovery_code=body.recovery_code,
    )
    s, raw = service.start_session(
        db.session, user, kind="bearer", ip=client_ip(), user_agent=request.user_agent.string
    )
    return TokenOut(access_token=raw, expires_in=current_app.config["TOKEN_TTL_SECONDS"])


@route(bp, "/logout", methods=["POST"], status=204, summary="End this session (or revoke this bearer token)")
def logout() -> Response:
    service.end_session(db.session, g.auth_session)
    resp = Response(status=204)
    clear_session_cookie(resp)
    return resp


@route(bp, "/me", summary="The signed-in user and the CSRF token", response=SessionOut)
def me() -> SessionOut:
    return SessionOut(user=UserOut.model_validate(g.user), csrf_token=g.auth_session.csrf_token, mfa=mfa_out(g.user))


@route(bp, "/sessions", summary="One's own active sessions and tokens", response=AuthSessionList)
def sessions() -> AuthSessionList:
    rows = service.list_sessions(db.session, g.user)
    items = [AuthSessionOut.model_validate(s).model_copy(update={"current": s.id == g.auth_session.id}) for s in rows]
    return AuthSessionList(items=items)


@route(bp, "/sessions/<session_id>", methods=["DELETE"], status=204, summary="Revoke one of one's sessions")
def revoke(session_id: str) -> Response:
    service.revoke_session(db.session, g.user, session_id)
    return Response(status=204)


@route(bp, "/invitations/<token>", summary="What an invitation offers", response=InvitationInfo, auth="optional")
def invitation(token: str) -> InvitationInfo:
    from telehealth.cases.models import Case

    inv = service.find_invitation(db.session, token)
    case = db.session.get(Case, inv.case_id) if inv.case_id else None
    inviter = db.session.get(User, inv.invited_by_id) if inv.invited_by_id else None
    exists = db.session.scalar(db.select(User.id).where(User.email == inv.email)) is not None
    return InvitationInfo(
        email=inv.email,
        roles=inv.roles,
        case_id=inv.case_id,
        case_title=case.title if case else None,
        invited_by=inviter.name if inviter else None,
        expires_at=inv.expires_at,
        account_exists=exists,
    )


@route(
    bp,
    "/invitations/<token>/accept",
    methods=["POST"],
    body=AcceptInvitationIn,
    response=SessionOut,
    auth="optional",
    summary="Accept an invitation (creates the account if needed and signs in)",
)
def accept(token: str, body: AcceptInvitationIn) -> Response:
    user = current_user()
    if user is not None and g.auth_via == "cookie":
        from telehealth.accounts.auth import require_user

        require_user()  # CSRF check for the signed-in browser
    accepted = service.accept_invitation(db.session, token, user=user, name=body.name, password=body.password)
    if user is None:
        return _signed_in(accepted, 200)
    if g.auth_session is None:
        raise Unauthorized("Sign in first")
    return jsonify(
        SessionOut(user=UserOut.model_validate(accepted), csrf_token=g.auth_session.csrf_token).model_dump(mode="json")
    )

