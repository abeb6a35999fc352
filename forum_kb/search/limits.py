"""Rate limit on searching (page and JSON API): each query costs an index lookup, so a
scraper or a runaway client must not be able to run them without end."""

from __future__ import annotations

from flask import current_app

from forum_kb.extensions import limiter

search_limit = limiter.shared_limit(
    lambda: str(current_app.config["RATELIMIT_SEARCH"]), scope="search", methods=["GET"]
)
