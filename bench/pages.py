"""Benchmark the busiest read pages under gunicorn against a large, freshly made database.

Builds a database with 10,000 threads and 100,000 posts (one thread has exactly 50 posts),
serves it with gunicorn on a free loopback port, and sends a fixed number of concurrent
clients at the front page, a category page and the 50-post thread page. Each page run stops
after a request count or a time limit, whichever comes first. Prints requests per second and
p50/p99 latency per page, then stops gunicorn and removes what it made.

    .venv/bin/python bench/pages.py                        # SQLite file in a temp folder
    .venv/bin/python bench/pages.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

With PostgreSQL the script works in a private schema that it creates and drops at the end.
gunicorn is a dependency of forum_kb (`make install` puts it in .venv).
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import math
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import bindparam, create_engine, insert, text, update
from sqlalchemy.engine import Connection, make_url
from werkzeug.security import generate_password_hash

from forum_kb import create_app
from forum_kb.accounts.models import Role, User
from forum_kb.community.models import (
    Category,
    Post,
    Tag,
    Thread,
    ThreadKind,
    thread_tags,
)
from forum_kb.demo import data as demo
from forum_kb.extensions import db
from forum_kb.markup import RENDERER_VERSION, render_markdown

ROOT = Path(__file__).resolve().parent.parent
BIG_THREAD_POSTS = 50
BATCH = 5_000


# --- the database -------------------------------------------------------------------------------


@contextmanager
def database(url: str | None, workdir: Path) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file under ``workdir``, or a private PostgreSQL
    schema (dropped on exit) when ``url`` is given."""
    if url is None:
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    schema = f"fkb_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
        print(f"Dropped schema {schema}.")


