"""The staff dashboard's figures, aggregated in SQL over a period of whole UTC days.

Every figure is defined once here; the dashboard page, its CSV export and
``GET /api/v1/insights`` all read :func:`dashboard`. Counting rules:

- *Questions* are visible threads of kind "question" created in the period (visible: not
  deleted, hidden, pending or merged away).
- A question is *answered by the community* when a visible reply by someone other than its
  author, and below staff rank, exists (at any time up to now).
- *Solved* means an accepted answer; *escalated* means it has (or had) an escalation.
- *Searches* are typed searches (the search page and the API); "similar" lookups while composing
  a thread are counted apart.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, select

from forum_kb.accounts.models import Role, User
from forum_kb.community.models import (
    Category,
    Post,
    Tag,
    Thread,
    ThreadDailyViews,
    ThreadKind,
    Vote,
    thread_tags,
)
from forum_kb.db import utcnow
from forum_kb.escalation.models import Escalation, SlaPolicy
from forum_kb.extensions import db
from forum_kb.kb import queries as kb_queries
from forum_kb.kb.models import Article, ArticleDailyViews, ArticleStatus, Feedback
from forum_kb.search.models import SearchLog
from forum_kb.search.queries import SEARCH_ORIGINS, Period, composing_summary, report_period

__all__ = ["Dashboard", "Period", "Table", "dashboard", "problem_threads", "report_period"]

#: Rows in each "top" table.
TOP = 10
#: The longest period the dashboard accepts (a longer one is cut to this many days).
MAX_DAYS = 366
#: Titles scanned for recurring terms (the most recent problem threads).
TERM_SAMPLE = 5000
COMMUNITY_ROLES = (Role.MEMBER, Role.MODERATOR)
_STOP_TEXT = """a about after again all also am an and any are as at be been before being but by
    can cannot could did do does doing don't for from get gets getting got had has have having
    how i i'm if in into is isn't it it's its just me my no not of off on once only or other our
    out over same should so some still such than that the their them then there these they this
    those to too under until up use using very was we were what when where which while who why
    will with won't would you your help please problem issue question anyone way work works
    working doesn't can't trying tried want need new"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
WORD = re.compile(r"[a-z0-9][a-z0-9+#._'-]*[a-z0-9+#]|[a-z0-9]")


# --- helpers -----------------------------------------------------------------------------------


def clamp_period(since: date | None, until: date | None) -> Period:
    """The period asked for (default: the last 30 days), no longer than ``MAX_DAYS``."""
    period = report_period(since, until)
    if period.days > MAX_DAYS:
        period = Period(period.last - timedelta(days=MAX_DAYS - 1), period.last)
    return period


def _day(column: Any) -> Any:
    """The UTC calendar day of a timestamp column, as SQL (SQLite and PostgreSQL)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _in(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


def _visible_thread() -> ColumnElement[bool]:
    return and_(
        Thread.deleted_at.is_(None),
        Thread.is_hidden.is_(False),
        Thread.is_pending.is_(False),
        Thread.merged_into_id.is_(None),
    )


def _visible_post() -> ColumnElement[bool]:
    return and_(Post.deleted_at.is_(None), Post.is_hidden.is_(False), Post.is_pending.is_(False))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _hours(seconds: Iterable[float]) -> float | None:
    values = list(seconds)
    return round(statistics.median(values) / 3600, 2) if values else None


def _per_day(stmt: Any) -> dict[date, int]:
    return {_as_date(day): int(count or 0) for day, count in db.session.execute(stmt) if day}


# --- the tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """One table of the dashboard: what the CSV export and the API give out."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    #: What the figures mean, shown beside them.
    definition: str = ""

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Figure:
    """One headline number with its definition."""

    name: str
    label: str
    value: int | float | None
    definition: str
    unit: str = ""


@dataclass
class Dashboard:
    period: Period
    figures: dict[str, Figure] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)

    def figure(self, name: str) -> int | float | None:
        return self.figures[name].value

    def add_figure(self, *args: Any, **kwargs: Any) -> None:
        figure = Figure(*args, **kwargs)
        self.figures[figure.name] = figure

    def add_table(self, table: Table) -> None:
        self.tables[table.name] = table


