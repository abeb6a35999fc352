"""Per-user posting rate limit, shared by the pages and the JSON API."""

from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user

from forum_kb.accounts.auth import api_user
from forum_kb.errors import ForumKBError
from forum_kb.extensions import limiter


def poster_key() -> str:
    """The rate-limit key of the signed-in user (page session or API token)."""
    # Anonymous requests fall back to the IP and are refused by the views anyway.
    try:
        user = api_user()
    except ForumKBError:
        user = None
    if user is None and current_user.is_authenticated:
        user = current_user
    return f"user:{user.id}" if user is not None else f"ip:{get_remote_address()}"


posting_limit = limiter.shared_limit(
    lambda: str(current_app.config["RATELIMIT_POSTING"]),
    scope="posting",
    key_func=poster_key,
    methods=["POST", "PATCH"],
)