def populate(url: str, instance: Path, threads: int, posts: int, users: int, seed: int) -> int:
    """Create the schema and bulk-insert the content; returns the 50-post thread's id."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SEARCH_INDEX_DIR": None},
        instance_path=str(instance),
    )
    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            big = _insert_content(conn, threads, posts, users, random.Random(seed))
            if conn.dialect.name == "postgresql":
                # Explicit ids leave the sequences behind; the app may insert later.
                for table in ("users", "categories", "tags", "threads", "posts"):
                    max_id = f"(SELECT max(id) FROM {table})"  # noqa: S608 - our table names
                    conn.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {max_id})")
                    )
        # Planner statistics, as a database that has been running a while would have.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        db.engine.dispose()
    return big


def _bodies() -> list[tuple[str, str]]:
    """Distinct (Markdown, HTML) bodies from the demo content, each rendered once."""
    sources = [t.body for t in demo.THREADS] + [r.body for t in demo.THREADS for r in t.replies]
    return [(source, str(render_markdown(source))) for source in sources]


def _insert_content(conn: Connection, n_threads: int, n_posts: int, n_users: int, rnd) -> int:
    now = datetime.now(UTC)
    password_hash = generate_password_hash(secrets.token_hex(8), method="scrypt:1024:8:1")
    _insert(conn, User, [
        {
            "id": i, "username": f"member{i}", "username_key": f"member{i}",
            "email": f"member{i}@example.com", "email_key": f"member{i}@example.com",
            "password_hash": password_hash, "role": Role.MEMBER,
            "display_name": f"Member {i}", "bio": "", "is_active": True,
            "reputation": rnd.randint(0, 500), "session_generation": 0,
            "created_at": now - timedelta(days=400), "updated_at": now,
        }
        for i in range(1, n_users + 1)
    ])  # fmt: skip
    categories = [slug for _, slug, _ in demo.CATEGORIES]
    _insert(conn, Category, [
        {"id": i, "name": name, "slug": slug, "description": description, "position": i,
         "created_at": now, "updated_at": now}
        for i, (name, slug, description) in enumerate(demo.CATEGORIES, start=1)
    ])  # fmt: skip
    tag_names = sorted({tag for t in demo.THREADS for tag in t.tags})
    _insert(conn, Tag, [
        {"id": i, "name": name, "created_at": now} for i, name in enumerate(tag_names, start=1)
    ])  # fmt: skip

    # Replies per thread: the big thread gets exactly 49, about one thread in ten none.
    big = n_threads // 2
    replies = Counter({big: BIG_THREAD_POSTS - 1})
    answered = [t for t in range(1, n_threads + 1) if t != big and rnd.random() > 0.1]
    remaining = n_posts - n_threads - replies[big]
    replies.update(rnd.choices(answered, k=remaining))
    assert sum(replies.values()) + n_threads == n_posts

    bodies = _bodies()
    kinds = list(ThreadKind)
    thread_rows, post_rows, tag_rows, accepted = [], [], [], []
    post_id = 0
    for thread_id in range(1, n_threads + 1):
        started = now - timedelta(minutes=rnd.randint(60, 365 * 24 * 60))
        count = replies[thread_id]
        times = sorted(started + timedelta(minutes=rnd.randint(5, 20_000)) for _ in range(count))
        times = [min(t, now) for t in times]
        author = rnd.randint(1, n_users)
        kind = kinds[0] if rnd.random() < 0.6 else rnd.choice(kinds)
        first_post = post_id + 1
        last_poster = author
        for position, when in enumerate([started, *times]):
            post_id += 1
            source, html = rnd.choice(bodies)
            poster = author if position == 0 else rnd.randint(1, n_users)
            last_poster = poster
            post_rows.append({
                "id": post_id, "thread_id": thread_id, "author_id": poster,
                "is_opening": position == 0, "body_source": source, "body_html": html,
                "renderer_version": RENDERER_VERSION, "score": rnd.choice((0, 0, 0, 1, 2, 5)),
                "is_hidden": False, "created_at": when, "updated_at": when,
            })  # fmt: skip
        if kind == ThreadKind.QUESTION and count and rnd.random() < 0.5:
            accepted.append({"tid": thread_id, "pid": rnd.randint(first_post + 1, post_id)})
        thread_rows.append({
            "id": thread_id, "category_id": rnd.randint(1, len(categories)),
            "author_id": author, "kind": kind,
            "title": f"{rnd.choice(demo.THREADS).title} (#{thread_id})",
            "is_locked": False, "is_pinned": thread_id % 997 == 0, "is_hidden": False,
            "reply_count": count, "score": rnd.randint(0, 12), "view_count": rnd.randint(0, 900),
            "created_at": started, "updated_at": times[-1] if times else started,
            "last_activity_at": times[-1] if times else started, "last_poster_id": last_poster,
        })  # fmt: skip
        for tag_id in rnd.sample(range(1, len(tag_names) + 1), rnd.randint(1, 3)):
            tag_rows.append({"thread_id": thread_id, "tag_id": tag_id})
    _insert(conn, Thread, thread_rows)
    _insert(conn, Post, post_rows)
    conn.execute(insert(thread_tags), tag_rows)
    conn.execute(
        update(Thread.__table__)
        .where(Thread.__table__.c.id == bindparam("tid"))
        .values(accepted_post_id=bindparam("pid")),
        accepted,
    )
    return big


def _insert(conn: Connection, model: type, rows: list[dict]) -> None:
    table = model.__table__  # type: ignore[attr-defined]
    for start in range(0, len(rows), BATCH):
        conn.execute(insert(table), rows[start : start + BATCH])


# --- gunicorn -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(url: str, instance: Path, workers: int, log: Path) -> Iterator[int]:
    """Serve the app on a free loopback port; yields the port and stops gunicorn on exit."""
    port = free_port()
    env = os.environ.copy()
    env.update({
        "FORUM_KB_SQLALCHEMY_DATABASE_URI": url,
        "FORUM_KB_SECRET_KEY": secrets.token_hex(16),
        "FORUM_KB_RATELIMIT_ENABLED": "false",
        "FORUM_KB_SEARCH_INDEX_DIR": str(instance / "search-index"),
        # Show the whole 50-post thread on one page.
        "FORUM_KB_COMMUNITY_POSTS_PER_PAGE": str(BIG_THREAD_POSTS),
    })  # fmt: skip
    command = [
        sys.executable, "-m", "gunicorn",
        "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}",
        "--chdir", str(ROOT),
        "--log-level", "warning",
        f"forum_kb:create_app(instance_path={str(instance)!r})",
    ]  # fmt: skip
    with log.open("w") as log_file:
        process = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(process, port, log)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            status, _ = fetch(port, "/")
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200:
            return
        raise SystemExit(f"GET / answered {status}; see {log}")
    raise SystemExit(f"gunicorn did not answer within 30 s; see {log}")


# --- the load -----------------------------------------------------------------------------------


def fetch(port: int, path: str, cookie: str | None = None) -> tuple[int, str | None]:
    """GET a page (one connection per request: gunicorn's sync workers close it anyway)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        response.read()
        set_cookie = response.getheader("Set-Cookie")
        return response.status, set_cookie.split(";", 1)[0] if set_cookie else None
    finally:
        conn.close()


@dataclass
class Result:
    page: str
    path: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0

    def percentile(self, p: float) -> float:
        """The nearest-rank percentile, in milliseconds."""
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


def drive(port: int, page: str, path: str, concurrency: int, requests: int, seconds: float):
    """Send ``concurrency`` clients at ``path`` until ``requests`` are done or time is up."""
    result = Result(page, path)
    lock = threading.Lock()
    issued = 0
    deadline = time.monotonic() + seconds

    def client() -> None:
        nonlocal issued
        # Like a browser, each client keeps its session cookie (so a thread view is counted
        # once per client, not on every request).
        cookie = None
        while time.monotonic() < deadline:
            with lock:
                if issued >= requests:
                    return
                issued += 1
            start = time.perf_counter()
            try:
                status, set_cookie = fetch(port, path, cookie)
            except OSError:
                status, set_cookie = 0, None
            took = time.perf_counter() - start
            cookie = set_cookie or cookie
            with lock:
                if status == 200:
                    result.latencies.append(took)
                else:
                    result.errors += 1

    for _ in range(min(20, requests)):  # warm up each worker's caches and connections
        fetch(port, path)
    workers = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    result.elapsed = time.perf_counter() - started
    return result


def describe_machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a temp SQLite file)")
    parser.add_argument("--threads", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--requests", type=int, default=2_000, help="per page, at most")
    parser.add_argument("--seconds", type=float, default=30, help="per page, at most")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.posts < args.threads + BIG_THREAD_POSTS:
        parser.error("--posts must exceed --threads by at least 50")
    if importlib.util.find_spec("gunicorn") is None:
        print(
            "gunicorn is not installed. It is a dependency of forum_kb:\n    make install",
            file=sys.stderr,
        )
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="forum_kb-bench-"))
    instance = workdir / "instance"
    try:
        with database(args.database_url, workdir) as url:
            backend = make_url(url).get_backend_name()
            print(f"Machine: {describe_machine()}")
            print(f"Database: {backend}; building {args.threads:,} threads, {args.posts:,} posts…")
            started = time.perf_counter()
            big = populate(url, instance, args.threads, args.posts, args.users, args.seed)
            print(f"Built in {time.perf_counter() - started:.1f} s.")
            pages = [
                ("front page", "/"),
                ("category page", "/c/troubleshooting"),
                (f"thread, {BIG_THREAD_POSTS} posts", f"/t/{big}"),
            ]
            with gunicorn(url, instance, args.workers, workdir / "gunicorn.log") as port:
                print(
                    f"gunicorn: {args.workers} workers on 127.0.0.1:{port}; "
                    f"{args.concurrency} clients, at most {args.requests} requests "
                    f"or {args.seconds:g} s per page."
                )
                results = [
                    drive(port, name, path, args.concurrency, args.requests, args.seconds)
                    for name, path in pages
                ]
            print()
            print(f"{'page':<18} {'path':<20} {'requests':>8} {'errors':>6} "
                  f"{'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}")  # fmt: skip
            for r in results:
                if not r.latencies:
                    print(f"{r.page:<18} {r.path:<20} {0:>8} {r.errors:>6}  (no successes)")
                    continue
                print(
                    f"{r.page:<18} {r.path:<20} {len(r.latencies):>8} {r.errors:>6} "
                    f"{r.rps:>7.1f} {r.percentile(50):>7.1f} {r.percentile(99):>7.1f}"
                )
            return 1 if any(r.errors or not r.latencies for r in results) else 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
