"""The OpenAPI 3.1 description of /api/v1, served at ``GET /api/v1/openapi.json``.

The document is written by hand from the endpoints and their serializers (API.md is the
contract; this is its machine-readable form). ``tests/api`` keeps it true: every URL rule
under /api/v1 must be described here and vice versa, and schemathesis checks the app's
responses against it.
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

from flask import Blueprint, Flask, Response, request

from forum_kb.api import API_PREFIX, register_api
from forum_kb.openapi.operations import BEARER, error_responses
from forum_kb.openapi.paths import PATH_GROUPS
from forum_kb.openapi.schemas import component_schemas

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"
#: Browsers and tools may keep the document for an hour; the ETag makes re-checks cheap.
CACHE_SECONDS = 3600

bp = Blueprint("openapi", __name__)


def _paths() -> dict[str, dict[str, Any]]:
    """Merge the path groups; two groups may share a path but never a method on it."""
    merged: dict[str, dict[str, Any]] = {}
    for group in PATH_GROUPS:
        for path, operations in group().items():
            methods = merged.setdefault(path, {})
            clash = methods.keys() & operations.keys()
            if clash:
                raise ValueError(f"{sorted(clash)} {path} is described twice")
            methods.update(operations)
    return dict(sorted(merged.items()))


@functools.cache
def _document() -> dict[str, Any]:
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "forum_kb API",
            "version": API_VERSION,
            "description": (
                "A community forum with an integrated knowledge base. Errors are"
                ' {"error": {"code", "message", "fields"}}; lists are'
                ' {"items", "page", "per_page", "total"} with ?page=&per_page= (at most 100);'
                " times are ISO 8601 in UTC; bodies are Markdown in `body` with sanitized"
                " `body_html`. Sign in with POST /tokens and send `Authorization: Bearer`."
            ),
        },
        "servers": [{"url": API_PREFIX}],
        "tags": [
            {"name": name}
            for name in ("accounts", "community", "kb", "search", "moderation", "escalation")
        ]
        + [{"name": "insights"}]
        + [{"name": "meta"}],
        "paths": _paths(),
        "components": {
            "schemas": component_schemas(),
            "responses": error_responses(),
            "securitySchemes": {
                BEARER: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from POST /tokens.",
                }
            },
        },
    }


def build_spec() -> dict[str, Any]:
    """The OpenAPI document as a fresh dict (callers may change their copy)."""
    return copy.deepcopy(_document())


@functools.cache
def _document_bytes() -> bytes:
    return json.dumps(_document(), sort_keys=True, separators=(",", ":")).encode()


@bp.get("/openapi.json")
def openapi_json() -> Any:
    response = Response(_document_bytes(), mimetype="application/json")
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    response.add_etag()
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    """Serve the document under /api/v1."""
    register_api(app, bp)
