"""STOW-RS (PS3.18 10.5): store instances into a case, answering with the standard response dataset."""

from __future__ import annotations

import json
import tempfile

from flask import Response, current_app, request
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from telehealth.errors import BadRequest, UnsupportedMediaType
from telehealth.extensions import db

from . import service, settings, webutil
from .multipart import MultipartError, iter_parts, parse_content_type
from .views import _upload_case

# STOW-RS failure reasons (PS3.18 table I.2-1 / PS3.4 annex C).
FAILURE = {"uid_conflict": 0x0111, "study_mismatch": 0xA900, "not_dicom": 0xC000}


def stow(scope: webutil.Scope, study: str | None = None) -> Response:
    cfg = current_app.config
    request.max_content_length = settings.max_upload_bytes(cfg)
    case = _upload_case(scope.case_id)
    media, params = parse_content_type(request.headers.get("Content-Type", ""))
    if media != "multipart/related" or params.get("type", "application/dicom").lower() != "application/dicom":
        raise UnsupportedMediaType('Send multipart/related; type="application/dicom"', code="unsupported_media_type")
    base = webutil.base_url()
    ok: list[Dataset] = []
    failed: list[Dataset] = []
    store = settings.blob_store(cfg)
    with tempfile.TemporaryDirectory(dir=settings.temp_dir(cfg)) as work:
        try:
            parts = list(iter_parts(request.stream, params.get("boundary", ""), work,
                                    max_total=settings.max_upload_bytes(cfg)))
        except MultipartError as exc:
            raise BadRequest(exc.message, code=exc.code) from None
        anonymous = case.anonymous
        items: list[tuple[str, str] | service.InstanceResult] = [
            (part.path, f"part {n}") if part.content_type in ("application/dicom", "")
            else service.InstanceResult(f"part {n}", "rejected", "not_dicom", f"Part type {part.content_type}")
            for n, part in enumerate(parts, 1)]
        if anonymous:  # de-identified one file at a time, each in its own transaction
            upload = service.start_upload(db.session, case, scope.user, source="stow")
            results = [item if isinstance(item, service.InstanceResult) else service.ingest_file(
                db.session, store, case, item[0], name=item[1], upload_id=upload.id, expected_study_uid=study)
                for item in items]
            service.finish_upload(db.session, upload, results, scope.user)
        else:  # one transaction for the whole request
            results = service.ingest_batch(db.session, store, case, scope.user, items, source="stow",
                                           expected_study_uid=study,
                                           hashed={p.path: (p.sha256, p.size) for p in parts})
        for res in results:
            item = Dataset()
            if res.sop_class_uid:
                item.ReferencedSOPClassUID = res.sop_class_uid
            if res.sop_instance_uid:
                item.ReferencedSOPInstanceUID = res.sop_instance_uid
            if res.status in ("stored", "duplicate"):
                item.RetrieveURL = (f"{base}/studies/{res.study_instance_uid}/series/{res.series_instance_uid}"
                                    f"/instances/{res.sop_instance_uid}")
                if anonymous:
                    item.WarningReason = 0xB000  # coercion of data elements (de-identified)
                ok.append(item)
            else:
                item.FailureReason = FAILURE.get(res.reason or "", 0xC000)
                failed.append(item)
    out = Dataset()
    if study:
        out.RetrieveURL = f"{base}/studies/{study}"
    if ok:
        out.ReferencedSOPSequence = Sequence(ok)
    if failed:
        out.FailedSOPSequence = Sequence(failed)
    status = 200 if not failed else (409 if not ok else 202)
    resp = Response(json.dumps(out.to_json_dict()), status=status, mimetype=webutil.DICOM_JSON)
    return resp
