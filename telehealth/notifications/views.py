"""Notification routes: list with unread count, mark read, preferences."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, g
from pydantic import Field

from telehealth.api import Out, Schema, route
from telehealth.extensions import db
from telehealth.notifications import service, subscribers  # noqa: F401 - subscribers connect the signals
from telehealth.notifications.kinds import KINDS

bp = Blueprint("notifications", __name__, url_prefix="/api/notifications")


class NotificationOut(Out):
    """One notification."""

    id: str
    kind: str
    title: str
    body: str
    case_id: str | None
    created_at: datetime
    read_at: datetime | None


class NotificationList(Out):
    """A page of the caller's notifications and their unread count."""

    items: list[NotificationOut]
    total: int
    unread: int
    page: int
    per_page: int


class NotificationQuery(Schema):
    """Paging and the unread filter."""

    unread: bool = False
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=20, ge=1, le=100)


class ReadAllOut(Out):
    """How many notifications were marked read."""

    marked: int
    unread: int


class PreferenceOut(Out):
    """The delivery of one kind of notification."""

    kind: str
    label: str
    in_app: bool
    email: bool


class PreferenceList(Out):
    """The caller's delivery choice for every kind."""

    items: list[PreferenceOut]


class PreferenceIn(Schema):
    """A change to one kind's delivery."""

    kind: str = Field(min_length=1, max_length=40)
    in_app: bool | None = None
    email: bool | None = None


class PreferencesIn(Schema):
    """Changes to some kinds' delivery."""

    preferences: list[PreferenceIn] = Field(max_length=len(KINDS))


def _prefs_out(prefs: dict[str, dict[str, bool]]) -> PreferenceList:
    return PreferenceList(items=[PreferenceOut(kind=k, label=KINDS[k].label, **v) for k, v in prefs.items()])


@route(bp, "", query=NotificationQuery, response=NotificationList, summary="The caller's notifications")
def list_notifications(query: NotificationQuery) -> NotificationList:
    rows, total, unread = service.list_notifications(db.session, g.user, unread_only=query.unread,
                                                     page=query.page, per_page=query.per_page)
    return NotificationList(items=[NotificationOut.model_validate(n) for n in rows], total=total, unread=unread,
                            page=query.page, per_page=query.per_page)


@route(bp, "/<notification_id>/read", methods=["POST"], response=NotificationOut,
       summary="Mark one notification read")
def mark_read(notification_id: str) -> NotificationOut:
    return NotificationOut.model_validate(service.mark_read(db.session, g.user, notification_id))


@route(bp, "/read-all", methods=["POST"], response=ReadAllOut, summary="Mark all notifications read")
def read_all() -> ReadAllOut:
    marked = service.mark_all_read(db.session, g.user)
    return ReadAllOut(marked=marked, unread=service.unread_count(db.session, g.user.id))


@route(bp, "/preferences", response=PreferenceList, summary="How the caller is notified, per kind")
def get_preferences() -> PreferenceList:
    return _prefs_out(service.preferences(db.session, g.user))


@route(bp, "/preferences", methods=["PUT"], body=PreferencesIn, response=PreferenceList,
       summary="Choose in-app and e-mail delivery per kind")
def put_preferences(body: PreferencesIn) -> PreferenceList:
    changes = [p.model_dump() for p in body.preferences]
    return _prefs_out(service.set_preferences(db.session, g.user, changes))