# --- activity per day --------------------------------------------------------------------------


def _daily(period: Period) -> Table:
    questions = _visible_thread_questions()
    day = _day(Thread.created_at)
    asked = _per_day(
        select(day, func.count()).where(_in(Thread.created_at, period), *questions).group_by(day)
    )
    day = _day(SearchLog.created_at)
    searches = _per_day(
        select(day, func.count())
        .where(_in(SearchLog.created_at, period), SearchLog.origin.in_(SEARCH_ORIGINS))
        .group_by(day)
    )
    day = _day(Escalation.created_at)
    escalations = _per_day(
        select(day, func.count()).where(_in(Escalation.created_at, period)).group_by(day)
    )
    kb_views = _per_day(
        select(ArticleDailyViews.day, func.sum(ArticleDailyViews.views))
        .where(ArticleDailyViews.day >= period.first, ArticleDailyViews.day <= period.last)
        .group_by(ArticleDailyViews.day)
    )
    thread_views = _per_day(
        select(ThreadDailyViews.day, func.sum(ThreadDailyViews.views))
        .where(ThreadDailyViews.day >= period.first, ThreadDailyViews.day <= period.last)
        .group_by(ThreadDailyViews.day)
    )
    rows = []
    for offset in range(period.days):
        current = period.first + timedelta(days=offset)
        rows.append(
            (
                current.isoformat(),
                asked.get(current, 0),
                searches.get(current, 0),
                kb_views.get(current, 0),
                thread_views.get(current, 0),
                escalations.get(current, 0),
            )
        )
    return Table(
        "daily",
        "Activity per day",
        ("day", "questions", "searches", "kb_views", "thread_views", "escalations"),
        rows,
        "Questions asked, typed searches, KB article and thread page views, and escalations "
        "created, per UTC day.",
    )


def _visible_thread_questions() -> list[ColumnElement[bool]]:
    return [_visible_thread(), Thread.kind == ThreadKind.QUESTION]


# --- questions: answered, solved, escalated, response times ------------------------------------


def _community_reply_times(period: Period) -> dict[int, tuple[datetime, datetime]]:
    """Per question asked in the period: (asked at, first community reply at)."""
    first_reply = func.min(Post.created_at)
    stmt = (
        select(Thread.id, Thread.created_at, first_reply)
        .join(Post, Post.thread_id == Thread.id)
        .join(User, User.id == Post.author_id)
        .where(
            _in(Thread.created_at, period),
            *_visible_thread_questions(),
            Post.is_opening.is_(False),
            Post.author_id != Thread.author_id,
            # A merged thread's posts may be older than the thread they moved into.
            Post.created_at >= Thread.created_at,
            _visible_post(),
            User.role.in_(COMMUNITY_ROLES),
        )
        .group_by(Thread.id, Thread.created_at)
    )
    return {thread_id: (asked, replied) for thread_id, asked, replied in db.session.execute(stmt)}


def _questions(report: Dashboard) -> None:
    period = report.period
    escalated = exists().where(Escalation.thread_id == Thread.id)
    asked, solved, was_escalated = db.session.execute(
        select(
            func.count(),
            func.count(Thread.accepted_post_id),
            func.coalesce(func.sum(case((escalated, 1), else_=0)), 0),
        ).where(_in(Thread.created_at, period), *_visible_thread_questions())
    ).one()
    asked, solved, was_escalated = int(asked), int(solved), int(was_escalated or 0)
    replies = _community_reply_times(period)
    answered = len(replies)
    report.add_figure(
        "questions", "Questions asked", asked, "Visible questions created in the period."
    )
    report.add_figure(
        "answered_share",
        "Answered by the community",
        _share(answered, asked),
        "Share of those questions with a reply from another member or a moderator (staff "
        "replies do not count).",
        "%",
    )
    report.add_figure(
        "solved_share",
        "Solved",
        _share(solved, asked),
        "Share of those questions with an accepted answer.",
        "%",
    )
    report.add_figure(
        "escalated_share",
        "Escalated",
        _share(was_escalated, asked),
        "Share of those questions handed to staff (by the sweep, the customer or a moderator).",
        "%",
    )
    report.add_figure(
        "community_first_response_hours",
        "Median first community response",
        _hours((replied - asked_at).total_seconds() for asked_at, replied in replies.values()),
        "Hours from a question to its first reply by another member or a moderator.",
        "h",
    )
    staff = db.session.execute(
        select(Escalation.created_at, Escalation.first_response_at).where(
            _in(Escalation.created_at, period), Escalation.first_response_at.is_not(None)
        )
    ).all()
    report.add_figure(
        "staff_first_response_hours",
        "Median first staff response",
        _hours((done - created).total_seconds() for created, done in staff if done),
        "Hours from an escalation (created in the period) to the first staff response.",
        "h",
    )
    solved_rows = db.session.execute(
        select(Thread.created_at, Thread.solved_at).where(
            _in(Thread.created_at, period),
            *_visible_thread_questions(),
            Thread.solved_at.is_not(None),
        )
    ).all()
    report.add_figure(
        "solution_hours",
        "Median time to solution",
        _hours((done - created).total_seconds() for created, done in solved_rows if done),
        "Hours from a question to its accepted answer, for questions asked in the period.",
        "h",
    )


