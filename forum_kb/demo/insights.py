"""The demo's analytics history: the search log and the daily page views of the last weeks,
so that the staff insights dashboard has something to show right after ``make run``.

Searches, clicks and views are what visitors leave behind over time; no service can write
them "as of three weeks ago", so, like the timeline of ``services.py`` does for the rest of
the invented history, this inserts the rows directly (only ever into a fresh demo database).
The numbers come from a seeded generator: every demo load is the same.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from forum_kb.accounts.models import User
from forum_kb.community.models import Thread, ThreadDailyViews
from forum_kb.demo import data
from forum_kb.extensions import db
from forum_kb.kb.models import Article, ArticleDailyViews, ArticleStatus
from forum_kb.search.models import SearchLog

SEED = 8
#: Weekends are quieter (Monday is 0).
WEEKDAY_WEIGHT = (1.0, 1.1, 1.05, 1.0, 0.9, 0.45, 0.35)
#: The most views a demo thread gets in one day (its total is lowered to match).
THREAD_DAILY_MAX = 18
DAY = timedelta(days=1)


def load_insights(now: datetime) -> None:
    """Add the search log and the daily views (inside the demo's unit of work)."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo numbers, not secrets
    threads = {title: (tid, author, created) for tid, title, author, created in _threads()}
    users = dict(db.session.execute(select(User.username, User.id)).all())
    articles = dict(db.session.execute(select(Article.title, Article.id)).all())
    rows = _searches(rng, now, threads, users, articles) + _drafts(now, threads, users)
    db.session.execute(insert(SearchLog), rows)
    _daily_views(rng, now)


def _threads() -> list[tuple[int, str, int, datetime]]:
    # Columns straight from the database: the timeline has just re-dated the rows.
    return [
        (tid, title, author, created)
        for tid, title, author, created in db.session.execute(
            select(Thread.id, Thread.title, Thread.author_id, Thread.created_at)
        )
    ]


def _moment(rng: random.Random, now: datetime) -> datetime:
    """A moment of the last INSIGHT_DAYS days, more often on weekdays and in office hours."""
    while True:
        day = rng.randrange(data.INSIGHT_DAYS - 1)
        moment = now - timedelta(days=day, hours=rng.uniform(0, 24))
        if rng.random() < WEEKDAY_WEIGHT[moment.weekday()] and 7 <= moment.hour <= 21:
            return moment


def _searches(
    rng: random.Random,
    now: datetime,
    threads: dict[str, tuple[int, int, datetime]],
    users: dict[str, int],
    articles: dict[str, int],
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    turn = 0
    for spec in data.SEARCHES:
        if spec.asked:
            thread_id, author_id, created = threads[spec.asked]
            rows.append(_search(spec, created - timedelta(minutes=6), author_id, thread_id))
            continue
        for n in range(spec.times):
            searcher = data.SEARCHERS[turn % len(data.SEARCHERS)]
            turn += 1
            row = _search(spec, _moment(rng, now), users[searcher] if searcher else None)
            # Most people who searched for an article's topic opened it.
            if spec.opened and n % 4 != 3:
                row["clicked_doc"] = f"article:{articles[spec.opened]}"
                row["clicked_at"] = row["created_at"] + timedelta(seconds=rng.randint(4, 40))
            rows.append(row)
    return rows


def _search(
    spec: data.DemoSearch, when: datetime, user_id: int | None, thread_id: int | None = None
) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "query": spec.query,
        "filters": {},
        "origin": "page",
        "result_count": spec.results,
        "created_at": when,
        "clicked_doc": None,
        "clicked_at": None,
        "followed_by_thread_id": thread_id,
    }


def _drafts(
    now: datetime, threads: dict[str, tuple[int, int, datetime]], users: dict[str, int]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    user_id: int | None
    for n, spec in enumerate(data.DRAFTS):
        if spec.posted:
            thread_id, author_id, created = threads[spec.posted]
            when, user_id, followed = created - timedelta(minutes=3), author_id, thread_id
        else:
            searcher = data.SEARCHERS[n % len(data.SEARCHERS)] or "alice"
            user_id = users[searcher]
            when, followed = now - timedelta(days=spec.days_ago), None
        rows.append(
            {
                "user_id": user_id,
                "query": spec.title,
                "filters": {},
                "origin": "similar",
                "result_count": spec.suggestions,
                "created_at": when,
                "clicked_doc": None,
                "clicked_at": None,
                "followed_by_thread_id": followed,
            }
        )
    return rows


# --- page views per day --------------------------------------------------------------------------


def _daily_views(rng: random.Random, now: datetime) -> None:
    """Spread each thread's and published article's view count over its days in the period:
    threads are read most just after they are asked, articles steadily; today is not over."""
    today = now.date()
    first = today - timedelta(days=data.INSIGHT_DAYS - 1)
    day_done = max((now - datetime.combine(today, time.min, tzinfo=now.tzinfo)) / DAY, 0.1)

    def weight(day: date) -> float:
        return WEEKDAY_WEIGHT[day.weekday()] * (day_done if day == today else 1.0)

    thread_rows: list[dict[str, Any]] = []
    totals: list[dict[str, Any]] = []
    for tid, created, views in db.session.execute(
        select(Thread.id, Thread.created_at, Thread.view_count)
    ):
        days = _days(max(created.date(), first), today)
        weights = [weight(day) / (1 + 0.3 * (day - created.date()).days) for day in days]
        # A thread asked this morning has not had a week's worth of readers yet.
        counts = [min(n, THREAD_DAILY_MAX) for n in _split(rng, views, weights)]
        thread_rows += [
            {"thread_id": tid, "day": day, "views": n}
            for day, n in zip(days, counts, strict=True)
            if n
        ]
        if created.date() >= first:
            totals.append({"id": tid, "view_count": sum(counts)})
    article_rows: list[dict[str, Any]] = []
    for aid, published, views in db.session.execute(
        select(Article.id, Article.published_at, Article.view_count).where(
            Article.status == ArticleStatus.PUBLISHED
        )
    ):
        days = _days(max(published.date(), first) if published else first, today)
        counts = _split(rng, views, [weight(day) for day in days])
        article_rows += [
            {"article_id": aid, "day": day, "views": n}
            for day, n in zip(days, counts, strict=True)
            if n
        ]
    if totals:
        db.session.execute(update(Thread), totals)
    if thread_rows:
        db.session.execute(insert(ThreadDailyViews), thread_rows)
    if article_rows:
        db.session.execute(insert(ArticleDailyViews), article_rows)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _split(rng: random.Random, total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to noisy ``weights`` (largest remainders: exact sum)."""
    noisy = [w * rng.uniform(0.6, 1.4) for w in weights]
    scale = sum(noisy) or 1.0
    shares = [total * w / scale for w in noisy]
    counts = [int(s) for s in shares]
    left = total - sum(counts)
    by_remainder = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for index in by_remainder[:left]:
        counts[index] += 1
    return counts
