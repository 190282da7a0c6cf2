"""Archive routes: uploads, patient identities, share links; DICOMweb routes live in `dicomweb`."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, g, request
from pydantic import Field

from telehealth.api import Out, Schema, route
from telehealth.cases.access import get_visible_case, is_coordinator_of, is_owner_side
from telehealth.errors import ApiError, BadRequest, Conflict, Forbidden, PayloadTooLarge, UnsupportedMediaType
from telehealth.extensions import db

from . import service, settings, sharing
from .expand import ArchiveError, UploadItem, expand_directory, expand_upload, safe_relpath
from .models import DicomStudy

bp = Blueprint("dicom", __name__)

CLOSED = ("closed", "cancelled")
_SIZE_CODES = {"too_large", "zip_bomb", "too_many_files"}


class UploadOut(Out):
    """Per-instance results of an upload."""

    id: str
    status: str
    stored: int
    duplicate: int
    rejected: int
    results: list[dict[str, Any]]
    patient_mismatch: bool


class PatientOut(Out):
    """A patient identity found in the case's images."""

    id: str
    patient_id: str
    patient_name: str
    patient_birth_date: str
    patient_sex: str
    confirmed_at: datetime | None


class PatientList(Out):
    """Identities in the images; `mismatch` when more than one is unconfirmed."""

    items: list[PatientOut]
    mismatch: bool


class ShareLinkIn(Schema):
    """A new share link."""

    expires_in_hours: int = Field(default=72, ge=1, le=sharing.MAX_LINK_DAYS * 24)
    passcode: str | None = Field(default=None, min_length=4, max_length=128)
    max_uses: int | None = Field(default=None, ge=1, le=100_000)
    label: str = Field(default="", max_length=200)


class ShareAccessOut(Out):
    """One visit through a link."""

    at: datetime
    ip: str | None
    user_agent: str | None
    outcome: str


class ShareLinkOut(Out):
    """A share link; `token` and `url` only in the creation response."""

    id: str
    label: str
    expires_at: datetime
    max_uses: int | None
    use_count: int
    revoked_at: datetime | None
    has_passcode: bool
    created_at: datetime
    token: str | None = None
    url: str | None = None
    dicomweb_url: str | None = None
    accesses: list[ShareAccessOut] = []


class ShareLinkList(Out):
    """Links of a case."""

    items: list[ShareLinkOut]


def _upload_case(case_id: str):  # type: ignore[no-untyped-def]
    case = get_visible_case(db.session, g.user, case_id)
    if not (is_owner_side(case, g.user) or is_coordinator_of(case, g.user)):
        raise Forbidden("Only the patient or referring side can add images to this case", code="not_case_owner")
    if case.status in CLOSED:
        raise Conflict(f"The case is {case.status}; no images can be added", code="case_closed")
    return case


def archive_error(exc: ArchiveError) -> ApiError:
    """Map an archive refusal to 413 (limits) or 422 (unsafe content)."""
    if exc.code in _SIZE_CODES:
        return PayloadTooLarge(exc.message, code=exc.code)
    from telehealth.errors import ValidationFailed

    return ValidationFailed(exc.message, code=exc.code)


def _collect(files: list[Any], work: str) -> list[UploadItem]:
    """Save the form's files under `work` and expand them (a folder with relative paths, ZIPs, plain files)."""
    limits = settings.expand_limits(current_app.config)
    folder = any("/" in (f.filename or "").replace("\\", "/") for f in files)
    saved: list[tuple[str, str]] = []
    root = os.path.join(work, "folder")
    for i, f in enumerate(files):
        name = safe_relpath(f.filename or f"file{i}", limits) or f"file{i}"
        dest = os.path.join(root, name) if folder else os.path.join(work, f"upload-{i}")
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if os.path.exists(dest):
            raise ArchiveError("duplicate_member", f"The upload holds {name!r} twice")
        f.save(dest)
        saved.append((name, dest))
    if folder:
        return list(expand_directory(root, limits, workdir=work))
    items: list[UploadItem] = []
    for name, dest in saved:
        items.extend(expand_upload(dest, name, work, limits))
        if len(items) > limits.max_files:
            raise ArchiveError("too_many_files", f"The upload holds more than {limits.max_files} files")
    return items


@route(bp, "/api/cases/<case_id>/uploads", methods=["POST"], raw=True, status=201,
       summary="Upload DICOM files, ZIP archives or a CD/USB folder (with DICOMDIR) into a case",
       request_body={"required": True, "content": {"multipart/form-data": {"schema": {
           "type": "object", "properties": {"files": {"type": "array", "items": {
               "type": "string", "format": "binary"}}}}}}},
       responses={"201": {"description": "Per-instance results (stored, duplicate, rejected with reason)",
                          "content": {"application/json": {"schema": UploadOut.model_json_schema()}}},
                  "413": {"description": "Upload or archive over a limit"},
                  "422": {"description": "Unsafe archive (zip-slip, links, encrypted)"}})
