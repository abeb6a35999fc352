"""Several processes write at once: no change is lost, no request fails, nothing doubles.

Each test uses a real on-disk index (under tmp_path) and a database every process can reach:
a SQLite file under tmp_path, or a private schema on the PostgreSQL server given by
FORUM_KB_TEST_DATABASE_URL (as the browser tests' live server does). Workers are spawned, not
forked, so each one builds its own app, engine and index handle like a gunicorn worker.
"""

from __future__ import annotations

import multiprocessing
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from forum_kb import create_app
from forum_kb.accounts.models import User
from forum_kb.community import services as community
from forum_kb.community.models import Post, Thread
from forum_kb.extensions import db
from forum_kb.search import services as search
from forum_kb.search.models import OutboxEntry
from tests.conftest import test_config
from tests.databases import postgres_base_url, private_schema
from tests.factories import make_category, make_user
from tests.smtp import SMTPServer

WORKERS = 4
ROUNDS = 4  # each round: a thread, a reply to it, and a reply to the thread everyone shares
QUEUED_THREADS = 20  # with an answer each: 40 outbox entries
DRAIN_BATCH = 8  # small batches, so concurrent drainers interleave
TIMEOUT = 60.0

spawn = multiprocessing.get_context("spawn")


@pytest.fixture
def shared_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of this test's own that other processes can open too."""
    if database_url == "sqlite://":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
        return
    base_url = postgres_base_url()
    assert base_url is not None, "a non-SQLite database_url comes from the PostgreSQL base URL"
    with private_schema(base_url, "mp") as url:
        yield url


@pytest.fixture
def shared_config(shared_url: str, smtp_server: SMTPServer, tmp_path: Path) -> dict[str, Any]:
    return test_config(
        shared_url,
        smtp_server.port,
        SEARCH_INDEX_DIR=str(tmp_path / "search-index"),
        SEARCH_INDEXER="inline",
    )


@pytest.fixture
def main_app(shared_config: dict[str, Any], tmp_path: Path) -> Iterator[Flask]:
    app = create_app(shared_config, instance_path=str(tmp_path / "instance-main"))
    with app.app_context():
        db.create_all()
        yield app
        search.search_index().close()
        db.session.remove()
        db.engine.dispose()


def _results(queue: Any, expected: int) -> list[tuple[int, Any, str | None]]:
    return [queue.get(timeout=TIMEOUT) for _ in range(expected)]


def _join(processes: list[Any]) -> None:
    for process in processes:
        process.join(TIMEOUT)
        if process.is_alive():
            process.kill()
            process.join()
            pytest.fail(f"{process.name} did not finish within {TIMEOUT:g} s")


# --- the workers (module-level functions: spawned processes import them by name) ----------------


def _write(
    config: dict[str, Any],
    instance: str,
    worker: int,
    shared_thread_id: int,
    barrier: Any,
    results: Any,
) -> None:
    """Start threads and reply, as a web request would, the moment every worker is ready;
    check that each new post is found straight away; report the post ids or the traceback."""
    created: list[int] = []
    try:
        app = create_app(config, instance_path=instance)
        with app.app_context():
            user = db.session.scalar(select(User).where(User.username == f"writer{worker}"))
            assert user is not None
            shared = db.session.get(Thread, shared_thread_id)
            assert shared is not None
            category_id = shared.category_id
            barrier.wait(TIMEOUT)
            for n in range(ROUNDS):
                token = f"w{worker}r{n}"
                thread = community.create_thread(
                    user,
                    community.NewThread(
                        category_id, "question", f"Export question {token}",
                        f"How do I export invoices? Marker t{token}.",
                    ),
                )  # fmt: skip
                created.append(community.opening_post(thread).id)
                own = community.reply_to_thread(user, thread, f"Self answer, marker o{token}.")
                created.append(own.id)
                other = community.reply_to_thread(user, shared, f"Me too, marker s{token}.")
                created.append(other.id)
                # Read your own writes: the commit returned only after the index had them.
                found = search.search(search.SearchQuery(q=f"t{token} o{token} s{token}"))
                assert found.total == 3, f"{token}: {found.total} of 3 posts found"
        results.put((worker, created, None))
    except BaseException:
        results.put((worker, created, traceback.format_exc()))
    finally:
        db.session.remove()


def _drain(config: dict[str, Any], instance: str, worker: int, barrier: Any, results: Any) -> None:
    """Drain the outbox the moment every drainer is ready; report how many entries it applied."""
    try:
        app = create_app(config, instance_path=instance)
        with app.app_context():
            barrier.wait(TIMEOUT)
            results.put((worker, search.drain(batch_size=DRAIN_BATCH), None))
            db.session.remove()
    except BaseException:
        results.put((worker, 0, traceback.format_exc()))


