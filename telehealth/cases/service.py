"""Case services: create, read, edit, list and move a case through its lifecycle."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.models import Organization, User
from telehealth.audit.service import record
from telehealth.cases.access import get_visible_case, visible_cases_query
from telehealth.cases.lifecycle import TRANSITIONS, allowed_actions
from telehealth.cases.models import Case, CaseEvent, CaseParticipant, Offer
from telehealth.cases.signals import case_transitioned
from telehealth.errors import Conflict, Forbidden, NotFound, ValidationFailed

EDITABLE = (
    "title",
    "question",
    "history",
    "priority",
    "requested_specialty",
    "requested_specialist_id",
    "patient_name",
    "patient_birth_date",
    "patient_sex",
    "region",
    "language",
    "anonymous",
)


def default_network(session: Session, org: Organization | None) -> str | None:
    """The specialist network that handles cases of this organization (or the first network)."""
    if org is not None and org.network_id:
        return org.network_id
    return session.scalar(
        select(Organization.id).where(Organization.kind == "network").order_by(Organization.created_at)
    )


def _event(
    session: Session,
    case: Case,
    actor: User | None,
    action: str,
    *,
    from_status: str | None = None,
    note: str | None = None,
) -> None:
    session.add(
        CaseEvent(
            case_id=case.id,
            action=action,
            from_status=from_status,
            to_status=case.status if from_status else None,
            actor_id=actor.id if actor else None,
            note=note,
            at=clock.now(),
        )
    )


def create_case(
    session: Session, actor: User, *, title: str, question: str, consent: bool = False, **fields: Any
) -> Case:
    """Open a draft case; the creator takes part as patient or referrer."""
    if not (actor.has_role("patient") or actor.has_role("referrer")):
        raise ValidationFailed("Only patients and referrers open cases", code="role_cannot_create_case")
    now = clock.now()
    case = Case(
        title=title,
        question=question,
        created_by_id=actor.id,
        created_at=now,
        status_changed_at=now,
        organization_id=actor.organization_id if actor.has_role("referrer") else None,
        network_id=default_network(session, actor.organization),
        consent_at=now if consent else None,
    )
    for key in EDITABLE:
        if fields.get(key) is not None:
            setattr(case, key, fields[key])
    role = "referrer" if actor.has_role("referrer") else "patient"
    if role == "patient":
        case.patient_user_id = actor.id
        case.patient_name = case.patient_name or actor.name
        case.region = case.region or actor.region
        case.language = case.language or actor.language
    session.add(case)
    session.flush()
    session.add(CaseParticipant(case_id=case.id, user_id=actor.id, role=role, added_by_id=actor.id))
    _event(session, case, actor, "created")
    record(session, actor=actor, action="case.created", entity_type="case", entity_id=case.id, case_id=case.id)
    session.commit()
    return case


def get_case(session: Session, actor: User, case_id: str) -> Case:
    """Read one visible case (audited as a read of patient data)."""
    case = get_visible_case(session, actor, case_id)
    record(session, actor=actor, action="case.viewed", entity_type="case", entity_id=case.id, case_id=case.id)
    session.commit()
    return case


def update_case(session: Session, actor: User, case_id: str, changes: dict[str, Any]) -> Case:
    """Edit a draft; only the patient/referring side, only while draft."""
    case = get_visible_case(session, actor, case_id)
    _check(session, case, actor, "edit")
    consent = changes.pop("consent", None)
    for key, value in changes.items():
        if key in EDITABLE:
            setattr(case, key, value)
    if consent is True and case.consent_at is None:
        case.consent_at = clock.now()
    record(
        session,
        actor=actor,
        action="case.updated",
        entity_type="case",
        entity_id=case.id,
        case_id=case.id,
        details={"fields": sorted(changes) + (["consent"] if consent is not None else [])},
    )
    session.commit()
    return case


def list_cases(
    session: Session,
    actor: User,
    *,
    status: Sequence[str] | None = None,
    q: str | None = None,
    priority: str | None = None,
    page: int = 1,
    per_page: int = 20,
    sort: str = "-updated_at",
) -> tuple[list[Case], int]:
    """The cases this user may see, filtered and paged."""
    query = visible_cases_query(actor)
    if status:
        query = query.where(Case.status.in_(status))
    if priority:
        query = query.where(Case.priority == priority)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(
            or_(
                func.lower(Case.title).like(like),
                func.lower(Case.question).like(like),
                func.lower(func.coalesce(Case.patient_name, "")).like(like),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    column = getattr(Case, sort.lstrip("-"))
    order = column.desc() if sort.startswith("-") else column.asc()
    rows = session.scalars(query.order_by(order, Case.id).limit(per_page).offset((page - 1) * per_page)).all()
    record(
        session,
        actor=actor,
        action="case.listed",
        entity_type="case",
        details={"count": len(rows), "page": page, "status": status},
    )
    session.commit()
    return list(rows), total


def pending_offer(session: Session, case: Case, user: User) -> Offer | None:
    """The user's open offer for this case, if any."""
    return session.scalar(
        select(Offer).where(Offer.case_id == case.id, Offer.specialist_id == user.id, Offer.status == "pending")
    )


