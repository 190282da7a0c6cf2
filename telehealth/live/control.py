"""Who leads a live session and what they show: presenter hand-off, the shared view, chat."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.models import User
from telehealth.cases.conversation import add_message
from telehealth.db import new_id
from telehealth.errors import Forbidden, NotFound
from telehealth.live import one_statement
from telehealth.live.models import LiveEvent, LiveSession
from telehealth.live.presence import is_present
from telehealth.live.service import add_event, envelope, load_for_participant, next_seq, person


def _locked(session: Session, user: User, live_id: str) -> tuple[LiveSession, Any, int]:
    live, case = load_for_participant(session, user, live_id)
    seq = next_seq(session, live.id)
    session.refresh(live)
    return live, case, seq


def request_presenter(session: Session, user: User, live_id: str) -> dict[str, Any]:
    """Ask for control: granted at once when nobody present holds it or the caller hosts; else the request
    is broadcast for the presenter to grant."""
    live, _case, seq = _locked(session, user, live_id)
    holder_here = live.presenter_id is not None and is_present(session, live.id, user_id=live.presenter_id)
    if live.presenter_id == user.id or live.host_id == user.id or not holder_here:
        live.presenter_id = user.id
        env = add_event(session, live.id, seq, "presenter", {"presenter": person(user), "by": person(user)}, user)
    else:
        env = add_event(session, live.id, seq, "presenter:request", {"user": person(user)}, user)
    session.commit()
    return env


def grant_presenter(session: Session, user: User, live_id: str, target_id: str) -> dict[str, Any]:
    """The presenter (or the host) hands control to someone present in the session."""
    live, _case, seq = _locked(session, user, live_id)
    if user.id not in (live.presenter_id, live.host_id):
        raise Forbidden("Only the presenter or the host can hand over control", code="not_presenter")
    target = session.get(User, target_id)
    if target is None or not is_present(session, live.id, user_id=target_id):
        raise NotFound("That person is not in the session", code="not_in_session")
    live.presenter_id = target.id
    env = add_event(session, live.id, seq, "presenter", {"presenter": person(target), "by": person(user)}, user)
    session.commit()
    return env


def set_view(session: Session, user: User, live_id: str, view: dict[str, Any], *,
             case_id: str | None = None) -> dict[str, Any]:
    """The presenter shows a new viewport; followers apply it.

    With the session's `case_id` known (the connection joined it) on PostgreSQL, this is one statement
    (`one_statement`); when that stores nothing, the ordinary path below says why."""
    engine = one_statement.engine_for(session, case_id)
    if engine is not None and case_id is not None:
        event = LiveEvent(id=new_id(), session_id=live_id, seq=None, type="view", payload={"view": view},
                          actor_id=user.id, at=clock.now())
        seq = one_statement.set_view(engine, case_id, view, event)
        if seq is not None:
            event.seq, event.actor = seq, user
            return envelope(event)
    live, _case, seq = _locked(session, user, live_id)
    if live.presenter_id != user.id:
        raise Forbidden("Only the presenter sets the shared view", code="not_presenter")
    live.view = view
    env = add_event(session, live.id, seq, "view", {"view": view}, user)
    session.commit()
    return env


def chat(session: Session, user: User, live_id: str, body: str) -> dict[str, Any]:
    """A chat line, stored as a case message of the session (so it stays in the case conversation)."""
    live, case, seq = _locked(session, user, live_id)
    msg = add_message(session, case, user, body, kind="chat", live_session_id=live.id)
    env = add_event(session, live.id, seq, "chat", {"message_id": msg.id, "body": body}, user)
    session.commit()
    return env
