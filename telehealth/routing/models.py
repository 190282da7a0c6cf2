"""Specialist profiles, routing rules, and the per-case routing and SLA state."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telehealth.accounts.models import User
from telehealth.db import Base, UTCDateTime, new_id, utcnow


class SpecialistProfile(Base):
    """What a specialist reads, where they are licensed, how much and when they work.

    `working_hours` maps a weekday ("mon".."sun") to a list of ["HH:MM", "HH:MM"] windows in
    the specialist's `time_zone`; an empty mapping means no restriction. `absences` is a list
    of {"starts_at", "ends_at", "reason"} (ISO 8601 with offset).
    """

    __tablename__ = "specialist_profile"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    specialties: Mapped[list[str]] = mapped_column(JSON, default=list)
    subspecialties: Mapped[list[str]] = mapped_column(JSON, default=list)
    modalities: Mapped[list[str]] = mapped_column(JSON, default=list)
    licensed_regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacity: Mapped[int] = mapped_column(Integer, default=5)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    working_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    absences: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    accepting: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class RoutingRule(Base):
    """Data an admin edits: when a case matches, which specialty it needs and how to weigh fit.

    Match fields left empty match anything; rules are tried by ascending `position` and the
    first active rule that matches decides. `weights` may set "specialty", "subspecialty",
    "modality", "language" (points added to a candidate's fit).
    """

    __tablename__ = "routing_rule"
    __table_args__ = (Index("ix_routing_rule_position", "position"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=100)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    match_specialty: Mapped[str | None] = mapped_column(String(80), default=None)
    match_modality: Mapped[str | None] = mapped_column(String(16), default=None)
    match_body_part: Mapped[str | None] = mapped_column(String(64), default=None)
    match_region: Mapped[str | None] = mapped_column(String(20), default=None)
    match_language: Mapped[str | None] = mapped_column(String(10), default=None)
    required_specialty: Mapped[str | None] = mapped_column(String(80), default=None)
    required_subspecialty: Mapped[str | None] = mapped_column(String(80), default=None)
    weights: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CaseRouting(Base):
    """Routing and SLA state of one case: its timers live here, so a restart loses none.

    The background job claims a timer by setting its `*_at` marker with a conditional UPDATE
    in the same transaction as its effect, so each fires exactly once.
    """

    __tablename__ = "case_routing"
    __table_args__ = (Index("ix_case_routing_warn_at", "warn_at"),
                      Index("ix_case_routing_next_route_at", "next_route_at"))

    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), primary_key=True)
    # Imaging hints used when the DICOM index has none.
    modality: Mapped[str | None] = mapped_column(String(16), default=None)
    body_part: Mapped[str | None] = mapped_column(String(64), default=None)
    # SLA clock: Case.due_at is the due time; it moves later by the time spent paused.
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    # Routing: set when no candidate is left; the coordinators have been told.
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    flag_reason: Mapped[str | None] = mapped_column(Text, default=None)
    # When the job retries automatic routing of a flagged case (someone may have become free).
    next_route_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    route_attempts: Mapped[int] = mapped_column(Integer, default=0)
