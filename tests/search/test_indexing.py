"""The index's own text analysis (forum_kb/search/index.py, "indexing text fast") gives
exactly what whoosh's analyzer chain gives: the same terms, frequencies, weights and encoded
positions, so that queries (analysed by whoosh) and phrases find the same documents."""

from __future__ import annotations

import random

import pytest
from whoosh import fields
from whoosh.analysis import StandardAnalyzer

from forum_kb.search import index as search_index
from forum_kb.search.index import SearchDocument, SearchIndex, make_schema
from forum_kb.search.text import indexable_text

TEXTS = [
    "",
    "a",
    "The the THE",
    "Reset the password, then reset it again: the reset link expires.",
    "Version 2.7.5 of v1.2.3 and e.g. U.S.A. or 3.14 or a.b. or ..dots..",
    "wild*card *star and snake_case CamelCase don't can't it's",
    "Übergröße café naïve façade ÉCOLE İstanbul straße ΣΊΣΥΦΟΣ",
    "emoji 🙂 and tabs\tand\nnewlines\r\nand  spaces",
    "x y z aa bb cc an as at be by",
    "invoices invoice invoiced invoicing INVOICE exports exported exporting",
    "<p>html &amp; entities &lt;tag&gt;</p>",
]


def _random_texts(n: int) -> list[str]:
    rnd = random.Random(7)
    vocabulary = [
        "the", "a", "to", "reset", "password", "passwords", "login", "logging", "in", "of",
        "and", "export", "exports", "csv", "invoice", "billing", "2fa", "sso", "saml", "okta",
        "1.5", "v2.0", "e-mail", "e.mail", "sync", "synced", "syncing", "webhook", "webhooks",
        "api", "token", "tokens", "crash", "crashed", "crashes", "is", "it", "on", "at", "by",
        "an",
    ]  # fmt: skip
    return [" ".join(rnd.choices(vocabulary, k=rnd.randint(1, 120))) for _ in range(n)]


@pytest.mark.parametrize("name", ["title", "body"])
def test_stemmed_fields_index_like_whoosh(name: str) -> None:
    field = make_schema()[name]
    for text in TEXTS + _random_texts(200):
        assert list(field.index(text)) == list(fields.TEXT.index(field, text)), text


def test_words_field_indexes_like_whoosh() -> None:
    field = make_schema()["words"]
    for text in TEXTS + _random_texts(200):
        ours = sorted(field.index(text))
        assert ours == sorted(fields.TEXT.index(field, text)), text


def test_a_changed_analyzer_falls_back_to_whoosh() -> None:
    field = make_schema()["body"]
    field.analyzer = StandardAnalyzer()
    assert field._stemmer() is None
    assert list(field.index("Resetting passwords")) == list(
        fields.TEXT.index(field, "Resetting passwords")
    )


def test_phrases_and_words_find_documents_indexed_the_fast_way() -> None:
    index = SearchIndex(None)
    documents = [
        SearchDocument(
            doc_id=f"post:{n}", type="post", object_id=n, title=title, body=body, url=f"/p/{n}"
        )
        for n, (title, body) in enumerate(
            [
                ("Reset password", "Open the settings, then reset the password."),
                ("Password reset emails", "The email with the reset link never arrives."),
                ("Exports", "Exporting invoices as CSV files."),
            ],
            start=1,
        )
    ]
    with index.writer_lock():
        index.rebuild(documents)
    found = index.search('"reset the password"', filters={}, sort="relevance", limit=5, offset=0)
    assert [hit.doc_id for hit in found.hits] == ["post:1"]
    words = index.search("exported invoice", filters={}, sort="relevance", limit=5, offset=0)
    assert [hit.doc_id for hit in words.hits] == ["post:3"]
    assert index.suggest("pasword") == "password"
    assert search_index._encoded_positions.cache_info().currsize > 0


def test_indexable_text_drops_tags_and_decodes_entities() -> None:
    html = (
        '<p>One <em>two</em> <a href="/x?a=1&amp;b=2" title="a > b">three</a></p>\n'
        "<ul><li>four</li><li>five</li></ul><pre><code>x &lt; y</code></pre>"
        "<table><tr><td>six</td><td>seven</td></tr></table>"
    )
    assert indexable_text(html) == "One two three four five x < y six seven"


def _segments_content(index: SearchIndex) -> list[object]:
    """Every segment's terms: term info, and each posting's id, weight, value and block
    bound, in segment order."""
    searcher = index.searcher()
    content: list[object] = []
    for reader, _base in searcher.reader().leaf_readers():
        for fieldname, text in reader.all_terms():  # raw bytes, in order
            info = reader.term_info(fieldname, text)
            info_values = (
                info.weight(), info.doc_frequency(), info.max_weight(),
                info.min_id(), info.max_id(), info.min_length(), info.max_length(),
            )  # fmt: skip
            matcher = reader.postings(fieldname, text)
            postings = []
            while matcher.is_active():
                postings.append(
                    (matcher.id(), matcher.weight(), matcher.value(), matcher.block_max_weight())
                )
                matcher.next()
            content.append((fieldname, text, info_values, postings))
    return content


def test_the_rebuild_writes_postings_as_whoosh_does(monkeypatch, tmp_path) -> None:
    # Several segments, terms with several blocks (128 postings each) and blocks of equal
    # and unequal weights.
    rnd = random.Random(11)
    texts = _random_texts(700)
    documents = [
        SearchDocument(
            doc_id=f"post:{n}",
            type="post",
            object_id=n,
            title=texts[n][:60],
            body=text,
            url=f"/p/{n}",
            tags=rnd.sample(["billing", "api", "mobile"], rnd.randint(0, 2)),
            category="apps",
            score=rnd.randint(-1, 5),
        )
        for n, text in enumerate(texts)
    ]
    monkeypatch.setattr(search_index, "REBUILD_SEGMENT_DOCS", 300)
    monkeypatch.setattr(search_index, "REBUILD_PROCESSES", 2)
    ours = SearchIndex(str(tmp_path / "ours"))  # three segments, written by two processes
    with ours.writer_lock():
        assert ours.rebuild(documents) == 700
    # whoosh's own: one process (the patches do not reach worker processes), its posting
    # loop over every posting in (field, term, document) order.
    monkeypatch.setattr(search_index, "REBUILD_PROCESSES", 1)
    monkeypatch.setattr(
        search_index._MemoryPool,
        "iter_postings",
        lambda pool: [item for _term, items in sorted(pool._terms.items()) for item in items],
    )
    monkeypatch.setattr(
        search_index._BulkFieldWriter, "add_postings", search_index.W3FieldWriter.add_postings
    )
    for name in ("_mini_ids", "_mini_weights"):
        monkeypatch.setattr(
            search_index._BulkPostingsWriter, name, getattr(search_index.W3PostingsWriter, name)
        )
    theirs = SearchIndex(str(tmp_path / "theirs"))
    with theirs.writer_lock():
        theirs.rebuild(documents)
    found = _segments_content(ours)
    assert len(ours.searcher().reader().leaf_readers()) == 3
    assert any(len(postings) > 128 for *_rest, postings in found)  # type: ignore[misc]
    assert found == _segments_content(theirs)
    stored = [ours.searcher().stored_fields(d) for d in range(700)]
    assert stored == [theirs.searcher().stored_fields(d) for d in range(700)]
    query = {"filters": {"tags": "api"}, "sort": "date", "limit": 10, "offset": 0}
    assert ours.search("reset password", **query) == theirs.search("reset password", **query)
    ours.close()
    theirs.close()
