"""Configuration from TELEHEALTH_* environment variables, in one place.

Defaults suit the embedded run (SQLite and files under instance/). Production mode
(TELEHEALTH_ENV=production) refuses to start with a default secret or the demo seed.
"""
from __future__ import annotations

import os
from typing import Any

DEV_SECRET = "dev-only-insecure-secret-change-me"


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"TELEHEALTH_{name}", default)


def _int(name: str, default: int) -> int:
    raw = _env(name)
    return int(raw) if raw not in (None, "") else default


def _bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete."""


def load(instance_path: str) -> dict[str, Any]:
    """Read the configuration from the environment (TELEHEALTH_ prefix)."""
    data_dir = _env("DATA_DIR") or instance_path
    env = _env("ENV", "development")
    cfg: dict[str, Any] = {
        "ENV_NAME": env,
        "SECRET_KEY": _env("SECRET_KEY", DEV_SECRET),
        "SQLALCHEMY_DATABASE_URI": _env("DATABASE_URL")
        or f"sqlite:///{os.path.join(data_dir, 'telehealth.db')}",
        "REDIS_URL": _env("REDIS_URL") or None,
        "DATA_DIR": data_dir,
        "PUBLIC_URL": _env("PUBLIC_URL", "http://127.0.0.1:5000"),
        # Cookies: Secure when served behind TLS.
        "SESSION_COOKIE_NAME": "telehealth_session",
        "COOKIE_SECURE": _bool("COOKIE_SECURE", env == "production"),
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 30),
        "SESSION_ABSOLUTE_HOURS": _int("SESSION_ABSOLUTE_HOURS", 12),
        "TOKEN_TTL_SECONDS": _int("TOKEN_TTL_SECONDS", 3600),
        # Login throttling: per account and per IP, over a sliding window.
        "LOGIN_WINDOW_MINUTES": _int("LOGIN_WINDOW_MINUTES", 15),
        "LOGIN_MAX_FAILURES_ACCOUNT": _int("LOGIN_MAX_FAILURES_ACCOUNT", 5),
        "LOGIN_MAX_FAILURES_IP": _int("LOGIN_MAX_FAILURES_IP", 20),
        "LOGIN_LOCK_MINUTES": _int("LOGIN_LOCK_MINUTES", 15),
        "PASSWORD_MIN_LENGTH": _int("PASSWORD_MIN_LENGTH", 10),
        "INVITATION_TTL_HOURS": _int("INVITATION_TTL_HOURS", 72),
        # Request limits; uploads raise their own limit per request.
        "MAX_CONTENT_LENGTH": _int("MAX_JSON_BYTES", 1_000_000),
        "MAX_UPLOAD_BYTES": _int("MAX_UPLOAD_BYTES", 4 * 1024**3),
        # SLA: hours from submission to due, per priority (routine: business hours, 30 = three 10-hour days).
        "SLA_HOURS": {
            "stat": _int("SLA_STAT_HOURS", 2),
            "urgent": _int("SLA_URGENT_HOURS", 24),
            "routine": _int("SLA_ROUTINE_HOURS", 30),
        },
        # Routine cases count business hours only (days/hours/zone below); stat and urgent count wall time.
        "SLA_BUSINESS_HOURS": _env("SLA_BUSINESS_HOURS", "08:00-18:00"),
        "SLA_BUSINESS_DAYS": _env("SLA_BUSINESS_DAYS", "mon-fri"),
        "SLA_TIMEZONE": _env("SLA_TIMEZONE", "UTC"),
        # Warn this fraction of the SLA window before the due time.
        "SLA_WARNING_FRACTION": float(_env("SLA_WARNING_FRACTION") or 0.2),
        # How long a specialist has to answer an offer, per priority.
        "OFFER_HOURS": {
            "stat": float(_env("OFFER_STAT_HOURS") or 0.5),
            "urgent": float(_env("OFFER_URGENT_HOURS") or 4),
            "routine": float(_env("OFFER_ROUTINE_HOURS") or 24),
        },
        # Routing: offer automatically on submit/decline/timeout; retry a flagged case this often.
        "ROUTING_AUTO": _bool("ROUTING_AUTO", True),
        "ROUTING_RETRY_MINUTES": _int("ROUTING_RETRY_MINUTES", 15),
        # Background timers: in-process thread when no Redis (embedded), else the `worker` process.
        "EMBEDDED_WORKER": _bool("EMBEDDED_WORKER", not _env("REDIS_URL")),
        "WORKER_INTERVAL_SECONDS": _int("WORKER_INTERVAL_SECONDS", 5),
        "SMTP_HOST": _env("SMTP_HOST"),
        "SMTP_PORT": _int("SMTP_PORT", 25),
        "MAIL_FROM": _env("MAIL_FROM", "telehealth@localhost"),
        "FRONTEND_DIST": _env("FRONTEND_DIST")
        or os.path.join(os.path.dirname(os.path.dirname(__file__)), "frontend", "dist"),
        # A SELECT 1 on every connection checkout finds a server that dropped the connection; a SQLite
        # file has no server, so there it only costs time (3-7% of a small request).
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(_env("DATABASE_URL")),
        # Seconds a resolved session may be reused without reading the database (telehealth.accounts.
        # session_cache: revocation is immediate on this host, bounded by this elsewhere); 0 turns it off.
        "AUTH_CACHE_SECONDS": float(_env("AUTH_CACHE_SECONDS") or 5),
    }
    return cfg


def _engine_options(url: str | None) -> dict[str, Any]:
    """Connection pool settings. A SQLite file has no server that could drop a connection; on a server
    database, `db.ping_when_idle` pings a connection that sat idle in the pool before handing it out
    (pool_pre_ping would spend a round trip on every checkout). The pool hands out the connection used last
    (LIFO), so under load that is one just used, and the rest may idle. With a database URL set (web
    processes: 64 threads in the Procfile), the pool keeps DB_POOL_SIZE connections and opens at most
    DB_MAX_OVERFLOW more; SQLAlchemy's 5 + 10 made every request beyond the fifth concurrent one connect and
    close again. The embedded default (and SQLite in memory, which has one static connection) keeps
    SQLAlchemy's pool."""
    options: dict[str, Any] = {}
    if url and not url.rstrip("/").endswith(("sqlite:", ":memory:")):
        options["pool_size"] = _int("DB_POOL_SIZE", 16)
        options["max_overflow"] = _int("DB_MAX_OVERFLOW", 16)
        options["pool_use_lifo"] = True
    return options


def check_production(cfg: dict[str, Any]) -> None:
    """Refuse unsafe settings in production mode."""
    if cfg.get("ENV_NAME") != "production":
        return
    secret = cfg.get("SECRET_KEY") or ""
    if secret == DEV_SECRET or len(secret) < 32:
        raise ConfigError("TELEHEALTH_SECRET_KEY must be set to a random value of 32+ characters in production")
