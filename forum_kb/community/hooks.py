"""Extension points that let higher features (moderation) shape the community without the
community importing them (STYLE 4.1: imports go one way, features push in).

- *Post screens* look at new content before it is saved and may block it or send it to the
  review queue (watched words, pre-moderation).
- *Thread banners* add notices to a thread page and its JSON (an official KB article made from
  the thread, "closed as a duplicate of ...").
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from forum_kb.accounts.models import User
from forum_kb.community.models import Category, Thread

SCREENS_KEY = "forum_kb.community.post_screens"
BANNERS_KEY = "forum_kb.community.thread_banners"


class Verdict(enum.IntEnum):
    """Ordered by severity: the strictest verdict of all screens wins."""

    ALLOW = 0
    QUEUE = 1
    BLOCK = 2


@dataclass(frozen=True)
class Screening:
    verdict: Verdict
    #: Why (shown to the author when blocked; to moderators in the queue when queued).
    reason: str = ""


@dataclass(frozen=True)
class Banner:
    """A notice at the top of a thread: ``kind`` names it for templates and the API."""

    kind: str
    title: str
    url: str
    text: str
    data: dict[str, Any]


Screen = Callable[[User, Category, str], Screening]
BannerProvider = Callable[[Thread], list[Banner]]


def register_post_screen(app: Flask, screen: Screen) -> None:
    """Let a feature inspect new threads and replies (actor, category, title + body)."""
    app.extensions.setdefault(SCREENS_KEY, []).append(screen)


def register_thread_banner(app: Flask, provider: BannerProvider) -> None:
    """Let a feature add notices to thread pages."""
    app.extensions.setdefault(BANNERS_KEY, []).append(provider)


def screen_post(actor: User, category: Category, text: str) -> Screening:
    """The strictest verdict of every registered screen (ALLOW when none objects)."""
    result = Screening(Verdict.ALLOW)
    for screen in current_app.extensions.get(SCREENS_KEY, []):
        screening = screen(actor, category, text)
        if screening.verdict > result.verdict:
            result = screening
    return result


def thread_banners(thread: Thread) -> list[Banner]:
    """Every feature's notices for a thread, in registration order."""
    banners: list[Banner] = []
    for provider in current_app.extensions.get(BANNERS_KEY, []):
        banners.extend(provider(thread))
    return banners
