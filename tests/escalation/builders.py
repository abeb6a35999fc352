"""Builders shared by the escalation tests. Call inside an app context."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from forum_kb.accounts.models import User
from forum_kb.community import services as community
from forum_kb.community.models import Category, Post, Thread
from forum_kb.community.services import NewThread
from forum_kb.escalation.models import SlaPolicy
from forum_kb.extensions import db

_numbers = itertools.count(1)
BODY = "My printer shows error E42 after the update. What does it mean?"
#: A Monday, 10:00 UTC (inside business hours).
MONDAY = datetime(2030, 1, 7, 10, 0, tzinfo=UTC)


def make_policy(name: str | None = None, **fields: Any) -> SlaPolicy:
    values: dict[str, Any] = {
        "name": name or f"Policy {next(_numbers)}",
        "unanswered_hours": 48,
        "unsolved_days": 7,
        "first_response_hours": 8,
        "resolution_hours": 48,
        "is_default": True,
    } | fields
    policy = SlaPolicy(**values)
    db.session.add(policy)
    db.session.commit()
    return policy


def ask(author: User, category: Category, **overrides: Any) -> Thread:
    n = next(_numbers)
    data: dict[str, Any] = {
        "category_id": category.id,
        "kind": "question",
        "title": f"Printer shows error E{n}",
        "body": f"{BODY} Case {n}.",
    } | overrides
    return community.create_thread(author, NewThread(**data))


def reply(author: User, thread: Thread, body: str | None = None) -> Post:
    text = body or f"Answer {next(_numbers)}: hold the reset button for ten seconds."
    return community.reply_to_thread(author, thread, text)


def backdate(thread: Thread, when: datetime) -> Thread:
    """Pretend the thread was asked at ``when``."""
    thread.created_at = when
    db.session.commit()
    return thread
