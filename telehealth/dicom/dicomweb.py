"""DICOMweb (PS3.18): QIDO-RS, WADO-RS and STOW-RS on a case base and, read-only, on a share-link base."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, g, request, stream_with_context
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from telehealth.accounts.models import User
from telehealth.api import route
from telehealth.cases.access import get_visible_case
from telehealth.errors import ApiError, BadRequest, NotFound, UnsupportedMediaType
from telehealth.extensions import db

from . import metacache, pixels, render, search, service, settings, sharing, wado
from .dicomjson import qido_dataset, to_json
from .models import DicomInstance, DicomSeries, DicomStudy
from .multipart import MultipartError, file_chunks, iter_parts, new_boundary, parse_content_type, write_multipart
from .views import _upload_case, bp, open_share

DICOM_JSON = "application/dicom+json"
CACHE = "private, max-age=3600"
# STOW-RS failure reasons (PS3.18 table I.2-1 / PS3.4 annex C).
FAILURE = {"uid_conflict": 0x0111, "study_mismatch": 0xA900, "not_dicom": 0xC000}


class NotAcceptableError(ApiError):
    """406: no acceptable representation."""

    status, code = 406, "not_acceptable"


@dataclass
class Scope:
    """Whose images a DICOMweb request reaches: a case, as a user or through a share link."""

    case_id: str
    user: User | None
    via: str | None
    read_only: bool


def _case_scope(case_id: str) -> Scope:
    case = get_visible_case(db.session, g.user, case_id)
    return Scope(case.id, g.user, None, False)


def _share_scope(token: str) -> Scope:
    link = open_share(token)
    return Scope(link.case_id, None, f"share-link:{link.id}", True)


def _base() -> str:
    path = request.path
    return request.url_root.rstrip("/") + path[: path.index("/dicomweb") + len("/dicomweb")]


def _json(payload: Any, etag: str | None = None) -> Response:
    import json

    resp = Response(json.dumps(payload), mimetype=DICOM_JSON)
    resp.headers["Cache-Control"] = "private, no-cache"
    if etag:
        resp.set_etag(etag)
    return resp


def _not_modified(etag: str) -> Response | None:
    if etag in request.if_none_match:
        resp = Response(status=304)
        resp.set_etag(etag)
        resp.headers["Cache-Control"] = CACHE
        return resp
    return None


def _accept() -> list[wado.AcceptItem]:
    return wado.parse_accept(request.headers.get("Accept"))


def _viewed(scope: Scope, study_uid: str) -> None:
    sharing.record_study_view(db.session, scope.user, scope.case_id, study_uid, scope.via)


# --- QIDO-RS -------------------------------------------------------------------------------------

def _query(level: str) -> search.Query:
    try:
        return search.parse_query(request.args.to_dict(flat=False), level)
    except search.QueryError as exc:
        raise BadRequest(str(exc), code="bad_query") from None


def _study_json(study: DicomStudy, counts: tuple[int, int, list[str]], base: str) -> dict[str, Any]:
    ds = qido_dataset({
        "StudyInstanceUID": study.study_instance_uid, "PatientID": study.patient_id,
        "PatientName": study.patient_name, "PatientBirthDate": study.patient_birth_date,
        "PatientSex": study.patient_sex, "StudyDate": study.study_date, "StudyTime": study.study_time,
        "AccessionNumber": study.accession_number, "StudyDescription": study.study_description,
        "ReferringPhysicianName": study.referring_physician_name, "StudyID": study.study_id,
        "ModalitiesInStudy": counts[2], "NumberOfStudyRelatedSeries": counts[0],
        "NumberOfStudyRelatedInstances": counts[1],
        "RetrieveURL": f"{base}/studies/{study.study_instance_uid}",
    })
    return to_json(ds)


def _series_json(series: DicomSeries, study_uid: str, count: int, base: str) -> dict[str, Any]:
    ds = qido_dataset({
        "StudyInstanceUID": study_uid, "SeriesInstanceUID": series.series_instance_uid,
        "Modality": series.modality, "SeriesNumber": series.series_number,
        "SeriesDescription": series.series_description, "BodyPartExamined": series.body_part_examined,
        "NumberOfSeriesRelatedInstances": count,
        "RetrieveURL": f"{base}/studies/{study_uid}/series/{series.series_instance_uid}",
    })
    return to_json(ds)


def _instance_json(inst: DicomInstance, study_uid: str, series_uid: str, base: str) -> dict[str, Any]:
    ds = qido_dataset({
        "StudyInstanceUID": study_uid, "SeriesInstanceUID": series_uid,
        "SOPClassUID": inst.sop_class_uid, "SOPInstanceUID": inst.sop_instance_uid,
        "InstanceNumber": inst.instance_number, "Rows": inst.rows, "Columns": inst.columns,
        "NumberOfFrames": inst.number_of_frames or None, "AvailableTransferSyntaxUID": inst.transfer_syntax_uid,
        "RetrieveURL": f"{base}/studies/{study_uid}/series/{series_uid}/instances/{inst.sop_instance_uid}",
    })
    return to_json(ds)


def qido_studies(scope: Scope) -> Response:
    q = _query("studies")
    rows = search.search_studies(db.session, scope.case_id, q)
    counts = search.study_counts(db.session, [s.id for s in rows])
    return _json([_study_json(s, counts[s.id], _base()) for s in rows])


def qido_series(scope: Scope, study: str | None = None) -> Response:
    q = _query("series")
    rows = search.search_series(db.session, scope.case_id, q, study)
    counts = search.series_counts(db.session, [s.id for s in rows])
    return _json([_series_json(s, s.study.study_instance_uid, counts.get(s.id, 0), _base()) for s in rows])


def qido_instances(scope: Scope, study: str | None = None, series: str | None = None) -> Response:
    q = _query("instances")
    rows = search.search_instances(db.session, scope.case_id, q, study, series)
    return _json([_instance_json(i, i.series.study.study_instance_uid, i.series.series_instance_uid, _base())
                  for i in rows])


# --- WADO-RS -------------------------------------------------------------------------------------

def _instances(scope: Scope, study: str, series: str | None = None, instance: str | None = None
               ) -> list[DicomInstance]:
    rows = search.find_instances(db.session, scope.case_id, study, series, instance)
    if not rows:
        raise NotFound("No such study, series or instance in this case", code="dicom_not_found")
    _viewed(scope, study)
    return rows


def _path(inst: DicomInstance) -> str:
    path = settings.blob_store(current_app.config).path(inst.blob_sha256)
    assert path is not None
    return path


def retrieve(scope: Scope, study: str, series: str | None = None, instance: str | None = None) -> Response:
    try:
        syntax = wado.instance_syntax(_accept())
    except wado.NotAcceptable as exc:
        raise NotAcceptableError(str(exc)) from None
    rows = _instances(scope, study, series, instance)
    etag = hashlib.sha256(("|".join(r.blob_sha256 for r in rows) + syntax).encode()).hexdigest()
    if (resp := _not_modified(etag)) is not None:
        return resp
    if syntax not in (wado.STORED, "1.2.840.10008.1.2.1") and any(r.transfer_syntax_uid != syntax for r in rows):
        raise NotAcceptableError(f"Instances are not available in transfer syntax {syntax}")
    boundary = new_boundary()

    def parts():  # type: ignore[no-untyped-def]
        for r in rows:
            ts = r.transfer_syntax_uid
            if syntax == "1.2.840.10008.1.2.1" and ts != syntax:
                body: Any = [wado.transcode_to_explicit_le(_path(r))]
                ts = syntax
            else:
                body = file_chunks(_path(r))
            yield {"Content-Type": f"application/dicom; transfer-syntax={ts}"}, body

    resp = Response(stream_with_context(write_multipart(parts(), boundary)),
                    content_type=f'multipart/related; type="application/dicom"; boundary={boundary}')
    resp.headers["Cache-Control"] = CACHE
    resp.set_etag(etag)
    return resp


def metadata(scope: Scope, study: str, series: str | None = None, instance: str | None = None) -> Response:
    rows = _instances(scope, study, series, instance)
    base = _base()
    etag = hashlib.sha256(("|".join(r.blob_sha256 for r in rows) + base).encode()).hexdigest()
    if (resp := _not_modified(etag)) is not None:
        return resp
    cache = os.path.join(settings.data_dir(current_app.config), "cache", "metadata")
    out = [metacache.instance_json(
        cache, r.blob_sha256, _path(r),
        f"{base}/studies/{study}/series/{r.series.series_instance_uid}/instances/{r.sop_instance_uid}",
        has_pixels=bool(r.rows), pixel_vr="OW" if (r.bits_allocated or 8) > 8 else "OB") for r in rows]
    resp = Response(b"[" + b", ".join(out) + b"]", mimetype=DICOM_JSON)
    resp.headers["Cache-Control"] = CACHE
    resp.set_etag(etag)
    return resp


def frames(scope: Scope, study: str, series: str, instance: str, frame_list: str) -> Response:
    inst = _instances(scope, study, series, instance)[0]
    if not inst.number_of_frames:
        raise NotFound("This instance has no pixel data", code="no_pixel_data")
    try:
        indexes = wado.parse_frame_list(frame_list, inst.number_of_frames)
        kind, media = wado.frame_representation(_accept(), inst.transfer_syntax_uid)
    except wado.NotAcceptable as exc:
        raise NotAcceptableError(str(exc)) from None
    except ValueError as exc:
        raise BadRequest(str(exc), code="bad_frame_list") from None
    etag = hashlib.sha256(f"{inst.blob_sha256}|{frame_list}|{kind}".encode()).hexdigest()
    if (resp := _not_modified(etag)) is not None:
        return resp
    path = _path(inst)
    boundary = new_boundary()
    ts = inst.transfer_syntax_uid if kind == "stored" else "1.2.840.10008.1.2.1"

    def parts():  # type: ignore[no-untyped-def]
        for i in indexes:
            if kind == "stored":
                data, actual = pixels.stored_frame(path, i)
            else:
                data, actual = pixels.uncompressed_frame(path, i), ts
            ctype = media if actual == ts else "application/octet-stream"
            yield {"Content-Type": f"{ctype}; transfer-syntax={actual}"}, [data]

    try:
        body = list(parts())  # decode before answering, so a failure is an error, not a cut stream
    except pixels.DecodeFailed as exc:
        raise NotAcceptableError(f"Cannot decode this instance's pixel data: {exc}") from None
    resp = Response(b"".join(write_multipart(body, boundary)),
                    content_type=f'multipart/related; type="{media}"; boundary={boundary}')
    resp.headers["Cache-Control"] = CACHE
    resp.set_etag(etag)
    return resp


def bulkdata(scope: Scope, study: str, series: str, instance: str, tag: str) -> Response:
    inst = _instances(scope, study, series, instance)[0]
    path = _path(inst)
    boundary = new_boundary()
    if tag.upper() == "7FE00010":
        if not inst.number_of_frames:
            raise NotFound("No pixel data", code="no_pixel_data")
        data = b"".join(pixels.uncompressed_frame(path, i) for i in range(inst.number_of_frames))
    else:
        try:
            ds = pixels.read_header(path)
            value = ds[int(tag, 16)].value
        except (KeyError, ValueError):
            raise NotFound("No such bulk data element", code="bulkdata_not_found") from None
        data = value if isinstance(value, bytes) else bytes(str(value), "utf-8")
    parts = [({"Content-Type": "application/octet-stream"}, [data])]
    resp = Response(b"".join(write_multipart(parts, boundary)),
                    content_type=f'multipart/related; type="application/octet-stream"; boundary={boundary}')
    resp.headers["Cache-Control"] = CACHE
    return resp


def _render_cached(inst: DicomInstance, index: int, options: render.RenderOptions) -> Response:
    key = hashlib.sha256(f"{inst.blob_sha256}|{index}|{options}".encode()).hexdigest()
    if (resp := _not_modified(key)) is not None:
        return resp
    cached = os.path.join(settings.cache_dir(current_app.config), key)
    if os.path.exists(cached):
        with open(cached, "rb") as fh:
            data = fh.read()
    else:
        try:
            data = render.render_frame(_path(inst), index, options)
        except pixels.DecodeFailed as exc:
            raise NotAcceptableError(f"Cannot render this instance: {exc}") from None
        except render.RenderError as exc:
            raise BadRequest(str(exc), code="bad_render_request") from None
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(cached))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, cached)
    resp = Response(data, mimetype=options.media_type)
    resp.headers["Cache-Control"] = CACHE
    resp.set_etag(key)
    return resp


def _render_options(default_viewport: tuple[int, int] | None = None) -> render.RenderOptions:
    try:
        media = wado.rendered_media(_accept())
        window = wado.parse_window(request.args.get("window"))
        viewport = wado.parse_viewport(request.args.get("viewport")) or default_viewport
        quality = int(request.args.get("quality", "90"))
    except wado.NotAcceptable as exc:
        raise NotAcceptableError(str(exc)) from None
    except ValueError as exc:
        raise BadRequest(str(exc), code="bad_render_request") from None
    return render.RenderOptions(window=window, viewport=viewport, media_type=media, quality=quality)


def rendered(scope: Scope, study: str, series: str, instance: str, frame_list: str | None = None) -> Response:
    inst = _instances(scope, study, series, instance)[0]
    if not inst.number_of_frames:
        raise NotFound("This instance has no pixel data to render", code="no_pixel_data")
    try:
        index = wado.parse_frame_list(frame_list, inst.number_of_frames)[0] if frame_list else 0
    except ValueError as exc:
        raise BadRequest(str(exc), code="bad_frame_list") from None
    return _render_cached(inst, index, _render_options())


def thumbnail(scope: Scope, study: str, series: str | None = None, instance: str | None = None) -> Response:
    rows = [r for r in _instances(scope, study, series, instance) if r.number_of_frames]
    if not rows:
        raise NotFound("Nothing to show a thumbnail of", code="no_pixel_data")
    inst = rows[len(rows) // 2]
    return _render_cached(inst, inst.number_of_frames // 2, _render_options((128, 128)))


# --- STOW-RS -------------------------------------------------------------------------------------

def stow(scope: Scope, study: str | None = None) -> Response:
    cfg = current_app.config
    request.max_content_length = settings.max_upload_bytes(cfg)
    case = _upload_case(scope.case_id)
    media, params = parse_content_type(request.headers.get("Content-Type", ""))
    if media != "multipart/related" or params.get("type", "application/dicom").lower() != "application/dicom":
        raise UnsupportedMediaType('Send multipart/related; type="application/dicom"', code="unsupported_media_type")
    base = _base()
    ok: list[Dataset] = []
    failed: list[Dataset] = []
    store = settings.blob_store(cfg)
    with tempfile.TemporaryDirectory(dir=settings.temp_dir(cfg)) as work:
        try:
            parts = list(iter_parts(request.stream, params.get("boundary", ""), work,
                                    max_total=settings.max_upload_bytes(cfg)))
        except MultipartError as exc:
            raise BadRequest(exc.message, code=exc.code) from None
        upload = service.start_upload(db.session, case, scope.user, source="stow")
        results = []
        for n, part in enumerate(parts, 1):
            if part.content_type not in ("application/dicom", ""):
                res = service.InstanceResult(f"part {n}", "rejected", "not_dicom", f"Part type {part.content_type}")
            else:
                res = service.ingest_file(db.session, store, case, part.path, name=f"part {n}",
                                          upload_id=upload.id, expected_study_uid=study)
            results.append(res)
            item = Dataset()
            if res.sop_class_uid:
                item.ReferencedSOPClassUID = res.sop_class_uid
            if res.sop_instance_uid:
                item.ReferencedSOPInstanceUID = res.sop_instance_uid
            if res.status in ("stored", "duplicate"):
                item.RetrieveURL = (f"{base}/studies/{res.study_instance_uid}/series/{res.series_instance_uid}"
                                    f"/instances/{res.sop_instance_uid}")
                if case.anonymous:
                    item.WarningReason = 0xB000  # coercion of data elements (de-identified)
                ok.append(item)
            else:
                item.FailureReason = FAILURE.get(res.reason or "", 0xC000)
                failed.append(item)
        service.finish_upload(db.session, upload, results, scope.user)
    out = Dataset()
    if study:
        out.RetrieveURL = f"{base}/studies/{study}"
    if ok:
        out.ReferencedSOPSequence = Sequence(ok)
    if failed:
        out.FailedSOPSequence = Sequence(failed)
    status = 200 if not failed else (409 if not ok else 202)
    resp = Response(__import__("json").dumps(out.to_json_dict()), status=status, mimetype=DICOM_JSON)
    return resp


# --- registration ---------------------------------------------------------------------------------

_QIDO = {"200": {"description": "Matches as DICOM JSON", "content": {DICOM_JSON: {}}}}
_WADO = {"200": {"description": "multipart/related payload"}, "406": {"description": "Not acceptable"}}
_IMAGE = {"200": {"description": "image/jpeg or image/png"}}

ROUTES: list[tuple[str, str, Callable[..., Response], str, dict[str, Any]]] = [
    ("/studies", "GET", qido_studies, "QIDO-RS search for studies", _QIDO),
    ("/series", "GET", qido_series, "QIDO-RS search for series", _QIDO),
    ("/instances", "GET", qido_instances, "QIDO-RS search for instances", _QIDO),
    ("/studies/<study>/series", "GET", qido_series, "QIDO-RS series of a study", _QIDO),
    ("/studies/<study>/instances", "GET", qido_instances, "QIDO-RS instances of a study", _QIDO),
    ("/studies/<study>/series/<series>/instances", "GET", qido_instances, "QIDO-RS instances of a series", _QIDO),
    ("/studies/<study>", "GET", retrieve, "WADO-RS retrieve a study", _WADO),
    ("/studies/<study>/series/<series>", "GET", retrieve, "WADO-RS retrieve a series", _WADO),
    ("/studies/<study>/series/<series>/instances/<instance>", "GET", retrieve, "WADO-RS retrieve an instance",
     _WADO),
    ("/studies/<study>/metadata", "GET", metadata, "WADO-RS study metadata", _QIDO),
    ("/studies/<study>/series/<series>/metadata", "GET", metadata, "WADO-RS series metadata", _QIDO),
    ("/studies/<study>/series/<series>/instances/<instance>/metadata", "GET", metadata,
     "WADO-RS instance metadata", _QIDO),
    ("/studies/<study>/series/<series>/instances/<instance>/frames/<frame_list>", "GET", frames,
     "WADO-RS frames (uncompressed by default, as stored with transfer-syntax=*)", _WADO),
    ("/studies/<study>/series/<series>/instances/<instance>/bulkdata/<tag>", "GET", bulkdata,
     "WADO-RS bulk data of an element", _WADO),
    ("/studies/<study>/series/<series>/instances/<instance>/rendered", "GET", rendered,
     "WADO-RS rendered instance (first frame)", _IMAGE),
    ("/studies/<study>/series/<series>/instances/<instance>/frames/<frame_list>/rendered", "GET", rendered,
     "WADO-RS rendered frame", _IMAGE),
    ("/studies/<study>/thumbnail", "GET", thumbnail, "WADO-RS study thumbnail", _IMAGE),
    ("/studies/<study>/series/<series>/thumbnail", "GET", thumbnail, "WADO-RS series thumbnail", _IMAGE),
    ("/studies/<study>/series/<series>/instances/<instance>/thumbnail", "GET", thumbnail,
     "WADO-RS instance thumbnail", _IMAGE),
    ("/studies", "POST", stow, "STOW-RS store instances", _QIDO),
    ("/studies/<study>", "POST", stow, "STOW-RS store instances of a study", _QIDO),
]


def _register() -> None:
    """Each route twice: on the case base (signed in) and, read-only, on the share-link base (CORS)."""
    for n, (rule, method, handler, summary, responses) in enumerate(ROUTES):
        def case_view(case_id: str, _h: Callable[..., Response] = handler, **kw: Any) -> Response:
            return _h(_case_scope(case_id), **kw)

        case_view.__name__ = f"dicomweb_case_{n}"
        route(bp, f"/api/cases/<case_id>/dicomweb{rule}", methods=[method], raw=True, summary=summary,
              responses=responses, tags=["dicomweb"])(case_view)
        if method != "GET":
            continue

        def share_view(token: str, _h: Callable[..., Response] = handler, **kw: Any) -> Response:
            return _h(_share_scope(token), **kw)

        share_view.__name__ = f"dicomweb_share_{n}"
        route(bp, f"/share/<token>/dicomweb{rule}", methods=["GET"], raw=True, auth="none",
              summary=f"{summary} (share link, read-only)", responses=responses, tags=["dicomweb"])(share_view)


_register()


@bp.after_app_request
def _share_cors(resp: Response) -> Response:
    """Share-link DICOMweb is a capability URL: any origin may read it (no cookies involved)."""
    if request.path.startswith("/share/") and "/dicomweb" in request.path:
        resp.headers["Access-Control-Allow-Origin"] = "*"
        resp.headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
        resp.headers["Access-Control-Allow-Headers"] = "Accept, X-Share-Passcode, If-None-Match"
        resp.headers["Access-Control-Expose-Headers"] = "ETag, Content-Type, Content-Length"
    return resp

