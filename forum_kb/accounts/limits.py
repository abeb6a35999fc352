"""Rate limits on signing in, shared by the login page and the token API."""

from __future__ import annotations

from flask import current_app, g, request
from flask.wrappers import Response

from forum_kb.extensions import limiter


def _config(key: str) -> str:
    return str(current_app.config[key])


def _account_key() -> str:
    # The account being tried, from the form or the JSON body: throttles guessing against one
    # account from many addresses. Unknown names are throttled too, so they reveal nothing.
    data = request.get_json(silent=True) if request.is_json else None
    login = (data or {}).get("username") if isinstance(data, dict) else request.form.get("login")
    return "account:" + (str(login or "").strip().lower()[:254] or "-")


def _failed(response: Response) -> bool:
    return bool(g.get("login_failed"))


login_per_ip = limiter.shared_limit(
    lambda: _config("RATELIMIT_LOGIN_PER_IP"), scope="login-ip", methods=["POST"]
)
login_per_account = limiter.shared_limit(
    lambda: _config("RATELIMIT_LOGIN_PER_ACCOUNT"),
    scope="login-account",
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
)
signup_per_ip = limiter.shared_limit(
    lambda: _config("RATELIMIT_SIGNUP_PER_IP"), scope="signup-ip", methods=["POST"]
)


def mark_login_failed() -> None:
    """Count this request against the per-account limit."""
    g.login_failed = True
