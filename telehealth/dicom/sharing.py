"""Share links: read-only capability URLs to a case's images, and the hourly "study viewed" audit."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from telehealth.accounts.auth import token_hash
from telehealth.accounts.models import User
from telehealth.accounts.passwords import hash_password, verify_password
from telehealth.audit.models import AuditEvent
from telehealth.audit.service import record
from telehealth.cases.access import get_visible_case, is_owner_side
from telehealth.db import utcnow
from telehealth.errors import Forbidden, Gone, NotFound, Unauthorized

from .models import ShareLink, ShareLinkAccess

MAX_LINK_DAYS = 90
VISIT_WINDOW = timedelta(hours=1)  # one "use" per client per hour, not one per frame



def create_link(session: Session, user: User, case_id: str, *, expires_in_hours: int, passcode: str | None,
                max_uses: int | None, label: str = "") -> tuple[ShareLink, str]:
    """The case owner side creates a link; returns it and its token."""
    case = get_visible_case(session, user, case_id)
    if not is_owner_side(case, user):
        raise Forbidden("Only the patient or referring side can share this case", code="not_case_owner")
    if not 1 <= expires_in_hours <= MAX_LINK_DAYS * 24:
        raise Forbidden(f"Links expire within 1 hour to {MAX_LINK_DAYS} days", code="bad_expiry")
    token = secrets.token_urlsafe(32)
    link = ShareLink(case_id=case.id, created_by_id=user.id, token_hash=token_hash(token), label=label[:200],
                     passcode_hash=hash_password(passcode) if passcode else None,
                     expires_at=utcnow() + timedelta(hours=expires_in_hours), max_uses=max_uses)
    session.add(link)
    session.flush()
    record(session, actor=user, action="share_link.created", entity_type="share_link", entity_id=link.id,
           case_id=case.id, details={"expires_at": link.expires_at.isoformat(), "max_uses": max_uses,
                                     "passcode": bool(passcode)})
    session.commit()
    return link, token


def list_links(session: Session, user: User, case_id: str) -> list[ShareLink]:
    """Links of a case (owner side only)."""
    case = get_visible_case(session, user, case_id)
    if not is_owner_side(case, user):
        raise Forbidden("Only the patient or referring side can see share links", code="not_case_owner")
    return list(session.scalars(select(ShareLink).where(ShareLink.case_id == case.id)
                                .order_by(ShareLink.created_at.desc())))


def accesses(session: Session, link_id: str) -> list[ShareLinkAccess]:
    """The access log of a link, newest first."""
    return list(session.scalars(select(ShareLinkAccess).where(ShareLinkAccess.link_id == link_id)
                                .order_by(ShareLinkAccess.at.desc()).limit(200)))


def revoke_link(session: Session, user: User, link_id: str) -> ShareLink:
    """Revoke a link at once; later visits get 410."""
    link = session.get(ShareLink, link_id) if len(link_id) <= 36 else None
    if link is None:
        raise NotFound("No such share link", code="share_link_not_found")
    case = get_visible_case(session, user, link.case_id)
    if not is_owner_side(case, user):
        raise NotFound("No such share link", code="share_link_not_found")
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        record(session, actor=user, action="share_link.revoked", entity_type="share_link", entity_id=link.id,
               case_id=link.case_id)
        session.commit()
    return link


def open_link(session: Session, token: str, *, passcode: str | None, ip: str | None, user_agent: str | None,
              path: str) -> ShareLink:
    """Resolve a token for a visit: checks revocation, expiry, passcode and use limit; logs the visit."""
    link = session.scalar(select(ShareLink).where(ShareLink.token_hash == token_hash(token))) if len(token) < 100 \
        else None
    if link is None:
        raise NotFound("No such share link", code="share_link_not_found")
    now = utcnow()
    if link.revoked_at is not None:
        raise Gone("This share link was revoked", code="share_link_revoked")
    if link.expires_at <= now:
        raise Gone("This share link has expired", code="share_link_expired")
    if link.passcode_hash and not (passcode and verify_password(link.passcode_hash, passcode)):
        _log(session, link, ip, user_agent, path, "denied")
        session.commit()
        raise Unauthorized("This share link needs its passcode", code="passcode_required")
    recent = session.scalar(
        select(ShareLinkAccess.id).where(ShareLinkAccess.link_id == link.id, ShareLinkAccess.ip == ip,
                                         ShareLinkAccess.user_agent == user_agent,
                                         ShareLinkAccess.outcome == "success",
                                         ShareLinkAccess.at >= now - VISIT_WINDOW).limit(1))
    if recent is None:
        if link.max_uses is not None and link.use_count >= link.max_uses:
            raise Gone("This share link has been used up", code="share_link_used_up")
        link.use_count += 1
        _log(session, link, ip, user_agent, path, "success")
        record(session, actor=None, action="share_link.used", entity_type="share_link", entity_id=link.id,
               case_id=link.case_id, actor_email="share-link", details={"path": path[:200]})
        session.commit()
    return link


def _log(session: Session, link: ShareLink, ip: str | None, ua: str | None, path: str, outcome: str) -> None:
    session.add(ShareLinkAccess(link_id=link.id, ip=ip, user_agent=ua, path=path[:500], outcome=outcome))


def record_study_view(session: Session, user: User | None, case_id: str, study_uid: str,
                      via: str | None = None) -> bool:
    """Audit "study.viewed" at most once per viewer, study and hour; True when an event was written."""
    now = utcnow()
    key = (user.id if user else f"via:{via or 'share-link'}", case_id, study_uid)
    # Every WADO-RS request lands here: remember, per process, until when an event is known to cover the
    # viewer, so frame after frame costs no audit query (the database stays the authority after that).
    if (until := _VIEWS_SEEN.get(key)) is not None and until > now:
        return False
    actor_filter = AuditEvent.actor_id == user.id if user else AuditEvent.actor_email == (via or "share-link")
    seen = session.scalar(
        select(AuditEvent.at).where(AuditEvent.action == "study.viewed", AuditEvent.entity_id == study_uid,
                                    AuditEvent.case_id == case_id, actor_filter, AuditEvent.at >= now - VISIT_WINDOW)
        .order_by(AuditEvent.at.desc()).limit(1))
    if seen is not None:
        _remember_view(key, seen + VISIT_WINDOW)
        return False
    record(session, actor=user, action="study.viewed", entity_type="dicom_study", entity_id=study_uid,
           case_id=case_id, actor_email=None if user else (via or "share-link"))
    session.commit()
    _remember_view(key, now + VISIT_WINDOW)
    return True


_VIEWS_SEEN: dict[tuple[str, str, str], datetime] = {}
_VIEWS_SEEN_MAX = 10_000


def _remember_view(key: tuple[str, str, str], until: datetime) -> None:
    if len(_VIEWS_SEEN) >= _VIEWS_SEEN_MAX:
        _VIEWS_SEEN.clear()  # crude bound; the next request per viewer just asks the database again
    _VIEWS_SEEN[key] = until
