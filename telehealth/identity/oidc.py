"""OpenID Connect single sign-on (relying party) through Authlib's Flask client.

Each organization may configure identity providers (issuer with discovery, client id/secret,
scopes, role mapping). A login is the authorization code flow with PKCE (S256): state, nonce
and code verifier are kept server-side, bound to the browser by a cookie, and used once. The ID
token is checked against the provider's JWKS (signature), issuer, audience, expiry and nonce
(OIDC Core 1.0 §3.1.3.7). People are linked by (provider, sub), or on first login by a verified
e-mail within the provider's organization, or provisioned with roles mapped from claims.
"""
from __future__ import annotations

import ipaddress
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import current_app
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry
from requests import RequestException
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.models import ROLES, Organization, User, UserRole
from telehealth.accounts.service import create_user
from telehealth.audit.service import record
from telehealth.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from telehealth.identity.crypto import decrypt, digest, encrypt
from telehealth.identity.models import OidcIdentity, OidcLoginState, OidcProvider
from telehealth.identity.settings import setting

LEEWAY_SECONDS = 60


class SsoError(Unauthorized):
    """A single sign-on attempt failed; the code says why."""


# ---- providers (admin) -------------------------------------------------------------------


def check_issuer_url(issuer: str) -> str:
    """An issuer must be https (plain http only on loopback, or when explicitly allowed)."""
    issuer = issuer.strip().rstrip("/")
    parts = urlsplit(issuer)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise ValidationFailed("The issuer must be an https URL", code="invalid_issuer")
    allow_http = setting("OIDC_ALLOW_HTTP_ISSUER") and current_app.config.get("ENV_NAME") != "production"
    if parts.scheme == "http" and not allow_http:
        try:
            loopback = ipaddress.ip_address(parts.hostname).is_loopback
        except ValueError:
            loopback = parts.hostname == "localhost"
        if not loopback:
            raise ValidationFailed("The issuer must be an https URL", code="invalid_issuer")
    return issuer


def create_provider(session: Session, admin: User, *, slug: str, name: str, organization_id: str, issuer: str,
                    client_id: str, client_secret: str, scopes: str = "openid email profile",
                    role_mapping: dict[str, Any] | None = None) -> OidcProvider:
    """Register an organization's identity provider."""
    from telehealth.accounts.admin import require_admin

    require_admin(admin)
    if session.get(Organization, organization_id) is None:
        raise ValidationFailed("No such organization", code="organization_not_found")
    if session.scalar(select(OidcProvider.id).where(OidcProvider.slug == slug)):
        raise Conflict("A provider with this slug exists", code="slug_taken")
    if "openid" not in scopes.split():
        scopes = "openid " + scopes
    _check_mapping(role_mapping)
    provider = OidcProvider(slug=slug, name=name, organization_id=organization_id, issuer=check_issuer_url(issuer),
                            client_id=client_id, client_secret_enc=encrypt(client_secret), scopes=scopes,
                            role_mapping=role_mapping, created_at=clock.now())
    session.add(provider)
    session.flush()
    record(session, actor=admin, action="oidc.provider_created", entity_type="oidc_provider", entity_id=provider.id,
           details={"issuer": provider.issuer, "organization_id": organization_id})
    session.commit()
    return provider


def _check_mapping(mapping: dict[str, Any] | None) -> None:
    if not mapping:
        return
    roles = [r for rs in (mapping.get("map") or {}).values() for r in rs] + list(mapping.get("default") or [])
    if any(r not in ROLES for r in roles):
        raise ValidationFailed("Role mapping names an unknown role", code="invalid_role_mapping")


def list_providers(session: Session, organization_id: str | None = None) -> list[OidcProvider]:
    """Enabled providers (for the sign-in page), optionally of one organization."""
    q = select(OidcProvider).where(OidcProvider.enabled.is_(True)).order_by(OidcProvider.name)
    if organization_id:
        q = q.where(OidcProvider.organization_id == organization_id)
    return list(session.scalars(q))


