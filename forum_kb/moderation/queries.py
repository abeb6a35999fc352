"""Read side of moderation: the review queue, the audit log, people's records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from forum_kb.accounts.models import User
from forum_kb.community.models import Post, Thread
from forum_kb.db import utcnow
from forum_kb.errors import NotFound
from forum_kb.extensions import db
from forum_kb.moderation.models import (
    Flag,
    FlagStatus,
    ModerationAction,
    Sanction,
    UserNote,
    WatchedWord,
)
from forum_kb.moderation.policies import can_moderate


@dataclass(frozen=True)
class QueueItem:
    """A flagged post with its open flags, shown in context."""

    post: Post
    flags: list[Flag]

    @property
    def first_flagged_at(self) -> datetime:
        return self.flags[0].created_at

    @property
    def reasons(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for flag in self.flags:
            counts[flag.reason.label] = counts.get(flag.reason.label, 0) + 1
        return counts


def _post_options() -> list[Any]:
    return [
        selectinload(Post.author),
        selectinload(Post.thread).selectinload(Thread.category),
    ]


def flag_queue(page: int, per_page: int) -> tuple[list[QueueItem], Pagination]:
    """Posts with open flags, the longest-waiting first, with their flags (no N+1)."""
    stmt = (
        select(Flag.post_id)
        .where(Flag.status == FlagStatus.OPEN)
        .group_by(Flag.post_id)
        .order_by(func.min(Flag.created_at), Flag.post_id)
    )
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    post_ids = list(pagination.items)
    if not post_ids:
        return [], pagination
    posts = {
        p.id: p
        for p in db.session.scalars(
            select(Post).where(Post.id.in_(post_ids)).options(*_post_options())
        )
    }
    flags: dict[int, list[Flag]] = {pid: [] for pid in post_ids}
    for flag in db.session.scalars(
        select(Flag)
        .where(Flag.post_id.in_(post_ids), Flag.status == FlagStatus.OPEN)
        .options(selectinload(Flag.reporter))
        .order_by(Flag.created_at, Flag.id)
    ):
        flags[flag.post_id].append(flag)
    return [QueueItem(posts[pid], flags[pid]) for pid in post_ids if flags[pid]], pagination


def pending_posts() -> Select[Post]:
    """Posts waiting for pre-moderation, oldest first."""
    return (
        select(Post)
        .where(Post.is_pending.is_(True), Post.deleted_at.is_(None))
        .options(*_post_options())
        .order_by(Post.created_at, Post.id)
    )


def queue_counts() -> dict[str, int]:
    """How many posts wait in each part of the queue (for the navigation badge)."""
    flagged = db.session.scalar(
        select(func.count(func.distinct(Flag.post_id))).where(Flag.status == FlagStatus.OPEN)
    )
    pending = db.session.scalar(
        select(func.count())
        .select_from(Post)
        .where(Post.is_pending.is_(True), Post.deleted_at.is_(None))
    )
    return {"flagged": flagged or 0, "pending": pending or 0}


def queue_badge(viewer: Any) -> int:
    """The header's count of posts waiting for review: 0, without a query, for anyone but
    moderators."""
    if not can_moderate(viewer):
        return 0
    return sum(queue_counts().values())


def list_flags(status: FlagStatus | None) -> Select[Flag]:
    """Flags, oldest first, optionally of one status (the API's review queue)."""
    stmt = select(Flag).options(
        selectinload(Flag.reporter), selectinload(Flag.post).selectinload(Post.thread)
    )
    if status is not None:
        stmt = stmt.where(Flag.status == status)
    return stmt.order_by(Flag.created_at, Flag.id)


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    target_type: str = ""
    target_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def audit_log(filters: AuditFilter) -> Select[ModerationAction]:
    """Audit entries matching the filters, newest first. ``action`` matches a prefix
    (``post`` finds ``post.hide`` and ``post.promote``); ``actor`` is a username, or
    ``system`` for automatic actions."""
    stmt = select(ModerationAction).options(selectinload(ModerationAction.actor))
    if filters.actor == "system":
        stmt = stmt.where(ModerationAction.actor_id.is_(None))
    elif filters.actor:
        stmt = stmt.join(User, User.id == ModerationAction.actor_id).where(
            User.username_key == filters.actor.lower()
        )
    if filters.action:
        stmt = stmt.where(
            (ModerationAction.action == filters.action)
            | ModerationAction.action.startswith(filters.action.rstrip(".") + ".", autoescape=True)
        )
    if filters.target_type:
        stmt = stmt.where(ModerationAction.target_type == filters.target_type)
    if filters.target_id is not None:
        stmt = stmt.where(ModerationAction.target_id == filters.target_id)
    if filters.since is not None:
        stmt = stmt.where(ModerationAction.created_at >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(ModerationAction.created_at < filters.until)
    return stmt.order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())


def audit_action_names() -> list[str]:
    """Every action name in the log, for the filter's choices."""
    return list(
        db.session.scalars(
            select(ModerationAction.action).distinct().order_by(ModerationAction.action)
        )
    )


@dataclass(frozen=True)
class UserRecord:
    """What moderators see about a person."""

    sanctions: list[Sanction]
    active: list[Sanction]
    notes: list[UserNote]
    flags_received: int
    flags_upheld: int
    hidden_posts: int
    actions: list[ModerationAction]


def user_record(user: User, recent: int = 20) -> UserRecord:
    sanctions = list(
        db.session.scalars(
            select(Sanction)
            .where(Sanction.user_id == user.id)
            .options(selectinload(Sanction.created_by), selectinload(Sanction.lifted_by))
            .order_by(Sanction.starts_at.desc(), Sanction.id.desc())
        )
    )
    now = utcnow()
    notes = list(
        db.session.scalars(
            select(UserNote)
            .where(UserNote.user_id == user.id)
            .options(selectinload(UserNote.author))
            .order_by(UserNote.created_at.desc(), UserNote.id.desc())
        )
    )
    flag_counts = dict(
        db.session.execute(
            select(Flag.status, func.count())
            .join(Post, Post.id == Flag.post_id)
            .where(Post.author_id == user.id)
            .group_by(Flag.status)
        ).all()
    )
    hidden = db.session.scalar(
        select(func.count())
        .select_from(Post)
        .where(Post.author_id == user.id, Post.is_hidden.is_(True))
    )
    actions = list(
        db.session.scalars(
            audit_log(AuditFilter(target_type="user", target_id=user.id)).limit(recent)
        )
    )
    return UserRecord(
        sanctions=sanctions,
        active=[s for s in sanctions if s.is_active_at(now)],
        notes=notes,
        flags_received=sum(flag_counts.values()),
        flags_upheld=flag_counts.get(FlagStatus.UPHELD, 0),
        hidden_posts=hidden or 0,
        actions=actions,
    )


def list_watched_words() -> list[WatchedWord]:
    return list(db.session.scalars(select(WatchedWord).order_by(WatchedWord.word)))


def get_flag_or_404(flag_id: int) -> Flag:
    """Raises:
    NotFound: no such flag.
    """
    flag = db.session.get(Flag, flag_id)
    if flag is None:
        raise NotFound("No such flag.")
    return flag


def get_sanction_or_404(sanction_id: int) -> Sanction:
    """Raises:
    NotFound: no such sanction.
    """
    sanction = db.session.get(Sanction, sanction_id)
    if sanction is None:
        raise NotFound("No such sanction.")
    return sanction


def get_watched_word_or_404(word_id: int) -> WatchedWord:
    """Raises:
    NotFound: no such watched word.
    """
    word = db.session.get(WatchedWord, word_id)
    if word is None:
        raise NotFound("No such watched word.")
    return word
