"""Serves the built frontend (frontend/dist): static assets and the single-page app."""
from __future__ import annotations

import mimetypes
import os

from flask import Blueprint, Response, current_app, request, send_from_directory

bp = Blueprint("web", __name__)

RESERVED = ("api/", "socket.io", "healthz", "oauth/")
# Copies the build writes beside each compressible asset (frontend/scripts/compress.mjs), best first.
PRECOMPRESSED = (("br", ".br"), ("gzip", ".gz"))


def _asset(dist: str, path: str) -> Response:
    """A built asset, as its Brotli or gzip copy when the browser accepts one and the build made it."""
    for coding, suffix in PRECOMPRESSED:
        if request.accept_encodings.quality(coding) > 0 and os.path.isfile(os.path.join(dist, path + suffix)):
            mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
            resp = send_from_directory(dist, path + suffix, mimetype=mimetype)
            resp.headers["Content-Encoding"] = coding
            break
    else:
        resp = send_from_directory(dist, path)
    resp.headers["Vary"] = "Accept-Encoding"
    resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return resp


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
def spa(path: str) -> Response:
    """A built file if it exists, else index.html so the client router handles the path."""
    dist = current_app.config["FRONTEND_DIST"]
    if path.startswith(RESERVED):
        from telehealth.errors import NotFound
        raise NotFound("No such API route", code="route_not_found")
    full = os.path.join(dist, path)
    if path and os.path.isfile(full) and os.path.realpath(full).startswith(os.path.realpath(dist) + os.sep):
        if path.startswith("assets/"):
            return _asset(dist, path)
        return send_from_directory(dist, path)
    if not os.path.isfile(os.path.join(dist, "index.html")):
        return Response("The frontend is not built: run `make run` (or `cd frontend && npm ci && npm run build`).",
                        status=503, mimetype="text/plain")
    resp = send_from_directory(dist, "index.html")
    resp.headers["Cache-Control"] = "no-cache"
    return resp