def delete_provider(session: Session, admin: User, provider_id: str) -> None:
    """Remove a provider (its users keep their accounts)."""
    from telehealth.accounts.admin import require_admin

    require_admin(admin)
    provider = session.get(OidcProvider, provider_id) if len(provider_id) <= 36 else None
    if provider is None:
        raise NotFound("No such provider", code="provider_not_found")
    session.delete(provider)
    record(session, actor=admin, action="oidc.provider_deleted", entity_type="oidc_provider", entity_id=provider_id)
    session.commit()


def get_provider(session: Session, slug: str) -> OidcProvider:
    """An enabled provider by slug, or 404."""
    provider = session.scalar(select(OidcProvider).where(OidcProvider.slug == slug)) if len(slug) <= 50 else None
    if provider is None or not provider.enabled:
        raise NotFound("No such sign-in provider", code="provider_not_found")
    return provider


# ---- the Authlib client -----------------------------------------------------------------


def _oauth() -> OAuth:
    ext = current_app.extensions.get("telehealth.oidc_clients")
    if ext is None:
        ext = OAuth(current_app)
        current_app.extensions["telehealth.oidc_clients"] = ext
    return ext


def client_for(provider: OidcProvider) -> Any:
    """Authlib's Flask OAuth client for a provider (server metadata from discovery, cached)."""
    oauth = _oauth()
    # The name changes with the configuration, so an edited provider gets a fresh client.
    name = "p" + digest(f"{provider.id}|{provider.issuer}|{provider.client_id}|{provider.scopes}|"
                        f"{provider.client_secret_enc}")[:24]
    client = oauth.create_client(name)
    if client is None:
        client = oauth.register(
            name, client_id=provider.client_id, client_secret=decrypt(provider.client_secret_enc),
            server_metadata_url=f"{provider.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": provider.scopes, "code_challenge_method": "S256",
                           "default_timeout": setting("OIDC_HTTP_TIMEOUT")},
        )
    return client


def _metadata(provider: OidcProvider, client: Any) -> dict[str, Any]:
    try:
        metadata = client.load_server_metadata()
    except (RequestException, ValueError) as e:
        raise SsoError(f"The identity provider cannot be reached: {type(e).__name__}",
                       code="sso_provider_unavailable") from None
    # OpenID Connect Discovery 1.0 §4.3: the issuer in the document must be the one configured.
    if metadata.get("issuer", "").rstrip("/") != provider.issuer:
        raise SsoError("The identity provider's discovery document names another issuer", code="sso_unknown_issuer")
    return metadata


# ---- the login --------------------------------------------------------------------------


def redirect_uri(provider: OidcProvider) -> str:
    """Our callback URL registered at the provider."""
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/auth/oidc/{provider.slug}/callback"


