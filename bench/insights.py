"""Benchmark the staff insights dashboard on a year of a busy forum.

Seeds a fresh database with bulk inserts (SQLAlchemy Core ``insert()`` in chunks, no
services): 2,050 users (20 moderators and 30 staff among them), 10,000 threads and 100,000
posts over the past 365 days with tags, votes, accepted answers, hidden/deleted/pending/merged
content, 2 SLA policies and 1,000 escalations, 300 KB articles with 10,000 feedback answers,
a year of daily view counts for articles and threads, and 50,000 search-log entries. Then
``ANALYZE`` and it times, in a fresh app (cold: first call, new connections, nothing cached)
and then warm (median of ``--runs`` calls):

- ``queries.dashboard(clamp_period(None, None))``: the default 30 days;
- ``queries.dashboard(...)`` over the last 365 days;
- the whole HTTP render of ``/staff/insights/`` (both periods) through Flask's test client,
  signed in as staff (the page, its charts and every table).

It prints a table, and the slowest SQL statements of a warm 365-day run (``--statements``).

    .venv/bin/python bench/insights.py                       # SQLite file, then PostgreSQL
    .venv/bin/python bench/insights.py --database sqlite
    .venv/bin/python bench/insights.py --database postgresql \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

On PostgreSQL the script works in a private schema that it creates and drops at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Table, bindparam, create_engine, event, insert, text, update
from sqlalchemy.engine import Connection, make_url
from werkzeug.security import generate_password_hash

from forum_kb import create_app
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
from forum_kb.escalation.models import (
    CategoryPolicy,
    Escalation,
    EscalationSource,
    EscalationStatus,
    SlaPolicy,
)
from forum_kb.extensions import db
from forum_kb.insights import queries
from forum_kb.kb.models import (
    Article,
    ArticleDailyViews,
    ArticleStatus,
    Feedback,
    Section,
)
from forum_kb.search.models import SearchLog

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "bench staff password"  # noqa: S105 - a throwaway database
CHUNK = 5_000
DAYS = 365
CATEGORIES = ("Getting started", "Troubleshooting", "Billing", "Network", "Feature requests")
_WORD_TEXT = (
    "printer wifi router vpn refund invoice password login reset error e42 firmware update "
    "driver scanner toner fax billing charge account email sync backup restore install "
    "timeout slow crash offline bluetooth battery license upgrade export import calendar "
    "sharing permission admin dashboard api token webhook proxy dns certificate ssl port "
    "mobile android iphone tablet screen display sound camera storage quota plan"
)
WORDS = tuple(_WORD_TEXT.split())
IDLE = {"is_locked": False, "is_pinned": False}


# --- the database ------------------------------------------------------------------------------


@contextmanager
def database(kind: str, pg_url: str, workdir: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file under ``workdir`` or a private PostgreSQL
    schema (dropped on exit)."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'insights.db'}"
        return
    schema = f"fkb_bench_insights_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        scoped = make_url(pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
        print(f"Dropped schema {schema}.")


def make_bench_app(url: str, instance: Path) -> Flask:
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "SEARCH_INDEX_DIR": None,
            "SEARCH_INDEXER": "off",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        },
        instance_path=str(instance),
    )


# --- the content -------------------------------------------------------------------------------


@dataclass
class Sizes:
    threads: int = 10_000
    posts: int = 100_000
    members: int = 2_000
    moderators: int = 20
    staff: int = 30
    escalations: int = 1_000
    articles: int = 300
    feedback: int = 10_000
    votes: int = 30_000
    searches: int = 50_000


@dataclass
class Seed:
    """Rows to insert, table by table, in dependency order."""

    rnd: random.Random
    now: datetime
    sizes: Sizes
    rows: dict[Any, list[dict[str, Any]]] = field(default_factory=dict)
    #: {"tid": thread id, "pid": its accepted post's id}, set after the posts are in.
    accepted: list[dict[str, int]] = field(default_factory=list)

    def add(self, target: Any, row: dict[str, Any]) -> None:
        self.rows.setdefault(target, []).append(row)

    def moment(self, after: datetime, max_minutes: int, min_minutes: int = 1) -> datetime:
        return min(self.now, after + timedelta(minutes=self.rnd.randint(min_minutes, max_minutes)))


def _users(seed: Seed) -> None:
    s, now = seed.sizes, seed.now
    hashed = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")
    roles = [Role.MEMBER] * s.members + [Role.MODERATOR] * s.moderators + [Role.STAFF] * s.staff
    for i, role in enumerate(roles, start=1):
        name = f"{role.value}{i}"
        seed.add(User, {
            "id": i, "username": name, "username_key": name, "email": f"{name}@example.com",
            "email_key": f"{name}@example.com", "password_hash": hashed, "role": role,
            "display_name": name, "bio": "", "is_active": True,
            "reputation": seed.rnd.randint(0, 500), "session_generation": 0,
            "created_at": now - timedelta(days=400), "updated_at": now,
        })  # fmt: skip


def staff_ids(sizes: Sizes) -> range:
    first = sizes.members + sizes.moderators + 1
    return range(first, first + sizes.staff)


def _taxonomy(seed: Seed) -> None:
    now = seed.now
    for i, name in enumerate(CATEGORIES, start=1):
        seed.add(Category, {
            "id": i, "name": name, "slug": name.lower().replace(" ", "-"),
            "description": name, "position": i, "premoderate": False,
            "created_at": now, "updated_at": now,
        })  # fmt: skip
    for i, word in enumerate(WORDS, start=1):
        seed.add(Tag, {"id": i, "name": word, "created_at": now})


def _title(rnd: random.Random, n: int) -> str:
    words = rnd.sample(WORDS, rnd.randint(2, 4))
    return f"{' '.join(words).capitalize()} fails after the update (#{n})"


def _threads(seed: Seed) -> None:
    """Threads, their posts, tags and accepted answers; about 1 in 10 without replies."""
    rnd, s = seed.rnd, seed.sizes
    people = s.members + s.moderators
    answered = [t for t in range(1, s.threads + 1) if rnd.random() > 0.1]
    replies = Counter(rnd.choices(answered, k=s.posts - s.threads))
    post_id = 0
    for thread_id in range(1, s.threads + 1):
        started = seed.now - timedelta(minutes=rnd.randint(60, DAYS * 24 * 60))
        author = rnd.randint(1, people)
        kind = ThreadKind.QUESTION if rnd.random() < 0.6 else rnd.choice(list(ThreadKind))
        state = rnd.random()
        hidden, deleted, pending = state < 0.01, 0.01 <= state < 0.02, 0.02 <= state < 0.025
        merged = 0.025 <= state < 0.03 and thread_id > 1
        times = sorted(seed.moment(started, 20_000, 5) for _ in range(replies[thread_id]))
        visible: list[tuple[int, datetime]] = []
        post_id += 1
        seed.add(Post, _post(post_id, thread_id, author, True, started))
        for when in times:
            post_id += 1
            poster = rnd.randint(1, people) if rnd.random() < 0.95 else rnd.choice(staff_ids(s))
            row = _post(post_id, thread_id, author if rnd.random() < 0.03 else poster, False, when)
            flag = rnd.random()
            row["is_hidden"], row["is_pending"] = flag < 0.02, 0.02 <= flag < 0.025
            row["deleted_at"] = when if 0.025 <= flag < 0.035 else None
            seed.add(Post, row)
            if flag >= 0.035:
                visible.append((post_id, when))
        accepted = None
        if kind == ThreadKind.QUESTION and visible and rnd.random() < 0.5:
            accepted = rnd.choice(visible)
        seed.add(Thread, {
            "id": thread_id, "category_id": rnd.randint(1, len(CATEGORIES)), "author_id": author,
            "kind": kind, "title": _title(rnd, thread_id), **IDLE, "is_hidden": hidden,
            "is_pending": pending, "deleted_at": started if deleted or merged else None,
            "merged_into_id": rnd.randint(1, thread_id - 1) if merged else None,
            "reply_count": len(visible), "score": rnd.randint(0, 12),
            "view_count": rnd.randint(0, 900), "created_at": started,
            "updated_at": times[-1] if times else started,
            "last_activity_at": times[-1] if times else started, "last_poster_id": author,
            "accepted_post_id": None,
            "solved_at": seed.moment(accepted[1], 3 * 24 * 60) if accepted else None,
        })  # fmt: skip
        if accepted:
            seed.accepted.append({"tid": thread_id, "pid": accepted[0]})
        for tag_id in rnd.sample(range(1, len(WORDS) + 1), rnd.randint(1, 3)):
            seed.add(thread_tags, {"thread_id": thread_id, "tag_id": tag_id})


def _post(post_id: int, thread_id: int, author: int, opening: bool, when: datetime) -> dict:
    body = f"Post {post_id}: have you tried turning it off and on again?"
    return {
        "id": post_id, "thread_id": thread_id, "author_id": author, "is_opening": opening,
        "body_source": body, "body_html": f"<p>{body}</p>", "renderer_version": 1, "score": 0,
        "is_hidden": False, "is_pending": False, "pending_reason": "", "deleted_at": None,
        "created_at": when, "updated_at": when,
    }  # fmt: skip


def _votes(seed: Seed) -> None:
    rnd, s = seed.rnd, seed.sizes
    posts = seed.rows[Post]
    people = s.members + s.moderators
    seen: set[tuple[int, int]] = set()
    while len(seen) < s.votes:
        post = rnd.choice(posts)
        voter = rnd.randint(1, people)
        if voter == post["author_id"] or (post["id"], voter) in seen:
            continue
        seen.add((post["id"], voter))
        when = seed.moment(post["created_at"], 30 * 24 * 60)
        seed.add(Vote, {
            "post_id": post["id"], "user_id": voter, "value": 1 if rnd.random() < 0.85 else -1,
            "created_at": when, "updated_at": when,
        })  # fmt: skip


def _escalations(seed: Seed) -> None:
    """Two policies (billing has the priority one) and escalations on distinct questions."""
    rnd, now = seed.rnd, seed.now
    policies = {1: ("Standard", 8, 48, True), 2: ("Priority", 1, 8, False)}
    for pid, (name, first, resolution, default) in policies.items():
        seed.add(SlaPolicy, {
            "id": pid, "name": name, "unanswered_hours": 48, "unsolved_days": 7,
            "first_response_hours": first, "resolution_hours": resolution,
            "is_default": default, "business_hours": False, "business_start": 9,
            "business_end": 17, "business_days": "01234", "created_at": now,
        })  # fmt: skip
    seed.add(CategoryPolicy, {"category_id": 3, "policy_id": 2})
    questions = [
        t for t in seed.rows[Thread] if t["kind"] == ThreadKind.QUESTION and not t["deleted_at"]
    ]
    for i, thread in enumerate(rnd.sample(questions, seed.sizes.escalations), start=1):
        seed.add(Escalation, _escalation(seed, i, thread))


def _escalation(seed: Seed, esc_id: int, thread: dict[str, Any]) -> dict[str, Any]:
    rnd = seed.rnd
    policy_id = 2 if thread["category_id"] == 3 else (1 if rnd.random() < 0.97 else None)
    first_h, resolution_h = (1, 8) if policy_id == 2 else (8, 48)
    created = seed.moment(thread["created_at"], 72 * 60, 120)
    first_due = created + timedelta(hours=first_h)
    resolution_due = created + timedelta(hours=resolution_h)
    responded = seed.moment(created, 20 * 60, 10) if rnd.random() < 0.85 else None
    resolved = seed.moment(responded, 60 * 60) if responded and rnd.random() < 0.8 else None
    status = EscalationStatus.RESOLVED if resolved else rnd.choice(
        [EscalationStatus.OPEN, EscalationStatus.ASSIGNED, EscalationStatus.WAITING]
    )  # fmt: skip
    return {
        "id": esc_id, "thread_id": thread["id"], "status": status,
        "source": rnd.choice(list(EscalationSource)), "reason": "", "policy_id": policy_id,
        "assignee_id": rnd.choice(staff_ids(seed.sizes)) if responded else None,
        "created_at": created, "updated_at": resolved or responded or created,
        "first_response_due_at": first_due, "resolution_due_at": resolution_due,
        "first_response_at": responded, "resolved_at": resolved,
        "first_response_breached": (responded or seed.now) > first_due,
        "resolution_breached": (resolved or seed.now) > resolution_due, "resolution": "",
    }  # fmt: skip


def _knowledge_base(seed: Seed) -> None:
    """Articles (most published; review dates around today), feedback, daily views."""
    rnd, now, s = seed.rnd, seed.now, seed.sizes
    today = now.date()
    for i in range(1, 6):
        seed.add(Section, {
            "id": i, "name": f"Section {i}", "slug": f"section-{i}", "description": "",
            "position": i, "created_at": now, "updated_at": now,
        })  # fmt: skip
    statuses = (
        [ArticleStatus.PUBLISHED] * 25 + [ArticleStatus.DRAFT] * 3 + [ArticleStatus.ARCHIVED] * 2
    )
    published: list[int] = []
    for i in range(1, s.articles + 1):
        status = rnd.choice(statuses)
        published += [i] if status == ArticleStatus.PUBLISHED else []
        seed.add(Article, {
            "id": i, "section_id": rnd.randint(1, 5), "slug": f"article-{i}",
            "title": f"How to fix {' '.join(rnd.sample(WORDS, 2))} ({i})", "status": status,
            "owner_id": rnd.choice(staff_ids(s)), "draft_in_review": False,
            "review_by": today + timedelta(days=rnd.randint(-90, 180)), "view_count": 0,
            "helpful_count": 0, "not_helpful_count": 0, "created_at": now - timedelta(days=400),
            "updated_at": now, "published_at": now - timedelta(days=400),
            "source_kind": "", "source_title": "", "source_url": "",
        })  # fmt: skip
    _feedback(seed, published)
    for article_id in published:
        for offset in range(DAYS):
            if rnd.random() < 0.4:
                day = today - timedelta(days=offset)
                seed.add(ArticleDailyViews, {
                    "article_id": article_id, "day": day, "views": rnd.randint(1, 50),
                })  # fmt: skip


def _feedback(seed: Seed, published: list[int]) -> None:
    rnd = seed.rnd
    articles = {row["id"]: row for row in seed.rows[Article]}
    seen: set[tuple[int, int]] = set()
    while len(seen) < seed.sizes.feedback:
        key = (rnd.choice(published), rnd.randint(1, seed.sizes.members))
        if key in seen:
            continue
        seen.add(key)
        helpful = rnd.random() < (0.3 if key[0] % 10 == 0 else 0.75)
        articles[key[0]]["helpful_count" if helpful else "not_helpful_count"] += 1
        when = seed.now - timedelta(minutes=rnd.randint(1, DAYS * 24 * 60))
        seed.add(Feedback, {
            "id": len(seen), "article_id": key[0], "user_id": key[1], "session_key": None,
            "helpful": helpful, "comment": "", "created_at": when, "updated_at": when,
        })  # fmt: skip


def _thread_views(seed: Seed) -> None:
    """About ten days with views per thread, from its creation on."""
    rnd, today = seed.rnd, seed.now.date()
    for thread in seed.rows[Thread]:
        age = (today - thread["created_at"].date()).days
        for offset in sorted(set(rnd.choices(range(age + 1), k=10))):
            seed.add(ThreadDailyViews, {
                "thread_id": thread["id"], "day": today - timedelta(days=offset),
                "views": rnd.randint(1, 40),
            })  # fmt: skip


def _search_log(seed: Seed) -> None:
    """Typed searches (page, API) and "similar" lookups over a Zipf-like vocabulary."""
    rnd, s = seed.rnd, seed.sizes
    phrases = [" ".join(rnd.sample(WORDS, rnd.randint(1, 3))) for _ in range(2_000)]
    weights = [1 / (rank + 1) for rank in range(len(phrases))]
    published = [a["id"] for a in seed.rows[Article] if a["status"] == ArticleStatus.PUBLISHED]
    for i, query in enumerate(rnd.choices(phrases, weights, k=s.searches), start=1):
        origin = rnd.choices(["page", "api", "similar"], [70, 10, 20])[0]
        results = 0 if rnd.random() < 0.15 else rnd.randint(1, 40)
        when = seed.now - timedelta(minutes=rnd.randint(1, DAYS * 24 * 60))
        clicked = None
        if results and rnd.random() < 0.35:
            clicked = (
                f"article:{rnd.choice(published)}"
                if rnd.random() < 0.5
                else f"thread:{rnd.randint(1, s.threads)}"
            )
        seed.add(SearchLog, {
            "id": i, "user_id": rnd.randint(1, s.members) if rnd.random() < 0.8 else None,
            "query": query, "filters": {}, "origin": origin, "result_count": results,
            "created_at": when, "clicked_doc": clicked,
            "clicked_at": when + timedelta(seconds=20) if clicked else None,
            "followed_by_thread_id": rnd.randint(1, s.threads) if rnd.random() < 0.06 else None,
        })  # fmt: skip


def build_rows(sizes: Sizes, seed_value: int) -> Seed:
    seed = Seed(random.Random(seed_value), datetime.now(UTC), sizes)
    for step in (_users, _taxonomy, _threads, _votes, _escalations, _knowledge_base,
                 _thread_views, _search_log):  # fmt: skip
        step(seed)
    return seed


#: Insertion order: every foreign key points at a table inserted before it.
ORDER: tuple[Any, ...] = (
    User, Category, Tag, Thread, Post, thread_tags, Vote, SlaPolicy, CategoryPolicy,
    Escalation, Section, Article, Feedback, ArticleDailyViews, ThreadDailyViews, SearchLog,
)  # fmt: skip


def insert_rows(conn: Connection, seed: Seed) -> dict[str, int]:
    """Bulk-insert every table in chunks; returns the row count per table."""
    counts: dict[str, int] = {}
    for target in ORDER:
        table = getattr(target, "__table__", target)
        rows = seed.rows.get(target, [])
        for start in range(0, len(rows), CHUNK):
            conn.execute(insert(table), rows[start : start + CHUNK])
        counts[table.name] = len(rows)
    # threads.accepted_post_id and posts.thread_id point at each other: the accepted answers
    # are set once the posts exist.
    threads = Thread.__table__
    assert isinstance(threads, Table)
    conn.execute(
        update(threads)
        .where(threads.c.id == bindparam("tid"))
        .values(accepted_post_id=bindparam("pid")),
        seed.accepted,
    )
    if conn.dialect.name == "postgresql":
        _reset_sequences(conn)
    return counts


def _reset_sequences(conn: Connection) -> None:
    # Explicit ids leave the sequences behind; the app may insert later (sign-in, views).
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.autoincrement is not False and table.c.id.primary_key:
            max_id = f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name})"  # noqa: S608
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), {max_id}, false)"
            ))  # fmt: skip


def populate(url: str, instance: Path, sizes: Sizes, seed_value: int) -> dict[str, int]:
    """Create the schema, insert everything, ANALYZE; returns the row counts."""
    seed = build_rows(sizes, seed_value)
    app = make_bench_app(url, instance)
    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            counts = insert_rows(conn, seed)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        db.engine.dispose()
    return counts


# --- timing ------------------------------------------------------------------------------------


class Statements:
    """Wall time of every SQL statement the engine runs, while ``recording``."""

    def __init__(self, engine: Any) -> None:
        self.recording = False
        self.times: list[tuple[float, str]] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.recording:
            took = time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())
            self.times.append((took, statement))


@dataclass
class Timing:
    what: str
    cold_ms: float
    warm_ms: list[float]
    #: This process's CPU time per warm run: with SQLite (in-process) the whole work, however
    #: busy the machine; with PostgreSQL the server's share is left out.
    warm_cpu_ms: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.warm_ms)

    @property
    def median_cpu_ms(self) -> float:
        return statistics.median(self.warm_cpu_ms)


def _ms(call: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds of ``call()``."""
    start, cpu = time.perf_counter(), time.process_time()
    call()
    return (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000


def _timing(what: str, once: Callable[[], object], runs: int) -> Timing:
    cold, _ = _ms(once)
    warm = [_ms(once) for _ in range(runs)]
    return Timing(what, cold, [w for w, _ in warm], [c for _, c in warm])


def time_queries(app: Flask, period: queries.Period, what: str, runs: int) -> Timing:
    """``dashboard(period)``, each call in its own app context (as a request has)."""

    def once() -> None:
        with app.app_context():
            queries.dashboard(period)

    return _timing(what, once, runs)


def page_routed(app: Flask) -> bool:
    return any(rule.rule == "/staff/insights/" for rule in app.url_map.iter_rules())


def time_page(app: Flask, path: str, what: str, runs: int) -> Timing:
    """GET ``path`` as a signed-in staff member (200 expected), cold then warm."""
    client = app.test_client()
    response = client.post("/login", data={"login": "staff2021", "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"Signing in as staff answered {response.status_code}")

    def once() -> None:
        answer = client.get(path)
        if answer.status_code != 200:
            raise SystemExit(f"GET {path} answered {answer.status_code}")

    return _timing(what, once, runs)


def slowest_statements(app: Flask, period: queries.Period, top: int) -> list[tuple[float, str]]:
    """The ``top`` slowest statements of one warm ``dashboard(period)``."""
    with app.app_context():
        recorder = Statements(db.engine)
        queries.dashboard(period)
        recorder.recording = True
        queries.dashboard(period)
    return sorted(recorder.times, reverse=True)[:top]


def measure(url: str, instance: Path, args: argparse.Namespace) -> list[Timing]:
    """Every timing, each group from a fresh app (new engine, empty statement cache)."""
    today = datetime.now(UTC).date()
    month, year = (
        queries.clamp_period(None, None),
        queries.clamp_period(today - timedelta(days=364), today),
    )
    timings = [
        time_queries(make_bench_app(url, instance), month, "dashboard() 30 days", args.runs),
        time_queries(make_bench_app(url, instance), year, "dashboard() 365 days", args.runs),
    ]
    app = make_bench_app(url, instance)
    if not page_routed(app):
        print("/staff/insights/ is not routed in this checkout: timing the queries only.")
    else:
        year_path = f"/staff/insights/?from={year.first.isoformat()}&to={year.last.isoformat()}"
        timings.append(
            time_page(app, "/staff/insights/", "GET /staff/insights/ 30 days", args.runs)
        )
        app = make_bench_app(url, instance)
        timings.append(time_page(app, year_path, "GET /staff/insights/ 365 days", args.runs))
    if args.statements:
        print(f"\nSlowest statements of a warm 365-day dashboard() ({args.statements}):")
        for took, statement in slowest_statements(
            make_bench_app(url, instance), year, args.statements
        ):
            print(f"  {took * 1000:8.1f} ms  {' '.join(statement.split())[:150]}")
    return timings


# --- the report --------------------------------------------------------------------------------


def describe_machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"{platform.system()}, load average {load:.1f}"
    )


def run_one(kind: str, args: argparse.Namespace, sizes: Sizes) -> list[tuple[str, Timing]]:
    workdir = Path(tempfile.mkdtemp(prefix="forum_kb-bench-insights-"))
    try:
        with database(kind, args.database_url, workdir) as url:
            started = time.perf_counter()
            counts = populate(url, workdir / "instance", sizes, args.seed)
            built = time.perf_counter() - started
            summary = ", ".join(f"{n:,} {name}" for name, n in counts.items() if n >= 1000)
            print(f"\n{kind}: built in {built:.1f} s ({summary}).")
            return [(kind, t) for t in measure(url, workdir / "instance", args)]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def print_table(results: list[tuple[str, Timing]], runs: int, target_ms: float) -> None:
    print(
        f"\n| database | what | cold ms | warm ms (median of {runs}) | warm min-max ms "
        "| warm CPU ms (this process) |"
    )
    print("|---|---|---:|---:|---:|---:|")
    for kind, t in results:
        print(
            f"| {kind} | {t.what} | {t.cold_ms:.0f} | {t.median_ms:.0f} | "
            f"{min(t.warm_ms):.0f}-{max(t.warm_ms):.0f} | {t.median_cpu_ms:.0f} |"
        )
    slow = [(k, t) for k, t in results if max(t.cold_ms, t.median_ms) > target_ms]
    verdict = "all under" if not slow else f"{len(slow)} over"
    print(f"\nTarget: each render under {target_ms:.0f} ms: {verdict}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database", choices=("both", "sqlite", "postgresql"), default="both",
        help="which database(s) to benchmark (default: both)",
    )  # fmt: skip
    parser.add_argument("--database-url", default=DEFAULT_PG, help="the PostgreSQL server")
    parser.add_argument("--threads", type=int, default=Sizes.threads)
    parser.add_argument("--posts", type=int, default=Sizes.posts)
    parser.add_argument("--escalations", type=int, default=Sizes.escalations)
    parser.add_argument("--searches", type=int, default=Sizes.searches)
    parser.add_argument("--runs", type=int, default=5, help="warm runs per measure")
    parser.add_argument(
        "--statements", type=int, default=8, help="slowest SQL statements to show (0: none)"
    )
    parser.add_argument("--target-ms", type=float, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.posts < args.threads:
        parser.error("--posts must be at least --threads (each thread has an opening post)")
    sizes = Sizes(
        threads=args.threads, posts=args.posts, searches=args.searches,
        escalations=min(args.escalations, args.threads // 5),
    )  # fmt: skip
    print(f"Machine: {describe_machine()}")
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    results = [row for kind in kinds for row in run_one(kind, args, sizes)]
    print_table(results, args.runs, args.target_ms)
    return 0 if all(max(t.cold_ms, t.median_ms) <= args.target_ms for _, t in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
