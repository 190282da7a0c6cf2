"""The append-only audit event."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from telehealth.db import Base, UTCDateTime, new_id, utcnow


class AuditEvent(Base):
    """Who did what to which entity of which case, from where, with what outcome.

    Rows are never updated or deleted: no API does so, and on PostgreSQL a trigger
    (see the migration) refuses UPDATE and DELETE.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_at", "at"),
        Index("ix_audit_event_case_id_at", "case_id", "at"),
        Index("ix_audit_event_actor_id_at", "actor_id", "at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # No foreign keys: the trail outlives the rows it mentions.
    actor_id: Mapped[str | None] = mapped_column(String(36), default=None)
    actor_email: Mapped[str | None] = mapped_column(String(254), default=None)
    action: Mapped[str] = mapped_column(String(80))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(100), default=None)
    case_id: Mapped[str | None] = mapped_column(String(36), default=None)
    outcome: Mapped[str] = mapped_column(String(20), default="success")
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(300), default=None)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