def safe_next(path: str | None) -> str | None:
    """A same-site path to land on after sign-in (no open redirects)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path or len(path) > 500:
        return None
    return path


def start_login(session: Session, provider: OidcProvider, *, next_path: str | None,
                login_hint: str | None) -> tuple[str, str]:
    """Begin an authorization code + PKCE login: returns the provider URL and the browser-binding secret."""
    client = client_for(provider)
    _metadata(provider, client)
    uri = redirect_uri(provider)
    extra = {"login_hint": login_hint[:254]} if login_hint else {}
    try:
        rv = client.create_authorization_url(uri, **extra)
    except (RequestException, RuntimeError) as e:
        raise SsoError(f"The identity provider cannot be used: {e}", code="sso_provider_unavailable") from None
    browser = secrets.token_urlsafe(32)
    now = clock.now()
    # Abandoned logins are dropped once they are a day past expiry.
    session.execute(delete(OidcLoginState).where(OidcLoginState.expires_at < now - timedelta(days=1)))
    session.add(OidcLoginState(state_hash=digest(rv["state"]), browser_hash=digest(browser), provider_id=provider.id,
                               nonce=rv["nonce"], code_verifier=rv["code_verifier"], redirect_uri=uri,
                               next_path=safe_next(next_path), created_at=now,
                               expires_at=now + timedelta(minutes=setting("OIDC_STATE_TTL_MINUTES"))))
    session.commit()
    return rv["url"], browser


def _consume_state(session: Session, provider: OidcProvider, state: str | None, browser: str | None) -> OidcLoginState:
    if not state or len(state) > 200:
        raise SsoError("The sign-in response has no state", code="sso_invalid_state")
    row = session.scalar(select(OidcLoginState).where(OidcLoginState.state_hash == digest(state)).with_for_update())
    if row is None or row.provider_id != provider.id:
        raise SsoError("The sign-in response does not match a sign-in we started", code="sso_invalid_state")
    if row.used_at is not None:
        raise SsoError("This sign-in response was already used", code="sso_state_replayed")
    if row.expires_at <= clock.now():
        raise SsoError("The sign-in took too long; start again", code="sso_state_expired")
    if not browser or digest(browser) != row.browser_hash:
        raise SsoError("The sign-in was started in another browser", code="sso_invalid_state")
    row.used_at = clock.now()
    session.commit()  # used once, even if what follows fails
    return row


def fetch_token(client: Any, *, code: str, redirect_uri: str, code_verifier: str) -> dict[str, Any]:
    """Exchange the authorization code at the provider's token endpoint (a seam for tests)."""
    return client.fetch_access_token(redirect_uri=redirect_uri, code=code, code_verifier=code_verifier)


