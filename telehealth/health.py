"""GET /healthz: the app, the database and (when configured) Redis."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from telehealth.api import SPECS, RouteSpec
from telehealth.extensions import db

bp = Blueprint("health", __name__)


def check_redis(url: str) -> str:
    """'ok' or the error."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        return "ok"
    except Exception as e:  # noqa: BLE001 - any failure is "down"
        return f"error: {type(e).__name__}"


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """Report the health of each dependency; 503 when one is down."""
    checks = {"app": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as e:  # noqa: BLE001
        db.session.rollback()
        checks["database"] = f"error: {type(e).__name__}"
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = check_redis(current_app.config["REDIS_URL"])
    healthy = all(v == "ok" for v in checks.values())
    return jsonify({"status": "ok" if healthy else "degraded", "checks": checks}), 200 if healthy else 503


SPECS["health.healthz"] = RouteSpec(summary="Health of the app, database and Redis", auth="none", tags=["meta"])
