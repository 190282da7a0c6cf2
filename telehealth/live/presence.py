"""Presence in a live session: join, leave, follow/free, and the liveness of each stay."""
from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.models import User
from telehealth.audit.service import record
from telehealth.cases.models import Case
from telehealth.db import one_of_chunks
from telehealth.errors import Conflict, NotFound
from telehealth.live.models import LivePresence, LiveSession
from telehealth.live.service import add_event, load_for_participant, next_seq, participant_out, stale_after


def check_join(session: Session, user: User, live_id: str) -> tuple[LiveSession, Case]:
    """The session and case, if the user may enter it (participants of the case only; refusals audited)."""
    try:
        live, case = load_for_participant(session, user, live_id)
    except NotFound:
        record(session, actor=user, action="live_session.joined", entity_type="live_session", entity_id=live_id[:36],
               outcome="denied")
        session.commit()
        raise
    if live.status == "ended":
        raise Conflict("The live session has ended", code="session_ended")
    return live, case


def join(session: Session, user: User, live_id: str, *, connection_id: str, node_id: str) -> list[dict[str, Any]]:
    """A participant of the case enters the session; returns the events to broadcast.

    Stays left behind by a dead server process are closed first, so the others see them go.
    """
    live, case = check_join(session, user, live_id)
    now = clock.now()
    out = []
    seq = next_seq(session, live.id)
    session.refresh(live)
    for ghost in session.scalars(select(LivePresence).where(LivePresence.session_id == live.id,
                                                            LivePresence.left_at.is_(None),
                                                            LivePresence.seen_at <= now - stale_after())):
        ghost.left_at = ghost.seen_at
        out.append(add_event(session, live.id, seq, "presence",
                             {"action": "leave", "reason": "lost", **participant_out(ghost, case)}, ghost.user))
        seq = next_seq(session, live.id)
    if live.status == "scheduled":
        live.status, live.started_at = "live", now
    stay = LivePresence(session_id=live.id, user_id=user.id, connection_id=connection_id, node_id=node_id,
                        joined_at=now, seen_at=now)
    session.add(stay)
    session.flush()
    out.append(add_event(session, live.id, seq, "presence", {"action": "join", **participant_out(stay, case)}, user))
    record(session, actor=user, action="live_session.joined", entity_type="live_session", entity_id=live.id,
           case_id=case.id, details={"connection_id": connection_id})
    session.commit()
    return out


def leave(session: Session, user: User, live_id: str, *, connection_id: str, reason: str) -> dict[str, Any] | None:
    """A connection leaves (or was disconnected); returns the presence event, if the session goes on."""
    stay = session.scalar(select(LivePresence).where(LivePresence.session_id == live_id,
                                                     LivePresence.connection_id == connection_id,
                                                     LivePresence.left_at.is_(None)))
    live = session.get(LiveSession, live_id)
    if stay is None or live is None:
        return None
    case = session.get(Case, live.case_id)
    assert case is not None
    env = None
    if live.status != "ended":
        seq = next_seq(session, live.id)
        env = add_event(session, live.id, seq, "presence",
                        {"action": "leave", "reason": reason, **participant_out(stay, case)}, user)
    stay.left_at = clock.now()
    record(session, actor=user, action="live_session.left", entity_type="live_session", entity_id=live.id,
           case_id=live.case_id, details={"connection_id": connection_id, "reason": reason})
    session.commit()
    return env


def follow(session: Session, user: User, live_id: str, *, connection_id: str, following: bool) -> dict[str, Any]:
    """The connection follows the presenter's view, or goes free."""
    live, case = load_for_participant(session, user, live_id)
    seq = next_seq(session, live.id)
    stay = session.scalar(select(LivePresence).where(LivePresence.session_id == live.id,
                                                     LivePresence.connection_id == connection_id,
                                                     LivePresence.left_at.is_(None)))
    if stay is None:
        raise NotFound("You are not in this session", code="not_joined")
    stay.following = following
    env = add_event(session, live.id, seq, "presence", {"action": "follow", **participant_out(stay, case)}, user)
    session.commit()
    return env


def is_present(session: Session, live_id: str, *, connection_id: str | None = None,
               user_id: str | None = None) -> bool:
    """Whether a connection (or any connection of a user) is in the session now."""
    q = select(LivePresence.id).where(LivePresence.session_id == live_id, LivePresence.left_at.is_(None),
                                      LivePresence.seen_at > clock.now() - stale_after())
    if connection_id is not None:
        q = q.where(LivePresence.connection_id == connection_id)
    if user_id is not None:
        q = q.where(LivePresence.user_id == user_id)
    return session.scalar(q.limit(1)) is not None


def heartbeat(session: Session, node_id: str, connection_ids: list[str]) -> int:
    """Refresh the stays of the connections this server process holds; returns how many."""
    table = cast(Table, LivePresence.__table__)
    count = 0
    for ids in one_of_chunks(table.c.connection_id, connection_ids, session.get_bind().dialect):
        result = session.execute(update(table).where(table.c.node_id == node_id, table.c.left_at.is_(None), ids)
                                 .values(seen_at=clock.now()))
        count += int(result.rowcount or 0)  # type: ignore[attr-defined]
    session.commit()
    return count
