"""Live sessions: the session, its sequenced event log, shared annotations and presence.

All state of a live session lives here (never in a server process), so that any process
behind the load balancer can answer a join or a resync.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telehealth.accounts.models import User
from telehealth.db import Base, UTCDateTime, new_id, utcnow

SESSION_STATUSES = ("scheduled", "live", "ended")


class LiveSession(Base):
    """A live session on one case: several participants look at the same images together."""

    __tablename__ = "live_session"
    __table_args__ = (Index("ix_live_session_case_id_created_at", "case_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    host_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The last sequence number handed out; incremented in the same transaction as the event row.
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    presenter_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    # The presenter's current viewport (see schemas.ViewState).
    view: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    host: Mapped[User] = relationship(foreign_keys=[host_id], lazy="select")
    presenter: Mapped[User | None] = relationship(foreign_keys=[presenter_id], lazy="select")


class LiveEvent(Base):
    """One accepted change of a session, with its sequence number: the log a resync replays."""

    __tablename__ = "live_event"
    __table_args__ = (UniqueConstraint("session_id", "seq", name="uq_live_event_session_id_seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="joined")


class Annotation(Base):
    """A measurement or mark on one image frame, shared in a live session.

    Geometry follows the SR spatial coordinates convention (PS3.3 C.18.6.1, SCOORD):
    `points` are [column, row] pairs in image pixel coordinates with sub-pixel resolution,
    where 0,0 is the top left corner of the top left pixel; `graphic_type` is one of POINT,
    MULTIPOINT, POLYLINE, CIRCLE, ELLIPSE. The image is referenced by UIDs, never by URL.
    Measurements carry UCUM units, as in TID 1500.
    """

    __tablename__ = "annotation"
    __table_args__ = (
        Index("ix_annotation_case_id", "case_id"),
        Index("ix_annotation_session_id", "session_id"),
    )

    # Made by the client (a UUID), so that a retried add is recognised and not duplicated.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str | None] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"), default=None)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    study_instance_uid: Mapped[str] = mapped_column(String(64))
    series_instance_uid: Mapped[str] = mapped_column(String(64))
    sop_instance_uid: Mapped[str] = mapped_column(String(64))
    frame_number: Mapped[int | None] = mapped_column(Integer, default=None)
    graphic_type: Mapped[str] = mapped_column(String(16))
    points: Mapped[list[list[float]]] = mapped_column(JSON)
    measurements: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    label: Mapped[str | None] = mapped_column(Text, default=None)
    author_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"))
    updated_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")


class LivePresence(Base):
    """One connection's stay in a session: who, from when to when (the case's session summary).

    `node_id` names the server process holding the connection; that process refreshes
    `seen_at`, so the stays of a process that died are recognised as stale.
    """

    __tablename__ = "live_presence"
    __table_args__ = (
        Index("ix_live_presence_session_id_left_at", "session_id", "left_at"),
        Index("ix_live_presence_connection_id", "connection_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    connection_id: Mapped[str] = mapped_column(String(64))
    node_id: Mapped[str] = mapped_column(String(36))
    following: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    user: Mapped[User] = relationship(lazy="joined")
