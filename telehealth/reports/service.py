"""Report services: draft from template, autosave with optimistic concurrency, sign, amend, read."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.models import User
from telehealth.audit.service import record
from telehealth.cases.access import get_visible_case, is_assigned_specialist, is_coordinator_of
from telehealth.cases.models import Case, CaseEvent
from telehealth.errors import ApiError, Conflict, Forbidden, NotFound, ValidationFailed
from telehealth.reports import content as rc
from telehealth.reports.document import Report as Document
from telehealth.reports.document import ReportInvalid
from telehealth.reports.evidence import case_modality, case_study
from telehealth.reports.models import Report, ReportTemplate, ReportVersion

log = logging.getLogger(__name__)

WRITING_STATUSES = ("accepted", "in_review", "info_requested")
AMENDABLE_STATUSES = ("reported", "closed")


def _template_dict(t: ReportTemplate | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {"title": t.title, "sections": t.sections, "required_fields": t.required_fields}


def sees_identity(case: Case, user: User) -> bool:
    """Who may see the patient's identity in the outputs of an anonymous case: the referring side."""
    from telehealth.cases.access import is_owner_side

    return not case.anonymous or is_owner_side(case, user)


def is_writer(case: Case, user: User) -> bool:
    """The assigned specialist writes, signs and amends the case's report."""
    return is_assigned_specialist(case, user)


def sees_drafts(case: Case, user: User) -> bool:
    """Drafts are for the specialist side; patients and referrers see signed versions only."""
    return is_assigned_specialist(case, user) or is_coordinator_of(case, user)


def _report(session: Session, case_id: str) -> Report | None:
    return session.scalar(select(Report).where(Report.case_id == case_id))


def _visible_version(report: Report | None, case: Case, user: User, number: int | None) -> ReportVersion:
    if report is None:
        raise NotFound("This case has no report yet", code="report_not_found")
    candidates = report.versions if sees_drafts(case, user) else [v for v in report.versions if v.is_signed]
    if number is not None:
        candidates = [v for v in candidates if v.number == number]
    if not candidates:
        raise NotFound("No such report version" if number else "This case has no report yet",
                       code="report_not_found")
    return candidates[-1]


def get_report(session: Session, actor: User, case_id: str, number: int | None = None,
               *, audit_action: str = "report.viewed") -> tuple[Case, Report, ReportVersion]:
    """The newest version the actor may see (or version ``number``); audited as a read."""
    case = get_visible_case(session, actor, case_id)
    report = _report(session, case_id)
    version = _visible_version(report, case, actor, number)
    assert report is not None
    record(session, actor=actor, action=audit_action, entity_type="report", entity_id=report.id,
           case_id=case.id, details={"version": version.number, "status": version.status})
    session.commit()
    return case, report, version


def create_draft(session: Session, actor: User, case_id: str, template_id: str | None = None) -> Report:
    """Start the report from a template (explicit, or the one matching the case's specialty)."""
    case = get_visible_case(session, actor, case_id)
    if not is_writer(case, actor):
        _deny(session, actor, case, "report.created")
    if case.status not in WRITING_STATUSES:
        raise Conflict(f"A report is written while the case is under review, not {case.status}",
                       code="invalid_case_status", details={"status": case.status})
    if _report(session, case_id) is not None:
        raise Conflict("This case already has a report", code="report_exists")
    template = _pick_template(session, case, template_id)
    now = clock.now()
    report = Report(case_id=case.id, template_id=template.id if template else None, version=1,
                    created_by_id=actor.id, created_at=now, updated_at=now)
    body = rc.empty_content(_template_dict(template))
    if case.history:
        body["history"] = case.history
    report.versions.append(ReportVersion(number=1, status="draft", content=body, author_id=actor.id,
                                         created_at=now, updated_at=now))
    session.add(report)
    session.flush()
    record(session, actor=actor, action="report.created", entity_type="report", entity_id=report.id,
           case_id=case.id, details={"template_id": report.template_id})
    session.commit()
    return report


def _pick_template(session: Session, case: Case, template_id: str | None) -> ReportTemplate | None:
    if template_id:
        template = session.get(ReportTemplate, template_id)
        if template is None or not template.active:
            raise ValidationFailed("No such report template", code="template_not_found",
                                   details=[{"field": "template_id", "message": "unknown or inactive"}])
        return template
    active = select(ReportTemplate).where(ReportTemplate.active.is_(True)).order_by(ReportTemplate.created_at)
    study = case_study(session, case.id)
    modality = case_modality(session, case.id, study) if study else ""
    candidates = list(session.scalars(active).all())
    # Best match first: specialty and modality, then specialty, then modality.
    for wanted in ((case.requested_specialty, modality), (case.requested_specialty, None), (None, modality)):
        for t in candidates:
            if (wanted[0] is None or t.specialty == wanted[0]) and (wanted[1] is None or t.modality == wanted[1]) \
                    and (wanted[0] or wanted[1]):
                return t
    return None


def _deny(session: Session, actor: User, case: Case, action: str) -> None:
    record(session, actor=actor, action=action, entity_type="report", case_id=case.id, outcome="denied")
    session.commit()
    raise Forbidden("Only the assigned specialist writes this case's report", code="not_report_author")


