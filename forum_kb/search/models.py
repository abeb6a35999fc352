"""Search: the indexing outbox and the search log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from forum_kb.db import Model, UTCDateTime, utcnow


class OutboxEntry(Model):
    """ "Re-index this object": written in the same transaction as the change itself, so a
    change can never commit without reaching search; one indexer drains the table into
    Whoosh (which allows a single writer) and deletes what it applied."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The registered source that rebuilds the object's documents ("thread", "post", "article").
    source: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


#: What the insights reports read from the search log (a covering index, for long periods).
REPORT_COLUMNS = (
    "created_at", "origin", "result_count", "followed_by_thread_id", "clicked_doc", "query",
)  # fmt: skip


class SearchLog(Model):
    """One search, for content-gap reports (what people look for and do not find)."""

    __tablename__ = "search_log"
    __table_args__ = (
        Index("ix_search_log_created_at", *REPORT_COLUMNS),
        Index("ix_search_log_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Lower-cased, single-spaced, for grouping.
    query: Mapped[str] = mapped_column(String(200), index=True)
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: "page", "api" or "similar" (suggestions while composing a new thread).
    origin: Mapped[str] = mapped_column(String(10), default="page")
    result_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The first result the searcher opened, if any.
    clicked_doc: Mapped[str | None] = mapped_column(String(40))
    clicked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The thread the searcher started soon afterwards (they did not find an answer).
    followed_by_thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL")
    )
