"""Every lifecycle event notifies the people concerned (subscribed to the case signals)."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session, object_session

from telehealth.accounts.models import User
from telehealth.cases.models import Case, CaseMessage
from telehealth.cases.signals import case_transitioned, message_posted
from telehealth.extensions import db
from telehealth.live.signals import session_scheduled
from telehealth.notifications.audience import coordinators, participants, requesters, specialists
from telehealth.notifications.service import notify

log = logging.getLogger(__name__)


def _on_transition(session: Session, case: Case, action: str, actor: User | None, note: str | None) -> None:
    t = case.title
    if action == "submit":
        notify(session, requesters(case), kind="case_submitted", title=f"Case submitted: {t}",
               body="Your case is being routed to a specialist.", case_id=case.id, exclude=actor)
    elif action == "offer":
        notify(session, specialists(case), kind="offer_received", title=f"New case offered to you: {t}",
               body=f"Priority {case.priority}. Please accept or decline.", case_id=case.id, exclude=actor)
    elif action == "accept":
        notify(session, requesters(case), kind="case_accepted", title=f"A specialist accepted your case: {t}",
               body=f"{actor.name if actor else 'A specialist'} will review it.", case_id=case.id)
    elif action == "decline":
        notify(session, coordinators(session, case), kind="case_returned", title=f"Offer declined: {t}",
               body=f"{actor.name if actor else 'The specialist'} declined: {note or ''}".strip(), case_id=case.id)
    elif action == "start_review":
        notify(session, requesters(case), kind="case_status", title=f"Review started: {t}",
               body="The specialist is reading your case.", case_id=case.id, exclude=actor)
    elif action == "request_info":
        notify(session, requesters(case), kind="info_requested", title=f"More information needed: {t}",
               body=note or "", case_id=case.id, exclude=actor)
    elif action == "provide_info":
        notify(session, specialists(case), kind="info_provided", title=f"Information provided: {t}",
               body=note or "", case_id=case.id, exclude=actor)
    elif action == "report":
        notify(session, requesters(case), kind="report_ready", title=f"Your report is ready: {t}",
               body="Open the case to read the report.", case_id=case.id, exclude=actor)
    elif action in ("cancel", "close"):
        word = "cancelled" if action == "cancel" else "closed"
        notify(session, participants(case), kind="case_status", title=f"Case {word}: {t}",
               body=note or "", case_id=case.id, exclude=actor)
    elif action == "hand_back":
        notify(session, coordinators(session, case), kind="case_returned", title=f"Case handed back: {t}",
               body=f"{actor.name if actor else 'The specialist'}: {note or ''}".strip(), case_id=case.id)
    else:
        return
    session.commit()


def on_case_transitioned(case: Case, **kw: Any) -> None:
    """Signal receiver: notify the people concerned by a committed transition."""
    session = object_session(case) or db.session
    try:
        _on_transition(session, case, kw.get("action", ""), kw.get("actor"), kw.get("note"))
    except Exception:  # the transition is committed; a failed notification must not turn it into an error
        log.exception("notifying about %s failed", kw.get("action"))
        session.rollback()


def on_message_posted(msg: CaseMessage, **kw: Any) -> None:
    """Signal receiver: tell the other participants about a new message."""
    case: Case = kw["case"]
    if msg.live_session_id:  # chat inside a live session: the people are there, no need to notify
        return
    session = object_session(case) or db.session
    try:
        notify(session, participants(case), kind="message", title=f"New message: {case.title}",
               body=msg.body[:500], case_id=case.id, exclude=kw.get("actor"))
        session.commit()
    except Exception:
        log.exception("notifying about a message failed")
        session.rollback()


def on_live_session(live: Any, **kw: Any) -> None:
    """Signal receiver: invite the case's people to a live session that starts now or is scheduled."""
    case: Case = kw["case"]
    session = object_session(case) or db.session
    if live.status == "scheduled" and live.scheduled_at is not None:
        title = f"Live session on {case.title} scheduled for {live.scheduled_at:%Y-%m-%d %H:%M} UTC"
    else:
        title = f"Live session on {case.title} has started: join now"
    try:
        notify(session, participants(case), kind="live_session", title=title, body=live.title or "",
               case_id=case.id, exclude=kw.get("actor"))
        session.commit()
    except Exception:
        log.exception("notifying about a live session failed")
        session.rollback()


case_transitioned.connect(on_case_transitioned)
message_posted.connect(on_message_posted)
session_scheduled.connect(on_live_session)
