"""Who is calling: resolve the session cookie or bearer token once per request.

Browser clients authenticate with an HttpOnly session cookie and must send the
session's CSRF token in the X-CSRF-Token header on every unsafe method;
scripts use `Authorization: Bearer`, which needs no CSRF token. A bearer token is either a
user's own token (full access as that user) or an OAuth2 access token of an integration client
(telehealth.identity): the client acts as its service account, a referrer of its organization,
and only within the token's scopes (see `enforce_scope`).
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app, g, request
from werkzeug.wrappers import Response

from telehealth import clock
from telehealth.accounts import session_cache
from telehealth.accounts.models import AuthSession, User
from telehealth.errors import Forbidden, Unauthorized
from telehealth.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def token_hash(token: str) -> str:
    """The stored form of a session token or bearer token."""
    return hashlib.sha256(token.encode()).hexdigest()


def session_is_live(s: AuthSession, now=None) -> bool:  # type: ignore[no-untyped-def]
    """Not revoked, within its absolute lifetime and, for cookies, not idle too long."""
    return sign_in_is_live(s.revoked_at, s.expires_at, s.kind, s.last_seen_at, s.user.is_active, now)


def sign_in_is_live(revoked_at: datetime | None, expires_at: datetime, kind: str, last_seen_at: datetime,
                    user_is_active: bool, now: datetime | None = None) -> bool:
    """`session_is_live` on a sign-in's columns (for checks that read many sign-ins without loading them)."""
    now = now or clock.now()
    if revoked_at is not None or expires_at <= now or not user_is_active:
        return False
    if kind == "cookie":
        idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
        if last_seen_at + idle <= now:
            return False
    return True


def _resolve() -> None:
    g.user = None
    g.auth_session = None
    g.auth_via = None
    g.auth_scopes = None
    g.auth_client = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            g.auth_error = "Authorization header must be 'Bearer <token>'"
            return
        via, raw = "bearer", token.strip()
    else:
        raw = request.cookies.get(current_app.config["SESSION_COOKIE_NAME"], "")
        via = "cookie"
        if not raw:
            return
    if len(raw) > 200:
        g.auth_error = "Malformed credentials"
        return
    digest = token_hash(raw)
    cache = session_cache.for_app(current_app)
    s = cache.get(db.session, digest) if cache is not None else None
    if s is not None and s.kind == via and session_is_live(s):
        _seen(s, digest, cache)
        g.user, g.auth_session, g.auth_via = s.user, s, via
        return
    generation = cache.generation() if cache is not None else None  # before the read: see session_cache
    # populate_existing: a cached copy attached above and refused must not stand in for the row.
    s = db.session.scalar(db.select(AuthSession).where(AuthSession.token_hash == digest)
                          .execution_options(populate_existing=True))
    if s is None and via == "bearer":
        from telehealth.identity.tokens import resolve_access_token

        found = resolve_access_token(db.session, raw)
        if found is not None:
            g.user, g.auth_client, g.auth_scopes = found.user, found.client, frozenset(found.scopes)
            g.auth_via = "oauth"
            return
    if s is None or s.kind != via or not session_is_live(s):
        g.auth_error = "Session expired or revoked; sign in again"
        return
    if cache is not None and generation is not None:
        cache.put(digest, generation, s)
    _seen(s, digest, cache)
    g.user, g.auth_session, g.auth_via = s.user, s, via


def _seen(s: AuthSession, digest: str, cache: session_cache.SessionCache | None) -> None:
    now = clock.now()
    if (now - s.last_seen_at).total_seconds() > 60:
        s.last_seen_at = now  # throttled so reads don't write on every request
        if cache is not None:
            cache.touched(digest, s)
        db.session.commit()


def current_user() -> User | None:
    """The signed-in user of this request, if any."""
    if "user" not in g:
        _resolve()
    return g.user


def current_scopes() -> frozenset[str] | None:
    """The OAuth2 scopes of this request's client token; None for people (no scope limit)."""
    current_user()
    return g.get("auth_scopes")


_AUTO = "auto"


def enforce_scope(scope: str | None = _AUTO) -> None:
    """Refuse an integration client's token outside its scopes (people pass unchecked).

    `scope` is what the route declared; by default it is derived from the URL rule and method
    (telehealth.identity.scopes.derive_scope). None means no client may call the route.
    """
    scopes = current_scopes()
    if scopes is None:
        return
    if scope == _AUTO:
        from telehealth.identity.scopes import derive_scope

        rule = request.url_rule.rule if request.url_rule is not None else request.path
        scope = derive_scope(rule, request.method)
    if scope is None:
        raise Forbidden("This API is not available to integration clients", code="insufficient_scope",
                        headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'})
    if scope not in scopes:
        raise Forbidden(f"The token lacks the scope {scope}", code="insufficient_scope",
                        details={"required_scope": scope},
                        headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'})
    g.scope_checked = True


def require_user() -> User:
    """The signed-in user, or 401; checks CSRF for cookie-authenticated writes, client token
    scopes (when the route did not already) and the MFA enrolment policy."""
    user = current_user()
    if user is None:
        raise Unauthorized(g.get("auth_error") or "Sign in first", code="unauthenticated")
    if g.get("auth_scopes") is not None and not g.get("scope_checked"):
        enforce_scope()
    if g.auth_via in ("cookie", "bearer"):
        from telehealth.identity.mfa import enforce_enrolment_policy

        enforce_enrolment_policy(user)
    if g.auth_via == "cookie" and request.method not in SAFE_METHODS:
        sent = request.headers.get("X-CSRF-Token", "")
        expected = g.auth_session.csrf_token or ""
        if not sent or not hmac.compare_digest(sent, expected):
            raise Forbidden("Missing or wrong CSRF token (send X-CSRF-Token)", code="csrf_failed")
    return user


def set_session_cookie(resp: Response, token: str, max_age: int) -> None:
    """Attach the session cookie: HttpOnly, SameSite=Lax, Secure behind TLS."""
    cfg = current_app.config
    resp.set_cookie(
        cfg["SESSION_COOKIE_NAME"], token, max_age=max_age, httponly=True, samesite="Lax",
        secure=bool(cfg["COOKIE_SECURE"] or request.is_secure), path="/",
    )


def clear_session_cookie(resp: Response) -> None:
    """Remove the session cookie."""
    resp.delete_cookie(current_app.config["SESSION_COOKIE_NAME"], path="/")


def client_ip() -> str:
    """The caller's address (the proxy fix middleware sets it behind a proxy)."""
    return request.remote_addr or "unknown"




def reset_request_auth() -> None:
    """Forget the previous request's caller (an app context may outlive one request, e.g. in tests)."""
    for key in ("user", "auth_session", "auth_via", "auth_error", "auth_scopes", "auth_client", "scope_checked",
                "mfa_policy_checked"):
        g.pop(key, None)
