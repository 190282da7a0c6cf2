"""Work after a signature, off the request thread: publish to the archive, warm the output cache,
first delivery attempt. Inline when ``REPORTS_BACKGROUND`` is false (tests, debugging)."""
from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from telehealth.accounts.models import User
from telehealth.audit.service import record
from telehealth.cases.models import Case
from telehealth.reports import delivery, outputs
from telehealth.reports.evidence import NoEvidence
from telehealth.reports.models import Report, ReportVersion

log = logging.getLogger(__name__)


def after_signing(session: Session, config: Any, case_id: str, version_id: str, actor_id: str) -> None:
    """Store SR and Encapsulated PDF in the case's study, pre-render every output, push to the referrer."""
    case, version = session.get(Case, case_id), session.get(ReportVersion, version_id)
    actor = session.get(User, actor_id)
    assert case is not None and version is not None
    report = session.get(Report, version.report_id)
    assert report is not None
    try:
        statuses = outputs.publish(session, config, case, report, version)
    except NoEvidence as e:
        statuses = [f"skipped: {e}"]
    record(session, actor=actor, action="report.published", entity_type="report", entity_id=report.id,
           case_id=case.id, details={"document_version": version.number, "results": statuses})
    session.commit()
    for identified in sorted({False, case.anonymous}):
        for kind in ("pdf", "fhir", "sr", "encapsulated"):
            try:
                outputs.render(session, config, case, report, version, kind, identified=identified)
            except NoEvidence:
                # No images: nothing to pre-render; the DICOM outputs answer 409 when asked.
                continue
    if config.get("REPORTS_DELIVER_ON_SIGN", True):
        for row in delivery.deliveries(session, case.id):
            if row.version_id == version.id and row.status == "pending":
                delivery.deliver_due(session, config, delivery_id=row.id)


def start(app: Flask, case_id: str, version_id: str, actor_id: str) -> threading.Thread | None:
    """Run ``after_signing`` in a daemon thread with its own app context (or inline)."""
    from telehealth.extensions import db

    if not app.config.get("REPORTS_BACKGROUND", True):
        after_signing(db.session, app.config, case_id, version_id, actor_id)
        return None

    def run() -> None:
        with app.app_context():
            try:
                after_signing(db.session, app.config, case_id, version_id, actor_id)
            except Exception:
                log.exception("post-signature work for report version %s failed", version_id)
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, name=f"report-{version_id[:8]}", daemon=True)
    thread.start()
    return thread

