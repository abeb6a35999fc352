"""Load benchmark: forum_kb under gunicorn, and FlaskBB seeded with the same content as a peer.

Seeds 10,000 threads / 100,000 posts (and 200 published KB articles) into a private
PostgreSQL schema (default) or a SQLite file, builds forum_kb's search index with
``flask search reindex``, serves the app with gunicorn on a free loopback port and drives five
flows at a fixed concurrency for a fixed time each: the front page, a thread page, a KB
article, a search and posting a reply. Prints requests per second and p50/p99 latency per
flow and the server's peak memory (the resident set of gunicorn's master and workers, summed,
sampled from /proc).

With ``--peer flaskbb`` (the default) it does the same for FlaskBB, installed from PyPI into
its own virtualenv outside the repository (see bench/flaskbb_peer.py), seeded with the very
same users, threads and posts in its own schema or file, served by gunicorn with the same
settings on another port, and driven through the page types both have (front page, topic
page, search, reply); then prints the ratios. The two servers never run at the same time.

    .venv/bin/python bench/load.py                       # PostgreSQL, forum_kb and FlaskBB
    .venv/bin/python bench/load.py --database-url sqlite # SQLite files instead
    .venv/bin/python bench/load.py --peer none --seconds 10 --threads 2000 --posts 20000
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import flaskbb_peer
from pages import describe_machine, free_port
from sqlalchemy import bindparam, create_engine, insert, text, update
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError
from werkzeug.security import generate_password_hash

from forum_kb import create_app
from forum_kb.accounts.models import Role, User
from forum_kb.community.models import Category, Post, Tag, Thread, ThreadKind, thread_tags
from forum_kb.demo import data as demo
from forum_kb.extensions import db
from forum_kb.kb.models import Article, ArticleStatus, Revision, Section
from forum_kb.markup import RENDERER_VERSION, render_markdown

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "bench-password-1"  # noqa: S105 - the seeded members' password, loopback only
POSTS_PER_PAGE = 20
BATCH = 5_000
#: One to three words, each found in the demo content (so both forums have hits).
QUERIES = [
    "android notifications", "export payroll", "overtime", "shift swap", "dark mode",
    "invoice", "time off request", "calendar sync", "availability", "open shifts",
    "reminders late", "clock in", "schedule editor", "permissions manager", "timesheet",
    "holiday", "sso login", "mobile app", "api token", "locations",
]  # fmt: skip
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


# --- the content (shared by both forums) ---------------------------------------------------------


@dataclass
class Content:
    """Users, categories, threads and posts, as plain values both seeders can read."""

    users: list[str]
    categories: list[tuple[str, str, str]]
    bodies: list[str]
    #: (id, category 1-based, author id, title, created, last activity, replies, views)
    threads: list[tuple[int, int, int, str, float, float, int, int]]
    #: (id, thread id, author id, body index, created); a thread's first post opens it.
    posts: list[tuple[int, int, int, int, float]]
    thread_tags: dict[int, list[str]]
    accepted: dict[int, int]
    kinds: dict[int, str]
    started: float

    def to_json(self, path: Path) -> None:
        path.write_text(
            json.dumps(
                {
                    "users": self.users,
                    "categories": self.categories,
                    "bodies": self.bodies,
                    "threads": self.threads,
                    "posts": self.posts,
                    "password": PASSWORD,
                    "posts_per_page": POSTS_PER_PAGE,
                    "started": self.started,
                }
            )
        )


def make_content(n_threads: int, n_posts: int, n_users: int, seed: int) -> Content:
    """Demo titles and bodies spread over ``n_threads`` threads and ``n_posts`` posts."""
    rnd = random.Random(seed)
    now = time.time()
    bodies = [t.body for t in demo.THREADS] + [r.body for t in demo.THREADS for r in t.replies]
    replies = Counter(rnd.choices(range(1, n_threads + 1), k=n_posts - n_threads))
    tags = sorted({tag for t in demo.THREADS for tag in t.tags})
    kinds = list(ThreadKind)
    threads, posts, thread_tag_names, accepted, thread_kinds = [], [], {}, {}, {}
    post_id = 0
    for thread_id in range(1, n_threads + 1):
        started = now - rnd.randint(60, 365 * 24 * 60) * 60
        times = sorted(
            min(started + rnd.randint(5, 20_000) * 60, now) for _ in range(replies[thread_id])
        )
        author = rnd.randint(1, n_users)
        first_post = post_id + 1
        for position, when in enumerate([started, *times]):
            post_id += 1
            poster = author if position == 0 else rnd.randint(1, n_users)
            posts.append((post_id, thread_id, poster, rnd.randrange(len(bodies)), when))
        kind = kinds[0] if rnd.random() < 0.6 else rnd.choice(kinds)
        thread_kinds[thread_id] = kind.value
        if kind == ThreadKind.QUESTION and times and rnd.random() < 0.5:
            accepted[thread_id] = rnd.randint(first_post + 1, post_id)
        title = f"{rnd.choice(demo.THREADS).title} (#{thread_id})"
        threads.append((
            thread_id, rnd.randint(1, len(demo.CATEGORIES)), author, title, started,
            times[-1] if times else started, len(times), rnd.randint(0, 900),
        ))  # fmt: skip
        thread_tag_names[thread_id] = rnd.sample(tags, rnd.randint(1, 3))
    return Content(
        users=[f"member{i}" for i in range(1, n_users + 1)],
        categories=list(demo.CATEGORIES),
        bodies=bodies,
        threads=threads,
        posts=posts,
        thread_tags=thread_tag_names,
        accepted=accepted,
        kinds=thread_kinds,
        started=now - 400 * 86400,
    )


# --- forum_kb's database -------------------------------------------------------------------------


@contextmanager
def database(url: str, workdir: Path, name: str) -> Iterator[str]:
    """A fresh database: ``workdir/<name>.db`` for ``sqlite``, else a private PostgreSQL schema
    (created here, dropped on exit, as tests/databases.py does)."""
    if url == "sqlite":
        yield f"sqlite:///{workdir / (name + '.db')}"
        return
    schema = f"fkb_load_{name}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        _drop_schema(admin, schema)
        admin.dispose()
        print(f"Dropped schema {schema}.")


def _drop_schema(admin: Engine, schema: str) -> None:
    """Drop the schema; retry while a query that a stopped server left running holds a lock."""
    with admin.connect() as conn:
        for attempt in range(5):
            try:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                return
            except OperationalError:  # a deadlock with a query still running there
                conn.rollback()
                time.sleep(2 * (attempt + 1))
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


def seed_forum_kb(url: str, instance: Path, content: Content, n_articles: int) -> list[str]:
    """Create forum_kb's tables and bulk-insert ``content``; returns the article slugs."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SEARCH_INDEX_DIR": None},
        instance_path=str(instance),
    )
    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            _insert_community(conn, content)
            slugs = _insert_articles(conn, n_articles, random.Random(len(content.posts)))
            if conn.dialect.name == "postgresql":
                tables = ("users", "categories", "tags", "threads", "posts", "kb_sections")
                for table in (*tables, "kb_articles", "kb_revisions"):
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        db.engine.dispose()
    return slugs


