"""Cross-cutting HTTP security: response headers and safe redirect targets."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request, session

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


def init_app(app: Flask) -> None:
    """Add security headers to every response."""
    csp = app.config["CONTENT_SECURITY_POLICY"]
    hsts = bool(app.config["SESSION_COOKIE_SECURE"])

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