def _editable(session: Session, actor: User, case_id: str, base_version: int,
              action: str) -> tuple[Case, Report, ReportVersion]:
    case = get_visible_case(session, actor, case_id)
    if not is_writer(case, actor):
        _deny(session, actor, case, action)
    # Lock the report row until commit: two saves on the same base version cannot both pass.
    report = session.scalar(select(Report).where(Report.case_id == case_id).with_for_update(of=Report)
                            .execution_options(populate_existing=True))
    if report is None:
        raise NotFound("This case has no report yet", code="report_not_found")
    stale(report, base_version)
    return case, report, report.current


def stale(report: Report, base_version: int) -> None:
    """Refuse a change based on an old version: 409 with the current version (never merged silently)."""
    if base_version != report.version:
        raise Conflict("The report changed since you loaded it", code="stale_version",
                       details={"current_version": report.version, "base_version": base_version})


def save_draft(session: Session, actor: User, case_id: str, base_version: int, body: dict[str, Any],
               document_of: Any) -> Report:
    """Autosave the whole draft body; ``document_of`` builds the document to validate it."""
    case, report, version = _editable(session, actor, case_id, base_version, "report.saved")
    if version.is_signed:
        raise Conflict("This report is signed; amend it to change it", code="report_signed")
    try:
        document_of(case, report, version, body)
    except ReportInvalid as e:
        raise ValidationFailed("The report content is invalid", code="invalid_report",
                               details=[{"field": p.path, "message": p.message} for p in e.problems]) from None
    now = clock.now()
    version.content = body
    version.updated_by_id = actor.id
    version.updated_at = now
    report.version += 1
    report.updated_at = now
    record(session, actor=actor, action="report.saved", entity_type="report", entity_id=report.id,
           case_id=case.id, details={"version": report.version, "document_version": version.number})
    session.commit()
    return report


def _reauthenticate(session: Session, actor: User, case: Case, report: Report, *, password: str | None,
                    totp: str | None, auth_session: Any, ip: str) -> None:
    """Signing needs fresh proof of identity: a password or TOTP code now, or a recent re-authentication."""
    from telehealth.identity import mfa

    if password or totp:
        try:
            mfa.reauthenticate(session, actor, auth_session, password=password, totp=totp, ip=ip)
        except ApiError:
            record(session, actor=actor, action="report.signed", entity_type="report", entity_id=report.id,
                   case_id=case.id, outcome="failure", details={"reason": "reauthentication_failed"})
            session.commit()
            raise
    elif not mfa.recently_reauthenticated(auth_session):
        raise Forbidden("Confirm your password or an authenticator code to sign",
                        code="reauthentication_required")


def sign(session: Session, actor: User, case_id: str, base_version: int, *, password: str | None,
         totp: str | None, auth_session: Any, ip: str, secret: str, document_of: Any) -> Report:
    """Make the draft final (or amended): the assigned specialist, re-authenticated, complete content."""
    case, report, version = _editable(session, actor, case_id, base_version, "report.signed")
    if version.is_signed:
        raise Conflict("This version is already signed", code="report_signed")
    _reauthenticate(session, actor, case, report, password=password, totp=totp, auth_session=auth_session, ip=ip)
    return finalize(session, actor, case, report, version, secret=secret, document_of=document_of)


def finalize(session: Session, actor: User, case: Case, report: Report, version: ReportVersion, *, secret: str,
             document_of: Any) -> Report:
    """The signature itself, once the signer is known to be entitled and re-authenticated."""
    missing = rc.missing_fields(version.content, _template_dict(report.template))
    if missing:
        raise ValidationFailed("Fill the required fields before signing", code="report_incomplete",
                               details=[{"field": f, "message": "is required"} for f in missing])
    if version.number == 1 and case.status not in ("accepted", "in_review"):
        raise Conflict(f"A case that is {case.status} cannot be reported", code="invalid_case_status",
                       details={"status": case.status})
    now = clock.now()
    status = "amended" if version.predecessor_id else "final"
    digest = rc.content_sha256(version.content)
    code = rc.verification_code(secret, version.id, digest, now)
    try:
        document_of(case, report, version, version.content, status=status, signer=actor, signed_at=now,
                    verification=code)
    except ReportInvalid as e:
        raise ValidationFailed("The report content is invalid", code="invalid_report",
                               details=[{"field": p.path, "message": p.message} for p in e.problems]) from None
    version.status, version.signer_id, version.signed_at = status, actor.id, now
    version.verification_code, version.content_sha256 = code, digest
    version.updated_at = now
    report.version += 1
    report.updated_at = now
    record(session, actor=actor, action="report.signed", entity_type="report", entity_id=report.id,
           case_id=case.id, details={"document_version": version.number, "status": status,
                                     "sha256": digest})
    from telehealth.reports import delivery

    delivery.enqueue(session, case, version)
    if version.number == 1:
        _mark_case_reported(session, case, actor)
    else:
        session.add(CaseEvent(case_id=case.id, action="report_amended", actor_id=actor.id, at=now,
                              note=version.amendment_reason))
    session.commit()
    _announce(session, case, actor, version)
    return report