def _insert_community(conn: Connection, content: Content) -> None:
    def when(seconds: float) -> datetime:
        return datetime.fromtimestamp(seconds, UTC)

    joined = when(content.started)
    password_hash = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")
    rnd = random.Random(7)
    _insert(conn, User, [
        {"id": i, "username": name, "username_key": name, "email": f"{name}@example.com",
         "email_key": f"{name}@example.com", "password_hash": password_hash,
         "role": Role.MEMBER, "display_name": name.title(), "bio": "", "is_active": True,
         # Trusted (>= COMMUNITY_TRUSTED_REPUTATION): no new-member posting limits.
         "reputation": rnd.randint(10, 500), "session_generation": 0,
         "created_at": joined, "updated_at": joined}
        for i, name in enumerate(content.users, start=1)
    ])  # fmt: skip
    _insert(conn, Category, [
        {"id": i, "name": name, "slug": slug, "description": description, "position": i,
         "created_at": joined, "updated_at": joined}
        for i, (name, slug, description) in enumerate(content.categories, start=1)
    ])  # fmt: skip
    tag_ids = {
        name: i
        for i, name in enumerate(sorted({t for ts in content.thread_tags.values() for t in ts}), 1)
    }
    _insert(conn, Tag, [{"id": i, "name": n, "created_at": joined} for n, i in tag_ids.items()])
    html = [str(render_markdown(body)) for body in content.bodies]
    last_poster: dict[int, int] = {}
    for _pid, tid, author, _body, _created in content.posts:
        last_poster[tid] = author
    _insert(conn, Thread, [
        {"id": tid, "category_id": cat, "author_id": author, "kind": content.kinds[tid],
         "title": title, "is_locked": False, "is_pinned": tid % 997 == 0, "is_hidden": False,
         "reply_count": replies, "score": tid % 13, "view_count": views,
         "created_at": when(created), "updated_at": when(last),
         "last_activity_at": when(last), "last_poster_id": last_poster[tid]}
        for tid, cat, author, title, created, last, replies, views in content.threads
    ])  # fmt: skip
    opening = _openings(content)
    _insert(conn, Post, [
        {"id": pid, "thread_id": tid, "author_id": author, "is_opening": pid in opening,
         "body_source": content.bodies[body], "body_html": html[body],
         "renderer_version": RENDERER_VERSION, "score": pid % 3, "is_hidden": False,
         "created_at": when(created), "updated_at": when(created)}
        for pid, tid, author, body, created in content.posts
    ])  # fmt: skip
    conn.execute(
        insert(thread_tags),
        [
            {"thread_id": tid, "tag_id": tag_ids[name]}
            for tid, names in content.thread_tags.items()
            for name in names
        ],
    )
    if content.accepted:
        conn.execute(
            update(Thread.__table__)
            .where(Thread.__table__.c.id == bindparam("tid"))
            .values(accepted_post_id=bindparam("pid")),
            [{"tid": tid, "pid": pid} for tid, pid in content.accepted.items()],
        )


