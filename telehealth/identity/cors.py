"""CORS only where a capability URL needs it: the read-only DICOMweb base of a share link
(`/share/<token>/dicomweb/...`), so a stock DICOMweb viewer on another origin can read it.
No credentials are allowed (the token in the URL is the capability); everything else stays
same-origin."""
from __future__ import annotations

import re

from flask import Response, request

SHARE_DICOMWEB = re.compile(r"^/share/[^/]+/dicomweb(/|$)")


def add_cors_headers(resp: Response) -> Response:
    """Allow cross-origin GETs of share-link DICOMweb resources."""
    if SHARE_DICOMWEB.match(request.path) and request.method in ("GET", "HEAD", "OPTIONS"):
        resp.headers["Access-Control-Allow-Origin"] = "*"
        resp.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        resp.headers["Access-Control-Allow-Headers"] = "Accept, Range, Content-Type"
        resp.headers["Access-Control-Expose-Headers"] = "Content-Type, Content-Length, Content-Range"
        resp.headers["Access-Control-Max-Age"] = "600"
        resp.headers.pop("Access-Control-Allow-Credentials", None)
    return resp
