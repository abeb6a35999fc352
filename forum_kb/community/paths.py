"""Site-relative links to community pages, for services (emails, notifications) and views.

Services run without a request (CLI, tests), so they cannot call ``url_for``; the views' URL
rules and these helpers are kept side by side here.
"""

from __future__ import annotations

THREAD_RULE = "/t/<int:thread_id>"


def thread_path(thread_id: int, post_id: int | None = None) -> str:
    path = f"/t/{thread_id}"
    return f"{path}/p/{post_id}" if post_id is not None else path


def profile_path(username: str) -> str:
    return f"/u/{username}"