def _openings(content: Content) -> set[int]:
    """Each thread's first post (posts are listed thread by thread, oldest first)."""
    first: dict[int, int] = {}
    for pid, tid, *_ in content.posts:
        first.setdefault(tid, pid)
    return set(first.values())


def _insert_articles(conn: Connection, n_articles: int, rnd: random.Random) -> list[str]:
    """Published KB articles: the demo's, repeated with numbered titles and slugs."""
    now = datetime.now(UTC)
    sections = {slug: i for i, (_n, slug, _d) in enumerate(demo.KB_SECTIONS, start=1)}
    _insert(conn, Section, [
        {"id": i, "name": name, "slug": slug, "description": description, "position": i,
         "created_at": now, "updated_at": now}
        for (name, slug, description), i in zip(demo.KB_SECTIONS, sections.values(), strict=True)
    ])  # fmt: skip
    sources = [a for a in demo.ARTICLES if a.status == ArticleStatus.PUBLISHED]
    rendered = [str(render_markdown(a.body)) for a in sources]
    articles, revisions, slugs = [], [], []
    for i in range(1, n_articles + 1):
        k = (i - 1) % len(sources)
        source = sources[k]
        slug = f"{re.sub(r'[^a-z0-9]+', '-', source.title.lower()).strip('-')[:100]}-{i}"
        slugs.append(slug)
        published = now - timedelta(days=rnd.randint(1, 300))
        articles.append({
            "id": i, "section_id": sections[source.section], "slug": slug,
            "title": f"{source.title} ({i})", "status": ArticleStatus.PUBLISHED,
            "owner_id": 1, "review_by": now.date() + timedelta(days=90),
            "helpful_count": rnd.randint(0, 40), "not_helpful_count": rnd.randint(0, 8),
            "view_count": rnd.randint(0, 5000), "created_at": published,
            "updated_at": published, "published_at": published,
        })  # fmt: skip
        revisions.append({
            "id": i, "article_id": i, "number": 1, "title": f"{source.title} ({i})",
            "body_source": source.body, "body_html": rendered[k],
            "renderer_version": RENDERER_VERSION, "editor_id": 1, "note": "",
            "created_at": published,
        })  # fmt: skip
    _insert(conn, Article, articles)
    _insert(conn, Revision, revisions)
    conn.execute(
        update(Article.__table__)
        .where(Article.__table__.c.id == bindparam("aid"))
        .values(published_revision_id=bindparam("rid")),
        [{"aid": i, "rid": i} for i in range(1, n_articles + 1)],
    )
    return slugs


