"""Search read helpers: where an indexed result lives, facet labels, and the content-gap
reports aggregated from the search log in SQL (SQLite and PostgreSQL alike)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, case, func, select

from forum_kb.db import utcnow
from forum_kb.extensions import db
from forum_kb.search.models import SearchLog
from forum_kb.search.services import EXTENSION_KEY, TYPES, search_index

#: Ids are 32-bit INTEGER columns: larger numbers would reach PostgreSQL as an overflow error.
MAX_ID = 2**31 - 1
#: Searches typed by people (the search page and the API), as opposed to "similar" lookups
#: made while composing a new thread.
SEARCH_ORIGINS = ("page", "api")
DEFAULT_DAYS = 30
REPORT_ROWS = 25


# --- indexed documents -------------------------------------------------------------------------


def _stored(**term: Any) -> dict[str, Any] | None:
    # The stored fields of the first live document with this field value (a term lookup on
    # SearchIndex's own searcher; whoosh itself stays behind search/index.py).
    fields: dict[str, Any] | None = search_index().searcher().document(**term)
    return fields


def parse_doc_id(doc_id: str) -> tuple[str, int] | None:
    """``("thread", 42)`` for ``"thread:42"``; None for anything else."""
    doc_type, _, raw = doc_id.partition(":")
    if doc_type not in TYPES or not raw.isdigit() or len(raw) > 10:
        return None
    object_id = int(raw)
    return (doc_type, object_id) if 1 <= object_id <= MAX_ID else None


def result_url(doc_id: str) -> str | None:
    """The site-relative address of an indexed result that the public may still see, or None
    (the address comes from the index, never from the request)."""
    parsed = parse_doc_id(doc_id)
    if parsed is None:
        return None
    fields = _stored(doc_id=doc_id)
    url = str(fields.get("url", "")) if fields else ""
    if not url.startswith("/") or url.startswith("//"):
        return None
    doc_type, object_id = parsed
    sources = current_app.extensions[EXTENSION_KEY].sources.values()
    owner = next((s for s in sources if doc_type in s.types), None)
    if owner is None or object_id not in owner.visible(doc_type, [object_id]):
        return None  # the index lags the database: it was hidden or deleted meanwhile
    return url


def category_names(slugs: Iterable[str]) -> dict[str, str]:
    """Display names of community categories and KB sections, by slug (as indexed)."""
    names: dict[str, str] = {}
    for slug in slugs:
        fields = _stored(category=slug)
        names[slug] = str(fields.get("category_name") or slug) if fields else slug
    return names


def thread_titles(thread_ids: Iterable[int]) -> dict[int, str]:
    """Titles of public threads, by id, as indexed (threads that are not public are left out)."""
    titles: dict[int, str] = {}
    for thread_id in thread_ids:
        fields = _stored(doc_id=f"thread:{thread_id}")
        if fields:
            titles[thread_id] = str(fields.get("title", ""))
    return titles


# --- the content-gap reports -------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole UTC days from ``first`` to ``last``, both inclusive."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=UTC)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def report_period(since: date | None, until: date | None, *, days: int = DEFAULT_DAYS) -> Period:
    """The period asked for, defaulting to the last ``days`` days up to today; swapped ends
    are put in order."""
    last = until or utcnow().date()
    first = since or last - timedelta(days=days - 1)
    return Period(min(first, last), max(first, last))


def _within(period: Period, *origins: str) -> ColumnElement[bool]:
    return and_(
        SearchLog.created_at >= period.start,
        SearchLog.created_at < period.end,
        SearchLog.origin.in_(origins),
    )


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass(frozen=True)
class Summary:
    searches: int
    distinct_queries: int
    zero_results: int
    clicked: int
    followed_by_thread: int

    @property
    def zero_share(self) -> float:
        return _share(self.zero_results, self.searches)

    @property
    def click_share(self) -> float:
        return _share(self.clicked, self.searches)

    @property
    def follow_up_share(self) -> float:
        return _share(self.followed_by_thread, self.searches)


def search_summary(period: Period) -> Summary:
    """How many searches people made, how many found nothing, led to a click or to a new
    thread."""
    row = db.session.execute(
        select(
            func.count(),
            func.count(func.distinct(SearchLog.query)),
            func.coalesce(func.sum(case((SearchLog.result_count == 0, 1), else_=0)), 0),
            func.count(SearchLog.clicked_doc),
            func.count(SearchLog.followed_by_thread_id),
        ).where(_within(period, *SEARCH_ORIGINS))
    ).one()
    return Summary(*(int(value or 0) for value in row))


@dataclass(frozen=True)
class QueryStats:
    query: str
    searches: int
    average_results: float
    clicks: int
    follow_ups: int
    last_searched: datetime

    @property
    def click_share(self) -> float:
        return _share(self.clicks, self.searches)


def _query_stats(period: Period, *conditions: ColumnElement[bool], limit: int) -> list[QueryStats]:
    searches = func.count()
    stmt = (
        select(
            SearchLog.query,
            searches,
            func.avg(SearchLog.result_count),
            func.count(SearchLog.clicked_doc),
            func.count(SearchLog.followed_by_thread_id),
            func.max(SearchLog.created_at),
        )
        .where(_within(period, *SEARCH_ORIGINS), *conditions)
        .group_by(SearchLog.query)
        .order_by(searches.desc(), SearchLog.query)
        .limit(limit)
    )
    return [
        QueryStats(query, int(count), float(average or 0), int(clicks), int(follow_ups), last)
        for query, count, average, clicks, follow_ups, last in db.session.execute(stmt)
    ]


def top_queries(period: Period, *, limit: int = REPORT_ROWS) -> list[QueryStats]:
    """The most frequent searches, with their average result count and click-through."""
    return _query_stats(period, limit=limit)


def zero_result_queries(period: Period, *, limit: int = REPORT_ROWS) -> list[QueryStats]:
    """Searches that found nothing, most frequent first: topics the content lacks."""
    return _query_stats(period, SearchLog.result_count == 0, limit=limit)


@dataclass(frozen=True)
class FollowUp:
    query: str
    thread_id: int
    searches: int
    result_count: int
    last_searched: datetime


def _follow_ups(period: Period, *conditions: ColumnElement[bool], limit: int) -> list[FollowUp]:
    last = func.max(SearchLog.created_at)
    stmt = (
        select(
            SearchLog.query,
            SearchLog.followed_by_thread_id,
            func.count(),
            func.max(SearchLog.result_count),
            last,
        )
        .where(SearchLog.followed_by_thread_id.is_not(None), *conditions)
        .group_by(SearchLog.query, SearchLog.followed_by_thread_id)
        .order_by(last.desc(), SearchLog.query)
        .limit(limit)
    )
    return [
        FollowUp(query, int(thread_id or 0), int(count), int(results or 0), when)
        for query, thread_id, count, results, when in db.session.execute(stmt)
    ]


def searched_then_asked(period: Period, *, limit: int = REPORT_ROWS) -> list[FollowUp]:
    """Searches whose author started a thread soon afterwards, newest first: what they looked
    for did not answer them."""
    return _follow_ups(period, _within(period, *SEARCH_ORIGINS), limit=limit)


@dataclass(frozen=True)
class ComposingSummary:
    drafts: int
    with_suggestions: int
    posted: int
    posted_despite_suggestions: int

    @property
    def left_after_suggestions(self) -> int:
        """Drafts that saw suggestions and were never posted: probably answered by them."""
        return self.with_suggestions - self.posted_despite_suggestions

    @property
    def deflection_share(self) -> float:
        return _share(self.left_after_suggestions, self.with_suggestions)


def composing_summary(period: Period) -> ComposingSummary:
    """What the similar-content suggestions did while people wrote new threads."""
    suggested = SearchLog.result_count > 0
    posted = SearchLog.followed_by_thread_id.is_not(None)
    row = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((suggested, 1), else_=0)), 0),
            func.count(SearchLog.followed_by_thread_id),
            func.coalesce(func.sum(case((and_(suggested, posted), 1), else_=0)), 0),
        ).where(_within(period, "similar"))
    ).one()
    return ComposingSummary(*(int(value or 0) for value in row))


def posted_despite_suggestions(period: Period, *, limit: int = REPORT_ROWS) -> list[FollowUp]:
    """Draft titles that were shown similar content and posted anyway, newest first: the
    suggestions did not answer them."""
    return _follow_ups(period, _within(period, "similar"), SearchLog.result_count > 0, limit=limit)
