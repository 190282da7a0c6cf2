"""GET /api/audit: the audit trail, for administrators. No route changes or deletes it."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, g
from pydantic import Field

from telehealth.api import Out, Schema, route
from telehealth.audit import service
from telehealth.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/api/audit")


class AuditQuery(Schema):
    """Filters of the audit search."""

    actor_id: str | None = Field(default=None, max_length=36)
    case_id: str | None = Field(default=None, max_length=36)
    action: str | None = Field(default=None, max_length=80, description="exact, or a prefix with *, e.g. case.*")
    entity_type: str | None = Field(default=None, max_length=40)
    outcome: str | None = Field(default=None, max_length=20)
    since: datetime | None = None
    until: datetime | None = None
    page: int = Field(default=1, ge=1)
    per_page: int = Field(default=50, ge=1, le=500)


class AuditEventOut(Out):
    """One audit event."""

    id: str
    at: datetime
    actor_id: str | None
    actor_email: str | None
    action: str
    entity_type: str
    entity_id: str | None
    case_id: str | None
    outcome: str
    ip: str | None
    user_agent: str | None
    details: dict[str, Any] | None


class AuditList(Out):
    """A page of audit events, newest first."""

    items: list[AuditEventOut]
    total: int


@route(bp, "", query=AuditQuery, response=AuditList, summary="Search the audit trail (admins)")
def search(query: AuditQuery) -> AuditList:
    rows, total = service.search(db.session, viewer=g.user, **query.model_dump())
    return AuditList(items=[AuditEventOut.model_validate(e) for e in rows], total=total)
