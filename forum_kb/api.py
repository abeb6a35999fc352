"""Helpers shared by the feature JSON APIs under /api/v1 (API.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from flask import Blueprint, Flask, request
from sqlalchemy import Select

from forum_kb.errors import BadRequest, ValidationFailed
from forum_kb.extensions import csrf, db

API_PREFIX = "/api/v1"
MAX_PER_PAGE = 100
T = TypeVar("T")


def register_api(app: Flask, blueprint: Blueprint) -> None:
    """Mount a feature's API blueprint under /api/v1.

    API calls authenticate with bearer tokens only, never with the session cookie, so they
    cannot be forged cross-site and need no CSRF token.
    """
    csrf.exempt(blueprint)
    app.register_blueprint(blueprint, url_prefix=API_PREFIX)


def json_body() -> dict[str, Any]:
    """The request's JSON object.

    Raises:
        BadRequest: the body is not a JSON object.
    """
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("Send a JSON object with Content-Type: application/json.")
    return data


def string_field(
    data: dict[str, Any], name: str, *, required: bool = True, default: str = ""
) -> str:
    """A string member of a JSON body.

    Raises:
        ValidationFailed: missing when required, or not a string.
    """
    value = data.get(name)
    if value is None:
        if required:
            raise ValidationFailed([(name, "This field is required.")])
        return default
    if not isinstance(value, str):
        raise ValidationFailed([(name, "Must be a string.")])
    return value


def int_arg(name: str, default: int, *, minimum: int = 1, maximum: int | None = None) -> int:
    """An integer query-string argument.

    Raises:
        BadRequest: not an integer or out of range.
    """
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be an integer.") from None
    if value < minimum or (maximum is not None and value > maximum):
        limit = f" and {maximum}" if maximum is not None else ""
        raise BadRequest(f"'{name}' must be between {minimum}{limit}.")
    return value


MAX_PAGE = 1_000_000  # beyond it, OFFSET overflows on PostgreSQL


def paginated(stmt: Select[T], serialize: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
    """A page of ``stmt`` in the list shape of API.md."""
    page = int_arg("page", 1, maximum=MAX_PAGE)
    per_page = int_arg("per_page", 20, maximum=MAX_PER_PAGE)
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    return {
        "items": [serialize(item) for item in pagination.items],
        "page": page,
        "per_page": per_page,
        "total": pagination.total,
    }


def paginated_list(values: list[T], serialize: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
    """A page of an already loaded list, in the list shape of API.md."""
    page = int_arg("page", 1, maximum=MAX_PAGE)
    per_page = int_arg("per_page", 20, maximum=MAX_PER_PAGE)
    start = (page - 1) * per_page
    return {
        "items": [serialize(value) for value in values[start : start + per_page]],
        "page": page,
        "per_page": per_page,
        "total": len(values),
    }


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC, or None."""
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def items(values: Iterable[T], serialize: Callable[[T], dict[str, Any]]) -> list[dict[str, Any]]:
    return [serialize(value) for value in values]