def _mark_case_reported(session: Session, case: Case, actor: User) -> None:
    """Case lifecycle: (accepted →) in_review → reported, through the cases service's own steps."""
    from telehealth.cases.service import mark_reported

    mark_reported(session, actor, case)


def _announce(session: Session, case: Case, actor: User, version: ReportVersion) -> None:
    """Tell the patient and referrer: a first signature is the case's "report" transition; an amendment
    is announced directly (the case's status does not change)."""
    from telehealth.cases.signals import case_transitioned

    if version.number == 1:
        case_transitioned.send(case, action="report", actor=actor, from_status="in_review", note=None)
        return
    try:
        from telehealth.notifications.audience import requesters
        from telehealth.notifications.service import notify

        notify(session, requesters(case), kind="report_ready", title=f"Your report was amended: {case.title}",
               body=f"Reason: {version.amendment_reason}", case_id=case.id, exclude=actor)
        session.commit()
    except Exception:  # the signature is committed; a failed notification must not undo it
        log.exception("notifying about the amended report of case %s failed", case.id)
        session.rollback()


def amend(session: Session, actor: User, case_id: str, base_version: int, reason: str) -> Report:
    """Open a new draft version that will replace the signed one, with the reason for the change."""
    case, report, current = _editable(session, actor, case_id, base_version, "report.amended")
    if not current.is_signed:
        raise Conflict("An amendment is already in progress" if current.predecessor_id
                       else "The report is not signed yet; edit the draft", code="report_not_signed")
    if case.status not in AMENDABLE_STATUSES:
        raise Conflict(f"A case that is {case.status} cannot be amended", code="invalid_case_status")
    now = clock.now()
    draft = ReportVersion(number=current.number + 1, status="draft", content=dict(current.content),
                          author_id=actor.id, predecessor_id=current.id, amendment_reason=reason,
                          created_at=now, updated_at=now)
    report.versions.append(draft)
    report.version += 1
    report.updated_at = now
    record(session, actor=actor, action="report.amendment_started", entity_type="report", entity_id=report.id,
           case_id=case.id, details={"document_version": draft.number, "reason": reason})
    session.commit()
    return report


def study_uid(session: Session, case_id: str, body: dict[str, Any]) -> str:
    """The case's study the report belongs to: the archive's first study, else the body's references."""
    uid = case_study(session, case_id)
    if uid:
        return uid
    for item in [*body.get("key_images", []), *body.get("measurements", [])]:
        return str(item["study_instance_uid"])
    return ""


def build_document(session: Session, case: Case, report: Report, version: ReportVersion,
                   body: dict[str, Any] | None = None, *, status: str | None = None, signer: User | None = None,
                   signed_at: Any = None, verification: str | None = None, pseudonymise: bool = False) -> Document:
    """The document model of a version (or of a proposed body/status), validated.

    ``pseudonymise`` hides the patient's identity (anonymous cases, for the specialist side)."""
    body = version.content if body is None else body
    referrer = next((p.user for p in case.participants if p.role == "referrer"), None)
    study = study_uid(session, case.id, body)
    details = rc.case_details(
        case_id=case.id, title=case.title, question=case.question,
        patient_name=f"Anonymous {case.id[:8].upper()}" if pseudonymise else case.patient_name,
        birth_date=None if pseudonymise else case.patient_birth_date, sex=case.patient_sex, priority=case.priority,
        specialty=case.requested_specialty,
        referrer=_person(referrer) if referrer else None,
        study_instance_uid=study, modality=case_modality(session, case.id, study) if study else "",
    )
    signer = signer or version.signer
    predecessor = version.predecessor
    return rc.to_document(
        body, report_id=report.id, number=version.number, status=status or version.status, case=details,
        author=_person(version.author), signer=_person(signer) if signer else None,
        signed_at=signed_at or version.signed_at, verification=verification or version.verification_code or "",
        amendment_reason=version.amendment_reason,
        predecessor=(predecessor.number, predecessor.signed_at) if predecessor else None,
        created_at=version.created_at,
    )


def _person(user: User) -> Any:
    return rc.person(user.name, user.id, user.organization.name if user.organization else "")


def verify(session: Session, code: str) -> dict[str, Any]:
    """Look up a printed verification code; audited, answers only about the signature."""
    normalised = code.strip().upper()
    version = session.scalar(select(ReportVersion).where(ReportVersion.verification_code == normalised)) \
        if len(normalised) <= 20 else None
    record(session, actor=None, action="report.verification_checked", entity_type="report",
           entity_id=version.report_id if version else None, outcome="success" if version else "failure")
    session.commit()
    if version is None or not version.is_signed:
        return {"valid": False}
    newer = [v.number for v in version.report.versions if v.is_signed and v.number > version.number]
    signer = version.signer
    return {
        "valid": True, "status": version.status, "document_version": version.number,
        "signed_at": version.signed_at, "signer": signer.name if signer else None,
        "organization": signer.organization.name if signer and signer.organization else None,
        "superseded_by_version": newer[-1] if newer else None, "content_sha256": version.content_sha256,
    }
