"""Domain errors and the app-wide error handlers (HTML pages, JSON under /api/)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from forum_kb.extensions import db

log = logging.getLogger(__name__)


class ForumKBError(Exception):
    """Base of the domain errors that services raise."""

    status_code = 400
    code = "error"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.__class__.__doc__ or self.code)
        self.message = message or (self.__class__.__doc__ or self.code).strip()


class BadRequest(ForumKBError):
    """The request is malformed."""

    status_code = 400
    code = "bad_request"


class Unauthorized(ForumKBError):
    """Authentication is required."""

    status_code = 401
    code = "unauthorized"


class NotFound(ForumKBError):
    """Not found."""

    status_code = 404
    code = "not_found"


class PermissionDenied(ForumKBError):
    """You do not have permission to do that."""

    status_code = 403
    code = "forbidden"


class Conflict(ForumKBError):
    """That conflicts with the current state."""

    status_code = 409
    code = "conflict"


class RateLimited(ForumKBError):
    """You are doing that too often. Please wait a little."""

    status_code = 429
    code = "rate_limited"


class ValidationFailed(ForumKBError):
    """Some values are not valid."""

    status_code = 422
    code = "validation_failed"

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _, message in errors) or "Invalid input.")
        self.errors = errors

    def fields(self) -> dict[str, list[str]]:
        """Group the messages by field name."""
        grouped: dict[str, list[str]] = {}
        for field, message in self.errors:
            grouped.setdefault(field, []).append(message)
        return grouped


# Codes for the JSON error body, by HTTP status.
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "internal_error",
}
_PAGE_CODES = (400, 401, 403, 404, 405, 413, 422, 429, 500)


def wants_json() -> bool:
    """True for API requests, which always get JSON errors."""
    return request.path.startswith("/api/")


def json_error(
    status: int, message: str, *, code: str | None = None, fields: dict[str, Any] | None = None
) -> Response:
    """Build the uniform API error body of API.md."""
    body: dict[str, Any] = {"code": code or _HTTP_CODES.get(status, "error"), "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify({"error": body})
    response.status_code = status
    return response


def _render_page(status: int, message: str) -> tuple[str, int]:
    template = f"errors/{status}.html" if status in _PAGE_CODES else "errors/generic.html"
    return render_template(template, status=status, message=message), status


def register_error_handlers(app: Flask) -> None:
    """Map domain errors and HTTP errors to JSON (under /api/) or friendly pages."""

    @app.errorhandler(ForumKBError)
    def handle_domain_error(error: ForumKBError) -> Any:
        if wants_json():
            fields = error.fields() if isinstance(error, ValidationFailed) else None
            response = json_error(error.status_code, error.message, code=error.code, fields=fields)
            if isinstance(error, Unauthorized):
                response.headers["WWW-Authenticate"] = 'Bearer realm="forum_kb"'
            return response
        return _render_page(error.status_code, error.message)

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError) -> Any:
        message = "Your form expired or was sent from another site. Please try again."
        if wants_json():
            return json_error(400, message, code="csrf_failed")
        return _render_page(400, message)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> Any:
        status = error.code or 500
        message = error.description or error.name
        if status == 429:
            message = "Too many attempts. Please wait a little and try again."
        if wants_json():
            response = json_error(status, message)
        else:
            body, _ = _render_page(status, message)
            response = app.make_response((body, status))
        # Keep headers such as Allow (405) and Retry-After (429).
        for key, value in error.get_headers():
            if key.lower() != "content-type":
                response.headers[key] = value
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Any:
        if isinstance(error, HTTPException):  # pragma: no cover - routed above
            return handle_http_error(error)
        log.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        message = "Something went wrong on our side. It has been logged."
        if wants_json():
            return json_error(500, message)
        return _render_page(500, message)
