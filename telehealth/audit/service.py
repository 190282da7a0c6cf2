"""Writing and querying audit events."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from telehealth.accounts.models import User
from telehealth.audit.models import AuditEvent
from telehealth.errors import Forbidden

OUTCOMES = ("success", "denied", "failure")


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id: str | None = None,
    case_id: str | None = None,
    outcome: str = "success",
    details: dict[str, Any] | None = None,
    actor_email: str | None = None,
) -> AuditEvent:
    """Add an audit event to the session (committed with the caller's transaction)."""
    event = audit_event(actor=actor, action=action, entity_type=entity_type, entity_id=entity_id, case_id=case_id,
                        outcome=outcome, details=details, actor_email=actor_email)
    session.add(event)
    return event


def audit_event(
    *,
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id: str | None = None,
    case_id: str | None = None,
    outcome: str = "success",
    details: dict[str, Any] | None = None,
    actor_email: str | None = None,
) -> AuditEvent:
    """An audit event of this request (its address and user agent), not yet added to a session."""
    ip = ua = None
    if has_request_context():
        ip = request.remote_addr
        ua = (request.user_agent.string or "")[:300] or None
    return AuditEvent(
        actor_id=actor.id if actor else None,
        actor_email=actor.email if actor else actor_email,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        case_id=case_id,
        outcome=outcome,
        ip=ip,
        user_agent=ua,
        details=details,
    )


def search(
    session: Session,
    *,
    viewer: User,
    actor_id: str | None = None,
    case_id: str | None = None,
    action: str | None = None,
    entity_type: str | None = None,
    outcome: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[AuditEvent], int]:
    """Admins query the trail with filters, newest first."""
    if not viewer.has_role("admin"):
        raise Forbidden("Only administrators can read the audit trail")
    q = select(AuditEvent)
    if actor_id:
        q = q.where(AuditEvent.actor_id == actor_id)
    if case_id:
        q = q.where(AuditEvent.case_id == case_id)
    if action:
        q = q.where(AuditEvent.action.like(action.replace("*", "%")))
    if entity_type:
        q = q.where(AuditEvent.entity_type == entity_type)
    if outcome:
        q = q.where(AuditEvent.outcome == outcome)
    if since:
        q = q.where(AuditEvent.at >= since)
    if until:
        q = q.where(AuditEvent.at < until)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = session.scalars(
        q.order_by(AuditEvent.at.desc(), AuditEvent.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    record(session, actor=viewer, action="audit.searched", entity_type="audit",
           details={"case_id": case_id, "actor_id": actor_id, "action": action})
    session.commit()
    return list(rows), total
