"""Identity routes under /api/auth: MFA, re-authentication, password change and reset, SSO providers."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, current_app, g, jsonify, request

from telehealth.accounts import service as account_service
from telehealth.accounts.auth import client_ip, set_session_cookie
from telehealth.accounts.schemas import MfaStatusOut, SessionOut, UserOut
from telehealth.api import route
from telehealth.extensions import db
from telehealth.identity import mfa, oidc, passwords, settings
from telehealth.identity.cors import add_cors_headers
from telehealth.identity.schemas import (
    AcceptedOut,
    MfaConfirmIn,
    MfaEnrolOut,
    PasswordChangeIn,
    PasswordResetConfirmIn,
    PasswordResetIn,
    ReauthIn,
    ReauthOut,
    RecoveryCodesOut,
    SsoProviderList,
    SsoProviderOut,
)

bp = Blueprint("identity", __name__, url_prefix="/api/auth")


@bp.record_once
def _configure(state) -> None:  # type: ignore[no-untyped-def]
    settings.init_app(state.app.config)


bp.after_app_request(add_cors_headers)


@route(bp, "/mfa", response=MfaStatusOut, summary="One's two-factor status")
def mfa_status() -> MfaStatusOut:
    return MfaStatusOut.model_validate(mfa.status(db.session, g.user))


@route(bp, "/mfa/enrol", methods=["POST"], response=MfaEnrolOut,
       summary="Start TOTP enrolment: a secret and its otpauth:// URI (render it as a QR code)")
def mfa_enrol() -> MfaEnrolOut:
    secret, uri = mfa.begin_enrolment(db.session, g.user)
    return MfaEnrolOut(secret=secret, otpauth_uri=uri)


@route(bp, "/mfa/confirm", methods=["POST"], body=MfaConfirmIn, response=RecoveryCodesOut,
       summary="Confirm enrolment with a first code; returns recovery codes (shown once)")
def mfa_confirm(body: MfaConfirmIn) -> RecoveryCodesOut:
    return RecoveryCodesOut(recovery_codes=mfa.confirm_enrolment(db.session, g.user, body.code))


@route(bp, "/mfa", methods=["DELETE"], status=204,
       summary="Turn two-factor sign-in off (not for roles that require it); needs a recent re-authentication")
def mfa_disable() -> Response:
    mfa.disable(db.session, g.user, g.auth_session)
    return Response(status=204)


@route(bp, "/mfa/recovery-codes", methods=["POST"], response=RecoveryCodesOut,
       summary="New recovery codes (old ones stop working); needs a recent re-authentication")
def mfa_recovery_codes() -> RecoveryCodesOut:
    return RecoveryCodesOut(recovery_codes=mfa.regenerate_recovery_codes(db.session, g.user, g.auth_session))


@route(bp, "/reauth", methods=["POST"], body=ReauthIn, response=ReauthOut,
       summary="Re-enter your password or a TOTP code before a sensitive action (e.g. signing a report)")
def reauth(body: ReauthIn) -> ReauthOut:
    stamp = mfa.reauthenticate(db.session, g.user, g.auth_session, password=body.password, totp=body.totp,
                               ip=client_ip())
    window = timedelta(seconds=settings.setting("REAUTH_WINDOW_SECONDS"))
    return ReauthOut(reauthenticated_at=stamp.at, valid_until=stamp.at + window)


@route(bp, "/password", methods=["POST"], body=PasswordChangeIn, response=SessionOut,
       summary="Change one's password: every session and token ends; a browser gets a new session")
def change_password(body: PasswordChangeIn) -> Response:
    user, via = g.user, g.auth_via
    passwords.change_password(db.session, user, current_password=body.current_password,
                              new_password=body.new_password)
    if via != "cookie":
        return jsonify(SessionOut(user=UserOut.model_validate(user)).model_dump(mode="json"))
    s, raw = account_service.start_session(db.session, user, kind="cookie", ip=client_ip(),
                                           user_agent=request.user_agent.string)
    resp = jsonify(SessionOut(user=UserOut.model_validate(user), csrf_token=s.csrf_token).model_dump(mode="json"))
    set_session_cookie(resp, raw, max_age=current_app.config["SESSION_ABSOLUTE_HOURS"] * 3600)
    return resp


@route(bp, "/password-reset", methods=["POST"], body=PasswordResetIn, response=AcceptedOut, status=202,
       auth="none", summary="E-mail a password reset link (the answer is the same whether the account exists)")
def password_reset(body: PasswordResetIn) -> AcceptedOut:
    token = passwords.request_reset(db.session, body.email)
    if token is not None:
        from telehealth.mail import send_mail

        url = f"{current_app.config['PUBLIC_URL'].rstrip('/')}/reset-password?token={token}"
        minutes = settings.setting("PASSWORD_RESET_TTL_MINUTES")
        send_mail(body.email.strip().lower(), "Reset your Telehealth password",
                  f"Someone asked to reset the password of your Telehealth account. If it was you, open this link "
                  f"within {minutes} minutes:\n\n{url}\n\nIf it was not you, ignore this message; your password "
                  f"stays as it is.")
    return AcceptedOut(status="If an account exists for this address, a reset link is on its way.")


@route(bp, "/password-reset/confirm", methods=["POST"], body=PasswordResetConfirmIn, status=204, auth="none",
       summary="Set a new password with the e-mailed token (single use); every session ends")
def password_reset_confirm(body: PasswordResetConfirmIn) -> Response:
    passwords.confirm_reset(db.session, body.token, body.new_password)
    return Response(status=204)


@route(bp, "/oidc/providers", response=SsoProviderList, auth="none",
       summary="Single sign-on providers for the sign-in page")
def sso_providers() -> SsoProviderList:
    return SsoProviderList(items=[
        SsoProviderOut(slug=p.slug, name=p.name, organization_id=p.organization_id,
                       login_url=f"/auth/oidc/{p.slug}/login")
        for p in oidc.list_providers(db.session)
    ])
