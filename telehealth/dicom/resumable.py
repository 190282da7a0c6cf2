"""Resumable uploads with the tus 1.0.0 protocol (core, creation, termination) for tus-js-client.

An upload cut at 80% resumes from the offset the server reports on HEAD. When the last byte
arrives the file goes through the same expansion and ingest as `POST /uploads`; the result is
`GET /api/cases/{id}/uploads/{upload_id}` (the id is in the `Upload-Result` response header).
"""

from __future__ import annotations

import base64
import os
import tempfile
from typing import Any

from flask import Response, current_app, g, request
from werkzeug.exceptions import ClientDisconnected

from telehealth.api import route
from telehealth.cases.access import get_visible_case
from telehealth.errors import BadRequest, Conflict, NotFound, PayloadTooLarge, UnsupportedMediaType
from telehealth.extensions import db

from . import service, settings
from .expand import ArchiveError, expand_upload
from .models import DicomUpload, ResumableUpload
from .views import UploadOut, _upload_case, archive_error, bp

TUS_VERSION = "1.0.0"
CHUNK = 1024 * 1024


def _headers(resp: Response) -> Response:
    resp.headers["Tus-Resumable"] = TUS_VERSION
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _tus_dir() -> str:
    path = os.path.join(settings.data_dir(current_app.config), "tus")
    os.makedirs(path, exist_ok=True)
    return path


def _file(upload: ResumableUpload) -> str:
    return os.path.join(_tus_dir(), upload.id)


def _metadata(raw: str) -> dict[str, str]:
    """Upload-Metadata: comma-separated `key base64value` pairs (tus creation extension)."""
    out = {}
    for pair in filter(None, (p.strip() for p in raw.split(","))):
        key, _, value = pair.partition(" ")
        try:
            out[key] = base64.b64decode(value).decode("utf-8", "replace") if value else ""
        except ValueError:
            raise BadRequest("Upload-Metadata values must be base64", code="bad_tus_metadata") from None
    return out


def _get(case_id: str, tus_id: str) -> ResumableUpload:
    case = _upload_case(case_id)
    row = db.session.get(ResumableUpload, tus_id) if len(tus_id) <= 36 else None
    if row is None or row.case_id != case.id or row.user_id != g.user.id:
        raise NotFound("No such resumable upload", code="tus_not_found")
    return row


@route(bp, "/api/cases/<case_id>/tus", methods=["POST"], raw=True, status=201,
       summary="Create a resumable (tus 1.0) upload: Upload-Length, Upload-Metadata filename",
       responses={"201": {"description": "Created; Location is the upload URL"}})
def tus_create(case_id: str) -> Response:
    case = _upload_case(case_id)
    try:
        length = int(request.headers.get("Upload-Length", ""))
    except ValueError:
        raise BadRequest("Upload-Length is required (deferred length is not supported)",
                         code="tus_length_required") from None
    limit = settings.max_upload_bytes(current_app.config)
    if not 0 < length <= limit:
        raise PayloadTooLarge(f"Upload-Length must be 1..{limit}", code="too_large")
    name = _metadata(request.headers.get("Upload-Metadata", "")).get("filename", "upload")[:255]
    row = ResumableUpload(case_id=case.id, user_id=g.user.id, filename=name, length=length)
    db.session.add(row)
    db.session.commit()
    open(_file(row), "wb").close()
    resp = Response(status=201)
    resp.headers["Location"] = f"{request.url_root.rstrip('/')}/api/cases/{case.id}/tus/{row.id}"
    resp.headers["Upload-Offset"] = "0"
    return _headers(resp)


@route(bp, "/api/cases/<case_id>/tus/<tus_id>", methods=["HEAD"], raw=True,
       summary="Offset of a resumable upload (resume from here)")
def tus_head(case_id: str, tus_id: str) -> Response:
    row = _get(case_id, tus_id)
    resp = Response(status=200)
    resp.headers["Upload-Offset"] = str(row.offset)
    resp.headers["Upload-Length"] = str(row.length)
    if row.upload_id:
        resp.headers["Upload-Result"] = row.upload_id
    return _headers(resp)


