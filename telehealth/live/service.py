"""Live session services: create, schedule, end; the sequenced event log; snapshots and resync.

Every accepted change takes the session's next `seq` with
`UPDATE live_session SET last_seq = last_seq + 1 ... RETURNING last_seq` in the same
transaction as its event row. The UPDATE locks the session's row until commit, so writers
of one session are serialized across processes (PostgreSQL row lock; SQLite locks the
database), the numbers have no holes once committed, and checks made after taking the
number (stale versions, presenter) see a stable state.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app, has_app_context
from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session, lazyload

from telehealth import clock
from telehealth.accounts.models import User
from telehealth.audit.service import record
from telehealth.cases.access import get_visible_case, is_assigned_specialist, participant_role
from telehealth.cases.models import Case, CaseEvent, CaseParticipant
from telehealth.errors import Conflict, Forbidden, NotFound
from telehealth.live.models import Annotation, LiveEvent, LivePresence, LiveSession
from telehealth.live.signals import session_ended, session_scheduled

# Case statuses in which a specialist may open a session, and in which none may be used.
CREATE_STATUSES = ("offered", "accepted", "in_review", "info_requested", "reported")
CLOSED_CASE = ("cancelled", "closed")
# A presence whose process has not refreshed it for this long is a ghost (that process died);
# app.config["LIVE_PRESENCE_STALE_SECONDS"] overrides it (server processes refresh every 15 s).
STALE_SECONDS = 45.0
# A resync further behind than this gets a snapshot instead of the events.
MAX_REPLAY = 500

_SESSIONS = cast(Table, LiveSession.__table__)


def stale_after() -> timedelta:
    """How long a stay lives without a refresh from its server process."""
    seconds = current_app.config.get("LIVE_PRESENCE_STALE_SECONDS", STALE_SECONDS) if has_app_context() else None
    return timedelta(seconds=float(seconds or STALE_SECONDS))


def person(user: User | None) -> dict[str, str] | None:
    """A user as others see them in the protocol."""
    return {"id": user.id, "name": user.name} if user is not None else None


def iso(at: datetime | None) -> str | None:
    """An aware datetime as ISO 8601 text."""
    return at.isoformat() if at is not None else None


def create_session(session: Session, actor: User, case_id: str, *, title: str,
                   scheduled_at: datetime | None = None) -> LiveSession:
    """A specialist of the case opens a session now, or schedules it (invitees are notified)."""
    case = get_visible_case(session, actor, case_id)
    if not is_assigned_specialist(case, actor):
        record(session, actor=actor, action="live_session.created", entity_type="case", entity_id=case.id,
               case_id=case.id, outcome="denied")
        session.commit()
        raise Forbidden("Only a specialist of the case can open a live session", code="not_allowed")
    if case.status not in CREATE_STATUSES:
        raise Conflict(f"No live session on a case that is {case.status}", code="invalid_case_status",
                       details={"status": case.status})
    now = clock.now()
    live = LiveSession(case_id=case.id, host_id=actor.id, title=title, created_at=now, presenter_id=actor.id)
    if scheduled_at is not None and scheduled_at > now:
        live.status, live.scheduled_at = "scheduled", scheduled_at
    else:
        live.status, live.started_at = "live", now
    session.add(live)
    session.flush()
    session.add(CaseEvent(case_id=case.id, action=f"live_session_{live.status}", actor_id=actor.id,
                          note=title, at=now))
    record(session, actor=actor, action="live_session.created", entity_type="live_session", entity_id=live.id,
           case_id=case.id, details={"status": live.status, "scheduled_at": iso(live.scheduled_at)})
    session.commit()
    session_scheduled.send(live, case=case, actor=actor)
    return live


def get_visible_session(session: Session, actor: User, live_id: str) -> tuple[LiveSession, Case]:
    """A session of a case the user may see, or NotFound."""
    live = session.get(LiveSession, live_id) if len(live_id) <= 36 else None
    if live is None:
        raise NotFound("No such live session", code="session_not_found")
    try:
        case = get_visible_case(session, actor, live.case_id)
    except NotFound:
        raise NotFound("No such live session", code="session_not_found") from None
    return live, case


def load_for_participant(session: Session, actor: User, live_id: str) -> tuple[LiveSession, Case]:
    """The session and its case, if the user takes part in the case (else NotFound: ids don't leak)."""
    # One statement on every live event: the session, its case, and whether the user takes part.
    # The case's creator and participants load only if a caller uses them.
    row = session.execute(
        select(LiveSession, Case, CaseParticipant.role)
        .join(Case, Case.id == LiveSession.case_id)
        .outerjoin(CaseParticipant, (CaseParticipant.case_id == Case.id) & (CaseParticipant.user_id == actor.id))
        .where(LiveSession.id == live_id)
        .options(lazyload(Case.created_by), lazyload(Case.participants))
    ).first() if len(live_id) <= 36 else None
    if row is None or row[2] is None:
        raise NotFound("No such live session", code="session_not_found")
    live, case = row[0], row[1]
    if case.status in CLOSED_CASE:
        raise Conflict(f"The case is {case.status}", code="case_closed")
    return live, case


def next_seq(session: Session, live_id: str) -> int:
    """Take the session's next sequence number (locks the session row until commit)."""
    row = session.execute(
        update(_SESSIONS).where(_SESSIONS.c.id == live_id, _SESSIONS.c.status != "ended")
        .values(last_seq=_SESSIONS.c.last_seq + 1).returning(_SESSIONS.c.last_seq)
    ).first()
    if row is None:
        raise Conflict("The live session has ended", code="session_ended")
    return int(row[0])


def add_event(session: Session, live_id: str, seq: int, type_: str, data: dict[str, Any],
              actor: User | None) -> dict[str, Any]:
    """Store one accepted change under its seq; returns the envelope that is broadcast."""
    event = LiveEvent(session_id=live_id, seq=seq, type=type_, payload=data,
                      actor_id=actor.id if actor else None, at=clock.now())
    session.add(event)
    return {"session_id": live_id, "seq": seq, "type": type_, "actor": person(actor), "at": iso(event.at),
            "data": data}


def envelope(event: LiveEvent) -> dict[str, Any]:
    """A stored event as it was broadcast."""
    return {"session_id": event.session_id, "seq": event.seq, "type": event.type, "actor": person(event.actor),
            "at": iso(event.at), "data": event.payload}


def end_session(session: Session, actor: User, live_id: str) -> tuple[LiveSession, dict[str, Any]]:
    """The host ends the session; everyone present leaves it."""
    live, case = get_visible_session(session, actor, live_id)
    if live.host_id != actor.id:
        raise Forbidden("Only the host can end the session", code="not_host")
    if live.status == "ended":
        raise Conflict("The live session has already ended", code="session_ended")
    seq = next_seq(session, live.id)
    now = clock.now()
    session.refresh(live)
    live.status, live.ended_at = "ended", now
    live.started_at = live.started_at or now
    for p in session.scalars(select(LivePresence).where(LivePresence.session_id == live.id,
                                                        LivePresence.left_at.is_(None))):
        p.left_at = now
    env = add_event(session, live.id, seq, "session:ended", {"ended_at": iso(now)}, actor)
    session.add(CaseEvent(case_id=case.id, action="live_session_ended", actor_id=actor.id, note=live.title, at=now))
    record(session, actor=actor, action="live_session.ended", entity_type="live_session", entity_id=live.id,
           case_id=case.id)
    session.commit()
    session_ended.send(live, case=case, actor=actor)
    return live, env


def list_sessions(session: Session, actor: User, case_id: str) -> list[LiveSession]:
    """The live sessions of a visible case, newest first."""
    case = get_visible_case(session, actor, case_id)
    rows = session.scalars(select(LiveSession).where(LiveSession.case_id == case.id)
                           .order_by(LiveSession.created_at.desc(), LiveSession.id)).all()
    record(session, actor=actor, action="live_session.listed", entity_type="case", entity_id=case.id,
           case_id=case.id)
    session.commit()
    return list(rows)


def summary(session: Session, live: LiveSession) -> dict[str, Any]:
    """Who took part, when and how long, and how many annotations were made."""
    now = clock.now()
    stays = session.scalars(select(LivePresence).where(LivePresence.session_id == live.id)
                            .order_by(LivePresence.joined_at)).all()
    people: dict[str, dict[str, Any]] = {}
    for s in stays:
        fresh = s.left_at is None and s.seen_at > now - stale_after()
        end = s.left_at or (now if fresh else s.seen_at)
        p = people.setdefault(s.user_id, {"user": person(s.user), "first_joined_at": s.joined_at,
                                          "last_left_at": None, "present": False, "seconds": 0})
        p["seconds"] += max(0, int((end - s.joined_at).total_seconds()))
        p["present"] = p["present"] or fresh
        if s.left_at is not None and (p["last_left_at"] is None or s.left_at > p["last_left_at"]):
            p["last_left_at"] = s.left_at
    count = session.scalar(select(func.count()).where(Annotation.session_id == live.id,
                                                      Annotation.deleted.is_(False))) or 0
    duration = None
    if live.started_at is not None:
        duration = int(((live.ended_at or now) - live.started_at).total_seconds())
    return {"participants": list(people.values()), "annotation_count": count, "duration_seconds": duration}


def present(session: Session, live_id: str) -> list[LivePresence]:
    """The connections in the session now (ghosts of dead processes left out)."""
    cutoff = clock.now() - stale_after()
    return list(session.scalars(
        select(LivePresence).where(LivePresence.session_id == live_id, LivePresence.left_at.is_(None),
                                   LivePresence.seen_at > cutoff).order_by(LivePresence.joined_at)))


def participant_out(p: LivePresence, case: Case) -> dict[str, Any]:
    """One present connection, as in snapshots and presence events."""
    return {"connection_id": p.connection_id, "user": person(p.user), "role": participant_role(case, p.user),
            "following": p.following, "joined_at": iso(p.joined_at)}


def snapshot(session: Session, live_id: str) -> dict[str, Any]:
    """The whole state of a session at one `seq` (a shared lock keeps writers out while reading)."""
    from telehealth.live.annotations import annotation_out

    session.execute(select(_SESSIONS.c.id).where(_SESSIONS.c.id == live_id).with_for_update(read=True))
    live = session.execute(select(LiveSession).where(LiveSession.id == live_id)
                           .execution_options(populate_existing=True)).scalar_one()
    case = session.get(Case, live.case_id)
    assert case is not None
    annotations = session.scalars(select(Annotation).where(Annotation.session_id == live.id,
                                                           Annotation.deleted.is_(False))
                                  .order_by(Annotation.created_at, Annotation.id)).all()
    snap = {
        "session": {"id": live.id, "case_id": live.case_id, "title": live.title, "status": live.status,
                    "host": person(live.host), "started_at": iso(live.started_at)},
        "seq": live.last_seq,
        "presenter": person(live.presenter),
        "view": live.view,
        "participants": [participant_out(p, case) for p in present(session, live.id)],
        "annotations": [annotation_out(a) for a in annotations],
    }
    session.commit()
    return snap


def events_since(session: Session, live_id: str, since_seq: int) -> list[dict[str, Any]] | None:
    """The events after `since_seq` in order, or None when a snapshot is the better answer."""
    last = session.scalar(select(LiveSession.last_seq).where(LiveSession.id == live_id))
    if last is None or since_seq > last or last - since_seq > MAX_REPLAY:
        return None
    rows = session.scalars(select(LiveEvent).where(LiveEvent.session_id == live_id, LiveEvent.seq > since_seq)
                           .order_by(LiveEvent.seq)).all()
    session.commit()
    return [envelope(e) for e in rows]