def _insert(conn: Connection, model: Any, rows: list[dict[str, Any]]) -> None:
    table = getattr(model, "__table__", model)
    for start in range(0, len(rows), BATCH):
        conn.execute(insert(table), rows[start : start + BATCH])


def forum_kb_env(url: str, instance: Path) -> dict[str, str]:
    env = os.environ.copy()
    env.update({
        "FORUM_KB_INSTANCE_PATH": str(instance),
        "FORUM_KB_SQLALCHEMY_DATABASE_URI": url,
        "FORUM_KB_SECRET_KEY": secrets.token_hex(32),
        "FORUM_KB_SEARCH_INDEX_DIR": str(instance / "search-index"),
        "FORUM_KB_RATELIMIT_ENABLED": "false",
        "FORUM_KB_COMMUNITY_POSTS_PER_PAGE": str(POSTS_PER_PAGE),
    })  # fmt: skip
    return env


def reindex_forum_kb(env: dict[str, str]) -> None:
    """The project's own rebuild: `flask search reindex`."""
    subprocess.run(
        [str(BIN / "flask"), "--app", "forum_kb.wsgi", "search", "reindex"],
        env=env,
        cwd=ROOT,
        check=True,
    )


# --- servers and memory --------------------------------------------------------------------------


@contextmanager
def serve(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[Server]:
    """Start gunicorn; yield once it answers ``/``; stop it (SIGTERM) on exit."""
    with log.open("w") as log_file:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: no worker outlives the run
        )
    server = Server(process, port)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"server exited with {process.returncode}:\n{log.read_text()}")
            try:
                status = request(port, "GET", "/").status
            except OSError:
                status = 0
            if status == 200:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"server did not answer 200 within 60 s (got {status}); see {log}")
            time.sleep(0.3)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        # A worker stuck in a long request outlives a master that gave up waiting for it.
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    peak_rss: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def rss(self) -> int:
        """Resident memory of the master and its workers, in bytes."""
        total = 0
        for pid in [self.process.pid, *_children(self.process.pid)]:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            except OSError:
                continue
        return total

    @contextmanager
    def sampling(self, every: float = 0.2) -> Iterator[None]:
        """Track the peak of :meth:`rss` while the block runs."""

        def sample() -> None:
            while not self._stop.wait(every):
                self.peak_rss = max(self.peak_rss, self.rss())

        self._stop.clear()
        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        try:
            yield
        finally:
            self._stop.set()
            thread.join()


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


# --- the client ----------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    body: str
    cookies: dict[str, str]


def request(
    port: int,
    method: str,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    form: dict[str, str | list[str]] | None = None,
) -> Response:
    """One request on its own connection (sync workers close it anyway)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form, doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text_body = response.read().decode("utf-8", "replace")
        jar = {}
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            jar[name.strip()] = value
        return Response(response.status, text_body, jar)
    finally:
        conn.close()


class Client:
    """A browser-like client: keeps cookies, reads CSRF tokens."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def go(self, method: str, path: str, form: dict[str, Any] | None = None) -> Response:
        response = request(self.port, method, path, cookies=self.cookies, form=form)
        self.cookies.update(response.cookies)
        return response

    def csrf(self, path: str) -> str:
        page = self.go("GET", path)
        match = CSRF.search(page.body)
        if page.status != 200 or match is None:
            raise SystemExit(f"no CSRF token on {path} (status {page.status})")
        return match.group(1)


@dataclass
class Flow:
    """One measured request type: ``step(client, rnd)`` sends it and says if it succeeded."""

    name: str
    step: Callable[[Client, random.Random], bool]
    login: Callable[[Client, int], None] | None = None


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0
    error_sample: str = ""

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000 if ordered else 0.0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


