"""Community: categories, threads, posts, revisions, votes, tags and watches."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from forum_kb.accounts.models import User
from forum_kb.db import Model, UTCDateTime, utcnow
from forum_kb.extensions import db


class Category(Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    #: Pre-moderation: the first posts of new accounts wait for a moderator before anyone
    #: else sees them.
    premoderate: Mapped[bool] = mapped_column(default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ThreadKind(enum.StrEnum):
    QUESTION = "question"
    HOWTO = "howto"
    STORY = "story"
    DISCUSSION = "discussion"

    @property
    def label(self) -> str:
        return {"question": "Question", "howto": "How-to", "story": "Success story"}.get(
            self.value, "Discussion"
        )


thread_tags = Table(
    "thread_tags",
    db.metadata,
    Column("thread_id", ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-case, letters, digits and single hyphens.
    name: Mapped[str] = mapped_column(String(30), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Thread(Model):
    __tablename__ = "threads"
    __table_args__ = (
        # Category pages list pinned threads first, then by latest activity.
        Index(
            "ix_threads_category_pinned_activity", "category_id", "is_pinned", "last_activity_at"
        ),
        Index("ix_threads_last_activity_at", "last_activity_at"),
        Index("ix_threads_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[ThreadKind] = mapped_column(
        Enum(ThreadKind, name="thread_kind", values_callable=lambda kinds: [k.value for k in kinds])
    )
    title: Mapped[str] = mapped_column(String(200))
    # use_alter: threads and posts reference each other; the FK is added after both tables.
    accepted_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", use_alter=True, ondelete="SET NULL")
    )
    is_locked: Mapped[bool] = mapped_column(default=False)
    is_pinned: Mapped[bool] = mapped_column(default=False)
    is_hidden: Mapped[bool] = mapped_column(default=False)
    #: Waiting in the pre-moderation queue: only its author and moderators see it.
    is_pending: Mapped[bool] = mapped_column(default=False, server_default="0")
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Closed as a duplicate of another thread or of a KB article (the thread is also locked).
    duplicate_of_thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL")
    )
    duplicate_of_article_id: Mapped[int | None] = mapped_column(
        ForeignKey("kb_articles.id", ondelete="SET NULL")
    )
    #: Merged into another thread: its posts moved there and its address redirects.
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL")
    )
    # Denormalised counters, kept by the services, so lists need no aggregate queries.
    reply_count: Mapped[int] = mapped_column(default=0)
    score: Mapped[int] = mapped_column(default=0)
    view_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_poster_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    solved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    category: Mapped[Category] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    duplicate_of: Mapped[Thread | None] = relationship(
        foreign_keys=[duplicate_of_thread_id], remote_side=[id]
    )
    last_poster: Mapped[User | None] = relationship(foreign_keys=[last_poster_id])
    tags: Mapped[list[Tag]] = relationship(secondary=thread_tags, order_by=Tag.name)
    posts: WriteOnlyMapped[Post] = relationship(
        back_populates="thread",
        foreign_keys="Post.thread_id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def status(self) -> str:
        """``locked``, ``solved`` or ``open`` (API.md)."""
        if self.is_locked:
            return "locked"
        return "solved" if self.accepted_post_id is not None else "open"

    @property
    def is_closed_as_duplicate(self) -> bool:
        return self.duplicate_of_thread_id is not None or self.duplicate_of_article_id is not None

    @property
    def is_question(self) -> bool:
        return self.kind == ThreadKind.QUESTION

    @property
    def is_solved(self) -> bool:
        return self.accepted_post_id is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Post(Model):
    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_thread_created", "thread_id", "created_at"),
        Index("ix_posts_author_created", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The thread's first post (the question, how-to or story itself).
    is_opening: Mapped[bool] = mapped_column(default=False)
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    #: markup.RENDERER_VERSION that produced body_html; older rows are re-rendered.
    renderer_version: Mapped[int] = mapped_column(default=0)
    score: Mapped[int] = mapped_column(default=0)
    is_hidden: Mapped[bool] = mapped_column(default=False)
    #: Waiting in the pre-moderation queue: only its author and moderators see it.
    is_pending: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: Why it waits (for the moderators' queue).
    pending_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    thread: Mapped[Thread] = relationship(back_populates="posts", foreign_keys=[thread_id])
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    edited_by: Mapped[User | None] = relationship(foreign_keys=[edited_by_id])

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class PostRevision(Model):
    """One saved version of a post; number 1 is the original. Opening posts carry the title."""

    __tablename__ = "post_revisions"
    __table_args__ = (UniqueConstraint("post_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    number: Mapped[int]
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str | None] = mapped_column(String(200))
    body_source: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    editor: Mapped[User] = relationship()


class Vote(Model):
    __tablename__ = "post_votes"
    # Covering (date, value, post) for the insights up-vote counts.
    __table_args__ = (Index("ix_post_votes_created_at", "created_at", "value", "post_id"),)

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    #: +1 or -1 (a withdrawn vote deletes the row).
    value: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ThreadWatch(Model):
    __tablename__ = "thread_watches"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CategoryWatch(Model):
    __tablename__ = "category_watches"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TagWatch(Model):
    __tablename__ = "tag_watches"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ThreadDailyViews(Model):
    """Page views of a thread per UTC day (for staff insights; the total is Thread.view_count)."""

    __tablename__ = "thread_daily_views"
    # Covering: the insights sums read (day, views) only.
    __table_args__ = (Index("ix_thread_daily_views_day", "day", "views"),)

    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    views: Mapped[int] = mapped_column(default=0)
