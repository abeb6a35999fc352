"""No index for this schema version (an upgrade, a fresh install, a lost folder): whoever
drains the outbox rebuilds it from the database, once, while searches keep answering."""

from __future__ import annotations

import logging
import re
import shutil
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from forum_kb.extensions import db
from forum_kb.search import services
from forum_kb.search.index import SCHEMA_VERSION, UNBUILT_MARKER
from tests.databases import postgres_base_url, private_schema
from tests.search.builders import answer, article, ask, find, ids, load_people, make_people

REBUILT = "search: rebuilt the index"


def build(app: Flask) -> None:
    """A thread with an answer and a KB article: three documents."""
    with app.app_context():
        people = make_people()
        thread = ask(people.alice, people.category, "Printer offline", "The printer is offline.")
        answer(people.bob, thread, "Restart the printer and the router.")
        article(people.sam, people.section, "Printer setup", "Add the printer in settings.")


def found(app: Flask, q: str = "printer") -> list[str]:
    with app.app_context():
        return ids(find(q))


def live(directory: Path) -> Path:
    return directory / (directory / "CURRENT").read_text().strip()


def downgrade(directory: Path) -> Path:
    """Make the live folder look like one written by the previous schema version."""
    current = live(directory)
    older = directory / f"v{SCHEMA_VERSION - 1}-{current.name.split('-', 1)[1]}"
    current.rename(older)
    (directory / "CURRENT").write_text(older.name)
    return older


def rebuilds(caplog: pytest.LogCaptureFixture) -> int:
    return sum(REBUILT in record.getMessage() for record in caplog.records)


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    return tmp_path / "search-index"


@pytest.fixture
def disk_app(make_app: Any, directory: Path) -> Flask:
    """An on-disk index whose changes wait for `flask search drain`/`indexer` (as with a
    separate indexer process), holding three indexed documents."""
    app: Flask = make_app(SEARCH_INDEX_DIR=str(directory), SEARCH_INDEXER="off")
    build(app)
    result = app.test_cli_runner().invoke(args=["search", "drain"])
    assert result.exit_code == 0, result.output
    assert len(found(app)) == 3
    return app


def test_drain_rebuilds_the_index_after_a_schema_upgrade(
    disk_app: Flask, directory: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = disk_app
    older = downgrade(directory)
    client = app.test_client()
    # Until the indexer runs, the new version's stand-in folder answers: no results, no error.
    page = client.get("/search/?q=printer")
    assert page.status_code == 200
    assert "Printer offline" not in page.get_data(as_text=True)
    api = client.get("/api/v1/search?q=printer")
    assert api.status_code == 200
    assert api.get_json()["total"] == 0
    assert (live(directory) / UNBUILT_MARKER).exists()

    caplog.set_level(logging.WARNING, logger="forum_kb.search")
    result = app.test_cli_runner().invoke(args=["search", "drain"])
    assert result.exit_code == 0, result.output
    assert result.output == "Applied 0 queued changes.\n"  # nothing was queued: rebuilt
    assert rebuilds(caplog) == 1
    assert sorted(found(app)) == ["article:1", "post:2", "thread:1"]
    assert client.get("/api/v1/search?q=printer").get_json()["total"] == 3
    assert "Printer offline" in client.get("/search/?q=printer").get_data(as_text=True)
    # The old version's folder and the stand-in are gone; the new folder is a built one.
    assert not older.exists()
    assert [p.name for p in directory.glob("v*-*")] == [live(directory).name]
    assert live(directory).name.startswith(f"v{SCHEMA_VERSION}-")
    assert not (live(directory) / UNBUILT_MARKER).exists()
    # Later drains find a built index and do not rebuild again.
    app.test_cli_runner().invoke(args=["search", "drain"])
    assert rebuilds(caplog) == 1


def test_indexer_rebuilds_a_lost_index_and_applies_what_was_queued(
    disk_app: Flask, directory: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = disk_app
    with app.app_context():
        services.search_index().close()
    shutil.rmtree(directory)
    with app.app_context():
        people = load_people()
        ask(people.carol, people.category, "Printer jams", "Paper jams in the printer.")
    assert found(app) == []  # a fresh, empty stand-in; the new thread is only queued
    caplog.set_level(logging.WARNING, logger="forum_kb.search")
    result = app.test_cli_runner().invoke(args=["search", "indexer", "--once"])
    assert result.exit_code == 0, result.output
    assert rebuilds(caplog) == 1
    assert len(found(app)) == 4  # the three rebuilt, and the queued thread
    assert len(found(app, "jams")) == 1
    with app.app_context():
        assert services.index_stats() == {"documents": 4, "queued": 0}


def test_searches_answer_while_another_process_rebuilds(disk_app: Flask, directory: Path) -> None:
    app = disk_app
    downgrade(directory)
    with app.app_context():
        index = services.search_index()
        # Another process holds the writer lock (it is rebuilding): the background indexer's
        # non-blocking drain leaves the work to it, and searches answer from the stand-in.
        with index.writer_lock() as got:
            assert got
            assert services.drain(blocking=False) == 0
            assert index.needs_rebuild()
            assert find("printer").total == 0
            assert app.test_client().get("/search/?q=printer").status_code == 200
        assert services.drain(blocking=False) == 0
        assert not index.needs_rebuild()
    assert len(found(app)) == 3


def test_a_fresh_install_is_marked_built_by_its_first_drain(
    make_app: Any, directory: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(SEARCH_INDEX_DIR=str(directory), SEARCH_INDEXER="off")
    assert (live(directory) / UNBUILT_MARKER).exists()
    caplog.set_level(logging.WARNING, logger="forum_kb.search")
    with app.app_context():
        assert services.drain() == 0
        assert not services.search_index().needs_rebuild()
        services.drain()
    assert rebuilds(caplog) == 1
    build(app)
    with app.app_context():
        services.drain()
    assert rebuilds(caplog) == 1
    assert len(found(app)) == 3


def test_the_memory_index_never_needs_a_rebuild(make_app: Any) -> None:
    with make_app().app_context():
        assert services.search_index().needs_rebuild() is False


# --- several processes' indexers at once: one rebuilds --------------------------------------------


@pytest.fixture
def shared_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database that several threads can use at once (in-memory SQLite cannot)."""
    if database_url == "sqlite://":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
        return
    base_url = postgres_base_url()
    assert base_url is not None
    with private_schema(base_url, "up") as url:
        yield url


def test_concurrent_indexers_rebuild_once(
    shared_url: str, make_app: Any, directory: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # shared_url first: its schema must outlive make_app's clean-up.
    app = make_app(
        SEARCH_INDEX_DIR=str(directory), SEARCH_INDEXER="off", SQLALCHEMY_DATABASE_URI=shared_url
    )
    build(app)
    with app.app_context():
        services.drain()
    downgrade(directory)
    caplog.set_level(logging.WARNING, logger="forum_kb.search")
    caplog.clear()  # the first drain above built the fresh install's index
    barrier = threading.Barrier(3)
    errors: list[str] = []

    def indexer(blocking: bool) -> None:
        with app.app_context():
            try:
                barrier.wait(30)
                services.drain(blocking=blocking)
            except BaseException:
                errors.append(traceback.format_exc())
            finally:
                db.session.remove()

    workers = [threading.Thread(target=indexer, args=(b,)) for b in (True, True, False)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert not errors, "\n".join(errors)
    assert rebuilds(caplog) == 1
    assert len(found(app)) == 3
    assert re.fullmatch(rf"v{SCHEMA_VERSION}-\d+", live(directory).name)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