# --- service levels ----------------------------------------------------------------------------


def _sla(report: Dashboard) -> None:
    period = report.period
    breached = Escalation.first_response_breached | Escalation.resolution_breached
    name = func.coalesce(SlaPolicy.name, "No policy")
    stmt = (
        select(
            name,
            func.count(),
            func.count(Escalation.resolved_at),
            func.coalesce(func.sum(case((Escalation.first_response_breached, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Escalation.resolution_breached, 1), else_=0)), 0),
            func.coalesce(func.sum(case((breached, 0), else_=1)), 0),
        )
        .select_from(Escalation)
        .outerjoin(SlaPolicy, SlaPolicy.id == Escalation.policy_id)
        .where(_in(Escalation.created_at, period))
        .group_by(name)
        .order_by(name)
    )
    rows = []
    total = met_total = 0
    for policy, count, resolved, first_breaches, resolution_breaches, met in db.session.execute(
        stmt
    ):
        count, met = int(count), int(met)
        total += count
        met_total += met
        rows.append(
            (
                policy,
                count,
                int(resolved),
                int(first_breaches),
                int(resolution_breaches),
                met,
                _share(met, count),
            )
        )
    report.add_table(
        Table(
            "sla",
            "Service levels per policy",
            (
                "policy",
                "escalations",
                "resolved",
                "first_response_breaches",
                "resolution_breaches",
                "met",
                "compliance",
            ),
            rows,
            "Escalations created in the period; met: neither the first-response nor the "
            "resolution target breached (so far); compliance is the share met.",
        )
    )
    report.add_figure("escalations", "Escalations", total, "Escalations created in the period.")
    report.add_figure(
        "sla_compliance",
        "SLA compliance",
        _share(met_total, total),
        "Share of escalations created in the period with no breached target.",
        "%",
    )


# --- knowledge base and deflection -------------------------------------------------------------


