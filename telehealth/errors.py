"""One JSON error shape for the whole API, raised as typed exceptions."""
from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    """An error the client caused or must know about; rendered as {"error": {...}}."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details
        self.headers = headers or {}

    def to_dict(self) -> dict[str, Any]:
        """The error body of the API."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(ApiError):
    """400: the request is malformed."""

    status, code = 400, "bad_request"


class Unauthorized(ApiError):
    """401: no valid credentials."""

    status, code = 401, "unauthorized"


class Forbidden(ApiError):
    """403: authenticated but not allowed (only where the resource itself is visible)."""

    status, code = 403, "forbidden"


class NotFound(ApiError):
    """404: does not exist or is not visible to the caller."""

    status, code = 404, "not_found"


class Conflict(ApiError):
    """409: the request conflicts with the current state."""

    status, code = 409, "conflict"


class Gone(ApiError):
    """410: existed once, no longer usable (expired link, used token)."""

    status, code = 410, "gone"


class PayloadTooLarge(ApiError):
    """413: the body or an archive inside it exceeds a limit."""

    status, code = 413, "payload_too_large"


class UnsupportedMediaType(ApiError):
    """415: wrong Content-Type."""

    status, code = 415, "unsupported_media_type"


class ValidationFailed(ApiError):
    """422: well-formed but invalid fields."""

    status, code = 422, "validation_failed"


class Locked(ApiError):
    """423: the account is locked for a while."""

    status, code = 423, "locked"


class TooManyRequests(ApiError):
    """429: slow down."""

    status, code = 429, "too_many_requests"


def error_response(err: ApiError):  # type: ignore[no-untyped-def]
    """Render an ApiError as a Flask response."""
    resp = jsonify(err.to_dict())
    resp.status_code = err.status
    for k, v in err.headers.items():
        resp.headers[k] = v
    return resp


def init_app(app: Flask) -> None:
    """Install the handlers that turn every error into the one JSON shape."""

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):  # type: ignore[no-untyped-def]
        return error_response(err)

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):  # type: ignore[no-untyped-def]
        code = (err.name or "error").lower().replace(" ", "_")
        if err.code == 413:
            code = "payload_too_large"
        api = ApiError(err.description or err.name, code=code)
        api.status = err.code or 500
        if not request.path.startswith(("/api", "/share/", "/oauth", "/healthz")) and err.code == 404:
            return err
        return error_response(api)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):  # type: ignore[no-untyped-def]
        app.logger.exception("unhandled error")
        api = ApiError("Internal server error", code="internal_error")
        api.status = 500
        return error_response(api)
