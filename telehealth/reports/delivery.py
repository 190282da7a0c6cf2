"""Delivery of signed reports: STOW-RS (PS3.18 10.5) of the SR and Encapsulated PDF to the
referring organization's DICOMweb endpoint, retried with exponential back-off, logged per case."""
from __future__ import annotations

import base64
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.models import Organization
from telehealth.audit.service import record
from telehealth.cases.models import Case
from telehealth.dicom.multipart import new_boundary, write_multipart
from telehealth.reports.models import Report, ReportDelivery, ReportVersion

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 3600
TIMEOUT_SECONDS = 30

Poster = Callable[[str, bytes, dict[str, str]], tuple[int, bytes]]


def _cfg(config: Any, key: str, default: int) -> int:
    return int(config.get(f"REPORTS_DELIVERY_{key}", default))


def enqueue(session: Session, case: Case, version: ReportVersion) -> ReportDelivery | None:
    """Queue a push when the case's referring organization has a DICOMweb endpoint (caller commits)."""
    org = session.get(Organization, case.organization_id) if case.organization_id else None
    if org is None or not org.dicomweb_url:
        return None
    delivery = ReportDelivery(case_id=case.id, version_id=version.id, organization_id=org.id,
                              url=org.dicomweb_url, next_attempt_at=clock.now())
    session.add(delivery)
    return delivery


def _split_credentials(url: str) -> tuple[str, dict[str, str]]:
    """``https://user:pass@host/path`` becomes the bare URL and a Basic Authorization header;
    the user name ``bearer`` makes the password a bearer token (``https://bearer:TOKEN@host/path``)."""
    parts = urlsplit(url)
    if not parts.username:
        return url, {}
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    bare = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    if parts.username.lower() == "bearer":
        return bare, {"Authorization": f"Bearer {unquote(parts.password or '')}"}
    token = base64.b64encode(f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()).decode()
    return bare, {"Authorization": f"Basic {token}"}


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: int = TIMEOUT_SECONDS) -> tuple[int, bytes]:
    """POST and return (status, body); HTTP errors are statuses, network errors raise OSError."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured URL
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def stow_body(instances: list[bytes]) -> tuple[bytes, str]:
    """A multipart/related; type="application/dicom" body (PS3.18 10.5.1.2) and its Content-Type."""
    boundary = new_boundary()
    body = b"".join(write_multipart(
        (({"Content-Type": "application/dicom"}, [data]) for data in instances), boundary))
    return body, f'multipart/related; type="application/dicom"; boundary={boundary}'


def backoff(attempts: int, base: int = BACKOFF_SECONDS, cap: int = MAX_BACKOFF_SECONDS) -> timedelta:
    """Delay before the next try after ``attempts`` failures: base, 2×base, 4×base... capped."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def attempt(session: Session, config: Any, delivery: ReportDelivery, instances: list[bytes], *,
            now: datetime | None = None, post: Poster | None = None) -> ReportDelivery:
    """One try: delivered on 200/202, else the next attempt is scheduled (or the push fails for good)."""
    now = now or clock.now()
    url, auth = _split_credentials(delivery.url)
    body, content_type = stow_body(instances)
    headers = {"Content-Type": content_type, "Accept": "application/dicom+json", **auth}
    delivery.attempts += 1
    try:
        status, payload = (post or http_post)(url.rstrip("/") + "/studies", body, headers)
        error = None if status in (200, 202) else f"HTTP {status}: {payload[:300].decode('utf-8', 'replace')}"
    except OSError as e:
        status, error = 0, f"{type(e).__name__}: {e}"
    delivery.last_status_code = status or None
    delivery.updated_at = now
    if error is None:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at, delivery.last_error = (
            "delivered", now, None, None)
    elif delivery.attempts >= _cfg(config, "MAX_ATTEMPTS", MAX_ATTEMPTS) or status in (400, 401, 403, 404):
        # Client errors will not heal by waiting; others are retried until the attempts run out.
        delivery.status, delivery.next_attempt_at, delivery.last_error = "failed", None, error
    else:
        delivery.last_error = error
        delivery.next_attempt_at = now + backoff(delivery.attempts, _cfg(config, "BACKOFF_SECONDS", BACKOFF_SECONDS),
                                                 _cfg(config, "MAX_BACKOFF_SECONDS", MAX_BACKOFF_SECONDS))
    record(session, actor=None, action="report.delivery", entity_type="report_delivery", entity_id=delivery.id,
           case_id=delivery.case_id, outcome="success" if error is None else "failure",
           details={"attempt": delivery.attempts, "status": delivery.status, "http_status": status,
                    "error": error})
    return delivery


def deliver_due(session: Session, config: Any, *, now: datetime | None = None, limit: int = 20,
                post: Poster | None = None, delivery_id: str | None = None) -> dict[str, int]:
    """Try every pending push that is due (one row at a time, locked, so several workers can run this)."""
    from telehealth.reports import outputs

    now = now or clock.now()
    counts = {"delivered": 0, "retry": 0, "failed": 0}
    for _ in range(limit):
        q = select(ReportDelivery.id).where(ReportDelivery.status == "pending", ReportDelivery.next_attempt_at <= now)
        if delivery_id:
            q = q.where(ReportDelivery.id == delivery_id)
        # Lock the row (no joins: PostgreSQL refuses FOR UPDATE on outer joins); another worker skips it.
        row_id = session.scalar(q.order_by(ReportDelivery.next_attempt_at).limit(1).with_for_update(skip_locked=True))
        row = session.get(ReportDelivery, row_id) if row_id else None
        if row is None:
            session.rollback()
            break
        version = row.version
        report = session.get(Report, version.report_id)
        case = session.get(Case, row.case_id)
        assert report is not None and case is not None
        try:
            # The referrer knows the patient: an anonymous case goes out with its original UIDs and identity.
            instances = [outputs.render(session, config, case, report, version, kind, identified=True).data
                         for kind in ("sr", "encapsulated")]
        except Exception as e:  # outputs cannot be made: retrying will not help
            log.exception("report delivery %s: outputs failed", row.id)
            row.status, row.last_error, row.next_attempt_at = "failed", f"outputs: {e}", None
            session.commit()
            counts["failed"] += 1
            continue
        attempt(session, config, row, instances, now=now, post=post)
        session.commit()
        counts["delivered" if row.status == "delivered" else "failed" if row.status == "failed" else "retry"] += 1
    return counts


def deliveries(session: Session, case_id: str) -> list[ReportDelivery]:
    """The delivery log of a case, newest first."""
    return list(session.scalars(select(ReportDelivery).where(ReportDelivery.case_id == case_id)
                                .order_by(ReportDelivery.created_at.desc())).all())