def _kb_and_deflection(report: Dashboard) -> None:
    period = report.period
    kb_views = int(
        db.session.scalar(
            select(func.coalesce(func.sum(ArticleDailyViews.views), 0)).where(
                ArticleDailyViews.day >= period.first, ArticleDailyViews.day <= period.last
            )
        )
        or 0
    )
    thread_views = int(
        db.session.scalar(
            select(func.coalesce(func.sum(ThreadDailyViews.views), 0)).where(
                ThreadDailyViews.day >= period.first, ThreadDailyViews.day <= period.last
            )
        )
        or 0
    )
    helpful, answers = db.session.execute(
        select(
            func.coalesce(func.sum(case((Feedback.helpful.is_(True), 1), else_=0)), 0),
            func.count(),
        ).where(_in(Feedback.created_at, period))
    ).one()
    searches, not_followed, from_search = db.session.execute(
        select(
            func.count(),
            func.coalesce(
                func.sum(case((SearchLog.followed_by_thread_id.is_(None), 1), else_=0)), 0
            ),
            func.coalesce(func.sum(case((SearchLog.clicked_doc.like("article:%"), 1), else_=0)), 0),
        ).where(_in(SearchLog.created_at, period), SearchLog.origin.in_(SEARCH_ORIGINS))
    ).one()
    searches, not_followed, from_search = int(searches), int(not_followed), int(from_search)
    composing = composing_summary(period)
    escalations = report.figure("escalations")
    report.add_figure("kb_views", "KB article views", kb_views, "Article page views.")
    report.add_figure("thread_views", "Thread views", thread_views, "Thread page views.")
    report.add_figure(
        "kb_helpful_ratio",
        "KB helpful ratio",
        _share(int(helpful), int(answers)),
        'Share of "Was this helpful?" answers given in the period that said yes.',
        "%",
    )
    report.add_figure(
        "kb_feedback", "KB feedback answers", int(answers), '"Was this helpful?" answers.'
    )
    report.add_figure("searches", "Searches", searches, "Searches typed on the site or the API.")
    report.add_figure(
        "searches_without_thread",
        "Searches not followed by a new thread",
        not_followed,
        "Typed searches after which the searcher did not start a thread.",
    )
    report.add_figure(
        "search_deflection",
        "Search deflection",
        _share(not_followed, searches),
        "Share of typed searches not followed by a new thread by the same person.",
        "%",
    )
    report.add_figure(
        "kb_views_from_search",
        "KB articles opened from search",
        from_search,
        "Searches whose first opened result was a KB article.",
    )
    report.add_figure(
        "suggestions_shown",
        "Drafts shown suggestions",
        composing.with_suggestions,
        "New-thread drafts for which similar threads or articles were suggested.",
    )
    report.add_figure(
        "suggestion_deflection",
        "Drafts abandoned after suggestions",
        composing.left_after_suggestions,
        "Drafts shown suggestions that were never posted: probably answered by them.",
    )
    report.add_figure(
        "self_service_ratio",
        "Self-service ratio",
        round((kb_views + thread_views) / escalations, 1) if escalations else None,
        "KB article and thread views per escalation in the period (views / escalations): "
        "how many self-service visits there were for each contact with staff.",
        "x",
    )


# --- content gaps and recurring problems -------------------------------------------------------


def _top_queries(
    period: Period, extra: Any, condition: ColumnElement[bool]
) -> list[tuple[str, int, Any]]:
    """The most frequent typed queries meeting ``condition``: (query, searches, ``extra``)."""
    count = func.count()
    rows = db.session.execute(
        select(SearchLog.query, count, extra)
        .where(
            _in(SearchLog.created_at, period),
            SearchLog.origin.in_(SEARCH_ORIGINS),
            condition,
            SearchLog.query != "",
        )
        .group_by(SearchLog.query)
        .order_by(count.desc(), SearchLog.query)
        .limit(TOP)
    ).all()
    return [(query, int(n), value) for query, n, value in rows]


def _zero_results(period: Period) -> Table:
    rows = _top_queries(period, func.max(SearchLog.created_at), SearchLog.result_count == 0)
    return Table(
        "zero_result_searches",
        "Top searches with no results",
        ("query", "searches", "last_searched"),
        [(query, n, last.isoformat() if last else None) for query, n, last in rows],
        "Typed searches that found nothing, most frequent first: topics the content lacks.",
    )


def _searched_then_asked(period: Period) -> Table:
    rows = _top_queries(
        period,
        func.count(func.distinct(SearchLog.followed_by_thread_id)),
        SearchLog.followed_by_thread_id.is_not(None),
    )
    return Table(
        "searches_then_thread",
        "Top searches followed by a new thread",
        ("query", "searches", "threads"),
        [(query, n, int(threads)) for query, n, threads in rows],
        "Typed searches after which the searcher started a thread: what they found did not "
        "answer them.",
    )


def _problem_condition(period: Period) -> ColumnElement[bool]:
    escalated = exists().where(Escalation.thread_id == Thread.id)
    unsolved = and_(Thread.kind == ThreadKind.QUESTION, Thread.accepted_post_id.is_(None))
    return and_(_in(Thread.created_at, period), _visible_thread(), escalated | unsolved)


