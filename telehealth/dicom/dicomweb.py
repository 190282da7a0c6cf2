"""DICOMweb (PS3.18): WADO-RS here; QIDO-RS in `qido`, STOW-RS in `stow`; all registered twice:
on the case base (signed in) and, read-only, on the share-link base (capability URL with CORS)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, request, stream_with_context

from telehealth.api import route
from telehealth.errors import BadRequest, NotFound
from telehealth.extensions import db

from . import metacache, pixels, render, search, settings, wado, webutil
from .models import DicomInstance
from .multipart import file_chunks, new_boundary, write_multipart
from .qido import qido_instances, qido_series, qido_studies
from .stow import stow
from .views import bp

# --- WADO-RS -------------------------------------------------------------------------------------

def _instances(scope: webutil.Scope, study: str, series: str | None = None, instance: str | None = None
               ) -> list[DicomInstance]:
    rows = search.find_instances(db.session, scope.case_id, study, series, instance)
    if not rows:
        raise NotFound("No such study, series or instance in this case", code="dicom_not_found")
    webutil.viewed(scope, study)
    return rows


def _path(inst: DicomInstance) -> str:
    path = settings.blob_store(current_app.config).path(inst.blob_sha256)
    assert path is not None
    return path


def retrieve(scope: webutil.Scope, study: str, series: str | None = None, instance: str | None = None) -> Response:
    try:
        syntax = wado.instance_syntax(webutil.accept())
    except wado.NotAcceptable as exc:
        raise webutil.NotAcceptableError(str(exc)) from None
    rows = _instances(scope, study, series, instance)
    etag = hashlib.sha256(("|".join(r.blob_sha256 for r in rows) + syntax).encode()).hexdigest()
    if (resp := webutil.not_modified(etag)) is not None:
        return resp
    if syntax not in (wado.STORED, "1.2.840.10008.1.2.1") and any(r.transfer_syntax_uid != syntax for r in rows):
        raise webutil.NotAcceptableError(f"Instances are not available in transfer syntax {syntax}")
    boundary = new_boundary()

    def parts():  # type: ignore[no-untyped-def]
        for r in rows:
            ts = r.transfer_syntax_uid
            body: Any = None
            if syntax == "1.2.840.10008.1.2.1" and ts != syntax:
                try:
                    body, ts = [wado.transcode_to_explicit_le(_path(r))], syntax
                except Exception:  # noqa: BLE001 - no installed decoder: send it as stored, labelled so
                    current_app.logger.warning("cannot transcode %s; sending it as stored", r.sop_instance_uid)
            if body is None:
                body = file_chunks(_path(r))
            yield {"Content-Type": f"application/dicom; transfer-syntax={ts}"}, body

    resp = Response(stream_with_context(write_multipart(parts(), boundary)),
                    content_type=f'multipart/related; type="application/dicom"; boundary={boundary}')
    resp.headers["Cache-Control"] = webutil.CACHE
    resp.set_etag(etag)
    return resp


def metadata(scope: webutil.Scope, study: str, series: str | None = None, instance: str | None = None) -> Response:
    rows = _instances(scope, study, series, instance)
    base = webutil.base_url()
    etag = hashlib.sha256(("|".join(r.blob_sha256 for r in rows) + base).encode()).hexdigest()
    if (resp := webutil.not_modified(etag)) is not None:
        return resp
    cache = os.path.join(settings.data_dir(current_app.config), "cache", "metadata")
    out = [metacache.instance_json(
        cache, r.blob_sha256, _path(r),
        f"{base}/studies/{study}/series/{r.series.series_instance_uid}/instances/{r.sop_instance_uid}",
        has_pixels=bool(r.rows), pixel_vr="OW" if (r.bits_allocated or 8) > 8 else "OB") for r in rows]
    resp = Response(b"[" + b", ".join(out) + b"]", mimetype=webutil.DICOM_JSON)
    resp.headers["Cache-Control"] = webutil.CACHE
    resp.set_etag(etag)
    return resp


def frames(scope: webutil.Scope, study: str, series: str, instance: str, frame_list: str) -> Response:
    inst = _instances(scope, study, series, instance)[0]
    if not inst.number_of_frames:
        raise NotFound("This instance has no pixel data", code="no_pixel_data")
    try:
        indexes = wado.parse_frame_list(frame_list, inst.number_of_frames)
        kind, media = wado.frame_representation(webutil.accept(), inst.transfer_syntax_uid)
    except wado.NotAcceptable as exc:
        raise webutil.NotAcceptableError(str(exc)) from None
    except ValueError as exc:
        raise BadRequest(str(exc), code="bad_frame_list") from None
    etag = hashlib.sha256(f"{inst.blob_sha256}|{frame_list}|{kind}".encode()).hexdigest()
    if (resp := webutil.not_modified(etag)) is not None:
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
        raise webutil.NotAcceptableError(f"Cannot decode this instance's pixel data: {exc}") from None
    resp = Response(b"".join(write_multipart(body, boundary)),
                    content_type=f'multipart/related; type="{media}"; boundary={boundary}')
    resp.headers["Cache-Control"] = webutil.CACHE
    resp.set_etag(etag)
    return resp


def bulkdata(scope: webutil.Scope, study: str, series: str, instance: str, tag: str) -> Response:
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
    resp.headers["Cache-Control"] = webutil.CACHE
    return resp


def _render_cached(inst: DicomInstance, index: int, options: render.RenderOptions) -> Response:
    key = hashlib.sha256(f"{inst.blob_sha256}|{index}|{options}".encode()).hexdigest()
    if (resp := webutil.not_modified(key)) is not None:
        return resp
    cached = os.path.join(settings.cache_dir(current_app.config), key)
    if os.path.exists(cached):
        with open(cached, "rb") as fh:
            data = fh.read()
    else:
        try:
            data = render.render_frame(_path(inst), index, options)
        except pixels.DecodeFailed as exc:
            raise webutil.NotAcceptableError(f"Cannot render this instance: {exc}") from None
        except render.RenderError as exc:
            raise BadRequest(str(exc), code="bad_render_request") from None
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(cached))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, cached)
    resp = Response(data, mimetype=options.media_type)
    resp.headers["Cache-Control"] = webutil.CACHE
    resp.set_etag(key)
    return resp


def _render_options(default_viewport: tuple[int, int] | None = None) -> render.RenderOptions:
    try:
        media = wado.rendered_media(webutil.accept())
        window = wado.parse_window(request.args.get("window"))
        viewport = wado.parse_viewport(request.args.get("viewport")) or default_viewport
        quality = int(request.args.get("quality", "90"))
    except wado.NotAcceptable as exc:
        raise webutil.NotAcceptableError(str(exc)) from None
    except ValueError as exc:
        raise BadRequest(str(exc), code="bad_render_request") from None
    return render.RenderOptions(window=window, viewport=viewport, media_type=media, quality=quality)


def rendered(scope: webutil.Scope, study: str, series: str, instance: str, frame_list: str | None = None) -> Response:
    inst = _instances(scope, study, series, instance)[0]
    if not inst.number_of_frames:
        raise NotFound("This instance has no pixel data to render", code="no_pixel_data")
    try:
        index = wado.parse_frame_list(frame_list, inst.number_of_frames)[0] if frame_list else 0
    except ValueError as exc:
        raise BadRequest(str(exc), code="bad_frame_list") from None
    return _render_cached(inst, index, _render_options())


def thumbnail(scope: webutil.Scope, study: str, series: str | None = None, instance: str | None = None) -> Response:
    rows = [r for r in _instances(scope, study, series, instance) if r.number_of_frames]
    if not rows:
        raise NotFound("Nothing to show a thumbnail of", code="no_pixel_data")
    inst = rows[len(rows) // 2]
    return _render_cached(inst, inst.number_of_frames // 2, _render_options((128, 128)))


# --- registration ---------------------------------------------------------------------------------

_QIDO = {"200": {"description": "Matches as DICOM JSON", "content": {webutil.DICOM_JSON: {}}}}
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
            return _h(webutil.case_scope(case_id), **kw)

        case_view.__name__ = f"dicomweb_case_{n}"
        route(bp, f"/api/cases/<case_id>/dicomweb{rule}", methods=[method], raw=True, summary=summary,
              responses=responses, tags=["dicomweb"])(case_view)
        if method != "GET":
            continue

        def share_view(token: str, _h: Callable[..., Response] = handler, **kw: Any) -> Response:
            return _h(webutil.share_scope(token), **kw)

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

