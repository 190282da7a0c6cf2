"""Serves the built frontend (frontend/dist): static assets and the single-page app."""
from __future__ import annotations

import os

from flask import Blueprint, Response, current_app, send_from_directory

bp = Blueprint("web", __name__)

RESERVED = ("api/", "socket.io", "healthz", "oauth/")


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
        resp = send_from_directory(dist, path)
        if path.startswith("assets/"):
            resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return resp
    if not os.path.isfile(os.path.join(dist, "index.html")):
        return Response("The frontend is not built: run `make run` (or `cd frontend && npm ci && npm run build`).",
                        status=503, mimetype="text/plain")
    resp = send_from_directory(dist, "index.html")
    resp.headers["Cache-Control"] = "no-cache"
    return resp
