"""Identity settings (TELEHEALTH_ environment variables), merged into app.config when the
identity blueprint is registered; explicit app.config values (tests) win."""
from __future__ import annotations

import os
from typing import Any

from flask import current_app


def _env(name: str, default: str) -> str:
    return os.environ.get(f"TELEHEALTH_{name}") or default


def defaults() -> dict[str, Any]:
    """The identity settings from the environment, with safe defaults."""
    return {
        # Roles that must use a second factor; a comma-separated list ("none": no role).
        "MFA_REQUIRED_ROLES": [r.strip() for r in _env("MFA_REQUIRED_ROLES", "specialist,coordinator,admin")
                               .split(",") if r.strip() and r.strip() != "none"],
        # Days after account creation a user of such a role may still sign in without enrolling.
        "MFA_GRACE_DAYS": int(_env("MFA_GRACE_DAYS", "14")),
        "MFA_ISSUER_NAME": _env("MFA_ISSUER_NAME", "Telehealth"),
        "MFA_RECOVERY_CODES": int(_env("MFA_RECOVERY_CODES", "10")),
        # How recent a re-authentication must be for sensitive actions (e.g. signing a report).
        "REAUTH_WINDOW_SECONDS": int(_env("REAUTH_WINDOW_SECONDS", "300")),
        "PASSWORD_RESET_TTL_MINUTES": int(_env("PASSWORD_RESET_TTL_MINUTES", "30")),
        "PASSWORD_RESET_MAX_PER_HOUR": int(_env("PASSWORD_RESET_MAX_PER_HOUR", "3")),
        "OAUTH2_TOKEN_TTL_SECONDS": int(_env("OAUTH2_TOKEN_TTL_SECONDS", "3600")),
        "OIDC_STATE_TTL_MINUTES": int(_env("OIDC_STATE_TTL_MINUTES", "10")),
        # Plain-http issuers are accepted on loopback only, unless this is set (never in production).
        "OIDC_ALLOW_HTTP_ISSUER": _env("OIDC_ALLOW_HTTP_ISSUER", "") in ("1", "true", "yes"),
        "OIDC_HTTP_TIMEOUT": float(_env("OIDC_HTTP_TIMEOUT", "10")),
    }


def init_app(config: dict[str, Any]) -> None:
    """Fill in identity settings the app's configuration does not set already."""
    for key, value in defaults().items():
        config.setdefault(key, value)


def setting(key: str) -> Any:
    """One identity setting of the running app."""
    cfg = current_app.config
    if key not in cfg:
        init_app(cfg)
    return cfg[key]
