"""The pool pings a connection only after it sat idle (db.ping_when_idle), against the real PostgreSQL."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from telehealth.db import ping_when_idle


def _kill(url: str, pid: int) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}) is True
    admin.dispose()


@pytest.fixture
def engine(database_url: str):  # type: ignore[no-untyped-def]
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    ping_when_idle(engine, idle_seconds=0.3)
    yield engine
    engine.dispose()


def test_a_connection_dropped_while_idle_is_replaced_before_use(engine, database_url):
    with engine.connect() as conn:
        first = conn.scalar(text("SELECT pg_backend_pid()"))
    _kill(database_url, first)
    time.sleep(0.4)  # idle for longer than the window: the checkout pings, finds it dead, connects anew
    with engine.connect() as conn:
        second = conn.scalar(text("SELECT pg_backend_pid()"))
    assert second != first


def test_a_connection_just_used_is_not_pinged(engine, database_url):
    with engine.connect() as conn:
        first = conn.scalar(text("SELECT pg_backend_pid()"))
    _kill(database_url, first)
    # Within the window there is no ping: the dead connection is handed out and the statement fails (what
    # pool_pre_ping would have spent a round trip on every checkout to avoid), and the pool drops it.
    with pytest.raises(OperationalError), engine.connect() as conn:
        conn.scalar(text("SELECT 1"))
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT pg_backend_pid()")) != first
