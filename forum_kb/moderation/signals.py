"""Signals moderation sends, so escalation can react without moderation importing it.
Receivers run inside the sender's unit of work.

- ``flag_created``: ``flag`` (check ``flag.is_urgent``).
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace
from flask import current_app

_signals = Namespace()

flag_created = _signals.signal("forum-kb-flag-created")


def send(signal: Any, **kwargs: Any) -> None:
    signal.send(current_app._get_current_object(), **kwargs)  # type: ignore[attr-defined]
