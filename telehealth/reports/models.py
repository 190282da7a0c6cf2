"""A case's report, its versions (draft, final, amended) and report templates."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from telehealth.accounts.models import User
from telehealth.db import Base, UTCDateTime, new_id, utcnow

VERSION_STATUSES = ("draft", "final", "amended")


class ReportTemplate(Base):
    """Sections and required fields of a report for one specialty/modality (edited by admins)."""

    __tablename__ = "report_template"
    __table_args__ = (Index("ix_report_template_specialty_modality", "specialty", "modality"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    specialty: Mapped[str | None] = mapped_column(String(80), default=None)
    modality: Mapped[str | None] = mapped_column(String(16), default=None)
    # [{"key": "lungs", "title": "Lungs", "required": true, "hint": "...", "default": ""}]
    sections: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Report fields a signed report must fill: "technique", "history", "comparison", "impression"...
    required_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    title: Mapped[str] = mapped_column(String(200), default="Second opinion report")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Report(Base):
    """The report of one case; ``version`` is its optimistic-concurrency counter (every change bumps it)."""

    __tablename__ = "report"
    __table_args__ = (UniqueConstraint("case_id", name="uq_report_case_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    template_id: Mapped[str | None] = mapped_column(ForeignKey("report_template.id", ondelete="SET NULL"),
                                                    default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    template: Mapped[ReportTemplate | None] = relationship(lazy="joined")
    versions: Mapped[list[ReportVersion]] = relationship(
        back_populates="report", lazy="selectin", order_by="ReportVersion.number",
        cascade="all, delete-orphan",
    )

    @property
    def current(self) -> ReportVersion:
        """The newest version (a draft being written, or the latest signed one)."""
        return self.versions[-1]

    def latest_signed(self) -> ReportVersion | None:
        """The newest final or amended version."""
        signed = [v for v in self.versions if v.is_signed]
        return signed[-1] if signed else None


class ReportVersion(Base):
    """One document version: number 1 is the original, each amendment adds the next number.

    ``content`` holds the editable body (history, technique, comparison, findings, measurements,
    impression, recommendations, agreement, key images) as JSON; once signed it never changes.
    """

    __tablename__ = "report_version"
    __table_args__ = (
        UniqueConstraint("report_id", "number", name="uq_report_version_report_id_number"),
        Index("ix_report_version_verification_code", "verification_code"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    author_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"))
    updated_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    signer_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    verification_code: Mapped[str | None] = mapped_column(String(20), default=None)
    content_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    predecessor_id: Mapped[str | None] = mapped_column(ForeignKey("report_version.id"), default=None)
    amendment_reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="versions")
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    signer: Mapped[User | None] = relationship(foreign_keys=[signer_id], lazy="joined")
    predecessor: Mapped[ReportVersion | None] = relationship(remote_side=[id], lazy="joined")

    @property
    def is_signed(self) -> bool:
        """Final and amended versions are signed and immutable."""
        return self.status in ("final", "amended")


class SignedReportChanged(RuntimeError):
    """A flush tried to change a signed report version (a bug: services never do this)."""


_FROZEN = ("content", "number", "signer_id", "signed_at", "verification_code", "content_sha256",
           "predecessor_id", "amendment_reason", "status")


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_signed_versions(session: Session, _ctx: Any, _instances: Any) -> None:
    """Last line of defence: a signed version is immutable, whatever the code path."""
    from sqlalchemy import inspect

    for obj in session.dirty:
        if not isinstance(obj, ReportVersion):
            continue
        state = inspect(obj)
        status_history = state.attrs.status.history
        was = status_history.deleted[0] if status_history.deleted else obj.status
        if was not in ("final", "amended"):
            continue
        changed = [name for name in _FROZEN if state.attrs[name].history.has_changes()]
        if changed:
            raise SignedReportChanged(f"report version {obj.id} is signed; refused change of {changed}")


class ReportDelivery(Base):
    """One push of a signed version's SR and Encapsulated PDF to the referrer's DICOMweb (STOW-RS)."""

    __tablename__ = "report_delivery"
    __table_args__ = (
        Index("ix_report_delivery_case_id", "case_id"),
        Index("ix_report_delivery_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    version_id: Mapped[str] = mapped_column(ForeignKey("report_version.id", ondelete="CASCADE"))
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"),
                                                        default=None)
    url: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[ReportVersion] = relationship(lazy="joined")
