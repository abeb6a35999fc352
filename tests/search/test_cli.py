"""`flask search reindex | drain | indexer | stats`."""

from __future__ import annotations

import re

import pytest

from forum_kb.search import services
from tests.search.builders import answer, article, ask, find, ids, make_people


def build(app) -> None:
    """A thread with an answer and a KB article: three documents."""
    with app.app_context():
        people = make_people()
        thread = ask(people.alice, people.category, "Printer offline", "The printer is offline.")
        answer(people.bob, thread, "Restart the printer and the router.")
        article(people.sam, people.section, "Printer setup", "Add the printer in settings.")


def found(app, q: str = "printer") -> list[str]:
    with app.app_context():
        return ids(find(q))


def test_reindex_rebuilds_an_emptied_index(app, runner):
    build(app)
    with app.app_context():
        services.search_index().rebuild([])
    assert found(app) == []
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"Indexed 3 documents in \d+\.\d s\.\n", result.output)
    assert len(found(app)) == 3


def test_reindex_builds_a_new_folder_and_swaps_it_in(make_app, tmp_path):
    app = make_app(SEARCH_INDEX_DIR=str(tmp_path / "index"))
    build(app)
    pointer = tmp_path / "index" / "CURRENT"
    before = pointer.read_text()
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert pointer.read_text() != before
    assert not (tmp_path / "index" / before).exists()
    with app.app_context():
        searcher = services.search_index().searcher()
        try:
            assert searcher.doc_count() == 3
        finally:
            searcher.close()  # release the index files before the folder goes


@pytest.fixture
def off(make_app):
    """A deployment whose changes wait in the queue for `flask search indexer`."""
    return make_app(SEARCH_INDEXER="off")


def test_drain_applies_what_is_queued(off):
    build(off)
    assert found(off) == []
    runner = off.test_cli_runner()
    result = runner.invoke(args=["search", "drain"])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"Applied \d+ queued changes\.\n", result.output)
    assert len(found(off)) == 3
    assert runner.invoke(args=["search", "drain"]).output == "Applied 0 queued changes.\n"


def test_indexer_once_applies_the_queue_and_stops(off):
    build(off)
    result = off.test_cli_runner().invoke(args=["search", "indexer", "--once"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Indexing queued changes every")
    assert re.fullmatch(r"Applied (\d+) queued changes\.", lines[1])
    assert lines[-1] == lines[1].replace("Applied", "Stopped after applying").rstrip(".") + "."
    assert len(found(off)) == 3


def test_indexer_runs_until_its_time_is_up(make_app):
    app = make_app(SEARCH_INDEXER="off", SEARCH_POLL_INTERVAL=0.01)
    result = app.test_cli_runner().invoke(args=["search", "indexer", "--max-seconds", "0.05"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Stopped after applying 0 queued changes."


def test_indexer_refuses_a_negative_time(runner):
    result = runner.invoke(args=["search", "indexer", "--max-seconds", "-1"])
    assert result.exit_code == 2


def test_stats_counts_documents_and_queue(off):
    build(off)
    runner = off.test_cli_runner()
    before = runner.invoke(args=["search", "stats"]).output
    assert "Index: memory\nDocuments: 0\n" in before
    assert re.search(r"Queued changes: [1-9]\d*\n", before)
    runner.invoke(args=["search", "drain"])
    after = runner.invoke(args=["search", "stats"]).output
    assert after == "Index: memory\nDocuments: 3\nQueued changes: 0\n"
