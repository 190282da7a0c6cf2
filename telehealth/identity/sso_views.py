"""Single sign-on routes: /auth/oidc/<provider>/login and /callback (browser redirects)."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, redirect, request
from werkzeug.wrappers import Response

from telehealth.accounts import service as account_service
from telehealth.accounts.auth import client_ip, set_session_cookie
from telehealth.api import route
from telehealth.errors import ApiError
from telehealth.extensions import db
from telehealth.identity import oidc
from telehealth.identity.settings import setting

bp = Blueprint("sso", __name__, url_prefix="/auth/oidc")

BROWSER_COOKIE = "telehealth_sso"
_REDIRECT = {"302": {"description": "Redirect to the identity provider, or back into the app"}}


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _fail(err: ApiError) -> Response:
    """Scripts get the JSON error; a browser goes back to the sign-in page with the reason."""
    resp: Response
    if _wants_json():
        resp = jsonify(err.to_dict())
        resp.status_code = err.status
    else:
        resp = redirect("/login?" + urlencode({"sso_error": err.code}), code=302)
    resp.delete_cookie(BROWSER_COOKIE, path="/auth/oidc")
    return resp


@route(bp, "/<provider>/login", auth="none", raw=True, responses=_REDIRECT,
       summary="Start single sign-on with an organization's identity provider (authorization code + PKCE)")
def login(provider: str) -> Response:
    try:
        p = oidc.get_provider(db.session, provider)
        url, browser = oidc.start_login(db.session, p, next_path=request.args.get("next"),
                                        login_hint=request.args.get("login_hint"))
    except ApiError as e:
        return _fail(e)
    resp = redirect(url, code=302)
    resp.set_cookie(BROWSER_COOKIE, browser, max_age=60 * setting("OIDC_STATE_TTL_MINUTES"), httponly=True,
                    samesite="Lax", secure=bool(current_app.config["COOKIE_SECURE"] or request.is_secure),
                    path="/auth/oidc")
    return resp


@route(bp, "/<provider>/callback", auth="none", raw=True, responses=_REDIRECT,
       summary="The identity provider's redirect back: validates and signs in with a session cookie")
def callback(provider: str) -> Response:
    try:
        p = oidc.get_provider(db.session, provider)
        state = db.session.scalar(db.select(oidc.OidcLoginState.next_path).where(
            oidc.OidcLoginState.state_hash == oidc.digest(request.args.get("state", ""))))
        user = oidc.finish_login(db.session, p, request.args.to_dict(), request.cookies.get(BROWSER_COOKIE))
    except ApiError as e:
        return _fail(e)
    s, raw = account_service.start_session(db.session, user, kind="cookie", ip=client_ip(),
                                           user_agent=request.user_agent.string)
    resp = redirect(state or "/", code=302)
    set_session_cookie(resp, raw, max_age=current_app.config["SESSION_ABSOLUTE_HOURS"] * 3600)
    resp.delete_cookie(BROWSER_COOKIE, path="/auth/oidc")
    return resp
