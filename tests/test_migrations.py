"""Migrations: `upgrade head` on empty PostgreSQL and SQLite yields exactly the models' schema."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from telehealth.db import Base


def _diff(engine) -> list:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)


def test_postgres_schema_matches_models(migrated_postgres):
    assert _diff(migrated_postgres) == []
    assert "alembic_version" in inspect(migrated_postgres).get_table_names()


def test_sqlite_schema_matches_models(tmp_path):
    from flask_migrate import downgrade, upgrade

    from telehealth import create_app

    url = f"sqlite:///{tmp_path}/m.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        engine = create_engine(url)
        assert _diff(engine) == []
        downgrade(revision="base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        engine.dispose()
