"""A case (consult), its participants, messages and timeline."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telehealth.accounts.models import User
from telehealth.db import Base, UTCDateTime, new_id, utcnow

STATUSES = (
    "draft", "submitted", "triage", "offered", "accepted", "in_review",
    "info_requested", "reported", "closed", "cancelled",
)
PRIORITIES = ("stat", "urgent", "routine")
PARTICIPANT_ROLES = ("patient", "referrer", "specialist", "coordinator", "observer")


class Case(Base):
    """A consult: a clinical question about a patient, with studies, routed to a specialist."""

    __tablename__ = "case"
    __table_args__ = (
        Index("ix_case_status_due_at", "status", "due_at"),
        Index("ix_case_organization_id", "organization_id"),
        Index("ix_case_network_id", "network_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    history: Mapped[str | None] = mapped_column(Text, default=None)
    priority: Mapped[str] = mapped_column(String(10), default="routine")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    requested_specialty: Mapped[str | None] = mapped_column(String(80), default=None)
    requested_specialist_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    # The patient: a user account when the patient uses the portal, else demographics only.
    patient_user_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    patient_name: Mapped[str | None] = mapped_column(String(200), default=None)
    patient_birth_date: Mapped[str | None] = mapped_column(String(10), default=None)
    patient_sex: Mapped[str | None] = mapped_column(String(1), default=None)
    region: Mapped[str | None] = mapped_column(String(20), default=None)
    language: Mapped[str | None] = mapped_column(String(10), default=None)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_by_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"))
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organization.id"), default=None)
    network_id: Mapped[str | None] = mapped_column(ForeignKey("organization.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined")
    participants: Mapped[list[CaseParticipant]] = relationship(
        back_populates="case", lazy="selectin", cascade="all, delete-orphan"
    )


class CaseParticipant(Base):
    """A person with access to one case, in one role there."""

    __tablename__ = "case_participant"
    __table_args__ = (UniqueConstraint("case_id", "user_id", name="uq_case_participant_case_user"),
                      Index("ix_case_participant_user_id", "user_id"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    added_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="participants")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class CaseMessage(Base):
    """One message of the case conversation (also info requests/answers and live-session chat)."""

    __tablename__ = "case_message"
    __table_args__ = (Index("ix_case_message_case_id_created_at", "case_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    author_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    kind: Mapped[str] = mapped_column(String(20), default="message")
    body: Mapped[str] = mapped_column(Text)
    live_session_id: Mapped[str | None] = mapped_column(String(36), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")


class CaseEvent(Base):
    """One step of a case's timeline: a transition or another notable change."""

    __tablename__ = "case_event"
    __table_args__ = (Index("ix_case_event_case_id_at", "case_id", "at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20), default=None)
    to_status: Mapped[str | None] = mapped_column(String(20), default=None)
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="joined")


class Offer(Base):
    """A case offered to one specialist, who accepts or declines before `expires_at`."""

    __tablename__ = "offer"
    __table_args__ = (Index("ix_offer_case_id_status", "case_id", "status"),
                      Index("ix_offer_specialist_id_status", "specialist_id", "status"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    specialist_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"))
    offered_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|accepted|declined|expired|withdrawn
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    specialist: Mapped[User] = relationship(foreign_keys=[specialist_id], lazy="joined")
