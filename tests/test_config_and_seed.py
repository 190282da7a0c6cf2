"""Configuration safety and the demo seed."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from telehealth import create_app
from telehealth.accounts.models import User
from telehealth.cases.models import Case
from telehealth.config import ConfigError
from telehealth.extensions import db
from telehealth.seed import DEMO_PASSWORD, seed_demo


def test_production_refuses_default_secret(monkeypatch):
    monkeypatch.setenv("TELEHEALTH_ENV", "production")
    monkeypatch.delenv("TELEHEALTH_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("TELEHEALTH_SECRET_KEY", "x" * 40)
    assert create_app().config["COOKIE_SECURE"] is True


def test_seed_is_idempotent_and_demo_users_sign_in(app, client):
    seed_demo(db.session)
    seed_demo(db.session)
    assert db.session.scalar(select(func.count()).select_from(User)) == 7
    # The sample case, and the reports feature's case that went through the whole journey.
    assert db.session.scalar(select(func.count()).select_from(Case)) == 2
    for local in ("patient", "referrer", "specialist", "neuro", "msk", "coordinator", "admin"):
        r = client.post("/api/auth/login", json={"email": f"{local}@demo.telehealth.local", "password": DEMO_PASSWORD})
        assert r.status_code == 200, local
    with pytest.raises(ConfigError):
        seed_demo(db.session, env_name="production")
