"""The did-you-mean word list (SearchIndex._word_list): built segment by segment with the
same frequencies as whoosh's merged term iterator, the large segments' counts kept between
builds, and one builder at a time while the other threads keep the previous list."""

from __future__ import annotations

import random

import pytest

from forum_kb.search import index as search_index
from forum_kb.search.index import SearchDocument, SearchIndex

WORDS = [
    "password",
    "reset",
    "invoice",
    "export",
    "webhook",
    "token",
    "billing",
    "mobile",
    "sync",
    "calendar",
]


def _doc(n: int, body: str) -> SearchDocument:
    return SearchDocument(
        doc_id=f"post:{n}", type="post", object_id=n, title=f"Question {n}", body=body,
        url=f"/p/{n}",
    )  # fmt: skip


@pytest.fixture
def index(monkeypatch) -> SearchIndex:
    """Three large segments (a rebuild of 300 in segments of 100), then two small ones and
    deletions."""
    monkeypatch.setattr(search_index, "REBUILD_SEGMENT_DOCS", 100)
    monkeypatch.setattr(search_index, "WARM_FROM_DOCS", 50)
    rnd = random.Random(5)
    built = SearchIndex(None)
    with built.writer_lock():
        built.rebuild(
            [_doc(n, " ".join(rnd.choices(WORDS, k=8)) + f" rare{n}") for n in range(300)]
        )
        built.apply([_doc(1000, "password onlyonce"), _doc(1001, "webhook twicefound")])
        built.apply([_doc(1002, "twicefound again")], delete_ids=["post:3", "post:4"])
    return built


def _whoosh_words(index: SearchIndex) -> dict[str, int]:
    reader = index.searcher().reader()
    found = {text.decode(): info.doc_frequency() for text, info in reader.iter_field("words")}
    return {word: n for word, n in found.items() if n >= 2}


def test_the_word_list_has_whooshs_frequencies(index) -> None:
    assert len(index.searcher().reader().leaf_readers()) == 5
    frequencies, _corrector = index._word_list()
    assert frequencies == _whoosh_words(index)
    assert frequencies["twicefound"] == 2
    assert "onlyonce" not in frequencies and "rare7" not in frequencies
    assert index.suggest("pasword") == "password"


def test_a_change_rebuilds_it_and_keeps_the_large_segments_counts(index, monkeypatch) -> None:
    index._word_list()
    large = index._large_words
    monkeypatch.setattr(search_index, "WORDS_REFRESH_SECONDS", 0)
    with index.writer_lock():
        index.apply([_doc(1003, "onlyonce now")])
    frequencies, _corrector = index._word_list()
    assert frequencies["onlyonce"] == 2
    assert frequencies == _whoosh_words(index)
    assert index._large_words is large  # the same three large segments: not read again


def test_other_threads_keep_the_previous_list_while_one_builds(index, monkeypatch) -> None:
    before, _corrector = index._word_list()
    monkeypatch.setattr(search_index, "WORDS_REFRESH_SECONDS", 0)
    with index.writer_lock():
        index.apply([_doc(1004, "zyxwords here"), _doc(1005, "zyxwords there")])
    with index._words_lock:  # another thread is building
        during, _corrector = index._word_list()
    assert during is before and "zyxwords" not in during
    after, _corrector = index._word_list()
    assert after["zyxwords"] == 2


def test_within_the_refresh_interval_the_list_is_reused(index) -> None:
    before, _corrector = index._word_list()
    with index.writer_lock():
        index.apply([_doc(1006, "qqwords here"), _doc(1007, "qqwords there")])
    assert index._word_list()[0] is before