def actions_for(session: Session, case: Case, user: User) -> list[str]:
    """What the user may do next with the case."""
    has_offer = case.status == "offered" and pending_offer(session, case, user) is not None
    return allowed_actions(case, user, has_offer)


def _check(session: Session, case: Case, actor: User, action: str) -> None:
    t = TRANSITIONS[action]
    if action not in actions_for(session, case, actor):
        if case.status not in t.sources:
            raise Conflict(
                f"Cannot {action.replace('_', ' ')} a case that is {case.status}",
                code="invalid_transition",
                details={"status": case.status, "action": action},
            )
        record(
            session,
            actor=actor,
            action=f"case.{action}",
            entity_type="case",
            entity_id=case.id,
            case_id=case.id,
            outcome="denied",
        )
        session.commit()
        raise Forbidden(f"You may not {action.replace('_', ' ')} this case", code="not_allowed")


def _move(
    session: Session, case: Case, actor: User | None, action: str, note: str | None = None, label: str | None = None
) -> str:
    from_status = case.status
    target = TRANSITIONS[action].target
    assert target is not None
    case.status = target
    case.status_changed_at = clock.now()
    _event(session, case, actor, label or action, from_status=from_status, note=note)
    record(
        session,
        actor=actor,
        action=f"case.{action}",
        entity_type="case",
        entity_id=case.id,
        case_id=case.id,
        details={"from": from_status, "to": target},
    )
    return from_status


def due_time(priority: str, start: datetime) -> datetime:
    """When a case of this priority is due, counted from `start`."""
    return start + timedelta(hours=current_app.config["SLA_HOURS"][priority])


def transition(session: Session, actor: User, case_id: str, action: str, note: str | None = None) -> Case:
    """Take a lifecycle action that needs no extra data (submit, cancel, start_review, close...)."""
    if action not in TRANSITIONS or action in ("edit", "offer", "accept", "decline", "report"):
        raise NotFound(f"Unknown action {action}")
    case = get_visible_case(session, actor, case_id)
    _check(session, case, actor, action)
    if action == "submit":
        if case.consent_at is None:
            raise ValidationFailed(
                "Consent is required before submitting",
                code="consent_required",
                details=[{"field": "consent", "message": "must be true"}],
            )
        now = clock.now()
        case.submitted_at = now
        case.due_at = due_time(case.priority, now)
        case.status = "submitted"
        _event(session, case, actor, "submitted", from_status="draft")
    if action in ("request_info", "provide_info") and not (note and note.strip()):
        raise ValidationFailed("A message is required", code="message_required")
    from_status = _move(session, case, actor, action, note, label="queued_for_triage" if action == "submit" else None)
    if action in ("cancel", "close"):
        case.closed_at = clock.now()
        _withdraw_offers(session, case)
    if action in ("request_info", "provide_info") and note:
        from telehealth.cases.conversation import add_message

        add_message(session, case, actor, note, kind=action)
    session.commit()
    case_transitioned.send(case, action=action, actor=actor, from_status=from_status, note=note)
    return case


def mark_reported(session: Session, actor: User, case: Case) -> None:
    """The signed report moves the case (accepted →) in_review → reported; the caller commits.

    Used by the reports feature inside its signing transaction, so the report and the
    status change land together.
    """
    if case.status == "accepted":
        _check(session, case, actor, "start_review")
        _move(session, case, actor, "start_review")
    _check(session, case, actor, "report")
    _move(session, case, actor, "report")


def _withdraw_offers(session: Session, case: Case) -> None:
    for offer in session.scalars(select(Offer).where(Offer.case_id == case.id, Offer.status == "pending")):
        offer.status = "withdrawn"
        offer.responded_at = clock.now()
