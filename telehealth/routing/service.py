"""Routing actions: automatic offers, expiry, escalation, coordinator reassign, specialist hand-back.

Functions named `*_now` or taking an explicit actor commit and send the case signals; the
others only change the session so that the background job can claim a timer and apply its
effect in one transaction.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.models import User
from telehealth.audit.service import record
from telehealth.cases.access import get_visible_case, is_coordinator_of
from telehealth.cases.models import Case, Offer
from telehealth.cases.offers import make_offer
from telehealth.cases.service import _check, _move
from telehealth.cases.signals import case_transitioned
from telehealth.errors import Forbidden, ValidationFailed
from telehealth.notifications.audience import coordinators
from telehealth.notifications.service import notify
from telehealth.routing import sla
from telehealth.routing.candidates import case_region, evaluate, norm, ranked
from telehealth.routing.models import CaseRouting, SpecialistProfile

log = logging.getLogger(__name__)


def _drop_specialists(session: Session, case: Case, keep: str | None = None) -> list[User]:
    dropped = []
    for p in list(case.participants):
        if p.role == "specialist" and p.user_id != keep:
            dropped.append(p.user)
            case.participants.remove(p)
            session.delete(p)
    return dropped


def clear_flag(row: CaseRouting) -> None:
    """The case has an offer again: no longer waiting for coordinators."""
    row.flagged_at = row.flag_reason = row.next_route_at = None


def flag(session: Session, case: Case, reason: str, now: datetime) -> None:
    """No candidate left: the case stays in triage, coordinators are told once, and routing retries later."""
    row = sla.state(session, case)
    row.route_attempts += 1
    row.next_route_at = now + timedelta(minutes=current_app.config["ROUTING_RETRY_MINUTES"])
    if row.flagged_at is not None:
        row.flag_reason = reason
        return
    row.flagged_at, row.flag_reason = now, reason
    record(session, actor=None, action="routing.escalated", entity_type="case", entity_id=case.id, case_id=case.id,
           details={"reason": reason})
    notify(session, coordinators(session, case), kind="routing_escalation",
           title=f"Needs routing by hand: {case.title}", body=reason, case_id=case.id)


def route_case(session: Session, case: Case, *, actor: User | None = None,
               now: datetime | None = None) -> Offer | None:
    """Offer a triaged case to the best eligible candidate, or flag it for coordinators (caller commits)."""
    now = now or clock.now()
    if case.status != "triage":
        return None
    cands = ranked(session, case, now=now)
    if not cands:
        everyone = evaluate(session, case, now=now)
        detail = "; ".join(f"{c.user.name}: {', '.join(c.excluded)}" for c in everyone[:10]) or \
            "no specialist profiles"
        flag(session, case, f"No eligible specialist ({detail})", now)
        return None
    best = cands[0]
    offer = make_offer(session, case, best.user, actor)
    clear_flag(sla.state(session, case))
    record(session, actor=actor, action="routing.offered", entity_type="offer", entity_id=offer.id, case_id=case.id,
           details={"specialist_id": best.user.id, "fit": best.fit, "load": best.load, "requested": best.requested,
                    "automatic": actor is None})
    return offer


def auto_route_now(session: Session, case: Case, *, actor: User | None = None) -> Offer | None:
    """Route and commit, then announce the offer (used after submit, decline and hand-back)."""
    offer = route_case(session, case, actor=actor)
    session.commit()
    if offer is not None:
        case_transitioned.send(case, action="offer", actor=actor, from_status="triage", note=None)
    return offer


def expire_offer(session: Session, offer: Offer, now: datetime) -> Offer | None:
    """An offer ran out (already claimed by the caller): back to triage and on to the next candidate."""
    case = session.get(Case, offer.case_id)
    assert case is not None
    record(session, actor=None, action="offer.expired", entity_type="offer", entity_id=offer.id, case_id=case.id)
    if case.status != "offered":
        return None
    specialist = session.get(User, offer.specialist_id)
    _move(session, case, None, "expire_offer", note=specialist.name if specialist else None)  # type: ignore[arg-type]
    for p in list(case.participants):
        if p.user_id == offer.specialist_id and p.role == "specialist":
            case.participants.remove(p)
            session.delete(p)
    notify(session, [specialist], kind="offer_expired", title=f"Offer expired: {case.title}",
           body="The case was offered to someone else.", case_id=case.id)
    return route_case(session, case, now=now)


def check_manual_offer(session: Session, case: Case, specialist: User) -> None:
    """A coordinator's offer by hand: refused when the specialist's profile shows no licence for the region.

    Registered in cases.offers.OFFER_CHECKS. A specialist without a profile is the coordinator's call.
    """
    profile = session.scalar(select(SpecialistProfile).where(SpecialistProfile.user_id == specialist.id))
    if profile is not None:
        _check_licensed(session, case, specialist)


def _check_licensed(session: Session, case: Case, specialist: User) -> SpecialistProfile:
    profile = session.scalar(select(SpecialistProfile).where(SpecialistProfile.user_id == specialist.id))
    if profile is None or not specialist.has_role("specialist") or not specialist.is_active:
        raise ValidationFailed("That user is not an active specialist with a profile", code="not_a_specialist")
    region = case_region(session, case)
    if region is None or norm(region) not in {norm(r) for r in profile.licensed_regions or []}:
        raise ValidationFailed(f"{specialist.name} is not licensed in the patient's region ({region or 'unknown'})",
                               code="not_licensed")
    if case.network_id and specialist.organization_id != case.network_id:
        raise ValidationFailed(f"{specialist.name} is not in the case's network", code="not_in_network")
    return profile


def reassign(session: Session, actor: User, case_id: str, *, specialist_id: str | None = None,
             reason: str | None = None) -> Case:
    """A coordinator takes the case from whoever has it and offers it to a specialist (or the next candidate)."""
    case = get_visible_case(session, actor, case_id)
    if not is_coordinator_of(case, actor):
        raise Forbidden("Only the case's coordinators reassign it", code="not_allowed")
    target = None
    if specialist_id is not None:
        target = session.get(User, specialist_id) if len(specialist_id) <= 36 else None
        if target is None:
            raise ValidationFailed("No such specialist", code="not_a_specialist")
        _check_licensed(session, case, target)
    moved_from = None
    if case.status != "triage":
        _check(session, case, actor, "reassign")
        now = clock.now()
        for o in session.scalars(select(Offer).where(Offer.case_id == case.id,
                                                     Offer.status.in_(("pending", "accepted")))):
            o.status, o.responded_at, o.reason = "withdrawn", now, reason
        previous = _drop_specialists(session, case)
        moved_from = _move(session, case, actor, "reassign", note=reason)
        if moved_from == "info_requested":
            sla.resume(session, case)
        notify(session, previous, kind="offer_withdrawn", title=f"Case reassigned: {case.title}",
               body=reason or "A coordinator reassigned the case.", case_id=case.id, exclude=actor)
    offer = make_offer(session, case, target, actor) if target is not None else route_case(session, case, actor=actor)
    if offer is not None:
        clear_flag(sla.state(session, case))
    record(session, actor=actor, action="routing.reassigned", entity_type="case", entity_id=case.id, case_id=case.id,
           details={"to": offer.specialist_id if offer else None, "from_status": moved_from})
    session.commit()
    if moved_from is not None:
        case_transitioned.send(case, action="reassign", actor=actor, from_status=moved_from, note=reason)
    if offer is not None:
        case_transitioned.send(case, action="offer", actor=actor, from_status="triage", note=None)
    return case


def hand_back(session: Session, actor: User, case_id: str, *, reason: str) -> Case:
    """The assigned specialist returns the case; it goes to the next candidate (never back to them)."""
    case = get_visible_case(session, actor, case_id)
    _check(session, case, actor, "hand_back")
    if not reason.strip():
        raise ValidationFailed("Say why you hand the case back", code="reason_required",
                               details=[{"field": "reason", "message": "required"}])
    offer = session.scalar(select(Offer).where(Offer.case_id == case.id, Offer.specialist_id == actor.id,
                                               Offer.status == "accepted"))
    if offer is None:  # assigned without an offer (e.g. added by hand): remember the refusal all the same
        offer = Offer(case_id=case.id, specialist_id=actor.id, created_at=clock.now())
        session.add(offer)
    offer.status, offer.reason, offer.responded_at = "returned", reason, clock.now()
    from_status = _move(session, case, actor, "hand_back", note=reason)
    for p in list(case.participants):
        if p.user_id == actor.id and p.role == "specialist":
            case.participants.remove(p)
            session.delete(p)
    session.commit()
    case_transitioned.send(case, action="hand_back", actor=actor, from_status=from_status, note=reason)
    return case


def set_hints(session: Session, actor: User, case_id: str, *, modality: str | None,
              body_part: str | None) -> CaseRouting:
    """A coordinator tells routing the modality and body part when the case has no indexed images."""
    case = get_visible_case(session, actor, case_id)
    if not is_coordinator_of(case, actor):
        raise Forbidden("Only the case's coordinators set routing hints", code="not_allowed")
    row = sla.state(session, case)
    row.modality = modality.upper() if modality else None
    row.body_part = body_part.upper() if body_part else None
    record(session, actor=actor, action="routing.hints", entity_type="case", entity_id=case.id, case_id=case.id,
           details={"modality": row.modality, "body_part": row.body_part})
    session.commit()
    return row