def upload(case_id: str) -> Any:
    cfg = current_app.config
    request.max_content_length = settings.max_upload_bytes(cfg)
    limits = settings.expand_limits(cfg)
    request.max_form_parts = limits.max_files + 10
    case = _upload_case(case_id)
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("Send files as multipart/form-data (field 'files')", code="unsupported_media_type")
    files = [f for key in request.files for f in request.files.getlist(key)]
    if not files:
        raise BadRequest("No files in the upload (field 'files')", code="no_files")
    with tempfile.TemporaryDirectory(dir=settings.temp_dir(cfg)) as work:
        try:
            items = _collect(files, work)
        except ArchiveError as exc:
            raise archive_error(exc) from None
        finally:
            for f in files:
                f.close()
        record = service.start_upload(db.session, case, g.user)
        results = service.ingest_items(db.session, settings.blob_store(cfg), case, g.user, items, record)
        service.finish_upload(db.session, record, results, g.user)
    out = UploadOut(id=record.id, status=record.status, stored=record.stored, duplicate=record.duplicate,
                    rejected=record.rejected, results=record.results,
                    patient_mismatch=service.patient_mismatch(db.session, case.id))
    return out.model_dump(mode="json"), 201


@route(bp, "/api/cases/<case_id>/dicom/patients", response=PatientList,
       summary="Patient identities found in the case's images (several unconfirmed ones are flagged)")
def list_patients(case_id: str) -> PatientList:
    case = get_visible_case(db.session, g.user, case_id)
    rows = service.patients(db.session, case.id)
    return PatientList(items=[PatientOut.model_validate(r) for r in rows],
                       mismatch=service.patient_mismatch(db.session, case.id))


@route(bp, "/api/cases/<case_id>/dicom/patients/<patient_ref_id>/confirm", methods=["POST"],
       response=PatientOut, summary="Confirm that an identity in the images belongs to this consult")
def confirm_patient(case_id: str, patient_ref_id: str) -> PatientOut:
    case = _upload_case(case_id)
    return PatientOut.model_validate(service.confirm_patient(db.session, g.user, case.id, patient_ref_id))


def _link_out(link: Any, token: str | None = None, with_log: bool = False) -> ShareLinkOut:
    base = current_app.config.get("PUBLIC_URL", "").rstrip("/")
    out = ShareLinkOut(
        id=link.id, label=link.label, expires_at=link.expires_at, max_uses=link.max_uses, use_count=link.use_count,
        revoked_at=link.revoked_at, has_passcode=bool(link.passcode_hash), created_at=link.created_at,
    )
    if token:
        out.token, out.url, out.dicomweb_url = token, f"{base}/share/{token}", f"{base}/share/{token}/dicomweb"
    if with_log:
        out.accesses = [ShareAccessOut.model_validate(a) for a in sharing.accesses(db.session, link.id)]
    return out


@route(bp, "/api/cases/<case_id>/share-links", methods=["POST"], body=ShareLinkIn, response=ShareLinkOut,
       status=201, summary="Create a read-only share link (token shown once)")
def create_share_link(case_id: str, body: ShareLinkIn) -> tuple[dict[str, Any], int]:
    link, token = sharing.create_link(db.session, g.user, case_id, expires_in_hours=body.expires_in_hours,
                                      passcode=body.passcode, max_uses=body.max_uses, label=body.label)
    return _link_out(link, token).model_dump(mode="json"), 201


@route(bp, "/api/cases/<case_id>/share-links", response=ShareLinkList,
       summary="Share links of a case with their access logs")
def list_share_links(case_id: str) -> ShareLinkList:
    links = sharing.list_links(db.session, g.user, case_id)
    return ShareLinkList(items=[_link_out(link, with_log=True) for link in links])


@route(bp, "/api/share-links/<link_id>", methods=["DELETE"], status=204, summary="Revoke a share link")
def revoke_share_link(link_id: str) -> None:
    sharing.revoke_link(db.session, g.user, link_id)
    return None


def share_passcode() -> str | None:
    """The passcode a share-link visitor sent (header, or query for stock viewers)."""
    return request.headers.get("X-Share-Passcode") or request.args.get("passcode")


def open_share(token: str):  # type: ignore[no-untyped-def]
    """Resolve a share token for this request."""
    return sharing.open_link(db.session, token, passcode=share_passcode(), ip=request.remote_addr,
                             user_agent=(request.user_agent.string or "")[:300] or None, path=request.path)


@route(bp, "/share/<token>", raw=True, auth="none",
       summary="Share link page data (JSON when asked for; otherwise the single-page app)",
       responses={"200": {"description": "Case title, studies and the read-only DICOMweb base"},
                  "401": {"description": "Passcode required"}, "410": {"description": "Expired, revoked, used up"}})
def share_page(token: str) -> Any:
    wants_json = request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
    if not wants_json and request.args.get("format") != "json":
        from telehealth.web import spa

        return spa(f"share/{token}")
    link = open_share(token)
    from sqlalchemy import select

    from telehealth.cases.models import Case

    case = db.session.get(Case, link.case_id)
    studies = db.session.scalars(select(DicomStudy).where(DicomStudy.case_id == link.case_id)).all()
    base = current_app.config.get("PUBLIC_URL", "").rstrip("/")
    return {
        "case": {"title": case.title if case else "", "anonymous": bool(case and case.anonymous)},
        "expires_at": link.expires_at.isoformat(),
        "dicomweb_url": f"{base}/share/{token}/dicomweb",
        "studies": [{"study_instance_uid": s.study_instance_uid, "study_date": s.study_date,
                     "study_description": s.study_description, "patient_name": s.patient_name}
                    for s in studies],
    }


# Route modules that register on bp (imported last: they import bp from here).
from . import dicomweb, resumable  # noqa: E402,F401
