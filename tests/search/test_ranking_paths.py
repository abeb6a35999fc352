"""The index answers plain-word queries by adding up BM25F itself (forum_kb/search/index.py,
"the plain-words path"); anything else goes through whoosh's matchers. Both must give the
same hits, scores, totals and facet counts, including over several segments with deletions.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from forum_kb.search import index as search_index
from forum_kb.search.index import SearchDocument, SearchIndex

WORDS = [
    "password",
    "reset",
    "email",
    "invoice",
    "billing",
    "export",
    "csv",
    "token",
    "webhook",
    "signature",
    "sso",
    "saml",
    "phone",
    "android",
    "app",
    "crash",
    "sync",
    "calendar",
    "slack",
    "help",
    "problem",
    "work",
    "account",
    "owner",
    "team",
]
TAGS = ("billing", "api", "mobile", "security", "export")


def _document(n: int, rnd: random.Random) -> SearchDocument:
    doc_type = rnd.choice(("thread", "post", "post", "article"))
    return SearchDocument(
        doc_id=f"{doc_type}:{n}",
        type=doc_type,
        object_id=n,
        thread_id=None if doc_type == "article" else n // 3,
        title=" ".join(rnd.choices(WORDS, k=rnd.randint(2, 6))),
        body=" ".join(rnd.choices(WORDS, k=rnd.randint(5, 80))),
        url=f"/x/{n}",
        tags=rnd.sample(TAGS, rnd.randint(0, 2)),
        category=rnd.choice(("billing", "developers", "apps")),
        solved=rnd.random() < 0.4,
        accepted=doc_type == "post" and rnd.random() < 0.2,
        score=rnd.randint(-2, 9),
        created_at=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=rnd.randint(0, 5000)),
    )


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    """400 documents written in four commits (four segments), then a quarter replaced and a
    few deleted (deletions inside segments)."""
    rnd = random.Random(4)
    built = SearchIndex(None)
    documents = [_document(n, rnd) for n in range(400)]
    with built.writer_lock():
        for start in range(0, 400, 100):
            built.apply(documents[start : start + 100])
        built.apply([_document(n, rnd) for n in range(0, 400, 4)], delete_ids=["post:7"])
        built.apply([], delete_threads=[5, 6])
    return built


QUERIES = ["password", "reset password", "csv export invoice", "help", "slack webhook sso"]
OPTIONS = [
    {"filters": {}, "sort": "relevance"},
    {"filters": {"type": "post"}, "sort": "relevance"},
    {"filters": {"solved": "true", "tags": "billing"}, "sort": "relevance"},
    {"filters": {"category": "apps"}, "sort": "date"},
    {"filters": {}, "sort": "relevance", "exclude": ["article:8", "thread:9"]},
]


def _view(results: search_index.RawResults) -> tuple[object, ...]:
    return (
        [(hit.doc_id, round(hit.score, 9), hit.snippet_html) for hit in results.hits],
        results.total,
        results.facets,
    )


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("cached", [False, True], ids=["read", "cached"])
def test_plain_words_path_matches_whoosh_matchers(
    index, monkeypatch, text, options, cached
) -> None:
    # "cached": every posting list is long enough to be kept decoded (and is read twice).
    monkeypatch.setattr(search_index, "POSTINGS_CACHE_FROM", 1 if cached else 10**9)
    args = {"limit": 10, "offset": 5, **options}
    own = index.search(text, **args)
    assert _view(index.search(text, **args)) == _view(own)
    assert own.total > 0
    monkeypatch.setattr(search_index, "_plain_terms", lambda parsed: None)
    theirs = index.search(text, **args)
    if options["sort"] == "date":
        # whoosh reports the sort key as the score when sorting by date
        own_ids = [hit.doc_id for hit in own.hits]
        assert own_ids == [hit.doc_id for hit in theirs.hits]
        assert (own.total, own.facets) == (theirs.total, theirs.facets)
    else:
        assert _view(own) == _view(theirs)


def test_totals_count_every_match(index) -> None:
    found = index.search("password", filters={}, sort="relevance", limit=1, offset=0)
    everything = index.search("password", filters={}, sort="relevance", limit=500, offset=0)
    assert found.total == everything.total == len(everything.hits)
    assert sum(found.facets["type"].values()) == found.total


def test_phrases_go_through_whoosh(index) -> None:
    phrase = index.search('"reset password"', filters={}, sort="relevance", limit=5, offset=0)
    words = index.search("reset password", filters={}, sort="relevance", limit=5, offset=0)
    assert 0 < phrase.total < words.total
