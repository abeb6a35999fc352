"""Loading the demo community."""

from __future__ import annotations

import re
import secrets
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from forum_kb.accounts import services as accounts
from forum_kb.accounts.models import Role, User
from forum_kb.community import services as community
from forum_kb.community.models import Category, Post, PostRevision, Thread, Vote
from forum_kb.db import unit_of_work, utcnow
from forum_kb.demo import data
from forum_kb.errors import Conflict
from forum_kb.extensions import db
from forum_kb.notifications import services as notifications
from forum_kb.notifications.models import EmailMode, Notification


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    password: str


def is_database_empty() -> bool:
    """True when no user exists yet (the demo is loaded only into an empty database)."""
    return (db.session.scalar(select(func.count()).select_from(User)) or 0) == 0


def demo_logins() -> list[DemoLogin]:
    """The demo accounts and their passwords."""
    return [DemoLogin(username, role, password) for username, role, password, _, _ in data.USERS]


def load_demo() -> list[DemoLogin]:
    """Create the demo community in one transaction.

    Everything goes through the community services, so the HTML is rendered and sanitized and
    the revisions, counters, watches and reputation are what real use would leave behind.

    Raises:
        Conflict: the database already has users.
    """
    if not is_database_empty():
        raise Conflict("The database is not empty; the demo loads only into an empty one.")
    timeline = _Timeline(utcnow())
    with unit_of_work():
        users = _create_users()
        # The invented history leaves in-app notifications but sends no email (hundreds of
        # them, to example.com); afterwards the accounts are emailed like any other.
        for user in users.values():
            notifications.update_settings(user, EmailMode.NEVER, True, True)
        categories: dict[str, Category] = {}
        for name, slug, description in data.CATEGORIES:
            categories[slug] = community.create_category(users["admin"], name, slug, description)
        # Oldest first, so ids grow with time as they would have.
        for spec in sorted(data.THREADS, key=lambda t: _started(t, timeline.now)):
            _load_thread(spec, users, categories, timeline)
        timeline.apply()
        for user in users.values():
            notifications.update_settings(user, EmailMode.IMMEDIATE, True, True)
    return demo_logins()


def _create_users() -> dict[str, User]:
    users: dict[str, User] = {}
    for username, role, password, display_name, bio in data.USERS:
        user = accounts.create_user(username, f"{username}@example.com", password, role)
        user.display_name, user.bio = display_name, bio
        users[username] = user
    for username, display_name, bio in data.MEMBERS:
        password = secrets.token_urlsafe(16)
        user = accounts.create_user(username, f"{username}@example.com", password, Role.MEMBER)
        user.display_name, user.bio = display_name, bio
        users[username] = user
    for username, points in data.STARTING_REPUTATION.items():
        accounts.adjust_reputation(users[username].id, points)
    return users


def _started(spec: data.DemoThread, now: datetime) -> datetime:
    # Threads older than a day start at different times of day, not all at the load's minute.
    jitter = zlib.crc32(spec.title.encode()) % 600 if spec.days_ago >= 1 else 0
    return now - timedelta(days=spec.days_ago, minutes=jitter)


def _load_thread(
    spec: data.DemoThread,
    users: dict[str, User],
    categories: dict[str, Category],
    timeline: _Timeline,
) -> None:
    author = users[spec.author]
    thread = community.create_thread(
        author,
        community.NewThread(
            category_id=categories[spec.category].id,
            kind=spec.kind,
            title=spec.title,
            body=spec.body,
            tags=spec.tags,
        ),
    )
    opening = community.opening_post(thread)
    started = _started(spec, timeline.now)
    dated: list[tuple[int, datetime]] = [(opening.id, started)]
    for voter in spec.up:
        community.vote(users[voter], opening, 1)
    for reply in spec.replies:
        post = community.reply_to_thread(users[reply.author], thread, reply.body)
        dated.append((post.id, started + timedelta(hours=reply.hours)))
        for voter in reply.up:
            community.vote(users[voter], post, 1)
        for voter in reply.down:
            community.vote(users[voter], post, -1)
        if reply.accepted:
            community.accept_answer(author, thread, post)
    edited_at = None
    if spec.update:
        community.edit_post(author, opening, f"{spec.body}\n\n{spec.update}", reason="Solved")
        edited_at = min(dated[-1][1] + timedelta(hours=2), timeline.now)
    timeline.add(thread, dated, edited_at)


