"""The people and the conversation of a case: messages, participants, invitations, timeline."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.auth import token_hash
from telehealth.accounts.models import Invitation, User
from telehealth.audit.service import record
from telehealth.cases.access import get_visible_case, is_coordinator_of, is_owner_side, participant_role
from telehealth.cases.models import Case, CaseEvent, CaseMessage, CaseParticipant
from telehealth.cases.signals import message_posted
from telehealth.errors import Conflict, Forbidden

MAX_MESSAGE_CHARS = 10_000


def add_message(
    session: Session, case: Case, actor: User, body: str, *, kind: str = "message", live_session_id: str | None = None
) -> CaseMessage:
    """Append a message to the case conversation (caller commits)."""
    msg = CaseMessage(
        case_id=case.id,
        author_id=actor.id,
        body=body,
        kind=kind,
        live_session_id=live_session_id,
        created_at=clock.now(),
    )
    session.add(msg)
    session.flush()
    record(
        session,
        actor=actor,
        action="message.posted",
        entity_type="case_message",
        entity_id=msg.id,
        case_id=case.id,
        details={"kind": kind},
    )
    return msg


def post_message(session: Session, actor: User, case_id: str, body: str) -> CaseMessage:
    """A participant (or the case's coordinator) writes to the case conversation."""
    case = get_visible_case(session, actor, case_id)
    if case.status in ("cancelled", "closed"):
        raise Conflict(f"The case is {case.status}; its conversation is closed", code="case_closed")
    msg = add_message(session, case, actor, body)
    session.commit()
    message_posted.send(msg, case=case, actor=actor)
    return msg


def list_messages(
    session: Session, actor: User, case_id: str, *, since: str | None = None, limit: int = 200
) -> list[CaseMessage]:
    """The case conversation, oldest first (audited)."""
    case = get_visible_case(session, actor, case_id)
    q = select(CaseMessage).where(CaseMessage.case_id == case.id)
    rows = session.scalars(q.order_by(CaseMessage.created_at, CaseMessage.id).limit(limit)).all()
    record(session, actor=actor, action="message.listed", entity_type="case", entity_id=case.id, case_id=case.id)
    session.commit()
    return list(rows)


def list_participants(session: Session, actor: User, case_id: str) -> list[CaseParticipant]:
    """Who takes part in the case."""
    case = get_visible_case(session, actor, case_id)
    record(session, actor=actor, action="participant.listed", entity_type="case", entity_id=case.id, case_id=case.id)
    session.commit()
    return sorted(case.participants, key=lambda p: p.added_at)


def add_participant(session: Session, case: Case, user: User, role: str, added_by: User | None) -> CaseParticipant:
    """Give a user access to the case in a role (idempotent; caller commits)."""
    existing = session.scalar(
        select(CaseParticipant).where(CaseParticipant.case_id == case.id, CaseParticipant.user_id == user.id)
    )
    if existing is not None:
        return existing
    p = CaseParticipant(
        case_id=case.id, user_id=user.id, role=role, added_by_id=added_by.id if added_by else None, added_at=clock.now()
    )
    session.add(p)
    case.participants.append(p)
    session.add(
        CaseEvent(
            case_id=case.id,
            action="participant_added",
            actor_id=added_by.id if added_by else None,
            note=f"{user.name} ({role})",
            at=clock.now(),
        )
    )
    record(
        session,
        actor=added_by,
        action="participant.added",
        entity_type="user",
        entity_id=user.id,
        case_id=case.id,
        details={"role": role},
    )
    return p


def invite(session: Session, actor: User, case_id: str, *, email: str, role: str) -> tuple[Invitation, str]:
    """Invite someone to the case: a referrer invites the patient and vice versa.

    Returns the invitation and its single-use token (e-mailed; also shown to the inviter).
    """
    case = get_visible_case(session, actor, case_id)
    mine = participant_role(case, actor)
    allowed = (
        (role == "patient" and (mine == "referrer" or is_owner_side(case, actor) and actor.has_role("referrer")))
        or (role == "referrer" and mine == "patient")
        or is_coordinator_of(case, actor)
    )
    if not allowed:
        record(
            session,
            actor=actor,
            action="invitation.created",
            entity_type="case",
            entity_id=case.id,
            case_id=case.id,
            outcome="denied",
            details={"role": role},
        )
        session.commit()
        raise Forbidden(f"You may not invite a {role} to this case", code="not_allowed")
    if case.status in ("cancelled", "closed"):
        raise Conflict(f"The case is {case.status}", code="case_closed")
    email = email.lower()
    if any(p.user.email == email for p in case.participants):
        raise Conflict("That person already takes part in the case", code="already_participant")
    token = secrets.token_urlsafe(32)
    inv = Invitation(
        email=email,
        roles=[role],
        case_id=case.id,
        case_role=role,
        token_hash=token_hash(token),
        invited_by_id=actor.id,
        created_at=clock.now(),
        expires_at=clock.now() + timedelta(hours=current_app.config["INVITATION_TTL_HOURS"]),
    )
    session.add(inv)
    session.flush()
    record(
        session,
        actor=actor,
        action="invitation.created",
        entity_type="invitation",
        entity_id=inv.id,
        case_id=case.id,
        details={"role": role},
    )
    session.commit()
    return inv, token


def list_invitations(session: Session, actor: User, case_id: str) -> list[Invitation]:
    """Open and past invitations to the case."""
    case = get_visible_case(session, actor, case_id)
    return list(
        session.scalars(select(Invitation).where(Invitation.case_id == case.id).order_by(Invitation.created_at.desc()))
    )


def timeline(session: Session, actor: User, case_id: str) -> list[CaseEvent]:
    """The case's history of transitions and changes, oldest first."""
    case = get_visible_case(session, actor, case_id)
    return list(
        session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.at, CaseEvent.id))
    )

