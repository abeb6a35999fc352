"""Knowledge base: sections, articles with a reviewed lifecycle, revisions, feedback."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum_kb.accounts.models import User
from forum_kb.db import Model, UTCDateTime, utcnow
from forum_kb.extensions import db


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return "In review" if self is ArticleStatus.IN_REVIEW else self.value.capitalize()


def _enum_values(enum_class: type[enum.Enum]) -> list[str]:
    return [str(member.value) for member in enum_class]


class Section(Model):
    __tablename__ = "kb_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


article_labels = Table(
    "kb_article_labels",
    db.metadata,
    Column("article_id", ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "label_id", ForeignKey("kb_labels.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Label(Model):
    __tablename__ = "kb_labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30), unique=True)


class Article(Model):
    """An article. Readers see ``published_revision``; editors work on ``draft_revision``.

    Editing a published article makes a new draft revision; it goes live only when published,
    so readers never see half-finished edits.
    """

    __tablename__ = "kb_articles"
    __table_args__ = (
        Index("ix_kb_articles_status_section", "status", "section_id"),
        Index("ix_kb_articles_review_by", "review_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("kb_sections.id"))
    #: The current address; earlier ones live in ArticleSlug and redirect here.
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    #: The working title: the published one, or the draft's before first publication.
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[ArticleStatus] = mapped_column(
        Enum(ArticleStatus, name="kb_article_status", values_callable=_enum_values),
        default=ArticleStatus.DRAFT,
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    review_by: Mapped[date | None] = mapped_column(Date)
    published_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("kb_revisions.id", use_alter=True, ondelete="SET NULL")
    )
    draft_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("kb_revisions.id", use_alter=True, ondelete="SET NULL")
    )
    #: A published article's pending draft was sent for review.
    draft_in_review: Mapped[bool] = mapped_column(default=False)
    view_count: Mapped[int] = mapped_column(default=0)
    helpful_count: Mapped[int] = mapped_column(default=0)
    not_helpful_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Provenance of an article made from a community post (moderation's promotion): who is
    # credited and where it came from. Plain values, so hiding or deleting the source later
    # never breaks the article.
    credited_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    source_kind: Mapped[str] = mapped_column(String(40), default="", server_default="")
    source_title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    source_url: Mapped[str] = mapped_column(String(300), default="", server_default="")

    section: Mapped[Section] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    credited_user: Mapped[User | None] = relationship(foreign_keys=[credited_user_id])
    labels: Mapped[list[Label]] = relationship(secondary=article_labels, order_by=Label.name)
    published_revision: Mapped[Revision | None] = relationship(
        foreign_keys=[published_revision_id], post_update=True
    )
    draft_revision: Mapped[Revision | None] = relationship(
        foreign_keys=[draft_revision_id], post_update=True
    )

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

    @property
    def has_pending_draft(self) -> bool:
        return self.draft_revision_id is not None

    @property
    def helpful_ratio(self) -> float | None:
        """Share of "helpful" answers, or None before anyone answered."""
        total = self.helpful_count + self.not_helpful_count
        return self.helpful_count / total if total else None


class Revision(Model):
    """One saved version of an article's title and body; number 1 is the first draft."""

    __tablename__ = "kb_revisions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    renderer_version: Mapped[int] = mapped_column(default=0)
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    editor: Mapped[User] = relationship()


class ArticleEvent(Model):
    """Who moved an article through its lifecycle, and when (append-only)."""

    __tablename__ = "kb_article_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: created, submitted, returned, published, archived, restored, owner_changed ...
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    revision_number: Mapped[int | None]
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User] = relationship()


class ArticleSlug(Model):
    """An earlier address of an article, kept so old links redirect."""

    __tablename__ = "kb_article_slugs"

    slug: Mapped[str] = mapped_column(String(120), primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Feedback(Model):
    """ "Was this helpful?" One answer per signed-in user, or per browser session."""

    __tablename__ = "kb_feedback"
    __table_args__ = (
        UniqueConstraint("article_id", "user_id"),
        UniqueConstraint("article_id", "session_key"),
        Index("ix_kb_feedback_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: A random token kept in an anonymous reader's session.
    session_key: Mapped[str | None] = mapped_column(String(64))
    helpful: Mapped[bool]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class InaccuracyReport(Model):
    """A reader's report that an article is wrong or out of date (its owner is notified)."""

    __tablename__ = "kb_inaccuracy_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    reporter: Mapped[User | None] = relationship()


class ArticleDailyViews(Model):
    """Page views of a published article per UTC day (the total is Article.view_count)."""

    __tablename__ = "kb_article_daily_views"
    # Covering: the insights sums and "most viewed" read (day, article, views) only.
    __table_args__ = (Index("ix_kb_article_daily_views_day", "day", "article_id", "views"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    views: Mapped[int] = mapped_column(default=0)