def drive(port: int, flow: Flow, concurrency: int, seconds: float, warmup: float) -> Result:
    """``concurrency`` clients repeat the flow; ``warmup`` seconds first, not counted."""
    result = Result(flow.name)
    lock = threading.Lock()
    clients = [Client(port) for _ in range(concurrency)]
    if flow.login:
        try:
            for i, client in enumerate(clients):
                flow.login(client, i)
        except (OSError, http.client.HTTPException, SystemExit) as exc:
            # A server still busy with the previous flow: report it, go on with the others.
            result.errors, result.error_sample = concurrency, f"signing in: {exc!r}"
            return result
    start_at = time.monotonic() + warmup
    stop_at = start_at + seconds

    def run(index: int) -> None:
        client, rnd = clients[index], random.Random(index)
        while (now := time.monotonic()) < stop_at:
            began = time.perf_counter()
            try:
                ok, error = flow.step(client, rnd), ""
            except (OSError, http.client.HTTPException) as exc:
                ok, error = False, repr(exc)
            took = time.perf_counter() - began
            if now < start_at:
                continue
            with lock:
                if ok:
                    result.latencies.append(took)
                else:
                    result.errors += 1
                    result.error_sample = result.error_sample or error

    workers = [threading.Thread(target=run, args=(i,)) for i in range(concurrency)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    result.elapsed = seconds
    return result


# --- the flows -----------------------------------------------------------------------------------


def page(path: Callable[[random.Random], str]) -> Callable[[Client, random.Random], bool]:
    """A flow step that GETs ``path(rnd)`` and expects 200."""
    return lambda client, rnd: client.go("GET", path(rnd)).status == 200


def forum_kb_flows(content: Content, slugs: list[str]) -> list[Flow]:
    n_threads = len(content.threads)

    def login(client: Client, index: int) -> None:
        token = client.csrf("/login")
        form = {"csrf_token": token, "login": content.users[index], "password": PASSWORD}
        if client.go("POST", "/login", form).status != 302:
            raise SystemExit(f"forum_kb: {content.users[index]} could not sign in")
        client.reply_token = client.csrf("/")  # type: ignore[attr-defined]

    def reply(client: Client, rnd: random.Random) -> bool:
        thread = rnd.randint(1, n_threads)
        body = f"{rnd.choice(content.bodies)}\n\nReply {rnd.random():.12f}"
        form = {"csrf_token": client.reply_token, "body": body}  # type: ignore[attr-defined]
        return client.go("POST", f"/t/{thread}/reply", form).status == 302

    def search(rnd: random.Random) -> str:
        return "/search/?" + urllib.parse.urlencode({"q": rnd.choice(QUERIES)})

    return [
        Flow("front page", page(lambda rnd: "/")),
        Flow("thread page", page(lambda rnd: f"/t/{rnd.randint(1, n_threads)}")),
        Flow("KB article", page(lambda rnd: f"/kb/articles/{rnd.choice(slugs)}")),
        Flow("search", page(search)),
        Flow("post a reply", reply, login),
    ]


def flaskbb_flows(content: Content, search: bool) -> list[Flow]:
    n_threads = len(content.threads)

    def login(client: Client, index: int) -> None:
        token = client.csrf("/auth/login")
        form = {"csrf_token": token, "login": content.users[index], "password": PASSWORD}
        if client.go("POST", "/auth/login", form).status != 302:
            raise SystemExit(f"FlaskBB: {content.users[index]} could not sign in")
        client.reply_token = client.csrf("/topic/1")  # type: ignore[attr-defined]

    def reply(client: Client, rnd: random.Random) -> bool:
        topic = rnd.randint(1, n_threads)
        body = f"{rnd.choice(content.bodies)}\n\nReply {rnd.random():.12f}"
        form = {"csrf_token": client.reply_token, "content": body}  # type: ignore[attr-defined]
        return client.go("POST", f"/topic/{topic}", form).status == 302

    def search_step(client: Client, rnd: random.Random) -> bool:
        form = {
            "csrf_token": client.search_token,  # type: ignore[attr-defined]
            "search_query": rnd.choice(QUERIES),
            "search_types": ["post", "topic"],
        }
        return client.go("POST", "/search", form).status == 200

    def search_login(client: Client, index: int) -> None:
        client.search_token = client.csrf("/search")  # type: ignore[attr-defined]

    flows = [
        Flow("front page", page(lambda rnd: "/")),
        Flow("thread page", page(lambda rnd: f"/topic/{rnd.randint(1, n_threads)}")),
    ]
    if search:
        flows.append(Flow("search", search_step, search_login))
    flows.append(Flow("post a reply", reply, login))
    return flows


# --- the run -------------------------------------------------------------------------------------


@dataclass
class Contender:
    """One server under test: its flows by name and what was measured."""

    label: str
    server: Server
    flows: dict[str, Flow]
    results: dict[str, Result] = field(default_factory=dict)


def measure(contenders: list[Contender], args: argparse.Namespace) -> None:
    """Every flow, server after server, ``args.rounds`` times; odd rounds go in reverse order
    (A B, B A, ...), so a change in the machine's other load hits both servers alike."""
    names = list(dict.fromkeys(name for c in contenders for name in c.flows))
    with ExitStack() as stack:
        for contender in contenders:
            stack.enter_context(contender.server.sampling())
        for round_number in range(args.rounds):
            for name in names:
                order = contenders if round_number % 2 == 0 else contenders[::-1]
                for c in order:
                    if name not in c.flows:
                        continue
                    r = drive(
                        c.server.port, c.flows[name], args.concurrency, args.seconds, args.warmup
                    )
                    total = c.results.setdefault(name, Result(name))
                    total.latencies += r.latencies
                    total.errors += r.errors
                    total.elapsed += r.elapsed
                    total.error_sample = total.error_sample or r.error_sample
                    print(
                        f"  round {round_number + 1}  {c.label:<9} {name:<13} "
                        f"{r.rps:7.1f} req/s  p50 {r.percentile(50):7.1f} ms  "
                        f"p99 {r.percentile(99):7.1f} ms  errors {r.errors}  "
                        f"(load average {os.getloadavg()[0]:.1f})",
                        flush=True,
                    )


def gunicorn_command(args: argparse.Namespace, port: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn",
        "--workers", str(args.workers), "--threads", str(args.gunicorn_threads),
        "--bind", f"127.0.0.1:{port}", "--no-control-socket",
        "--config", str(ROOT / "gunicorn.conf.py"), "--log-level", "warning",
        "--timeout", "120", "forum_kb.wsgi:app",
    ]  # fmt: skip


def report(contenders: list[Contender], args: argparse.Namespace) -> None:
    print()
    print("| server | flow | requests | errors | req/s | p50 ms | p99 ms |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for c in contenders:
        for r in c.results.values():
            print(f"| {c.label} | {r.name} | {len(r.latencies)} | {r.errors} | {r.rps:.1f} | "
                  f"{r.percentile(50):.1f} | {r.percentile(99):.1f} |")  # fmt: skip
    print()
    for c in contenders:
        print(f"{c.label}: peak RSS {c.server.peak_rss / 2**20:.0f} MiB "
              f"(gunicorn master + {args.workers} workers)")  # fmt: skip
    if len(contenders) == 2:
        ours, peer = contenders[0].results, contenders[1].results
        print()
        print("| flow | req/s forum_kb / FlaskBB | p99 forum_kb / FlaskBB |")
        print("|---|---:|---:|")
        for name, r in ours.items():
            if name in peer and peer[name].rps and peer[name].percentile(99):
                print(f"| {name} | {r.rps / peer[name].rps:.2f} | "
                      f"{r.percentile(99) / peer[name].percentile(99):.2f} |")  # fmt: skip
        rss = contenders[0].server.peak_rss / max(contenders[1].server.peak_rss, 1)
        print(f"| peak RSS | {rss:.2f} | |")
    for c in contenders:
        for r in c.results.values():
            if r.error_sample:
                print(f"{c.label} {r.name}: first error: {r.error_sample}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE,
        help=f"PostgreSQL server URL, or 'sqlite' (default: {DEFAULT_DATABASE})",
    )
    parser.add_argument("--threads", type=int, default=10_000, help="forum threads")
    parser.add_argument("--posts", type=int, default=100_000, help="posts, opening posts included")
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--articles", type=int, default=200, help="published KB articles")
    parser.add_argument(
        "--workers",
        type=int,
        default=(os.cpu_count() or 1) * 2 + 1,
        help="gunicorn workers, both servers (default 2 x CPUs + 1)",
    )
    parser.add_argument(
        "--gunicorn-threads",
        type=int,
        default=2,
        help="threads per gunicorn worker, both servers (default 2)",
    )
    parser.add_argument("--concurrency", type=int, default=16, help="client threads")
    parser.add_argument(
        "--seconds", type=float, default=15, help="measured time per flow and round"
    )
    parser.add_argument(
        "--warmup", type=float, default=5, help="unmeasured time per flow and round"
    )
    parser.add_argument("--rounds", type=int, default=2, help="A B, B A, ... (default 2)")
    parser.add_argument("--peer", choices=("flaskbb", "none"), default="flaskbb")
    parser.add_argument("--peer-venv", type=Path, default=flaskbb_peer.DEFAULT_VENV)
    parser.add_argument("--peer-python", help="Python 3.12+ for FlaskBB's virtualenv")
    parser.add_argument(
        "--no-peer-search",
        action="store_true",
        help="skip FlaskBB's search (and its slow index build)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    args = parser.parse_args(argv)
    if args.posts < args.threads:
        parser.error("--posts counts opening posts, so it must be at least --threads")
    if args.concurrency > args.users:
        parser.error("each replying client signs in as its own member: --users >= --concurrency")
    return args  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="forum_kb-load-"))
    backend = "SQLite" if args.database_url == "sqlite" else "PostgreSQL"
    print(f"Machine: {describe_machine()}; {backend}; work folder {workdir}")
    started = time.perf_counter()
    content = make_content(args.threads, args.posts, args.users, args.seed)
    print(
        f"Content: {args.threads:,} threads, {args.posts:,} posts, {args.users:,} members, "
        f"{args.articles} KB articles (made in {time.perf_counter() - started:.1f} s)."
    )
    try:
        with ExitStack() as stack:
            contenders = start_forum_kb(stack, args, content, workdir)
            if args.peer == "flaskbb":
                contenders.append(start_flaskbb(stack, args, content, workdir))
            print(f"gunicorn: {args.workers} workers x {args.gunicorn_threads} threads each; "
                  f"{args.concurrency} clients; {args.rounds} rounds of {args.warmup:g} s warm-up "
                  f"+ {args.seconds:g} s per flow and server.")  # fmt: skip
            measure(contenders, args)
        report(contenders, args)
        return (
            1
            if any(r.errors or not r.latencies for c in contenders for r in c.results.values())
            else 0
        )
    finally:
        if args.keep:
            print(f"Kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def start_forum_kb(
    stack: ExitStack, args: argparse.Namespace, content: Content, workdir: Path
) -> list[Contender]:
    url = stack.enter_context(database(args.database_url, workdir, "forum_kb"))
    instance = workdir / "instance"
    started = time.perf_counter()
    slugs = seed_forum_kb(url, instance, content, args.articles)
    print(f"forum_kb: seeded in {time.perf_counter() - started:.1f} s.")
    env = forum_kb_env(url, instance)
    started = time.perf_counter()
    reindex_forum_kb(env)
    print(f"forum_kb: flask search reindex took {time.perf_counter() - started:.1f} s.")
    port = free_port()
    server = stack.enter_context(
        serve(gunicorn_command(args, port), env, port, workdir / "forum_kb.log")
    )
    flows = {flow.name: flow for flow in forum_kb_flows(content, slugs)}
    return [Contender("forum_kb", server, flows)]


def start_flaskbb(
    stack: ExitStack, args: argparse.Namespace, content: Content, workdir: Path
) -> Contender:
    peer_python = flaskbb_peer.ensure_venv(args.peer_venv, args.peer_python)
    content_file = workdir / "content.json"
    content.to_json(content_file)
    url = stack.enter_context(database(args.database_url, workdir, "flaskbb"))
    config = workdir / "flaskbb.cfg"
    flaskbb_peer.write_config(config, url, workdir, secrets.token_hex(32))
    flaskbb_peer.seed(peer_python, config, content_file, index=not args.no_peer_search)
    port = free_port()
    command = flaskbb_peer.gunicorn_command(
        peer_python, config, port, args.workers, args.gunicorn_threads
    )
    server = stack.enter_context(serve(command, os.environ.copy(), port, workdir / "flaskbb.log"))
    flows = {flow.name: flow for flow in flaskbb_flows(content, not args.no_peer_search)}
    return Contender("FlaskBB", server, flows)


if __name__ == "__main__":
    raise SystemExit(main())