def validate_id_token(provider: OidcProvider, client: Any, id_token: str, nonce: str) -> dict[str, Any]:
    """Check an ID token's signature (provider JWKS), issuer, audience, expiry, issue time and nonce."""
    metadata = _metadata(provider, client)
    algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [a for a in algorithms if a != "none"]
    try:
        keys = KeySet.import_key_set(client.fetch_jwk_set())
        try:
            token = jwt.decode(id_token, keys, algorithms=algorithms)
        except JoseError:
            # The provider may have rotated its keys since we cached them.
            keys = KeySet.import_key_set(client.fetch_jwk_set(force=True))
            token = jwt.decode(id_token, keys, algorithms=algorithms)
    except (JoseError, ValueError) as e:
        raise SsoError(f"The ID token's signature is not valid ({type(e).__name__})",
                       code="sso_invalid_id_token") from None
    claims = dict(token.claims)
    registry = JWTClaimsRegistry(
        now=lambda: int(clock.now().timestamp()), leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": provider.issuer}, sub={"essential": True},
        aud={"essential": True, "value": provider.client_id}, exp={"essential": True}, iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as e:
        code = {"iss": "sso_unknown_issuer", "aud": "sso_wrong_audience", "exp": "sso_id_token_expired"}.get(
            getattr(e, "claim", ""), "sso_invalid_id_token")
        raise SsoError(f"The ID token was refused: {e.description or e.error}", code=code) from None
    aud = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(aud) > 1 and claims.get("azp") != provider.client_id:
        raise SsoError("The ID token was issued to another party", code="sso_wrong_audience")
    return claims


def finish_login(session: Session, provider: OidcProvider, args: dict[str, str], browser: str | None) -> User:
    """Complete the login from the provider's redirect: returns the signed-in user."""
    try:
        if args.get("error"):
            raise SsoError(f"The identity provider refused: {args.get('error_description') or args['error']}"[:300],
                           code="sso_denied")
        row = _consume_state(session, provider, args.get("state"), browser)
        # RFC 9207: when the provider names itself in the response, it must be this provider.
        if args.get("iss") and args["iss"].rstrip("/") != provider.issuer:
            raise SsoError("The response comes from another issuer", code="sso_unknown_issuer")
        if not args.get("code"):
            raise SsoError("The sign-in response has no code", code="sso_invalid_response")
        client = client_for(provider)
        try:
            token = fetch_token(client, code=args["code"], redirect_uri=row.redirect_uri,
                                code_verifier=row.code_verifier)
        except OAuthError as e:
            raise SsoError(f"The identity provider refused the code: {e.error}", code="sso_code_rejected") from None
        except RequestException:
            raise SsoError("The identity provider cannot be reached", code="sso_provider_unavailable") from None
        if not token.get("id_token"):
            raise SsoError("The identity provider sent no ID token", code="sso_invalid_id_token")
        claims = validate_id_token(provider, client, token["id_token"], row.nonce)
        if "email" not in claims and token.get("access_token"):
            claims = _with_userinfo(client, token, claims)
        user = provision(session, provider, claims)
    except (SsoError, Forbidden, Conflict) as e:
        session.rollback()
        record(session, actor=None, action="auth.sso_login", entity_type="oidc_provider", entity_id=provider.id,
               outcome="failure", details={"reason": e.code})
        session.commit()
        raise
    return user


def _with_userinfo(client: Any, token: dict[str, Any], claims: dict[str, Any]) -> dict[str, Any]:
    """Add the UserInfo claims (OIDC Core §5.3); its `sub` must be the ID token's."""
    try:
        info = client.userinfo(token=token)
    except (OAuthError, RequestException, ValueError, KeyError):
        return claims
    if info.get("sub") != claims["sub"]:
        raise SsoError("The provider's user info is about someone else", code="sso_invalid_id_token")
    return {**info, **claims}


def mapped_roles(provider: OidcProvider, claims: dict[str, Any]) -> list[str]:
    """Roles from the provider's mapping of a claim's values (default: referrer)."""
    mapping = provider.role_mapping or {}
    values = claims.get(mapping.get("claim", "groups"))
    if isinstance(values, str):
        values = [values]
    roles: list[str] = []
    for value in values or []:
        roles += (mapping.get("map") or {}).get(str(value), [])
    if not roles:
        roles = list(mapping.get("default") or ["referrer"])
    return [r for r in ROLES if r in roles]


def provision(session: Session, provider: OidcProvider, claims: dict[str, Any]) -> User:
    """The user for these claims: linked by (provider, sub), else by verified e-mail, else created."""
    sub = str(claims["sub"])
    now = clock.now()
    link = session.scalar(select(OidcIdentity).where(OidcIdentity.provider_id == provider.id,
                                                     OidcIdentity.subject == sub))
    roles = mapped_roles(provider, claims)
    if link is not None:
        user = session.get(User, link.user_id)
        assert user is not None
        if not user.is_active:
            raise Forbidden("This account is disabled", code="account_disabled")
        if provider.role_mapping and set(roles) != set(user.roles):
            user.role_rows = [UserRole(role=r) for r in roles]
            record(session, actor=user, action="account.roles_synced", entity_type="user", entity_id=user.id,
                   details={"roles": roles, "provider": provider.slug})
        link.last_login_at = now
    else:
        email = str(claims.get("email") or "").strip().lower()
        if not email or claims.get("email_verified") is not True:
            raise Forbidden("Your identity provider did not confirm your e-mail address", code="email_not_verified")
        user = session.scalar(select(User).where(User.email == email))
        if user is not None:
            # Link only within the provider's organization: another IdP must not take over an account.
            if user.organization_id != provider.organization_id:
                raise Conflict("An account with this e-mail exists; ask an administrator to link it",
                               code="account_exists")
            if not user.is_active:
                raise Forbidden("This account is disabled", code="account_disabled")
            action = "account.sso_linked"
        else:
            name = str(claims.get("name") or email.split("@")[0])[:200]
            user = create_user(session, email=email, name=name, password=None, roles=roles,
                               organization_id=provider.organization_id)
            action = "account.sso_provisioned"
        session.add(OidcIdentity(provider_id=provider.id, subject=sub, user_id=user.id, email=email,
                                 created_at=now, last_login_at=now))
        record(session, actor=user, action=action, entity_type="user", entity_id=user.id,
               details={"provider": provider.slug, "roles": user.roles})
    record(session, actor=user, action="auth.sso_login", entity_type="oidc_provider", entity_id=provider.id)
    session.commit()
    return user


def bad_request(message: str) -> BadRequest:
    """A malformed SSO request."""
    return BadRequest(message, code="sso_invalid_request")
