"""The periodic check of every live connection's sign-in and case participation (`LIVE_AUTH_RECHECK_SECONDS`).

It runs in the background for all connections of the process at once (`LiveNamespace.recheck_sign_ins`),
so a connection that only listens is checked too, and no live event waits for it: done per event, it
took 14-34 ms of CPU in one in three annotations of the bench (docs/benchmarks.md, "Session 7").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Row, Table, select, update
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.auth import sign_in_is_live
from telehealth.accounts.models import AuthSession, User
from telehealth.cases.models import Case, CaseParticipant
from telehealth.db import one_of_chunks
from telehealth.live.connections import Connection, user_attributes
from telehealth.live.service import CLOSED_CASE

KEEP_ALIVE = timedelta(seconds=60)  # a used sign-in's last_seen_at is moved on at most this often


@dataclass
class Outcome:
    """What the check found: connections to disconnect, and (connection, live session) pairs to leave."""

    signed_out: list[str] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)


def recheck(session: Session, connections: dict[str, Connection]) -> Outcome:
    """Check the connections (connection id -> state) against the database.

    A revoked, expired or idle sign-in, or one whose user was deactivated, is signed out. For the others,
    the user's columns are refreshed, and a connection that sent an event since the last check keeps its
    sign-in from idling out. A user who no longer takes part in a joined session's case, or whose case
    closed, is removed from that session.

    It reads columns, not ORM objects, and moves last_seen_at on in one UPDATE: the check holds the GIL
    in short steps, since every live event of the process waits while it runs."""
    now = clock.now()
    attributes = user_attributes()
    columns = [AuthSession.id, AuthSession.revoked_at, AuthSession.expires_at, AuthSession.kind,
               AuthSession.last_seen_at, *(getattr(User, key) for key in attributes)]
    dialect = session.get_bind().dialect
    ids = sorted({c.auth_session_id for c in connections.values()})
    sign_ins: dict[str, Row[Any]] = {}
    for chunk in one_of_chunks(AuthSession.id, ids, dialect):
        sign_ins.update((row[0], row) for row in session.execute(
            select(*columns).join(User, User.id == AuthSession.user_id).where(chunk)))
    out = Outcome()
    kept: dict[str, Connection] = {}
    in_use: set[str] = set()
    for sid, conn in connections.items():
        row = sign_ins.get(conn.auth_session_id)
        user = dict(zip(attributes, row[5:], strict=True)) if row is not None else {}
        if row is None or not sign_in_is_live(row[1], row[2], row[3], row[4], user["is_active"], now):
            out.signed_out.append(sid)
            continue
        kept[sid] = conn
        conn.user_columns = user
        if conn.active and now - row[4] > KEEP_ALIVE:
            in_use.add(row[0])
        conn.active = False
    if in_use:
        # On the connection, not through the ORM session: last_seen_at is no change of who may do what, so the
        # auth caches of the other processes are not told to drop everything (accounts/session_cache.py).
        table = cast(Table, AuthSession.__table__)
        for chunk in one_of_chunks(table.c.id, sorted(in_use), dialect):
            session.connection().execute(update(table).where(chunk).values(last_seen_at=now))
    session.commit()
    # Event threads join and leave meanwhile: read each connection's sessions once (list() of a dict's items
    # is one step under the GIL; iterating the dict itself could meet a change and fail).
    joined = {sid: (conn.user_id, list(conn.cases.items())) for sid, conn in kept.items()}
    taking_part = _taking_part(session, {(case_id, user_id) for user_id, cases in joined.values()
                                         for _, case_id in cases})
    out.removed = [(sid, live_id) for sid, (user_id, cases) in joined.items() for live_id, case_id in cases
                   if (case_id, user_id) not in taking_part]
    session.rollback()
    return out


def _taking_part(session: Session, pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Those of the (case, user) pairs where the user takes part in the case and it is open."""
    found: set[tuple[str, str]] = set()
    cases = sorted({case_id for case_id, _ in pairs})
    for chunk in one_of_chunks(CaseParticipant.case_id, cases, session.get_bind().dialect):
        rows = session.execute(
            select(CaseParticipant.case_id, CaseParticipant.user_id)
            .join(Case, Case.id == CaseParticipant.case_id)
            .where(chunk, Case.status.not_in(CLOSED_CASE)))
        found.update((case_id, user_id) for case_id, user_id in rows if (case_id, user_id) in pairs)
    return found
