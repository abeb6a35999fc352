"""Related content on thread pages is remembered per thread while the index is unchanged,
re-checked against the database on every call; scoring restricted to wanted documents gives
the very same scores as scoring everything and filtering afterwards."""

from __future__ import annotations

import pytest
from flask import Flask

from forum_kb.community import services as community
from forum_kb.extensions import db
from forum_kb.search import services
from tests.search.builders import People, answer, article, ask, make_people


@pytest.fixture
def lagging(make_app) -> Flask:
    """An app whose index is only updated when a test drains the queue (as when the
    background indexer lags behind the database)."""
    return make_app(SEARCH_INDEXER="off")  # type: ignore[no-any-return]


def _related(thread_id: int, title: str) -> set[str]:
    return {hit.doc_id for hit in services.related(thread_id, title)}


def test_cached_related_hits_are_still_rechecked_for_visibility(lagging):
    with lagging.app_context():
        people = make_people()
        thread = ask(people.alice, people.category, "Dark mode for the mobile app", "Dark mode?")
        other = ask(people.bob, people.category, "Dark mode on the desktop", "Any dark mode?")
        services.drain()
        assert _related(thread.id, thread.title) == {f"thread:{other.id}"}
        community.set_thread_hidden(people.mia, other, True)  # queued, not yet indexed
        assert _related(thread.id, thread.title) == set()
        community.set_thread_hidden(people.mia, other, False)
        assert _related(thread.id, thread.title) == {f"thread:{other.id}"}


def test_a_change_reaching_the_index_refreshes_related_content(lagging):
    with lagging.app_context():
        people = make_people()
        thread = ask(
            people.alice, people.category, "Calendar sync stopped", "It stopped since Monday."
        )
        services.drain()
        assert _related(thread.id, thread.title) == set()
        newer = ask(people.bob, people.category, "Calendar sync is slow", "It takes an hour.")
        assert _related(thread.id, thread.title) == set()  # not in the index yet
        services.drain()
        assert _related(thread.id, thread.title) == {f"thread:{newer.id}"}


def test_related_cache_keeps_at_most_its_size_and_forgets_expired_entries(lagging):
    with lagging.app_context():
        cache = services._RelatedCache(size=2, seconds=60)
        cache.put("a", [])
        cache.put("b", [])
        assert cache.get("a") == []  # "a" is now the most recently used
        cache.put("c", [])
        assert cache.get("b") is None and cache.get("a") == [] and cache.get("c") == []
        expired = services._RelatedCache(size=2, seconds=-1)
        expired.put("a", [])
        assert expired.get("a") is None


@pytest.fixture
def people(app_ctx) -> People:
    return make_people()


def test_scoring_only_wanted_documents_gives_the_same_scores(people):
    """Over several segments (each commit adds one), with replies that the restriction
    leaves out and deleted documents."""
    for n in range(6):
        thread = ask(
            people.alice, people.category, f"Export payroll run {n}", f"Export payroll ({n})."
        )
        answer(people.bob, thread, f"Payroll export works in run {n}; export again.")
    article(people.sam, people.section, "Payroll exports", "How to export payroll.")
    gone = ask(people.carol, people.category, "Export payroll twice", "Export payroll.")
    community.set_thread_hidden(people.mia, gone, True)
    index = services.search_index()
    searcher = index.searcher()
    assert len(searcher.reader().leaf_readers()) > 1
    leaves = [(f, w, b) for w in ("export", "payrol") for f, b in (("title", 2.0), ("body", 1.0))]
    everything, every_hit = index._scores(searcher, leaves)
    wanted = index._cached_mask(searcher, [("type", "thread"), ("type", "article")])
    only, only_hit = index._scores(searcher, leaves, wanted)
    assert only_hit.tolist() == (every_hit & wanted).tolist()
    assert only[only_hit].tolist() == everything[only_hit].tolist()
    assert 0 < only_hit.sum() < every_hit.sum()
    db.session.rollback()


def test_related_content_on_a_fresh_on_disk_index_with_nothing_written_yet(make_app, tmp_path):
    # An index folder that exists but has no committed documents has readers without a
    # generation; the thread page must still render (it once raised a TypeError).
    app = make_app(SEARCH_INDEXER="off", SEARCH_INDEX_DIR=str(tmp_path / "index"))
    with app.app_context():
        people = make_people()
        thread = ask(people.alice, people.category, "Dark mode for the mobile app", "Dark mode?")
        assert _related(thread.id, thread.title) == set()
        assert services.search_index().generation()[1] < 0
        services.drain()
        assert services.search_index().generation()[1] >= 0
        services.search_index().close()
