"""Signals the knowledge base sends, so higher features (moderation: promotion credit, the
audit log) can react without the KB importing them. Receivers run inside the sender's unit
of work, so what they change commits or rolls back with it.

Each is sent with the app as sender and ``article``, ``actor`` and ``before`` (the status
before the change) as keyword arguments.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

article_published = _signals.signal("forum-kb-article-published")
article_archived = _signals.signal("forum-kb-article-archived")
