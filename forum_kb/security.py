"""Cross-cutting HTTP security: response headers and safe redirect targets."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, request, session
from werkzeug.routing import IntegerConverter, Map

_STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def is_safe_redirect(target: str | None) -> bool:
    """True when ``target`` is a same-site relative path (no scheme, host or ``//``)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ch in target for ch in ("\\", "\r", "\n", "\t")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    """The ``next`` target when it is safe, else ``default``."""
    return target if target and is_safe_redirect(target) else default


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` URL parts that fit the database's 32-bit integer keys.

    Larger numbers would reach PostgreSQL as out-of-range parameters (an error, so a 500);
    here they simply do not match, which is a 404.
    """

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)
        if not self.signed and not self.fixed_digits and self.max is not None:
            # Too large numbers must not match at all: refusing them in to_python left
            # werkzeug's method bookkeeping half done, so DELETE /api/v1/posts/9999999999 was
            # a 405 naming PATCH as allowed, where PATCH was a 404.
            self.regex = digits_up_to(self.max)


def digits_up_to(limit: int) -> str:
    """A regular expression for the decimal numbers 0 to ``limit`` (ASCII digits only)."""
    digits = str(limit)
    options = [f"[0-9]{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        if digit != "0":
            options.append(f"{digits[:i]}[0-{int(digit) - 1}][0-9]{{{len(digits) - i - 1}}}")
    options.append(digits)
    return "(?:" + "|".join(options) + ")"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def register_converters(app: Flask) -> None:
    """Must run before any blueprint adds its URL rules."""
    app.url_map.converters["int"] = BoundedIntConverter


def init_app(app: Flask) -> None:
    """Refuse NUL characters in input, and add security headers to every response."""
    csp = app.config["CONTENT_SECURITY_POLICY"]
    hsts = bool(app.config["SESSION_COOKIE_SECURE"])

    @app.before_request
    def refuse_nul_characters() -> None:
        # No text field accepts NUL, and PostgreSQL refuses it in strings (an error, so a 500).
        values: list[Any] = [request.path, *request.args.values(), *request.args.keys()]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            values += [*request.form.values(), *request.form.keys()]
        elif request.is_json:
            values.append(request.get_json(silent=True))
        if any(_has_nul(value) for value in values):
            abort(400, description="The request contains a NUL character, which no field accepts.")

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in _STATIC_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", csp)
        if hsts:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if request.path.startswith("/api/") or _is_personal(response):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _is_personal(response: Response) -> bool:
    # Pages rendered for a signed-in user (Flask-Login keeps "_user_id" in the session) or that
    # set a cookie must never be stored by a shared cache.
    if request.endpoint == "static":
        return False
    return "_user_id" in session or bool(response.headers.getlist("Set-Cookie"))