# --- the tests --------------------------------------------------------------------------------


def test_concurrent_writers_in_processes_lose_nothing(
    main_app: Flask, shared_config: dict[str, Any], tmp_path: Path
) -> None:
    host = make_user("host", reputation=50)
    for worker in range(WORKERS):
        make_user(f"writer{worker}", reputation=50)
    category = make_category("Billing")
    shared = community.create_thread(
        host,
        community.NewThread(category.id, "question", "Shared export thread", "Everyone replies."),
    )
    barrier = spawn.Barrier(WORKERS)
    queue = spawn.Queue()
    processes = [
        spawn.Process(
            target=_write,
            args=(shared_config, str(tmp_path / f"instance-w{w}"), w, shared.id, barrier, queue),
            name=f"writer-{w}",
        )
        for w in range(WORKERS)
    ]
    for process in processes:
        process.start()
    reports = _results(queue, WORKERS)
    _join(processes)

    failures = [f"worker {w}:\n{error}" for w, _, error in reports if error]
    assert not failures, "\n".join(failures)
    created = sorted(post_id for _, ids, _ in reports for post_id in ids)
    assert len(created) == WORKERS * ROUNDS * 3
    db.session.expire_all()
    search.drain()  # nothing should be left, but an entry left behind would be a lost write
    posts = db.session.scalar(select(func.count()).select_from(Post))
    assert posts == len(created) + 1  # and the shared thread's opening post
    assert db.session.scalar(select(func.count()).select_from(OutboxEntry)) == 0
    assert search.index_stats() == {"documents": posts, "queued": 0}
    db.session.refresh(shared)
    assert shared.reply_count == WORKERS * ROUNDS
    everyone = search.search(search.SearchQuery(q="marker", per_page=50))
    assert everyone.total == len(created)


@pytest.mark.parametrize("how", ["threads", "processes"])
def test_concurrent_drains_apply_each_entry_once(
    how: str, main_app: Flask, shared_config: dict[str, Any], tmp_path: Path
) -> None:
    # Queue the changes without draining them, as a command run outside any server does.
    main_app.config["SEARCH_INDEXER"] = "thread"
    author = make_user("author", reputation=50)
    replier = make_user("replier", reputation=50)
    category = make_category("Exports")
    for n in range(QUEUED_THREADS):
        thread = community.create_thread(
            author,
            community.NewThread(
                category.id, "question", f"Queued question {n}", f"Queued body q{n}x."
            ),
        )
        community.reply_to_thread(replier, thread, f"Queued answer a{n}x.")
    queued = db.session.scalar(select(func.count()).select_from(OutboxEntry))
    assert queued == 2 * QUEUED_THREADS
    assert search.index_stats()["documents"] == 0

    # Two helpers (threads or spawned processes) and this test drain at the same moment.
    helpers = 2
    reports: list[tuple[int, int, str | None]] = []
    processes: list[Any] = []
    threads: list[threading.Thread] = []
    barrier: Any
    if how == "processes":
        barrier, queue = spawn.Barrier(helpers + 1), spawn.Queue()
        processes = [
            spawn.Process(
                target=_drain,
                args=(shared_config, str(tmp_path / f"instance-d{w}"), w, barrier, queue),
                name=f"drainer-{w}",
            )
            for w in range(1, helpers + 1)
        ]
        for process in processes:
            process.start()
    else:
        barrier = threading.Barrier(helpers + 1)
        lock = threading.Lock()

        def run(worker: int) -> None:
            with main_app.app_context():
                try:
                    barrier.wait(TIMEOUT)
                    applied, error = search.drain(batch_size=DRAIN_BATCH), None
                except BaseException:
                    applied, error = 0, traceback.format_exc()
                finally:
                    db.session.remove()
                with lock:
                    reports.append((worker, applied, error))

        threads = [threading.Thread(target=run, args=(w,)) for w in range(1, helpers + 1)]
        for thread in threads:
            thread.start()
    barrier.wait(TIMEOUT)
    reports.append((0, search.drain(batch_size=DRAIN_BATCH), None))
    if processes:
        reports += _results(queue, helpers)
        _join(processes)
    for thread in threads:
        thread.join(TIMEOUT)

    failures = [f"drainer {w}:\n{error}" for w, _, error in reports if error]
    assert not failures, "\n".join(failures)
    assert len(reports) == helpers + 1
    assert sum(applied for _, applied, _ in reports) == queued
    db.session.expire_all()
    assert search.index_stats() == {"documents": queued, "queued": 0}
    assert search.search(search.SearchQuery(q="queued", per_page=50)).total == queued
