"""Report routes: the editor API, signing and amendment, outputs, templates."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, g

from telehealth.accounts.auth import client_ip
from telehealth.api import route
from telehealth.audit.service import record
from telehealth.errors import Conflict
from telehealth.extensions import db
from telehealth.reports import catalog, delivery, jobs, outputs, pdf, service
from telehealth.reports import content as rc
from telehealth.reports.evidence import NoEvidence
from telehealth.reports.models import Report, ReportVersion
from telehealth.reports.schemas import (
    AnnotationImport,
    DeliveryList,
    DeliveryOut,
    ReportAmend,
    ReportCreate,
    ReportOut,
    ReportSave,
    ReportSign,
    TemplateIn,
    TemplateList,
    TemplateOut,
    VerificationOut,
    VersionOut,
    VersionQuery,
)

bp = Blueprint("reports", __name__, url_prefix="/api")

def _file(mime: str) -> dict[str, Any]:
    return {"200": {"description": "The file", "content": {mime: {}}},
            "404": {"description": "No report (visible to the caller)"},
            "409": {"description": "The case has no stored images for DICOM outputs"}}


def _document_of(case, report, version, body, **kw):  # type: ignore[no-untyped-def]
    return service.build_document(db.session, case, report, version, body, **kw)


def report_out(case: Any, report: Report, version: ReportVersion) -> ReportOut:
    """Shape a report version for this user."""
    template = service._template_dict(report.template)  # noqa: SLF001
    writer = service.is_writer(case, g.user)
    newest = version is report.current
    visible = report.versions if service.sees_drafts(case, g.user) else [v for v in report.versions if v.is_signed]
    return ReportOut(
        id=report.id, case_id=case.id, version=report.version, document_version=version.number,
        status=version.status, template_id=report.template_id, content=version.content,
        author=version.author.name, signer=version.signer.name if version.signer else None,
        signed_at=version.signed_at, verification_code=version.verification_code,
        amendment_reason=version.amendment_reason,
        predecessor_version=version.predecessor.number if version.predecessor else None,
        required_fields=list(dict.fromkeys(["impression", *(template or {}).get("required_fields", [])])),
        missing_fields=rc.missing_fields(version.content, template) if not version.is_signed else [],
        can_edit=writer and newest and not version.is_signed,
        can_sign=writer and newest and not version.is_signed,
        can_amend=writer and newest and version.is_signed and case.status in service.AMENDABLE_STATUSES,
        versions=[VersionOut(number=v.number, status=v.status, signed_at=v.signed_at,
                             signer=v.signer.name if v.signer else None, amendment_reason=v.amendment_reason)
                  for v in visible],
        updated_at=version.updated_at,
    )


@route(bp, "/cases/<case_id>/report", query=VersionQuery, response=ReportOut,
       summary="The case's report (drafts for the specialist side, signed versions for everyone)")
def get_report(case_id: str, query: VersionQuery) -> ReportOut:
    case, report, version = service.get_report(db.session, g.user, case_id, query.version)
    return report_out(case, report, version)


@route(bp, "/cases/<case_id>/report", methods=["POST"], body=ReportCreate, response=ReportOut, status=201,
       summary="Start the report draft from a template (assigned specialist)")
def create_report(case_id: str, body: ReportCreate) -> tuple[dict[str, Any], int]:
    service.create_draft(db.session, g.user, case_id, body.template_id)
    case, report, version = service.get_report(db.session, g.user, case_id)
    return report_out(case, report, version).model_dump(mode="json"), 201


def _with_current(case_id: str, err: Conflict) -> Conflict:
    if err.code == "stale_version":
        case, report, version = service.get_report(db.session, g.user, case_id)
        err.details = {**(err.details or {}), "current": report_out(case, report, version).model_dump(mode="json")}
    return err


@route(bp, "/cases/<case_id>/report", methods=["PUT"], body=ReportSave, response=ReportOut,
       summary="Autosave the draft; refused with 409 and the current report when base_version is stale")
def save_report(case_id: str, body: ReportSave) -> ReportOut:
    content = body.model_dump(mode="json", exclude={"base_version"})
    try:
        service.save_draft(db.session, g.user, case_id, body.base_version, content, _document_of)
    except Conflict as e:
        raise _with_current(case_id, e) from None
    case, report, version = service.get_report(db.session, g.user, case_id, audit_action="report.read_after_save")
    return report_out(case, report, version)


@route(bp, "/cases/<case_id>/report/sign", methods=["POST"], body=ReportSign, response=ReportOut,
       summary="Sign the draft (assigned specialist, password re-authentication); final versions never change")
def sign_report(case_id: str, body: ReportSign) -> ReportOut:
    try:
        service.sign(db.session, g.user, case_id, body.base_version, password=body.password, totp=body.totp,
                     auth_session=g.get("auth_session"), ip=client_ip(),
                     secret=current_app.config["SECRET_KEY"], document_of=_document_of)
    except Conflict as e:
        raise _with_current(case_id, e) from None
    case, report, version = service.get_report(db.session, g.user, case_id, audit_action="report.read_after_sign")
    jobs.start(current_app._get_current_object(), case.id, version.id, g.user.id)  # type: ignore[attr-defined]
    return report_out(case, report, version)


@route(bp, "/cases/<case_id>/report/deliveries", response=DeliveryList,
       summary="Delivery log of the case's report (STOW-RS pushes to the referrer's PACS)")
def list_deliveries(case_id: str) -> DeliveryList:
    rows = delivery.deliveries(db.session, case_id)
    record(db.session, actor=g.user, action="report.deliveries_viewed", entity_type="case", entity_id=case_id,
           case_id=case_id)
    db.session.commit()
    return DeliveryList(items=[DeliveryOut(id=d.id, document_version=d.version.number, url=_redact(d.url),
                                           status=d.status, attempts=d.attempts, next_attempt_at=d.next_attempt_at,
                                           last_error=d.last_error, last_status_code=d.last_status_code,
                                           delivered_at=d.delivered_at, created_at=d.created_at)
                               for d in rows])


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


@bp.cli.command("deliver")
def deliver_command() -> None:
    """Push due report deliveries (run from cron or the worker; safe to run in parallel)."""
    import click

    click.echo(delivery.deliver_due(db.session, current_app.config, limit=500))


@route(bp, "/cases/<case_id>/report/amend", methods=["POST"], body=ReportAmend, response=ReportOut, status=201,
       summary="Open an amendment: a new draft version with a reason, pointing at the signed one")
def amend_report(case_id: str, body: ReportAmend) -> tuple[dict[str, Any], int]:
    try:
        service.amend(db.session, g.user, case_id, body.base_version, body.reason)
    except Conflict as e:
        raise _with_current(case_id, e) from None
    case, report, version = service.get_report(db.session, g.user, case_id, audit_action="report.read_after_amend")
    return report_out(case, report, version).model_dump(mode="json"), 201


def _output(case_id: str, version: int | None, kind: str) -> Response:
    case, report, row = service.get_report(db.session, g.user, case_id, version,
                                           audit_action=f"report.downloaded.{kind}")
    try:
        out = outputs.render(db.session, current_app.config, case, report, row, kind,
                             identified=service.sees_identity(case, g.user))
    except NoEvidence as e:
        raise Conflict(f"No DICOM output: {e}", code="no_images") from None
    name = f"report-{case.id[:8]}-v{row.number}{'-draft' if not row.is_signed else ''}-{out.filename}"
    return Response(out.data, mimetype=out.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"})


@route(bp, "/cases/<case_id>/report.pdf", query=VersionQuery, raw=True, responses=_file("application/pdf"),
       summary="The report as PDF")
def report_pdf(case_id: str, query: VersionQuery) -> Response:
    return _output(case_id, query.version, "pdf")


@route(bp, "/cases/<case_id>/report/sr.dcm", query=VersionQuery, raw=True, responses=_file("application/dicom"),
       summary="The report as DICOM Comprehensive SR (TID 1500)")
def report_sr(case_id: str, query: VersionQuery) -> Response:
    return _output(case_id, query.version, "sr")


@route(bp, "/cases/<case_id>/report/encapsulated-pdf.dcm", query=VersionQuery, raw=True,
       responses=_file("application/dicom"), summary="The report PDF as DICOM Encapsulated PDF")
def report_encapsulated(case_id: str, query: VersionQuery) -> Response:
    return _output(case_id, query.version, "encapsulated")


@route(bp, "/cases/<case_id>/report/fhir", query=VersionQuery, raw=True, responses=_file("application/fhir+json"),
       summary="The report as a FHIR R4 DiagnosticReport")
def report_fhir(case_id: str, query: VersionQuery) -> Response:
    resp = _output(case_id, query.version, "fhir")
    resp.headers.pop("Content-Disposition")
    return resp


@route(bp, "/cases/<case_id>/report/preview", query=VersionQuery, raw=True,
       responses={"200": {"description": "HTML preview", "content": {"text/html": {}}}},
       summary="HTML preview of the report as it will print (the PDF's source, key images included)")
def report_preview(case_id: str, query: VersionQuery) -> Response:
    case, report, row = service.get_report(db.session, g.user, case_id, query.version,
                                           audit_action="report.previewed")
    document = service.build_document(db.session, case, report, row,
                                      pseudonymise=not service.sees_identity(case, g.user))
    try:
        images = outputs.key_images_of(db.session, current_app.config, case, document)
    except NoEvidence:
        images = []  # a key image whose file is gone: the preview still shows the text
    html = pdf.render_html(document, outputs.letterhead(db.session, case, document), images)
    return Response(html, mimetype="text/html", headers={"Cache-Control": "private, no-store",
                                                         "Content-Security-Policy": "default-src 'none'; "
                                                         "img-src data:; style-src 'unsafe-inline'"})


@route(bp, "/cases/<case_id>/report/annotations", response=AnnotationImport,
       summary="The case's live-session measurements as report measurements (to add to the draft)")
def report_annotations(case_id: str) -> AnnotationImport:
    items, skipped = catalog.measurements_from_annotations(db.session, g.user, case_id)
    return AnnotationImport(items=items, skipped=skipped)


@route(bp, "/reports/verify/<code>", response=VerificationOut, auth="none",
       summary="Check a verification code printed on a report (no patient data is returned)")
def verify_code(code: str) -> VerificationOut:
    return VerificationOut(**service.verify(db.session, code))


@route(bp, "/report-templates", response=TemplateList, summary="Report templates")
def list_templates() -> TemplateList:
    return TemplateList(items=[TemplateOut.model_validate(t) for t in catalog.list_templates(db.session)])


@route(bp, "/report-templates", methods=["POST"], body=TemplateIn, response=TemplateOut, status=201,
       summary="Add a report template (admins)")
def create_template(body: TemplateIn) -> tuple[dict[str, Any], int]:
    t = catalog.save_template(db.session, g.user, None, body.model_dump(mode="json"))
    return TemplateOut.model_validate(t).model_dump(mode="json"), 201


@route(bp, "/report-templates/<template_id>", methods=["PUT"], body=TemplateIn, response=TemplateOut,
       summary="Change a report template (admins)")
def update_template(template_id: str, body: TemplateIn) -> TemplateOut:
    return TemplateOut.model_validate(catalog.save_template(db.session, g.user, template_id,
                                                              body.model_dump(mode="json")))