def _problem_tags(period: Period) -> Table:
    count = func.count()
    rows = db.session.execute(
        select(Tag.name, count)
        .select_from(Thread)
        .join(thread_tags, thread_tags.c.thread_id == Thread.id)
        .join(Tag, Tag.id == thread_tags.c.tag_id)
        .where(_problem_condition(period))
        .group_by(Tag.name)
        .order_by(count.desc(), Tag.name)
        .limit(TOP)
    ).all()
    return Table(
        "problem_tags",
        "Tags of escalated and unsolved threads",
        ("tag", "threads"),
        [(name, int(n)) for name, n in rows],
        "Tags most frequent among threads created in the period that were escalated or are "
        'unsolved questions: the "contacts that should never happen".',
    )


def terms_of(title: str) -> set[str]:
    """The distinct meaningful words of a title (lower-cased, stop words left out)."""
    return {
        word.strip("'.")
        for word in WORD.findall(title.lower())
        if len(word) > 2 and word not in STOP_WORDS and any(c.isalpha() for c in word)
    }


def _problem_terms(period: Period) -> Table:
    titles = db.session.scalars(
        select(Thread.title)
        .where(_problem_condition(period))
        .order_by(Thread.created_at.desc())
        .limit(TERM_SAMPLE)
    )
    counts: Counter[str] = Counter()
    for title in titles:
        counts.update(terms_of(title))
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP]
    return Table(
        "problem_terms",
        "Words in titles of escalated and unsolved threads",
        ("term", "threads"),
        rows,
        "Words (stop words left out) in the titles of threads created in the period that were "
        "escalated or are unsolved questions, by the number of threads using them.",
    )


def problem_threads(
    period: Period, *, tag: str | None = None, term: str | None = None, limit: int = 100
) -> list[Thread]:
    """Escalated or unsolved threads of the period with a tag or a title word, newest first."""
    stmt = select(Thread).where(_problem_condition(period))
    if tag:
        stmt = stmt.where(
            Thread.id.in_(
                select(thread_tags.c.thread_id)
                .join(Tag, Tag.id == thread_tags.c.tag_id)
                .where(Tag.name == tag)
            )
        )
    if term:
        pattern = "%" + term.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        stmt = stmt.where(func.lower(Thread.title).like(pattern))
    threads = db.session.scalars(stmt.order_by(Thread.created_at.desc(), Thread.id.desc()))
    found = [t for t in threads if not term or term.lower() in terms_of(t.title)]
    return found[:limit]


# --- KB and community health -------------------------------------------------------------------


def _kb_health(report: Dashboard) -> None:
    today = utcnow().date()
    stale = kb_queries.stale_articles(today)
    report.add_table(
        Table(
            "stale_articles",
            "Stale articles",
            ("article_id", "title", "owner", "review_by", "days_overdue"),
            [
                (
                    a.id,
                    a.title,
                    a.owner.username,
                    a.review_by.isoformat(),
                    (today - a.review_by).days,
                )
                for a in stale
                if a.review_by is not None
            ],
            "Published articles past their review-by date, most overdue first.",
        )
    )
    poor = kb_queries.poorly_rated_articles()
    report.add_table(
        Table(
            "low_rated_articles",
            "Articles rated unhelpful",
            ("article_id", "title", "owner", "helpful", "not_helpful", "helpful_ratio"),
            [
                (
                    a.id,
                    a.title,
                    a.owner.username,
                    a.helpful_count,
                    a.not_helpful_count,
                    _share(a.helpful_count, a.helpful_count + a.not_helpful_count),
                )
                for a in poor
            ],
            "Published articles with enough answers whose helpful ratio is under the threshold "
            "(KB_POOR_FEEDBACK_MIN_VOTES, KB_POOR_FEEDBACK_RATIO).",
        )
    )
    period = report.period
    views = func.sum(ArticleDailyViews.views)
    rows = db.session.execute(
        select(Article.id, Article.title, views, Article.helpful_count, Article.not_helpful_count)
        .join(ArticleDailyViews, ArticleDailyViews.article_id == Article.id)
        .where(
            Article.status == ArticleStatus.PUBLISHED,
            ArticleDailyViews.day >= period.first,
            ArticleDailyViews.day <= period.last,
        )
        .group_by(Article.id, Article.title, Article.helpful_count, Article.not_helpful_count)
        .order_by(views.desc(), Article.id)
        .limit(TOP)
    ).all()
    report.add_table(
        Table(
            "most_viewed_articles",
            "Most viewed articles",
            ("article_id", "title", "views", "helpful_ratio"),
            [(i, title, int(n), _share(h, h + nh)) for i, title, n, h, nh in rows],
            "Published articles by page views in the period (helpful ratio over all time).",
        )
    )