class _Timeline:
    """Spreads the demo over the past weeks.

    The services stamp everything with the current time, so demo content written in one go
    would all look a second old, and nobody would have viewed it. For this invented history
    only (never for real content), the loader then moves the timestamps to when the demo says
    things happened and sets plausible view counts; a handful of bulk UPDATEs at the end keep
    loading fast.
    """

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.posts: dict[int, datetime] = {}
        self.edits: dict[int, datetime] = {}
        self.threads: dict[int, datetime] = {}
        self.thread_rows: list[dict[str, Any]] = []

    def add(
        self, thread: Thread, dated: list[tuple[int, datetime]], edited_at: datetime | None
    ) -> None:
        self.posts.update(dated)
        if edited_at is not None:
            self.edits[dated[0][0]] = edited_at
        started, last = dated[0][1], dated[-1][1]
        self.threads[thread.id] = started
        solved_at = None
        if thread.accepted_post_id is not None:
            solved_at = min(self.posts[thread.accepted_post_id] + timedelta(hours=1), self.now)
        # Visitors who never posted: more for busier and better-voted threads.
        views = len(dated) * 14 + thread.score * 9 + zlib.crc32(thread.title.encode()) % 40
        self.thread_rows.append({
            "id": thread.id,
            "created_at": started,
            "last_activity_at": last,
            "updated_at": edited_at or last,
            "solved_at": solved_at,
            "view_count": views,
        })  # fmt: skip

    def apply(self) -> None:
        db.session.flush()
        db.session.execute(update(Thread), self.thread_rows)
        db.session.execute(
            update(Post),
            [
                {
                    "id": post_id,
                    "created_at": when,
                    "updated_at": self.edits.get(post_id, when),
                    "edited_at": self.edits.get(post_id),
                }
                for post_id, when in self.posts.items()
            ],
        )
        revisions = db.session.execute(select(PostRevision.id, PostRevision.post_id))
        db.session.execute(
            update(PostRevision),
            [
                # Revision 1 dates from the post; later ones (the demo edits) from the edit.
                {"id": rid, "created_at": self.posts[pid] if rid == first else self.edits[pid]}
                for rid, pid, first in _with_first(revisions)
            ],
        )
        votes = db.session.execute(select(Vote.post_id, Vote.user_id))
        db.session.execute(
            update(Vote),
            [
                {"post_id": pid, "user_id": uid, "created_at": when, "updated_at": when}
                for pid, uid in votes
                for when in [min(self.posts[pid] + timedelta(hours=1), self.now)]
            ],
        )
        self._notifications()
        db.session.expire_all()

    def _notifications(self) -> None:
        """Date each notification like the post it is about; the older ones are read."""
        rows: list[dict[str, Any]] = []
        read_before = self.now - timedelta(days=2)
        for nid, url in db.session.execute(select(Notification.id, Notification.url)):
            match = _NOTIFICATION_URL.match(url)
            if match is None:
                continue
            thread_id, post_id = match.groups()
            when = self.posts[int(post_id)] if post_id else self.threads[int(thread_id)]
            rows.append(
                {"id": nid, "created_at": when, "read_at": when if when < read_before else None}
            )
        if rows:
            db.session.execute(update(Notification), rows)


_NOTIFICATION_URL = re.compile(r"^/t/(\d+)(?:/p/(\d+))?$")


def _with_first(rows: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int, int]]:
    """(revision id, post id, id of the post's first revision), in id order."""
    first: dict[int, int] = {}
    for rid, pid in sorted(rows):
        first.setdefault(pid, rid)
        yield rid, pid, first[pid]
