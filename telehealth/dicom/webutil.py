"""Shared pieces of the DICOMweb handlers: request scope (case or share link), responses, negotiation."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Response, g, request

from telehealth.accounts.models import User
from telehealth.cases.access import get_visible_case
from telehealth.errors import ApiError
from telehealth.extensions import db

from . import sharing, wado
from .views import open_share

DICOM_JSON = "application/dicom+json"
CACHE = "private, max-age=3600"


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


def case_scope(case_id: str) -> Scope:
    # The route decorator has just checked this case for this user (api.route keeps it on g).
    case = g.get("visible_case")
    if case is None or case.id != case_id:
        case = get_visible_case(db.session, g.user, case_id)
    return Scope(case.id, g.user, None, False)


def share_scope(token: str) -> Scope:
    link = open_share(token)
    return Scope(link.case_id, None, f"share-link:{link.id}", True)


def base_url() -> str:
    path = request.path
    return request.url_root.rstrip("/") + path[: path.index("/dicomweb") + len("/dicomweb")]


def json_response(payload: Any, etag: str | None = None) -> Response:
    resp = Response(json.dumps(payload), mimetype=DICOM_JSON)
    resp.headers["Cache-Control"] = "private, no-cache"
    if etag:
        resp.set_etag(etag)
    return resp


def not_modified(etag: str) -> Response | None:
    if etag in request.if_none_match:
        resp = Response(status=304)
        resp.set_etag(etag)
        resp.headers["Cache-Control"] = CACHE
        return resp
    return None


def accept() -> list[wado.AcceptItem]:
    return wado.parse_accept(request.headers.get("Accept"))


def viewed(scope: Scope, study_uid: str) -> None:
    sharing.record_study_view(db.session, scope.user, scope.case_id, study_uid, scope.via)