def _top_helpers(period: Period) -> Table:
    answer = Post.__table__.alias("answer")
    helper = User.__table__.alias("helper")
    accepted: dict[int, int] = dict(
        db.session.execute(
            select(answer.c.author_id, func.count())
            .select_from(Thread)
            .join(answer, answer.c.id == Thread.accepted_post_id)
            .join(helper, helper.c.id == answer.c.author_id)
            .where(
                _in(Thread.solved_at, period),
                _visible_thread(),
                answer.c.author_id != Thread.author_id,
                helper.c.role.in_(COMMUNITY_ROLES),
            )
            .group_by(answer.c.author_id)
        ).all()
    )
    upvotes: dict[int, int] = dict(
        db.session.execute(
            select(Post.author_id, func.count())
            .join(Vote, Vote.post_id == Post.id)
            .join(User, User.id == Post.author_id)
            .where(
                _in(Vote.created_at, period),
                Vote.value > 0,
                _visible_post(),
                User.role.in_(COMMUNITY_ROLES),
            )
            .group_by(Post.author_id)
        ).all()
    )
    # Names for the top ten only: an IN list of every helper of a year is slow to send.
    candidates = set(accepted) | set(upvotes)
    ranked = sorted(candidates, key=lambda i: (-accepted.get(i, 0), -upvotes.get(i, 0), i))[:TOP]
    names: dict[int, str] = dict(
        db.session.execute(select(User.id, User.username).where(User.id.in_(ranked))).all()
    )
    return Table(
        "top_helpers",
        "Top helpers",
        ("username", "accepted_answers", "helpful_votes"),
        [(names[i], int(accepted.get(i, 0)), int(upvotes.get(i, 0))) for i in ranked],
        "Members and moderators (staff left out) by accepted answers to other people's "
        "threads solved in the period, then by up-votes received in the period.",
    )


def _unanswered(period: Period) -> Table:
    count = func.count()
    rows = db.session.execute(
        select(Category.slug, Category.name, count, func.min(Thread.created_at))
        .join(Thread, Thread.category_id == Category.id)
        .where(
            *_visible_thread_questions(),
            Thread.reply_count == 0,
            Thread.accepted_post_id.is_(None),
            Thread.is_locked.is_(False),
        )
        .group_by(Category.slug, Category.name)
        .order_by(count.desc(), Category.name)
    ).all()
    return Table(
        "unanswered_by_category",
        "Unanswered questions by category",
        ("category_slug", "category", "unanswered", "oldest"),
        [
            (slug, name, int(n), oldest.isoformat() if oldest else None)
            for slug, name, n, oldest in rows
        ],
        "Open questions with no reply yet, now (whatever the period).",
    )


# --- the whole dashboard -----------------------------------------------------------------------


def dashboard(period: Period) -> Dashboard:
    """Every figure and table of the staff dashboard for ``period``."""
    report = Dashboard(period)
    report.add_table(_daily(period))
    _questions(report)
    _sla(report)
    _kb_and_deflection(report)
    report.add_table(_zero_results(period))
    report.add_table(_searched_then_asked(period))
    report.add_table(_problem_tags(period))
    report.add_table(_problem_terms(period))
    _kb_health(report)
    report.add_table(_top_helpers(period))
    report.add_table(_unanswered(period))
    report.add_table(
        Table(
            "figures",
            "Headline figures",
            ("name", "label", "value", "unit", "definition"),
            [(f.name, f.label, f.value, f.unit, f.definition) for f in report.figures.values()],
        )
    )
    return report


def table_names() -> Sequence[str]:
    """The tables the dashboard has, in page order (for the CSV export's URLs)."""
    return (
        "figures",
        "daily",
        "sla",
        "zero_result_searches",
        "searches_then_thread",
        "problem_tags",
        "problem_terms",
        "stale_articles",
        "low_rated_articles",
        "most_viewed_articles",
        "top_helpers",
        "unanswered_by_category",
    )
