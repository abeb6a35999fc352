"""Per-member flag rate limit (against flag-bombing), shared by the pages and the JSON API."""

from __future__ import annotations

from flask import current_app

from forum_kb.community.limits import poster_key
from forum_kb.extensions import limiter

flag_limit = limiter.shared_limit(
    lambda: str(current_app.config["RATELIMIT_FLAGS"]),
    scope="flags",
    key_func=poster_key,
    methods=["POST"],
)
