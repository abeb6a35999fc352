"""Moderation: flags, the audit log, sanctions, private notes, watched words, promotions."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum_kb.accounts.models import User
from forum_kb.community.models import Post, Thread
from forum_kb.db import Model, UTCDateTime, utcnow
from forum_kb.kb.models import Article


def _values(enum_class: type[enum.Enum]) -> list[str]:
    return [str(member.value) for member in enum_class]


class FlagReason(enum.StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"spam": "Spam", "offensive": "Rude or offensive", "off_topic": "Off-topic"}.get(
            self.value, "Something else"
        )


class FlagStatus(enum.StrEnum):
    OPEN = "open"
    #: A moderator agreed and hid the post.
    UPHELD = "upheld"
    #: A moderator reviewed it and left the post up.
    DISMISSED = "dismissed"


class Flag(Model):
    """A member's report that a post breaks the rules; the queue shows open ones."""

    __tablename__ = "flags"
    __table_args__ = (
        # One open flag per member and post, enforced by the database (two clicks, two tabs).
        Index(
            "uq_flags_open_post_reporter",
            "post_id",
            "reporter_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_flags_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[FlagReason] = mapped_column(
        Enum(FlagReason, name="flag_reason", values_callable=_values)
    )
    note: Mapped[str] = mapped_column(Text, default="")
    #: The flagger says someone needs staff now: the thread is escalated at once.
    is_urgent: Mapped[bool] = mapped_column(default=False, server_default="0")
    status: Mapped[FlagStatus] = mapped_column(
        Enum(FlagStatus, name="flag_status", values_callable=_values), default=FlagStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    post: Mapped[Post] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])


class ModerationAction(Model):
    """The audit log: one row per moderator or staff action. Append-only: nothing in the
    application updates or deletes these rows."""

    __tablename__ = "moderation_actions"
    __table_args__ = (
        Index("ix_moderation_actions_target", "target_type", "target_id"),
        Index("ix_moderation_actions_created_at", "created_at"),
        Index("ix_moderation_actions_actor_created", "actor_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None when the system acted by itself (e.g. the flag threshold hid a post).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: What was done, e.g. ``post.hide``, ``user.silence``, ``post.promote``.
    action: Mapped[str] = mapped_column(String(40), index=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int | None]
    #: A snapshot of what the target was called then (a title, a username).
    target_label: Mapped[str] = mapped_column(String(200), default="")
    #: Where the target lives on the site (a site-relative path), if it has a page.
    target_url: Mapped[str] = mapped_column(String(300), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class SanctionKind(enum.StrEnum):
    #: Cannot post, reply, edit or vote... but can still sign in and read.
    SILENCE = "silence"
    #: Cannot sign in at all.
    SUSPEND = "suspend"

    @property
    def label(self) -> str:
        return "Silenced" if self is SanctionKind.SILENCE else "Suspended"


class Sanction(Model):
    """One silence or suspension, with its reason and expiry (the user's row carries the
    state in force; this is the history)."""

    __tablename__ = "sanctions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SanctionKind] = mapped_column(
        Enum(SanctionKind, name="sanction_kind", values_callable=_values)
    )
    reason: Mapped[str] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    lifted_by: Mapped[User | None] = relationship(foreign_keys=[lifted_by_id])

    def is_active_at(self, moment: datetime) -> bool:
        return self.lifted_at is None and self.starts_at <= moment < self.ends_at


class UserNote(Model):
    """A moderator's private note about a user; only moderators and staff read them."""

    __tablename__ = "user_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])


class WatchedWordAction(enum.StrEnum):
    #: The post is refused with a message.
    BLOCK = "block"
    #: The post waits in the review queue.
    QUEUE = "queue"


class WatchedWord(Model):
    """A word or phrase matched as whole words, case-insensitively, in new posts."""

    __tablename__ = "watched_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-case, single-spaced.
    word: Mapped[str] = mapped_column(String(100), unique=True)
    action: Mapped[WatchedWordAction] = mapped_column(
        Enum(WatchedWordAction, name="watched_word_action", values_callable=_values)
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Promotion(Model):
    """A community post turned into a KB article: one article per post, ever."""

    __tablename__ = "promotions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), unique=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("kb_articles.id", ondelete="CASCADE"), unique=True
    )
    credited_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    promoted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: First publication of the article: credit (reputation, notifications) is given once.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    post: Mapped[Post] = relationship()
    thread: Mapped[Thread] = relationship()
    article: Mapped[Article] = relationship()
    credited_user: Mapped[User | None] = relationship(foreign_keys=[credited_user_id])
    promoted_by: Mapped[User | None] = relationship(foreign_keys=[promoted_by_id])
