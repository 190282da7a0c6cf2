"""GET /healthz reports the app, the database and Redis."""
from __future__ import annotations

from telehealth import create_app


def test_healthy_with_database_and_redis(app, redis_url):
    app.config["REDIS_URL"] = redis_url
    r = app.test_client().get("/healthz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "checks": {"app": "ok", "database": "ok", "redis": "ok"}}


def test_redis_down_is_reported(app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    r = app.test_client().get("/healthz")
    assert r.status_code == 503 and r.get_json()["checks"]["redis"].startswith("error")


def test_database_down_is_reported(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    r = app.test_client().get("/healthz")
    assert r.status_code == 503 and r.get_json()["checks"]["database"].startswith("error")


def test_security_headers(client):
    r = client.get("/healthz")
    assert r.headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
