"""Declarative base, id and time helpers shared by every feature's models."""
from __future__ import annotations

import sqlite3
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, DateTime, MetaData, any_, bindparam, event, exc
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every model; constraint names are stable for migrations."""

    metadata = MetaData(naming_convention=NAMING)


@event.listens_for(Engine, "connect")
def _sqlite_wal(dbapi_conn: Any, _record: Any) -> None:
    """SQLite in WAL mode: readers never block the writer, and a commit is one fsync of the log
    (synchronous=FULL keeps every commit durable, as before)."""
    if isinstance(dbapi_conn, sqlite3.Connection):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()


# A pooled connection used less than this long ago is not pinged when it is checked out again (HikariCP
# skips its alive check for 500 ms, its aliveBypassWindowMs). Under load every checkout finds a connection
# that was just used, so no round trip is spent on a ping; after a pause, a connection the server dropped
# is found and replaced before a request gets it.
PING_AFTER_IDLE_SECONDS = 1.0


def ping_when_idle(engine: Engine, idle_seconds: float = PING_AFTER_IDLE_SECONDS) -> None:
    """Pessimistic disconnect handling, as SQLAlchemy's pool_pre_ping but only for a connection that sat idle
    in the pool for `idle_seconds` or more (pool_pre_ping spends a round trip on every checkout)."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _idle_since(dbapi_conn: Any, record: Any) -> None:
        if dbapi_conn is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")  # none for a new connection: it was just made
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            alive = dialect.do_ping(dbapi_conn)
        except Exception as e:  # the server went away: the pool replaces the connection and checks out again
            raise exc.DisconnectionError(str(e)) from e
        if not alive:
            raise exc.DisconnectionError("the database did not answer a ping")


# Values per IN list where each value is its own bound parameter (SQLite).
IN_LIST_CHUNK = 500


def one_of_chunks(column: Any, values: list[Any], dialect: Dialect) -> list[ColumnElement[bool]]:
    """`column IN values` as conditions that together cover `values`, each to run in its own statement.

    On PostgreSQL it is one condition, `column = ANY(:array)`: one bound parameter however many values, so
    the statement is compiled once and cached. An IN list of 500 values is 500 bound parameters, expanded
    and rendered in Python on every execution, with the GIL held; the background tasks of /live ran such
    statements for every connection of the process (presence.heartbeat, sign_ins.recheck). Elsewhere
    (SQLite) the values go in IN lists of IN_LIST_CHUNK each."""
    if dialect.name == "postgresql":
        return [column == any_(bindparam(None, values, type_=ARRAY(column.type)))]
    return [column.in_(values[i:i + IN_LIST_CHUNK]) for i in range(0, len(values), IN_LIST_CHUNK)]


def new_id() -> str:
    """A random UUID4 string: the primary key of every table (unguessable ids)."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use telehealth.db.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
