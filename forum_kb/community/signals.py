"""Signals the community sends, so higher features (escalation: webhooks, reopening and
resolving escalations) can react without the community importing them. Receivers run inside
the sender's unit of work, so what they change commits or rolls back with it.

Each is sent with the app as sender and keyword arguments:
- ``thread_created``: ``thread``, ``post`` (the opening post); only once it is visible;
- ``reply_created``: ``thread``, ``post``; only once it is visible;
- ``answer_accepted``: ``thread``, ``post``, ``actor``;
- ``category_created``: ``category``, ``actor``, ``options`` (settings owned by higher
  features, e.g. ``{"sla_policy": "Priority"}``; a receiver may raise ``ValidationFailed``,
  which undoes the creation).
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace
from flask import current_app

_signals = Namespace()

thread_created = _signals.signal("forum-kb-thread-created")
reply_created = _signals.signal("forum-kb-reply-created")
answer_accepted = _signals.signal("forum-kb-answer-accepted")
category_created = _signals.signal("forum-kb-category-created")


def send(signal: Any, **kwargs: Any) -> None:
    signal.send(current_app._get_current_object(), **kwargs)  # type: ignore[attr-defined]
