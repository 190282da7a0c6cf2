"""Notify people: store the notification, then push it live and e-mail it once the transaction commits.

Delivery waits for the commit so that a rolled-back change never reaches anyone, and so that a
background job that claims a timer and notifies in one transaction notifies exactly once.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.models import User
from telehealth.errors import NotFound, ValidationFailed
from telehealth.identity.clients import is_service_account
from telehealth.notifications.kinds import KINDS
from telehealth.notifications.models import Notification, NotificationPreference

log = logging.getLogger(__name__)
NAMESPACE = "/notifications"
_PENDING = "telehealth.notifications.pending"


def room_for(user_id: str) -> str:
    """The Socket.IO room of one user (only that user's connections join it)."""
    return f"user:{user_id}"


@dataclass
class _Delivery:
    app: Flask
    user_id: str
    email: str | None
    subject: str
    case_id: str | None
    push: dict[str, Any] | None


def preferences(session: Session, user: User) -> dict[str, dict[str, bool]]:
    """The user's delivery choice for every kind (defaults filled in)."""
    rows = {p.kind: p for p in session.scalars(select(NotificationPreference)
                                               .where(NotificationPreference.user_id == user.id))}
    out = {}
    for name, kind in KINDS.items():
        p = rows.get(name)
        out[name] = {"in_app": p.in_app if p else True, "email": p.email if p else kind.email}
    return out


def set_preferences(session: Session, user: User, changes: list[dict[str, Any]]) -> dict[str, dict[str, bool]]:
    """Change some kinds' delivery; unknown kinds are refused."""
    current = preferences(session, user)
    for i, ch in enumerate(changes):
        if ch["kind"] not in KINDS:
            raise ValidationFailed(f"Unknown notification kind {ch['kind']!r}", code="unknown_kind",
                                   details=[{"field": f"preferences.{i}.kind", "message": "unknown kind"}])
        row = session.get(NotificationPreference, (user.id, ch["kind"]))
        if row is None:
            row = NotificationPreference(user_id=user.id, kind=ch["kind"], **current[ch["kind"]])
            session.add(row)
        if ch.get("in_app") is not None:
            row.in_app = ch["in_app"]
        if ch.get("email") is not None:
            row.email = ch["email"]
    session.commit()
    return preferences(session, user)


def unread_count(session: Session, user_id: str) -> int:
    """How many of the user's notifications are unread."""
    return session.scalar(select(func.count()).where(Notification.user_id == user_id,
                                                     Notification.read_at.is_(None))) or 0


def notify(session: Session, users: Iterable[User | None], *, kind: str, title: str, body: str = "",
           case_id: str | None = None, exclude: User | None = None) -> list[Notification]:
    """Notify each user once (caller commits); push and e-mail follow the commit."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind}")
    seen: set[str] = set()
    made = []
    app = current_app._get_current_object() if has_app_context() else None  # type: ignore[attr-defined]
    for user in users:
        if user is None or user.id in seen or not user.is_active or (exclude is not None and user.id == exclude.id):
            continue
        if is_service_account(user):
            continue  # an integration learns of changes by polling or report delivery, not notifications
        seen.add(user.id)
        pref = preferences(session, user)[kind]
        push = None
        if pref["in_app"]:
            n = Notification(user_id=user.id, kind=kind, title=title[:300], body=body, case_id=case_id,
                             created_at=clock.now())
            session.add(n)
            session.flush()
            made.append(n)
            push = {"notification": _payload(n), "unread": unread_count(session, user.id)}
        # E-mail only where SMTP is configured: the embedded run keeps notifications in the app.
        email = user.email if pref["email"] and app is not None and app.config.get("SMTP_HOST") else None
        if app is not None and (push or email):
            session.info.setdefault(_PENDING, []).append(_Delivery(
                app=app, user_id=user.id, email=email,
                subject=title[:300] if case_id is None else KINDS[kind].label, case_id=case_id, push=push))
    return made


def _payload(n: Notification) -> dict[str, Any]:
    return {"id": n.id, "kind": n.kind, "title": n.title, "body": n.body, "case_id": n.case_id,
            "created_at": n.created_at.isoformat(), "read_at": None}


def _email_body(d: _Delivery) -> str:
    # No clinical details by e-mail: the message points to the portal, where access is checked.
    url = d.app.config["PUBLIC_URL"].rstrip("/")
    link = f"{url}/cases/{d.case_id}" if d.case_id else f"{url}/notifications"
    return f"{d.subject}.\n\nOpen Telehealth to see the details:\n{link}\n\n" \
           "You can change which e-mails you receive under Notifications > Preferences."


def _deliver(deliveries: list[_Delivery]) -> None:
    from telehealth.extensions import socketio
    from telehealth.mail import send_mail

    for d in deliveries:
        with d.app.app_context():
            if d.push is not None:
                try:
                    socketio.emit("notification", d.push, to=room_for(d.user_id), namespace=NAMESPACE)
                except Exception:  # a push is best effort: the notification is stored and listed anyway
                    log.exception("live push of a notification failed")
            if d.email:
                try:
                    send_mail(d.email, f"[Telehealth] {d.subject}", _email_body(d))
                except Exception:
                    log.exception("e-mailing a notification failed")


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        _deliver(pending)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: Any) -> None:
    if not getattr(previous_transaction, "nested", False):
        session.info.pop(_PENDING, None)


def list_notifications(session: Session, user: User, *, unread_only: bool = False, page: int = 1,
                       per_page: int = 20) -> tuple[list[Notification], int, int]:
    """The user's notifications, newest first, with the total and unread counts."""
    q = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        q = q.where(Notification.read_at.is_(None))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = session.scalars(q.order_by(Notification.created_at.desc(), Notification.id)
                           .limit(per_page).offset((page - 1) * per_page)).all()
    return list(rows), total, unread_count(session, user.id)


def mark_read(session: Session, user: User, notification_id: str) -> Notification:
    """Mark one of the user's own notifications read (others' are not found)."""
    n = session.get(Notification, notification_id) if len(notification_id) <= 36 else None
    if n is None or n.user_id != user.id:
        raise NotFound("No such notification", code="notification_not_found")
    if n.read_at is None:
        n.read_at = clock.now()
        session.commit()
    return n


def mark_all_read(session: Session, user: User) -> int:
    """Mark all of the user's notifications read; returns how many changed."""
    result = session.execute(update(Notification).where(Notification.user_id == user.id,
                                                        Notification.read_at.is_(None))
                             .values(read_at=clock.now()))
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
