"""Offers: a coordinator offers a triaged case to a specialist, who accepts or declines.

Automatic routing (ranking candidates, timeouts) builds on these services.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import current_app, has_app_context
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.models import User
from telehealth.audit.service import record
from telehealth.cases.access import get_visible_case, is_coordinator_of
from telehealth.cases.conversation import add_participant
from telehealth.cases.models import Case, CaseParticipant, Offer
from telehealth.cases.service import _check, _move, pending_offer
from telehealth.cases.signals import case_transitioned
from telehealth.errors import Conflict, Gone, NotFound, ValidationFailed

OFFER_HOURS = {"stat": 0.5, "urgent": 4, "routine": 24}
# Checks other features register (routing: licensure); each raises an ApiError to refuse a manual offer.
OFFER_CHECKS: list[Callable[[Session, Case, User], None]] = []


def offer_hours(priority: str) -> float:
    """How long a specialist has to answer an offer (TELEHEALTH_OFFER_*_HOURS, else the defaults)."""
    configured = current_app.config.get("OFFER_HOURS") if has_app_context() else None
    return float((configured or OFFER_HOURS)[priority])


def make_offer(session: Session, case: Case, specialist: User, offered_by: User | None) -> Offer:
    """Offer a triaged case to a specialist (caller checks permission and commits)."""
    if not specialist.has_role("specialist") or not specialist.is_active:
        raise ValidationFailed("That user is not an active specialist", code="not_a_specialist")
    now = clock.now()
    offer = Offer(case_id=case.id, specialist_id=specialist.id, offered_by_id=offered_by.id if offered_by else None,
                  created_at=now, expires_at=now + timedelta(hours=offer_hours(case.priority)))
    session.add(offer)
    add_participant(session, case, specialist, "specialist", offered_by)
    from_status = case.status
    _move(session, case, offered_by, "offer", note=specialist.name)  # None: routed automatically
    session.flush()
    record(session, actor=offered_by, action="offer.created", entity_type="offer", entity_id=offer.id,
           case_id=case.id, details={"specialist_id": specialist.id, "from": from_status})
    return offer


def offer_case(session: Session, actor: User, case_id: str, specialist_id: str) -> Offer:
    """A coordinator routes a case by hand to a specialist."""
    case = get_visible_case(session, actor, case_id)
    _check(session, case, actor, "offer")
    specialist = session.get(User, specialist_id)
    if specialist is None:
        raise ValidationFailed("No such specialist", code="not_a_specialist")
    for check in OFFER_CHECKS:
        check(session, case, specialist)
    offer = make_offer(session, case, specialist, actor)
    session.commit()
    case_transitioned.send(case, action="offer", actor=actor, from_status="triage", note=None)
    return offer


def list_offers(session: Session, actor: User, case_id: str) -> list[Offer]:
    """The offers made on a case, newest first: for the case's coordinators (others get 404)."""
    case = get_visible_case(session, actor, case_id)
    if not is_coordinator_of(case, actor):
        raise NotFound("No such case", code="case_not_found")
    return list(session.scalars(select(Offer).where(Offer.case_id == case.id).order_by(Offer.created_at.desc())))


def _drop_participation(session: Session, case: Case, user: User) -> None:
    for p in list(case.participants):
        if p.user_id == user.id and p.role == "specialist":
            case.participants.remove(p)
            session.delete(p)


def respond(session: Session, actor: User, case_id: str, *, accept: bool, reason: str | None = None) -> Case:
    """The offered specialist accepts (case becomes theirs) or declines (back to triage)."""
    case = get_visible_case(session, actor, case_id)
    action = "accept" if accept else "decline"
    _check(session, case, actor, action)
    offer = pending_offer(session, case, actor)
    if offer is None:
        raise NotFound("No open offer for you on this case", code="offer_not_found")
    if not accept and not (reason and reason.strip()):
        raise ValidationFailed("Say why you decline", code="reason_required",
                               details=[{"field": "reason", "message": "required"}])
    if offer.expires_at is not None and offer.expires_at <= clock.now():
        raise Gone("This offer has expired", code="offer_expired")
    # Claim the offer only while it is still pending: the background job may be expiring it.
    claimed = session.execute(update(Offer).where(Offer.id == offer.id, Offer.status == "pending").values(
        status="accepted" if accept else "declined", reason=reason, responded_at=clock.now()))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict("This offer is no longer open", code="offer_closed")
    from_status = _move(session, case, actor, action, note=reason)
    if not accept:
        _drop_participation(session, case, actor)
    record(session, actor=actor, action=f"offer.{offer.status}", entity_type="offer", entity_id=offer.id,
           case_id=case.id)
    session.commit()
    case_transitioned.send(case, action=action, actor=actor, from_status=from_status, note=reason)
    return case


def assigned_specialist(session: Session, case: Case) -> User | None:
    """The specialist taking part in the case, if any."""
    p = session.scalar(select(CaseParticipant).where(CaseParticipant.case_id == case.id,
                                                     CaseParticipant.role == "specialist"))
    return p.user if p else None