@route(bp, "/api/cases/<case_id>/tus/<tus_id>", methods=["PATCH"], raw=True, status=204,
       summary="Append bytes at Upload-Offset (application/offset+octet-stream); ingests when complete")
def tus_patch(case_id: str, tus_id: str) -> Response:
    request.max_content_length = settings.max_upload_bytes(current_app.config)
    row = _get(case_id, tus_id)
    if request.mimetype != "application/offset+octet-stream":
        raise UnsupportedMediaType("Send application/offset+octet-stream", code="unsupported_media_type")
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
    except ValueError:
        raise BadRequest("Upload-Offset is required", code="tus_offset_required") from None
    if offset != row.offset:
        raise Conflict(f"Upload-Offset {offset} does not match the server's {row.offset}", code="tus_offset_mismatch",
                       headers={"Upload-Offset": str(row.offset), "Tus-Resumable": TUS_VERSION})
    if row.upload_id:
        raise Conflict("This upload is complete", code="tus_complete")
    written = _append(row)
    row.offset += written
    db.session.commit()
    resp = Response(status=204)
    if row.offset == row.length:
        result = _process(row)
        row.upload_id = result.id
        db.session.commit()
        resp.headers["Upload-Result"] = result.id
    resp.headers["Upload-Offset"] = str(row.offset)
    return _headers(resp)


def _append(row: ResumableUpload) -> int:
    """Append the request body; on a cut connection keep what arrived so the client can resume."""
    written = 0
    with open(_file(row), "r+b") as out:
        out.seek(row.offset)
        try:
            while chunk := request.stream.read(CHUNK):
                if row.offset + written + len(chunk) > row.length:
                    raise PayloadTooLarge("More bytes than Upload-Length", code="too_large")
                out.write(chunk)
                written += len(chunk)
        except ClientDisconnected:
            pass
        finally:
            out.truncate(row.offset + written)
            out.flush()
            os.fsync(out.fileno())
    return written


def _process(row: ResumableUpload) -> DicomUpload:
    """Expand and ingest the completed file like a form upload, then delete it."""
    cfg = current_app.config
    case = get_visible_case(db.session, g.user, row.case_id)
    path = _file(row)
    try:
        with tempfile.TemporaryDirectory(dir=settings.temp_dir(cfg)) as work:
            try:
                items = list(expand_upload(path, row.filename, work, settings.expand_limits(cfg)))
            except ArchiveError as exc:
                raise archive_error(exc) from None
            record = service.start_upload(db.session, case, g.user, source="tus")
            results = service.ingest_items(db.session, settings.blob_store(cfg), case, g.user, items, record)
            return service.finish_upload(db.session, record, results, g.user)
    finally:
        if os.path.exists(path):
            os.unlink(path)


@route(bp, "/api/cases/<case_id>/tus/<tus_id>", methods=["DELETE"], raw=True, status=204,
       summary="Abandon a resumable upload (tus termination)")
def tus_delete(case_id: str, tus_id: str) -> Response:
    row = _get(case_id, tus_id)
    if os.path.exists(_file(row)):
        os.unlink(_file(row))
    db.session.delete(row)
    db.session.commit()
    return _headers(Response(status=204))


@route(bp, "/api/cases/<case_id>/uploads/<upload_id>", response=UploadOut,
       summary="Results of one upload (per instance)")
def get_upload(case_id: str, upload_id: str) -> Any:
    case = get_visible_case(db.session, g.user, case_id)
    row = db.session.get(DicomUpload, upload_id) if len(upload_id) <= 36 else None
    if row is None or row.case_id != case.id:
        raise NotFound("No such upload", code="upload_not_found")
    return UploadOut(id=row.id, status=row.status, stored=row.stored, duplicate=row.duplicate,
                     rejected=row.rejected, results=row.results,
                     patient_mismatch=service.patient_mismatch(db.session, case.id))
