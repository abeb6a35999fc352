"""The Whoosh wrapper: the only module that imports whoosh (STYLE 4.8).

Why whoosh-reloaded 2.7.5 and not whoosh 2.7.4: it is the maintained fork with the same
``whoosh`` import name, and 2.7.4 emits SyntaxWarnings on Python 3.12+ (invalid escape
sequences) that fail a warnings-as-errors test run.

Layout on disk: ``<SEARCH_INDEX_DIR>/CURRENT`` names the live index folder
(``v<SCHEMA_VERSION>-<stamp>``). A rebuild writes a new folder beside it and swaps CURRENT, so
search never goes offline and a schema change simply builds into a fresh folder. Readers
notice the swap and reopen. ``SEARCH_INDEX_DIR = None`` keeps the index in memory (tests).

Speed (bench/search.py, 100,000 documents on two cores): a rebuild writes one segment per
10,000 documents; plain-word queries are scored here from the posting lists rather than
through whoosh's matcher tree; field lengths, priors and facet values are read once per
segment; long posting lists stay decoded; snippets stem only the words that can match.
"""

from __future__ import annotations

import bisect
import collections
import concurrent.futures
import contextlib
import fcntl
import functools
import gc
import itertools
import math
import multiprocessing
import operator
import os
import pickle
import re
import shutil
import threading
import time
from array import array
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh import collectors, columns, fields, formats, qparser, query, scoring, sorting
from whoosh.analysis import (
    LowercaseFilter,
    RegexTokenizer,
    StandardAnalyzer,
    StemFilter,
    StopFilter,
)
from whoosh.analysis.filters import STOP_WORDS
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PostingsWriter
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.index import FileIndex
from whoosh.reading import TermNotFound
from whoosh.spelling import ListCorrector
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length
from whoosh.writing import IndexWriter, SegmentWriter

#: Part of the index folder's name: changing the schema means building a fresh folder.
#: 2: values only displayed or sorted on are stored or kept in columns, not indexed.
SCHEMA_VERSION = 2
#: In an index folder made empty to stand in until a rebuild (a fresh install, a schema
#: change, a lost folder): the indexer rebuilds such a folder from the database.
UNBUILT_MARKER = "UNBUILT"
QUERY_MAX_LENGTH = 200
QUERY_MAX_TERMS = 12
INDEX_NAME = "forum_kb"


@dataclass(frozen=True)
class SearchDocument:
    """One searchable unit: a thread opener, an answer or a published KB article."""

    doc_id: str  # "thread:42", "post:17", "article:3"
    type: str  # thread | post | article
    object_id: int
    title: str
    body: str
    url: str
    thread_id: int | None = None
    tags: Sequence[str] = ()
    category: str = ""  # community category slug, or KB section slug
    category_name: str = ""
    kind: str = ""  # question, howto, story, discussion, article
    solved: bool = False
    accepted: bool = False
    score: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    author: str = ""


def document_prior(doc: SearchDocument) -> float:
    """A document's static rank multiplier: KB articles are the official word; accepted
    answers and solved threads beat unsolved ones; votes help a little (logarithmically)."""
    prior = {"article": 1.6, "thread": 1.0, "post": 0.9}.get(doc.type, 1.0)
    if doc.accepted:
        prior *= 1.35
    elif doc.solved:
        prior *= 1.15
    votes = max(doc.score, 0)
    return prior * (1.0 + 0.08 * math.log1p(votes)) * (0.85 if doc.score < 0 else 1.0)


class _BulkCodec(W3Codec):
    """whoosh's codec for rebuilds: no per-block field-length statistics, which cost a
    column read for every posting written (7 % of a rebuild) and only tighten the bounds used
    to skip blocks (without them the bounds assume the shortest field, which stays correct);
    and zlib's fastest level for the posting blocks."""

    length_stats = False

    def __init__(self) -> None:
        super().__init__(compression=1)

    def field_writer(self, storage: Any, segment: Any) -> Any:
        return _BulkFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        return _BulkPostingsWriter(
            dbfile, blocklimit=self._blocklimit, byteids=byteids,
            compression=self._compression, inlinelimit=self._inlinelimit,
        )  # fmt: skip


class _BulkFieldWriter(W3FieldWriter):
    """Writes a rebuilt segment's postings a block at a time, term by term as the pool
    groups them: whoosh's own loop makes four Python calls and several type checks for every
    posting. The term infos, blocks and postings are the same as whoosh's
    (``tests/search/test_indexing.py``). Only for the rebuild codec: no field lengths."""

    def add_postings(
        self, schema: Any, lengths: Any, terms: Iterable[tuple[tuple[str, bytes], list[Any]]]
    ) -> None:
        """Writes ``_MemoryPool.iter_postings()``: each term with its postings in order."""
        assert lengths is None, "the rebuild codec keeps no per-block length statistics"
        limit = self._codec._blocklimit
        current = None
        for (fieldname, btext), postings in terms:
            if postings[0][2] == -1:  # a spelling word, not a posting (sorted first)
                postings = [p for p in postings if p[2] != -1]
                if not postings:
                    continue
            if fieldname != current:
                if current is not None:
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                current = fieldname
            self.start_term(btext)
            writer = self._postwriter
            for start in range(0, len(postings), limit):
                if start:
                    writer._write_block()
                block = postings[start : start + limit]
                writer._ids = array("I", map(_DOCNUM, block))
                weights = list(map(_WEIGHT, block))
                writer._weights = array("f", weights)
                writer._values = [v for v in map(_VALUE, block) if v]
                writer._maxweight = max(0, max(weights))  # as add_posting: the first largest
            self.finish_term()
        if current is not None:
            self.finish_field()


_DOCNUM, _WEIGHT, _VALUE = operator.itemgetter(2), operator.itemgetter(3), operator.itemgetter(4)


class _BulkPostingsWriter(W3PostingsWriter):
    """whoosh's block writer with its per-posting generators replaced by C-level passes
    (same values)."""

    def _mini_ids(self) -> Any:
        ids = self._ids
        if self._byteids:
            return tuple(ids)
        return tuple(map(operator.sub, ids, itertools.chain((0,), ids)))

    def _mini_weights(self) -> Any:
        weights = self._weights
        if weights.count(1.0) == len(weights):
            return None
        if weights.count(weights[0]) == len(weights):
            return weights[0]
        return tuple(weights)


class _MemoryPool:
    """The rebuild writer's posting pool: each term's postings in a list of their own, in
    the order the documents come (so by document number); only the terms are sorted when
    the segment is written. whoosh's PostingPool adds each posting through a Python method
    that estimates its size (to spill sorted runs to disk past ``limitmb``) and sorts every
    posting at the end, which cost a sixth of a rebuild."""

    def __init__(self) -> None:
        self._terms: dict[tuple[str, bytes], list[tuple[Any, ...]]] = {}

    def add(self, item: tuple[Any, ...]) -> None:
        """One (fieldname, btext, docnum, weight, value) posting."""
        key = item[0], item[1]
        found = self._terms.get(key)
        if found is None:
            self._terms[key] = [item]
        else:
            found.append(item)

    def iter_postings(self) -> list[tuple[tuple[str, bytes], list[tuple[Any, ...]]]]:
        """(fieldname, btext) and its postings, by field and term (what
        ``_BulkFieldWriter.add_postings`` reads)."""
        return sorted(self._terms.items(), key=_FIRST)

    def cleanup(self) -> None:
        self._terms = {}


_FIRST = operator.itemgetter(0)


class _StemFilter(StemFilter):
    """whoosh's stemmer behind functools' C-level cache instead of its Python LFU cache."""

    def clear(self) -> None:
        self._stem = functools.lru_cache(maxsize=100_000)(self.stemfn)


def _stemming_analyzer() -> Any:
    # StemmingAnalyzer()'s chain, with the faster cache.
    return RegexTokenizer() | LowercaseFilter() | StopFilter() | _StemFilter()


# --- indexing text fast ------------------------------------------------------------------------
#
# Whoosh analyses text through a chain of generators that pass a Token object along, one
# Python call per filter and token: half of a rebuild. The two fields below produce the very
# same terms, frequencies, weights and encoded positions (tests/search/test_indexing.py checks
# it against whoosh's chain) with a regular expression, C-level maps and one loop per token.
# Searching still analyses queries with whoosh's chain.

#: RegexTokenizer's default pattern, without its capturing group (findall returns matches).
_TOKEN_RE = re.compile(r"[\w*]+(?:\.?[\w*]+)*")


@functools.lru_cache(maxsize=100_000)
def _encoded_positions(positions: tuple[int, ...]) -> bytes:
    # formats.Positions.encode, remembered: most postings hold one or two positions.
    deltas = [b - a for a, b in zip((0, *positions[:-1]), positions, strict=True)]
    return pack_uint(len(deltas)) + pickle.dumps(deltas, 2)


class _StemmedText(fields.TEXT):
    """TEXT with the stemming analyzer, indexed without whoosh's token chain."""

    def __init__(self, *, field_boost: float = 1.0) -> None:
        super().__init__(analyzer=_stemming_analyzer(), stored=True, field_boost=field_boost)

    def _stemmer(self) -> Any:
        items: list[Any] = list(getattr(self.analyzer, "items", ()))
        same = (
            len(items) == 4
            and type(items[0]) is RegexTokenizer
            and items[0].expression.pattern == r"[\w\*]+(\.?[\w\*]+)*"
            and type(items[1]) is LowercaseFilter
            and type(items[2]) is StopFilter
            and (items[2].stops, items[2].min, items[2].max, items[2].renumber)
            == (STOP_WORDS, 2, None, True)
            and isinstance(items[3], StemFilter)
            and not items[3].ignore
            and type(self.format) is formats.Positions
        )
        return items[3]._stem if same else None

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        stem = self._stemmer()
        if stem is None or not isinstance(value, str) or kwargs:
            yield from super().index(value, **kwargs)
            return
        positions: dict[str, list[int]] = {}
        position = -1
        for number, word in enumerate(map(str.lower, _TOKEN_RE.findall(value))):
            if len(word) < 2 or word in STOP_WORDS:
                continue
            # StopFilter renumbers: the first word kept keeps its place, the next follow it.
            position = number if position < 0 else position + 1
            found = positions.get(stem(word))
            if found is None:
                positions[stem(word)] = [position]
            else:
                found.append(position)
        boost = self.format.field_boost
        for term, places in positions.items():
            yield (
                term.encode("utf-8"),
                len(places),
                float(len(places)) * boost,
                _encoded_positions(tuple(places)),
            )


class _Words(fields.TEXT):
    """Unstemmed words, for "did you mean": only which documents hold a word counts (no
    positions or frequencies to encode, no lengths), and it is never queried."""

    scorable = False

    def __init__(self) -> None:
        super().__init__(analyzer=StandardAnalyzer(minsize=3), phrase=False)
        self.format = formats.Existence()

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        # StandardAnalyzer(minsize=3) into Existence: each distinct lower-cased word of at
        # least three letters that is not a stop word, weight 1 (the field boost).
        if not isinstance(value, str) or kwargs or type(self.format) is not formats.Existence:
            yield from super().index(value, **kwargs)
            return
        words = {w for w in set(map(str.lower, _TOKEN_RE.findall(value))) if len(w) >= 3}
        boost = self.format.field_boost
        for word in words - STOP_WORDS:
            yield (word.encode("utf-8"), 1, boost, b"")


class _SortDate(fields.DATETIME):
    """A date that is shown and sorted on, never searched: one index term instead of the
    eight (one per precision step) that range queries would need."""

    def __init__(self) -> None:
        super().__init__(stored=True, sortable=True)
        self.shift_step = 0


def make_schema() -> fields.Schema:
    # Every indexed term costs indexing time: what is only displayed is STORED, what is only
    # sorted on is a column. (Numbers and dates would otherwise index 8 to 16 terms each.)
    return fields.Schema(
        doc_id=fields.ID(unique=True, stored=True),
        type=fields.ID(stored=True),
        object_id=fields.STORED(),
        thread_id=fields.NUMERIC(stored=True, shift_step=0),
        title=_StemmedText(field_boost=3.0),
        body=_StemmedText(),
        tags=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        words=_Words(),
        category=fields.ID(stored=True),
        category_name=fields.STORED(),
        kind=fields.STORED(),
        solved=fields.BOOLEAN(stored=True),
        accepted=fields.STORED(),
        score=fields.STORED(),
        created=_SortDate(),
        updated=fields.STORED(),
        url=fields.STORED(),
        author=fields.STORED(),
        # The static prior in thousandths (an integer column: cheap to read while scoring).
        prior=fields.COLUMN(columns.NumericColumn("I", default=1000)),
    )


def _fields(doc: SearchDocument) -> dict[str, Any]:
    values: dict[str, Any] = {
        "doc_id": doc.doc_id,
        "type": doc.type,
        "object_id": doc.object_id,
        "title": doc.title,
        "body": doc.body,
        "tags": ",".join(doc.tags),
        "words": f"{doc.title}\n{doc.body}",
        "category": doc.category,
        "category_name": doc.category_name,
        "kind": doc.kind,
        "solved": doc.solved,
        "accepted": doc.accepted,
        "score": doc.score,
        "url": doc.url,
        "author": doc.author,
        "prior": round(document_prior(doc) * 1000),
    }
    if doc.thread_id is not None:
        values["thread_id"] = doc.thread_id
    if doc.created_at is not None:
        values["created"] = doc.created_at.replace(tzinfo=None)
    if doc.updated_at is not None:
        values["updated"] = doc.updated_at.replace(tzinfo=None)
    return values


# --- per-segment values, read once ---------------------------------------------------------------
#
# Scoring and facet counting look up a few values for every matching document: field lengths
# (BM25), the static prior and the facet fields. Read through whoosh's column files (no mmap)
# that is several Python calls and a file read per lookup, which dominated query time. Segments
# never change once written (only their deletion lists do), so each segment's values are read
# once into lists and shared by every searcher and thread of the process.

SCORED_FIELDS = ("title", "body", "tags")
Postings = tuple[npt.NDArray[np.uint32], npt.NDArray[np.float32]]
Docs = npt.NDArray[np.int64]  # sorted top-level document numbers
Mask = npt.NDArray[np.bool_]  # by top-level document number
#: Posting lists at least this long (in a segment) are kept decoded (0: all, and the terms a
#: segment does not hold), up to this many bytes per process.
POSTINGS_CACHE_FROM = 0
POSTINGS_CACHE_BYTES = 64 * 2**20
FACETS = ("type", "category", "tags", "solved")
_LENGTHS = columns.NumericColumn("B", default=0)  # whoosh's own per-document length column


@dataclass
class _SegmentValues:
    lengths: dict[str, list[int]]
    priors: list[float]
    max_prior: float
    facets: array[int]  # per document: the code of its (type, category, solved)
    tags: array[int]  # per document: the code of its set of tags
    created: list[int]  # sortable form (larger is newer); 0 when unknown
    #: The lengths and priors again as arrays, for the vectorized scoring of plain words.
    length_arrays: dict[str, npt.NDArray[np.float64]]
    prior_array: npt.NDArray[np.float64]


def _segment_key(reader: Any) -> str | None:
    segment = reader.segment() if hasattr(reader, "segment") else None
    return segment.segment_id() if segment is not None else None


def _read_segment(reader: Any, codes: dict[str, dict[Any, int]]) -> _SegmentValues:
    size = reader.doc_count_all()
    if not size:
        empty: dict[str, list[int]] = {n: [] for n in SCORED_FIELDS}
        none = np.zeros(0, dtype=np.float64)
        return _SegmentValues(
            empty, [], 1.0, array("I"), array("I"), [], dict.fromkeys(SCORED_FIELDS, none), none
        )
    perdoc = getattr(reader, "_perdoc", None)  # whoosh keeps length columns off the schema
    lengths: dict[str, list[int]] = {}
    for name in SCORED_FIELDS:
        column = f"_{name}_len"
        if perdoc is not None and perdoc.has_column(column):
            raw = list(perdoc.column_reader(column, _LENGTHS))
            lengths[name] = [byte_to_length(b) if b else 1 for b in raw]
        else:
            lengths[name] = [reader.doc_field_length(d, name, 1) or 1 for d in range(size)]
    if reader.has_column("prior"):
        priors = [(value or 1000) / 1000 for value in reader.column_reader("prior")]
    else:
        priors = [1.0] * size
    per_facet: dict[str, list[Any]] = {}
    for name in FACETS:
        values: list[Any] = [() if name == "tags" else None] * size
        for term in reader.field_terms(name):
            for docnum in reader.postings(name, term).all_ids():
                values[docnum] = values[docnum] + (term,) if name == "tags" else term
        per_facet[name] = values
    single = zip(per_facet["type"], per_facet["category"], per_facet["solved"], strict=True)
    book = codes["single"]
    facets = array("I", [book.setdefault(key, len(book)) for key in single])
    book = codes["tags"]
    tags = array("I", [book.setdefault(key, len(book)) for key in per_facet["tags"]])
    if reader.has_column("created"):
        created = [v or 0 for v in reader.column_reader("created", translate=False)]
    else:
        created = [0] * size
    return _SegmentValues(
        lengths, priors, max(priors, default=1.0), facets, tags, created,
        {name: np.array(found, dtype=np.float64) for name, found in lengths.items()},
        np.array(priors, dtype=np.float64),
    )  # fmt: skip


class _SegmentCache:
    """Segment values by segment id, for the whole process.

    Facet values are kept as integer codes: one for a document's (type, category, solved),
    one for its set of tags. Counting codes is several times faster than counting strings,
    and the combinations are few."""

    def __init__(self) -> None:
        self._values: dict[str | None, _SegmentValues] = {}
        self._lock = threading.Lock()
        self._postings: OrderedDict[tuple[str | None, str, bytes], Postings] = OrderedDict()
        self._postings_bytes = 0
        #: "single": (type, category, solved) -> code; "tags": tuple of tags -> code.
        self.codes: dict[str, dict[Any, int]] = {"single": {}, "tags": {}}
        self._decoded: dict[str, list[Any]] = {"single": [], "tags": []}
        self._tables: dict[tuple[str | None, ...], dict[str, Any]] = {}
        self._warmed: set[str] = set()

    def decode(self, book: str) -> list[Any]:
        """Values by code (a snapshot: codes added later are past its end)."""
        found = self._decoded[book]
        if len(found) != len(self.codes[book]):
            with self._lock:
                found = self._decoded[book] = list(self.codes[book])
        return found

    def get(self, reader: Any) -> _SegmentValues:
        key = _segment_key(reader)
        found = self._values.get(key) if key is not None else None
        if found is not None:
            return found
        with self._lock:
            found = self._values.get(key) if key is not None else None
            if found is None:
                found = _read_segment(reader, self.codes)
                if key is not None:
                    self._values[key] = found
            return found

    def forget_except(self, live: set[str | None]) -> None:
        """Drop the values of segments that merges or rebuilds have retired."""
        with self._lock:
            if len(self._values) > 2 * len(live) + 8:
                for key in [k for k in self._values if k not in live]:
                    del self._values[key]
                self._warmed &= {k for k in live if k is not None}

    # Posting lists, decoded. The words that match the most documents are also the ones
    # searched most often ("error", "sync"); decoding their blocks (unpickling, with every
    # position) took more than half of such a query, and even a short list cost three lookups
    # in the segment's term dictionary. Every list is kept (absent terms too, as empty), least
    # recently used first out, up to POSTINGS_CACHE_BYTES.

    def postings(self, reader: Any, fieldname: str, btext: bytes) -> Sequence[Postings]:
        """A term's document numbers and weights in a segment, deleted documents included;
        empty when the segment does not hold the term."""
        key = (_segment_key(reader), fieldname, btext)
        found = self._postings.get(key)
        if found is not None:
            with self._lock:
                if key in self._postings:
                    self._postings.move_to_end(key)
            return (found,) if len(found[0]) else ()
        try:
            matcher = _raw_matcher(reader, fieldname, btext)
        except TermNotFound:
            matcher = None
        ids, weights = array("I"), array("f")
        if matcher is not None:
            for block_ids, block_weights in _posting_blocks(matcher):
                ids.extend(block_ids)
                weights.extend(block_weights)
        decoded = (np.array(ids, dtype=np.uint32), np.array(weights, dtype=np.float32))
        if key[0] is not None and len(ids) >= POSTINGS_CACHE_FROM:
            self._remember(key, decoded)
        return (decoded,) if len(ids) else ()

    def _remember(self, key: tuple[str | None, str, bytes], found: Postings) -> None:
        size = found[0].nbytes + found[1].nbytes + 200  # and the entry's own objects
        with self._lock:
            if key in self._postings:
                return
            self._postings[key] = found
            self._postings_bytes += size
            while self._postings_bytes > POSTINGS_CACHE_BYTES and len(self._postings) > 1:
                _old, (old_ids, old_weights) = self._postings.popitem(last=False)
                self._postings_bytes -= old_ids.nbytes + old_weights.nbytes + 200

    def first_warming(self, reader: Any) -> bool:
        """True the first time a segment is seen by warm() (then False)."""
        key = _segment_key(reader)
        with self._lock:
            if key is None or key in self._warmed:
                return False
            self._warmed.add(key)
            return True

    def cached_bytes(self) -> int:
        """Bytes of decoded posting lists held."""
        return self._postings_bytes

    def has_postings(self, reader: Any, fieldname: str, btext: bytes) -> bool:
        return (_segment_key(reader), fieldname, btext) in self._postings

    # The facet values of a list of segments end to end (by top-level document number). They
    # do not change with deletions, so one table serves every searcher (and thread) over the
    # same segments; a change adds a segment, and the next table is built once.

    def facet_table(self, readers: Sequence[Any]) -> dict[str, Any]:
        """Facet codes, priors and dates of these segments' documents, end to end."""
        key = tuple(_segment_key(reader) for reader in readers)
        found = self._tables.get(key) if None not in key else None
        if found is not None:
            return found
        parts = [self.get(reader) for reader in readers]
        table: dict[str, Any] = {
            "facets": _joined([np.array(part.facets, dtype=np.int64) for part in parts]),
            "tags": _joined([np.array(part.tags, dtype=np.int64) for part in parts]),
            # Sortable dates are unsigned 64-bit numbers (whoosh shifts them by 2**63).
            "created": _joined([np.array(part.created, dtype=np.uint64) for part in parts]),
        }
        if None not in key:
            with self._lock:
                if len(self._tables) >= 4:
                    self._tables.pop(next(iter(self._tables)))
                self._tables[key] = table
        self.forget_except(set(key))
        return table


class _PriorScorer(scoring.BM25FScorer):
    """BM25F for one term in one segment, times the document's static prior. The bounds that
    whoosh uses to skip blocks assume the segment's highest prior, so they stay safe."""

    def __init__(
        self, searcher: Any, fieldname: str, text: bytes, weighting: scoring.BM25F,
        qf: float, values: _SegmentValues,
    ) -> None:  # fmt: skip
        field_b = weighting._field_B.get(fieldname, weighting.B)
        super().__init__(searcher, fieldname, text, field_b, weighting.K1, qf=qf)
        self.dfl = values.lengths[fieldname].__getitem__
        self._priors = values.priors
        self._max_prior = values.max_prior

    def score(self, matcher: Any) -> float:
        docnum = matcher.id()
        return float(self._score(matcher.weight(), self.dfl(docnum)) * self._priors[docnum])

    def max_quality(self) -> float:
        return float(self._maxquality * self._max_prior)

    def block_quality(self, matcher: Any) -> float:
        quality = self._score(matcher.block_max_weight(), matcher.block_min_length())
        return float(quality * self._max_prior)


class PriorBM25F(scoring.BM25F):
    """BM25F times each document's static prior (KB articles, accepted answers, votes)."""

    def __init__(self, cache: _SegmentCache | None = None) -> None:
        super().__init__(B=0.75, K1=1.2)
        self._cache = cache or _SegmentCache()

    def scorer(self, searcher: Any, fieldname: str, text: bytes, qf: float = 1) -> Any:
        if fieldname not in SCORED_FIELDS or not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf=qf)
        values = self._cache.get(searcher.reader())
        return _PriorScorer(searcher, fieldname, text, self, qf, values)


class _Recorder(collectors.WrappingCollector):
    """Passes every match on to the ranking collector and notes its document number: the
    total and the facet counts come from that list, not from whoosh's per-match facet
    categorizers."""

    def prepare(self, top_searcher: Any, q: Any, context: Any) -> None:
        self.docnums: list[int] = []
        super().prepare(top_searcher, q, context)

    def collect_matches(self) -> None:
        note = self.docnums.append
        collect = self.child.collect
        offset = self.offset
        for sub_docnum in self.matches():
            note(offset + sub_docnum)
            collect(sub_docnum)

    def collect(self, sub_docnum: int) -> Any:
        self.docnums.append(self.offset + sub_docnum)
        return self.child.collect(sub_docnum)


# --- the parser: user input may not reach the slow query types --------------------------------


def _parser(schema: fields.Schema) -> qparser.QueryParser:
    # A plain OR: whoosh's coordination bonus (OrGroup.factory) multiplies every score by
    # (n - 1) / n for the n query terms present in the index, so a query with one such term
    # (a single word found only in bodies) scored every hit 0 and lost all ranking.
    parser = qparser.MultifieldParser(["title", "body", "tags"], schema, group=qparser.OrGroup)
    for plugin in (
        qparser.WildcardPlugin,
        qparser.RangePlugin,
        qparser.RegexPlugin,
        qparser.FuzzyTermPlugin,
        qparser.FieldsPlugin,
        qparser.BoostPlugin,
        qparser.GtLtPlugin,
        qparser.EveryPlugin,
        qparser.PlusMinusPlugin,
    ):
        parser.remove_plugin_class(plugin)
    return parser


_UNSAFE = re.compile(r"[*?~^\[\]{}:<>\\]")


def clean_query(text: str) -> str:
    """Strip characters that only advanced syntax uses and cap the length and term count."""
    text = _UNSAFE.sub(" ", text[:QUERY_MAX_LENGTH])
    if text.count('"') % 2:
        text = text.replace('"', " ")  # an unclosed phrase: search the words
    words = text.split()
    return " ".join(words[:QUERY_MAX_TERMS])


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    doc_id: str
    type: str
    object_id: int
    thread_id: int | None
    title: str
    url: str
    snippet_html: str
    score: float
    category: str
    category_name: str
    kind: str
    solved: bool
    accepted: bool
    tags: list[str]
    author: str
    created_at: datetime | None


@dataclass
class RawResults:
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


#: Documents per segment in a rebuild, and the writer's memory for one segment's postings.
REBUILD_SEGMENT_DOCS = 10_000
REBUILD_LIMIT_MB = 1024
#: Worker processes that write a rebuild's segments (when it has more than one segment).
REBUILD_PROCESSES = min(os.cpu_count() or 1, 4)
#: similar()/related() leave out words found in more than this share of all documents.
SIMILAR_COMMON_SHARE = 0.1
SIMILAR_PRUNE_FROM = 5_000  # documents
#: warm(): segments of at least this many documents get their frequent terms' posting lists
#: decoded ahead of searches (terms in at least this many of the segment's documents), up to
#: this share of the posting cache.
WARM_FROM_DOCS = 1_000
#: The did-you-mean word list is rebuilt at most this often (and only when the index changed).
WORDS_REFRESH_SECONDS = 30
WARM_FROM_DOCS_PER_TERM = 200
WARM_SHARE = 0.75
SNIPPET_CHARS = 200  # at most this long per fragment
SNIPPET_CONTEXT = 60  # characters shown before the first matched word of a fragment
SNIPPET_FRAGMENTS = 2


class _Closer:
    """Closes a thread's searcher when the thread ends and its thread-local values are
    dropped (threaded servers may start a thread per request; open files must not leak)."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.searcher.close()


class SearchIndex:
    """One index (on disk or in memory) with its writer lock and per-thread searchers."""

    def __init__(self, directory: str | None) -> None:
        self.directory = directory
        self.schema = make_schema()
        self.parser = _parser(self.schema)
        self._local = threading.local()
        self._thread_lock = threading.Lock()
        self._ram_index: FileIndex | None = None
        self._words: tuple[tuple[Any, ...], dict[str, int], ListCorrector] | None = None
        self._words_checked = 0.0
        self._words_lock = threading.Lock()
        self._large_words: tuple[tuple[str | None, ...], Counter[str]] | None = None
        self._segments = _SegmentCache()
        self._stems: dict[str, str] = {}
        if directory is None:
            self._ram_index = self._ram()
        else:
            Path(directory).mkdir(parents=True, exist_ok=True)
            self._live_folder()

    def _ram(self) -> FileIndex:
        # Whoosh names a RAM index's scratch folder after the index (in the system temp
        # folder): a unique name keeps concurrent test processes out of each other's way.
        name = f"{INDEX_NAME}_{os.getpid()}_{time.time_ns()}"
        return RamStorage().create_index(self.schema, indexname=name)

    # --- folders ---------------------------------------------------------------------------------
    def _pointer(self) -> Path:
        assert self.directory is not None
        return Path(self.directory) / "CURRENT"

    def _current_folder(self) -> Path | None:
        try:
            name = self._pointer().read_text().strip()
        except FileNotFoundError:
            return None
        folder = Path(self.directory or "") / name
        if not name.startswith(f"v{SCHEMA_VERSION}-") or not folder.is_dir():
            return None  # an older schema: build a fresh folder
        return folder

    def _live_folder(self) -> Path:
        """The folder CURRENT names, after creating an empty one if there is none (yet, or
        for this schema version)."""
        folder = self._current_folder()
        if folder is not None:
            return folder
        # Server processes start together (and after a schema change, all find no folder):
        # without a lock each would create its own and the last pointer would win, losing
        # whatever the others indexed meanwhile. Not writer.lock: a writer may get here.
        Path(self.directory or "").mkdir(parents=True, exist_ok=True)  # it may have been lost
        with open(Path(self.directory or "") / "create.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                folder = self._current_folder()
                if folder is None:
                    folder = self._new_folder()
                    self._create_in(folder)
                    (folder / UNBUILT_MARKER).touch()
                    self._point_to(folder)
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return folder

    def needs_rebuild(self) -> bool:
        """Whether the live folder is an empty stand-in that only a rebuild fills: there was
        no index for this schema version (a fresh install, an upgrade, a deleted folder).
        Always False in memory."""
        if self.directory is None:
            return False
        return (self._live_folder() / UNBUILT_MARKER).exists()

    def _new_folder(self) -> Path:
        assert self.directory is not None
        folder = Path(self.directory) / f"v{SCHEMA_VERSION}-{time.time_ns()}"
        folder.mkdir()
        return folder

    def _create_in(self, folder: Path) -> FileIndex:
        return FileStorage(str(folder), supports_mmap=False).create_index(
            self.schema, indexname=INDEX_NAME
        )

    def _point_to(self, folder: Path) -> None:
        tmp = self._pointer().with_suffix(".tmp")
        tmp.write_text(folder.name)
        os.replace(tmp, self._pointer())

    def open(self) -> FileIndex:
        """The live index (reopened after a rebuild swapped folders)."""
        if self._ram_index is not None:
            return self._ram_index
        folder = self._live_folder()
        cached = getattr(self._local, "index", None)
        if cached is not None and cached[0] == folder:
            return cached[1]
        index = FileStorage(str(folder), supports_mmap=False).open_index(INDEX_NAME)
        self.close()  # a searcher on the replaced folder: release its files now
        self._local.index = (folder, index)
        return index

    def close(self) -> None:
        """Close this thread's searcher and its open files (the next search opens another)."""
        current = getattr(self._local, "searcher", None)
        self._local.searcher = None
        if current is not None:
            current.close()

    # --- the single writer -------------------------------------------------------------------
    @contextlib.contextmanager
    def writer_lock(self, *, blocking: bool = True) -> Iterator[bool]:
        """Cross-process mutual exclusion for writers (an flock on a file beside the index);
        yields False when ``blocking`` is off and another process holds it."""
        if self.directory is None:
            got = self._thread_lock.acquire(blocking=blocking)
            try:
                yield got
            finally:
                if got:
                    self._thread_lock.release()
            return
        Path(self.directory).mkdir(parents=True, exist_ok=True)
        with open(Path(self.directory) / "writer.lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def apply(
        self,
        updates: Iterable[SearchDocument],
        *,
        delete_ids: Iterable[str] = (),
        delete_threads: Iterable[int] = (),
        index: FileIndex | None = None,
    ) -> int:
        """Write changes in one commit (the caller holds writer_lock); returns documents added."""
        ix = index or self.open()
        # update_document replaces only *committed* documents, so a document named twice in
        # one batch (a new thread and its first answer, queued together) would be added twice.
        latest = {doc.doc_id: doc for doc in updates}
        writer: IndexWriter = ix.writer(timeout=30.0)
        added = 0
        try:
            for thread_id in delete_threads:
                writer.delete_by_term("thread_id", thread_id)
            for doc_id in delete_ids:
                writer.delete_by_term("doc_id", doc_id)
            for doc in latest.values():
                writer.update_document(**_fields(doc))
                added += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return added

    def rebuild(self, documents: Iterable[SearchDocument]) -> int:
        """Build a complete new index beside the live one and swap it in (the caller holds
        writer_lock, so no change is applied to the old one meanwhile)."""
        if self.directory is None:
            fresh = self._ram()
            count = self._bulk(fresh, documents)
            self._ram_index = fresh
            self.close()
            return count
        folder = self._new_folder()
        try:
            count = self._bulk(self._create_in(folder), documents)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        self._point_to(folder)
        # The replaced folder, and any left by an older schema version or by a rebuild that
        # was killed: readers in other processes may still hold files open, which on POSIX is
        # fine (they reopen the new folder on their next search).
        for stale in Path(self.directory).glob("v*-*"):
            if stale.is_dir() and stale != folder:
                shutil.rmtree(stale, ignore_errors=True)
        return count

    def _bulk(self, ix: FileIndex, documents: Iterable[SearchDocument]) -> int:
        # One segment per REBUILD_SEGMENT_DOCS documents: each is sorted in memory, where a
        # single writer for everything spills its postings to sorted runs on disk (pickled
        # one by one) and merges them back, which took a third of a 100,000-document rebuild.
        # The segments are left as they are (merging them would cost as much again); whoosh's
        # merge policy only ever merges the small segments that later changes add.
        pending = iter(documents)
        if self.directory is not None and REBUILD_PROCESSES > 1:
            first = list(itertools.islice(pending, 2 * REBUILD_SEGMENT_DOCS))
            if len(first) > REBUILD_SEGMENT_DOCS:  # more than one segment: in parallel
                return _bulk_parallel(ix, itertools.chain(first, pending))
            pending = iter(first)
        count = 0
        while True:
            writer = ix.writer(limitmb=REBUILD_LIMIT_MB, codec=_BulkCodec())
            writer.pool.cleanup()
            writer.pool = _MemoryPool()
            added = 0
            try:
                for doc in itertools.islice(pending, REBUILD_SEGMENT_DOCS):
                    writer.add_document(**_fields(doc))
                    added += 1
            except BaseException:
                writer.cancel()
                raise
            if not added and count:
                writer.cancel()
                return count
            writer.commit(merge=False)
            count += added
            if added < REBUILD_SEGMENT_DOCS:
                return count

    # --- reading -------------------------------------------------------------------------------
    def searcher(self) -> Any:
        """This thread's long-lived searcher, refreshed when the index changed."""
        ix = self.open()
        current = getattr(self._local, "searcher", None)
        stale = current is None or getattr(self._local, "searcher_index", None) is not ix
        if current is not None and not stale and not current.up_to_date():
            stale = True
        if stale:
            # Not refresh(): it reuses segment readers and then misses new deletions in them
            # (seen with whoosh-reloaded 2.7.5). Without mmap a fresh searcher costs ~2 ms.
            if current is not None:
                current.close()
            current = ix.searcher(weighting=PriorBM25F(self._segments))
            self._local.searcher_index = ix
            self._local.searcher = current
            self._local.closer = _Closer(current)
        return current

    def warm(self, budget: float = WARM_SHARE) -> int:
        """Read what the first searches on new segments would otherwise read: every segment's
        values (lengths, priors, facets, dates), the facet table, the did-you-mean word list,
        and the posting lists of the terms found in the most documents, most frequent first,
        until ``budget`` of the posting cache is used. Only segments not warmed before are
        visited (the word list is rebuilt only when due), so calling this
        after every change costs little. For the background indexer (never in a request);
        returns the posting lists decoded."""
        searcher = self.searcher()
        try:
            leaves = [reader for reader, _base in searcher.reader().leaf_readers()]
            for reader in leaves:
                self._segments.get(reader)
            self._segments.facet_table(leaves)
            fresh = [r for r in leaves if self._segments.first_warming(r)]
            wanted: list[tuple[int, int, str, bytes]] = []
            for position, reader in enumerate(fresh):
                if reader.doc_count_all() < WARM_FROM_DOCS:
                    continue
                for fieldname in SCORED_FIELDS:
                    to_bytes = self.schema[fieldname].to_bytes
                    for text, info in reader.iter_field(fieldname):
                        frequency = info.doc_frequency()
                        if frequency >= WARM_FROM_DOCS_PER_TERM:
                            btext = text if isinstance(text, bytes) else to_bytes(text)
                            wanted.append((-frequency, position, fieldname, btext))
            wanted.sort()
            limit = budget * POSTINGS_CACHE_BYTES
            decoded = 0
            for _frequency, position, fieldname, btext in wanted:
                if self._segments.cached_bytes() >= limit:
                    break
                if not self._segments.has_postings(fresh[position], fieldname, btext):
                    self._segments.postings(fresh[position], fieldname, btext)
                    decoded += 1
            self._word_list()  # when the index changed (at most every WORDS_REFRESH_SECONDS)
            return decoded
        finally:
            self.close()

    def generation(self) -> tuple[str, int]:
        """Which version of the index this thread's searcher reads: the live folder and its
        commit generation (both change with every change applied and every rebuild)."""
        searcher = self.searcher()
        folder = getattr(self._local, "index", None) if self._ram_index is None else None
        generation = searcher.reader().generation()
        if generation is None:
            # Readers of an empty index have no generation: key on this very searcher (a
            # thread's searcher is replaced whenever the index changes).
            generation = -1 - abs(hash((id(searcher), searcher.doc_count_all())))
        return (str(folder[0]) if folder else "", int(generation))

    def doc_count(self) -> int:
        return int(self.searcher().doc_count())

    def parse(self, text: str) -> query.Query | None:
        cleaned = clean_query(text)
        if not cleaned:
            return None
        try:
            parsed = self.parser.parse(cleaned)
        except Exception:
            return None
        return None if parsed is query.NullQuery else parsed

    def search(
        self,
        text: str,
        *,
        filters: dict[str, str],
        sort: str,
        limit: int,
        offset: int,
        facets: bool = True,
        exclude: Sequence[str] = (),
    ) -> RawResults:
        """Ranked hits ``offset:offset+limit`` with facet counts over every match."""
        parsed = self.parse(text)
        if parsed is None:
            return RawResults([], 0, {})
        terms = [query.Term(name, value) for name, value in filters.items() if value != ""]
        if "solved" in filters:
            terms = [t for t in terms if t.fieldname != "solved"]
            terms.append(query.Term("solved", filters["solved"] == "true"))
        searcher = self.searcher()
        leaves = _plain_terms(parsed)
        if leaves is not None:
            allow = self._allowed(searcher, terms)
            restrict = self._docs_with(searcher, [("doc_id", d) for d in exclude])
            return self._run(
                searcher, leaves, allow=allow, restrict=restrict, sort=sort,
                limit=limit, offset=offset, facets=facets, stems=_body_stems(parsed),
            )  # fmt: skip
        ranked: Any
        if sort == "date":
            ranked = collectors.SortingCollector(
                sorting.FieldFacet("created", reverse=True), limit=offset + limit
            )
        else:
            # Every match must be visited (for the total and the facets): no block skipping,
            # and no matcher replacement, which drops the terms that can no longer reach the
            # top and so their documents from the count.
            ranked = collectors.TopCollector(offset + limit, usequality=False, replace=0)
        recorder = _Recorder(ranked)
        collector: Any = recorder
        if terms or exclude:
            mask = query.Or([query.Term("doc_id", d) for d in exclude]) if exclude else None
            collector = collectors.FilterCollector(
                recorder, allow=query.And(terms) if terms else None, restrict=mask
            )
        searcher.search_with_collector(parsed, collector)
        results = collector.results()
        stems = _body_stems(parsed)
        hits = [self._hit(hit, stems) for hit in results[offset : offset + limit]]
        counts = self._facet_counts(searcher, recorder.docnums) if facets else {}
        return RawResults(hits, len(recorder.docnums), counts)

    def _facet_counts(self, searcher: Any, docnums: Any) -> dict[str, dict[str, int]]:
        """Facet counts over these documents (an array or a sorted list of top-level
        document numbers)."""
        table = self._facet_table(searcher)
        docs = np.asarray(docnums, dtype=np.int64)
        counted: dict[str, Counter[Any]] = {name: Counter() for name in FACETS}
        singles = self._segments.decode("single")
        per_code = np.bincount(table["facets"][docs])
        for code in np.flatnonzero(per_code).tolist():
            n = int(per_code[code])
            doc_type, category, solved = singles[code]
            counted["type"][doc_type] += n
            counted["category"][category] += n
            counted["solved"][solved] += n
        tag_sets = self._segments.decode("tags")
        per_code = np.bincount(table["tags"][docs])
        for code in np.flatnonzero(per_code).tolist():
            n = int(per_code[code])
            for tag in tag_sets[code]:
                counted["tags"][tag] += n
        return {
            name: {_facet_key(k): n for k, n in values.items() if k not in (None, "", b"")}
            for name, values in counted.items()
        }

    def _facet_table(self, searcher: Any) -> dict[str, Any]:
        """Facet values by top-level document number, for this searcher (its segments'
        values, end to end; shared by the searchers over the same segments)."""
        cached = getattr(self._local, "facet_table", None)
        if cached is not None and cached[0] is searcher:
            return cached[1]
        leaves = searcher.reader().leaf_readers()
        table = self._segments.facet_table([reader for reader, _offset in leaves])
        self._local.facet_table = (searcher, table)
        return table

    # --- the plain-words path ---------------------------------------------------------------
    # Nearly every query is a few words, which the parser turns into an OR of terms over
    # title, body and tags. Whoosh answers it through a tree of matchers that costs some
    # microseconds per matching document and term, and a common word matches a fifth of the
    # forum. Here each term's decoded posting list is scored in one vectorized pass (NumPy)
    # with whoosh's own BM25F formula and statistics, so the cost per matching document is a
    # few nanoseconds; the total, the facet counts and the top of the ranking come from the
    # same arrays. Anything else (a quoted phrase) goes through whoosh's own matchers.

    def _run(
        self, searcher: Any, leaves: list[tuple[str, str, float]], *,
        allow: Mask | None, restrict: Docs | None, sort: str, limit: int,
        offset: int, facets: bool, stems: frozenset[str] | None,
    ) -> RawResults:  # fmt: skip
        """``stems`` None: hits without snippets."""
        scores, hit = self._scores(searcher, leaves, allow)
        if restrict is not None and len(restrict):
            hit[restrict] = False
        matched = np.flatnonzero(hit)
        if sort == "date":
            keys = self._facet_table(searcher)["created"][matched]
        else:
            keys = scores[matched]
        top = _top(matched, keys, offset + limit)
        hits = [
            self._hit_from(searcher.stored_fields(d), float(scores[d]), stems)
            for d in top[offset : offset + limit]
        ]
        counts = self._facet_counts(searcher, matched) if facets else {}
        return RawResults(hits, len(matched), counts)

    def _scores(
        self, searcher: Any, leaves: list[tuple[str, str, float]], only: Mask | None = None
    ) -> tuple[npt.NDArray[np.float64], Mask]:
        """BM25F (whoosh's formula and statistics) summed over the terms, times the prior, by
        top-level document number; and which live documents hold at least one of the terms
        (and are in ``only``, when given: the statistics still count every document, so the
        scores are the same, but documents a filter drops cost no arithmetic). The arithmetic
        is done in the same order, in double precision, as whoosh's scorer does it."""
        weighting = searcher.weighting
        k1 = weighting.K1
        segments = [
            (reader, base, self._segments.get(reader))
            for reader, base in searcher.reader().leaf_readers()
            if reader.doc_count_all()
        ]
        documents = searcher.doc_count_all()
        per_leaf = []
        for fieldname, text, boost in leaves:
            btext = self.schema[fieldname].to_bytes(text)
            found = [
                self._segments.postings(reader, fieldname, btext) for reader, _b, _v in segments
            ]
            # Whoosh's idf (scoring.WeightingModel.idf): the document frequency counts
            # deleted documents, as the lists do.
            frequency = sum(len(ids) for lists in found for ids, _w in lists)
            if frequency:
                idf = math.log(documents / (frequency + 1)) + 1
                per_leaf.append((fieldname, boost * idf * (k1 + 1), found))
        scores = np.zeros(documents, dtype=np.float64)
        hit = np.zeros(documents, dtype=np.bool_)
        for position, (reader, base, values) in enumerate(segments):
            size = reader.doc_count_all()
            segment_scores, segment_hit = scores[base : base + size], hit[base : base + size]
            wanted = only[base : base + size] if only is not None else None
            for fieldname, top, found in per_leaf:
                lists = found[position]
                if not lists:
                    continue
                b = weighting._field_B.get(fieldname, weighting.B)
                avgfl = searcher.avg_field_length(fieldname) or 1
                fixed, per_length = k1 * (1 - b), k1 * b / avgfl
                lengths = values.length_arrays[fieldname]
                priors = values.prior_array
                for ids, weights in lists:
                    if wanted is not None:
                        keep = wanted[ids]
                        ids, weights = ids[keep], weights[keep]
                    w = weights.astype(np.float64)
                    # A posting list holds each document once, so += adds every posting.
                    segment_scores[ids] += (
                        top * w / (w + fixed + per_length * lengths[ids]) * priors[ids]
                    )
                    segment_hit[ids] = True
            deleted = _deleted(reader)
            if len(deleted):
                segment_scores[deleted] = 0.0
                segment_hit[deleted] = False
        return scores, hit

    def _docs_with(self, searcher: Any, pairs: Sequence[tuple[str, Any]]) -> Docs:
        """Live documents holding any of these (field, value) terms."""
        found: list[Docs] = []
        for fieldname, value in pairs:
            btext = self.schema[fieldname].to_bytes(value)
            for reader, base in searcher.reader().leaf_readers():
                deleted = _deleted(reader)
                for ids, _weights in self._segments.postings(reader, fieldname, btext):
                    live = ids[~np.isin(ids, deleted)] if len(deleted) else ids
                    found.append(live.astype(np.int64) + base)
        return np.unique(_joined(found))

    def _allowed(self, searcher: Any, terms: list[query.Term]) -> Mask | None:
        """Documents that pass every filter term (None: no filter)."""
        if not terms:
            return None
        allowed: Mask | None = None
        for term in terms:
            docs = self._cached_mask(searcher, [(term.fieldname, term.text)])
            allowed = docs if allowed is None else allowed & docs
        return allowed

    def _cached_mask(self, searcher: Any, pairs: Sequence[tuple[str, Any]]) -> Mask:
        """``_docs_with`` as a mask over the searcher's documents, remembered for this
        thread's searcher, since the same few filters recur (do not modify it)."""
        cached = getattr(self._local, "filter_sets", None)
        if cached is None or cached[0] is not searcher:
            cached = self._local.filter_sets = (searcher, {})
        masks: dict[tuple[tuple[str, Any], ...], Mask] = cached[1]
        key = tuple(pairs)
        mask = masks.get(key)
        if mask is None:
            mask = np.zeros(searcher.doc_count_all(), dtype=np.bool_)
            mask[self._docs_with(searcher, pairs)] = True
            masks[key] = mask
        return mask

    def _hit(self, hit: Any, stems: frozenset[str]) -> Hit:
        return self._hit_from(hit.fields(), float(hit.score or 0.0), stems)

    def _hit_from(self, stored: dict[str, Any], score: float, stems: frozenset[str] | None) -> Hit:
        body = stored.get("body", "")
        snippet = "" if stems is None else self._snippet(body, stems) or _escape(body[:240])
        created = stored.get("created")
        return Hit(
            doc_id=stored["doc_id"],
            type=stored["type"],
            object_id=int(stored["object_id"]),
            thread_id=int(stored["thread_id"]) if stored.get("thread_id") is not None else None,
            title=stored.get("title", ""),
            url=stored.get("url", ""),
            snippet_html=snippet,
            score=score,
            category=stored.get("category", ""),
            category_name=stored.get("category_name", ""),
            kind=stored.get("kind", ""),
            solved=bool(stored.get("solved")),
            accepted=bool(stored.get("accepted")),
            tags=[t for t in stored.get("tags", "").split(",") if t],
            author=stored.get("author", ""),
            created_at=created,
        )

    # --- snippets ------------------------------------------------------------------------------
    def _stem(self, word: str) -> str:
        found = self._stems.get(word)
        if found is None:
            if len(self._stems) > 50_000:
                self._stems.clear()
            tokens = [t.text for t in self.schema["body"].analyzer(word)]
            found = self._stems[word] = tokens[0] if tokens else ""
        return found

    def _snippet(self, text: str, stems: frozenset[str]) -> str:
        """Up to two fragments of ``text`` around the words that match ``stems`` (a query's
        stemmed words), with those words in <mark> and the rest HTML-escaped.

        Whoosh's highlighter analyzes the whole text of every hit (a third of the query time
        on long articles); here a regular expression finds the few words that could match (a
        stem is a prefix of its word, bar the last letter) and only those are stemmed."""
        if not text or not stems:
            return ""
        prefixes = sorted({s[:-1] if len(s) > 3 else s for s in stems}, key=len, reverse=True)
        pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, prefixes)) + r")\w*", re.IGNORECASE)
        spans: list[tuple[int, int, str]] = []
        for candidate in itertools.islice(pattern.finditer(text), 500):
            stem = self._stem(candidate.group().lower())
            if stem in stems:
                spans.append((candidate.start(), candidate.end(), stem))
        if not spans:
            return ""
        fragments: list[tuple[int, int, list[tuple[int, int, str]]]] = []
        i = 0
        while i < len(spans):
            start = max(0, spans[i][0] - SNIPPET_CONTEXT)
            j = i
            while j + 1 < len(spans) and spans[j + 1][1] <= start + SNIPPET_CHARS:
                j += 1
            end = min(len(text), start + SNIPPET_CHARS, max(spans[j][1] + SNIPPET_CONTEXT, 0))
            end = max(end, spans[j][1])
            fragments.append((start, end, spans[i : j + 1]))
            i = j + 1
        best = sorted(fragments, key=lambda f: (-len({s for _, _, s in f[2]}), -len(f[2]), f[0]))[
            :SNIPPET_FRAGMENTS
        ]
        return " … ".join(_render(text, *fragment) for fragment in sorted(best))

    def more_like(
        self,
        text: str,
        *,
        limit: int,
        types: Sequence[str] = (),
        exclude_thread: int | None = None,
        snippets: bool = True,
    ) -> list[Hit]:
        """Documents like a piece of text (a draft title, a thread): an any-word query with
        the title weighted up; without snippets (empty) when they are not shown."""
        words = [w for w in re.findall(r"\w+", text.lower()) if len(w) > 2][:QUERY_MAX_TERMS]
        if not words:
            return []
        analyzer = self.schema["title"].analyzer
        stems = {token.text for token in analyzer(" ".join(words))}
        searcher = self.searcher()
        # On a large forum, words in a tenth of all documents ("help", "problem") say little
        # about likeness but cost the most to score: leave them out, unless nothing is left.
        size = searcher.doc_count_all()
        rare = set()
        if size >= SIMILAR_PRUNE_FROM:
            frequencies = {s: self._frequency(searcher, "body", s) for s in stems}
            rare = {s for s, n in frequencies.items() if 0 < n <= SIMILAR_COMMON_SHARE * size}
        leaves = [
            (fieldname, stem, boost)
            for stem in sorted(rare or stems)
            for fieldname, boost in (("title", 2.0), ("body", 1.0))
        ]
        if not leaves:
            return []
        allow = self._cached_mask(searcher, [("type", t) for t in types]) if types else None
        restrict = (
            self._docs_with(searcher, [("thread_id", exclude_thread)])
            if exclude_thread is not None
            else None
        )
        found = self._run(
            searcher, leaves, allow=allow, restrict=restrict, sort="relevance", limit=limit,
            offset=0, facets=False, stems=frozenset(stems) if snippets else None,
        )  # fmt: skip
        return found.hits

    def _frequency(self, searcher: Any, fieldname: str, text: str) -> int:
        """A term's document frequency, deleted documents included (as whoosh's), from the
        decoded posting lists: whoosh looks the term up in every segment's dictionary."""
        btext = self.schema[fieldname].to_bytes(text)
        return sum(
            len(ids)
            for reader, _base in searcher.reader().leaf_readers()
            for ids, _weights in self._segments.postings(reader, fieldname, btext)
        )

    # --- did you mean ------------------------------------------------------------------------
    def _word_list(self) -> tuple[dict[str, int], ListCorrector]:
        """Words that occur in at least two documents, with their document frequency; rebuilt
        at most every WORDS_REFRESH_SECONDS when the index changed. Rare words (typos, names)
        are left out, so a suggestion never comes from a single document.

        One thread builds it at a time; the others keep using the previous list meanwhile
        (they wait only when there is none yet). The background indexer rebuilds it after a
        change (``warm``), so requests rarely do."""
        searcher = self.searcher()
        leaves = [reader for reader, _base in searcher.reader().leaf_readers()]
        generation = tuple(_segment_key(reader) or id(reader) for reader in leaves)
        found = self._words
        if found is not None and (
            found[0] == generation or time.monotonic() - self._words_checked < WORDS_REFRESH_SECONDS
        ):
            return found[1], found[2]
        if not self._words_lock.acquire(blocking=found is None):
            assert found is not None
            return found[1], found[2]
        try:
            if self._words is not found and self._words is not None:
                return self._words[1], self._words[2]  # built by another thread meanwhile
            counts = Counter(self._stable_words(leaves))
            for reader in leaves:
                if reader.doc_count_all() < WARM_FROM_DOCS:
                    counts.update(_segment_words(reader))
            frequencies = {word: n for word, n in counts.items() if n >= 2}
            corrector = _WordCorrector(sorted(frequencies))
            self._words = (generation, frequencies, corrector)
            self._words_checked = time.monotonic()
            return frequencies, corrector
        finally:
            self._words_lock.release()

    def _stable_words(self, leaves: Sequence[Any]) -> Counter[str]:
        """Word frequencies summed over the large segments, which only a rebuild replaces
        (kept while they are the same segments). Read segment by segment: whoosh's merged
        term iterator over all segments took 40 s on 100,000 documents."""
        large = [reader for reader in leaves if reader.doc_count_all() >= WARM_FROM_DOCS]
        key = tuple(_segment_key(reader) for reader in large)
        found = self._large_words
        if found is not None and found[0] == key and None not in key:
            return found[1]
        counts: Counter[str] = Counter()
        for reader in large:
            counts.update(_segment_words(reader))
        self._large_words = (key, counts)
        return counts

    def suggest(self, text: str) -> str | None:
        """A corrected query when some of its words are unknown and a close, commoner word
        exists; None otherwise."""
        frequencies, corrector = self._word_list()
        words = clean_query(text).lower().split()
        changed = False
        out: list[str] = []
        for word in words:
            if len(word) < 4 or word in frequencies or not word.isalpha():
                out.append(word)
                continue
            candidates = corrector.suggest(word, limit=10, maxdist=2, prefix=1)
            if not candidates:
                out.append(word)
                continue
            best = max(candidates, key=lambda c: (-_distance(word, c), frequencies.get(c, 0)))
            out.append(best)
            changed = True
        return " ".join(out) if changed else None


# --- rebuilding on every core ------------------------------------------------------------------
# Writing a segment is pure Python (analysis, then sorting and compressing postings), so a
# rebuild used one core. Segments are independent: worker processes each write whole
# segments into the new index folder while this process reads the database, and the
# segments are then committed in document order, as one writer would have numbered them.


def _bulk_parallel(ix: FileIndex, documents: Iterable[SearchDocument]) -> int:
    """Writes the documents as segments of REBUILD_SEGMENT_DOCS in REBUILD_PROCESSES worker
    processes and commits them; returns the number of documents."""
    folder = ix.storage.folder
    context = multiprocessing.get_context("spawn")  # no fork: this process may run threads
    pending = iter(documents)
    segments: list[Any] = []
    running: collections.deque[concurrent.futures.Future[Any]] = collections.deque()
    count = 0
    with concurrent.futures.ProcessPoolExecutor(REBUILD_PROCESSES, mp_context=context) as pool:
        try:
            while chunk := list(itertools.islice(pending, REBUILD_SEGMENT_DOCS)):
                running.append(pool.submit(_write_segment, folder, [_fields(d) for d in chunk]))
                count += len(chunk)
                while len(running) > REBUILD_PROCESSES:  # at most one chunk waiting per worker
                    segments.append(running.popleft().result())
            segments.extend(future.result() for future in running)
        except BaseException:
            for future in running:
                future.cancel()
            raise
    writer = ix.writer()
    writer.segments = [*writer.segments, *segments]
    writer.commit(merge=False)
    return count


def _write_segment(folder: str, documents: list[dict[str, Any]]) -> Any:
    """In a worker process: one segment of these documents' fields in the index in
    ``folder`` (not committed: the parent adds it to the index's list of segments)."""
    # The pool holds millions of small tuples that the cyclic garbage collector would walk
    # again and again (a quarter of the time); this process does nothing else meanwhile.
    gc.disable()
    try:
        ix = FileStorage(folder, supports_mmap=False).open_index(INDEX_NAME)
        writer = SegmentWriter(ix, _lk=False, limitmb=REBUILD_LIMIT_MB, codec=_BulkCodec())
        writer.pool.cleanup()
        writer.pool = _MemoryPool()
        for fields_ in documents:
            writer.add_document(**fields_)
        return writer._finalize_segment()
    finally:
        gc.enable()


def _segment_words(reader: Any) -> dict[str, int]:
    """A segment's did-you-mean words and their document frequencies."""
    return {
        text.decode() if isinstance(text, bytes) else text: info.doc_frequency()
        for text, info in reader.iter_field("words")
    }


class _WordCorrector(ListCorrector):
    """whoosh's ListCorrector with a working word lookup: its own Skipper (whoosh-reloaded
    2.7.5) skips a word after every miss, so it never suggested the only or first word of the
    list, and raised IndexError on an empty list."""

    class Skipper:
        def __init__(self, data: list[str]) -> None:
            self.data = data

        def __call__(self, word: str) -> str | None:
            position = bisect.bisect_left(self.data, word)
            return self.data[position] if position < len(self.data) else None


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _facet_key(key: Any) -> str:
    if isinstance(key, bytes):
        key = key.decode()
    if isinstance(key, bool) or key in ("t", "f"):
        return "true" if key in (True, "t") else "false"
    return str(key)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain_terms(parsed: query.Query) -> list[tuple[str, str, float]] | None:
    """The (field, text, boost) terms of a query that is only ORs of terms over the scored
    fields, or None for anything else."""
    leaves: list[tuple[str, str, float]] = []

    def walk(node: query.Query, boost: float) -> bool:
        if type(node) is query.Term and node.fieldname in SCORED_FIELDS:
            leaves.append((node.fieldname, node.text, boost * node.boost))
            return True
        if type(node) is query.Or and not getattr(node, "scale", None):
            return all(walk(child, boost * node.boost) for child in node.subqueries)
        return False

    return leaves if walk(parsed, 1.0) else None


def _top(docs: Docs, keys: npt.NDArray[Any], n: int) -> list[int]:
    """The ``n`` documents with the largest keys, largest first, equal keys in document order
    (as whoosh ranks them). ``docs`` is sorted; only the documents at or above the n-th
    largest key are sorted."""
    if n <= 0 or not len(docs):
        return []
    if len(docs) > n:
        nth = np.partition(keys, len(keys) - n)[len(keys) - n]
        chosen = keys >= nth
        docs, keys = docs[chosen], keys[chosen]
    # Ascending by key, then by descending document number; reversed: the order wanted.
    order = np.lexsort((-docs, keys))[::-1]
    return [int(d) for d in docs[order[:n]]]


def _joined(parts: Sequence[npt.NDArray[Any]]) -> npt.NDArray[Any]:
    """Arrays end to end (an empty int64 array for none)."""
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _deleted(reader: Any) -> npt.NDArray[np.int64]:
    """A segment's deleted document numbers (kept on the reader: a new reader sees new
    deletions)."""
    found = getattr(reader, "_forum_kb_deleted", None)
    if found is None:
        deleted = getattr(reader, "deleted_docs_set", ())
        found = np.array(sorted(deleted), dtype=np.int64)
        with contextlib.suppress(AttributeError):
            reader._forum_kb_deleted = found
    return found


def _raw_matcher(reader: Any, fieldname: str, btext: bytes) -> Any:
    """A term's posting reader in a segment, without whoosh's wrapper that hides deleted
    documents (callers drop them); raises TermNotFound."""
    terms = getattr(reader, "_terms", None)
    if terms is None or not hasattr(terms, "matcher"):
        return reader.postings(fieldname, btext)
    try:
        return terms.matcher(fieldname, btext, reader.schema[fieldname].format)
    except KeyError as error:
        raise TermNotFound(f"{fieldname}:{btext!r}") from error


def _posting_blocks(matcher: Any) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """A posting list's document numbers and weights, a block at a time. Deleted documents
    are included: callers drop them. (Reads whoosh's on-disk blocks directly, undoing the
    delta encoding of the ids in C; any other matcher is walked posting by posting.)"""
    matcher = getattr(matcher, "child", matcher)  # FilterMatcher hiding deleted documents
    if hasattr(matcher, "_read_data") and hasattr(matcher, "_next_block"):
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            ids, weights = matcher._data[0], matcher._data[1]
            if not matcher._byteids:
                ids = array("I", itertools.accumulate(ids))
            if weights is None or isinstance(weights, float):
                weights = array("f", [1.0 if weights is None else weights]) * len(ids)
            yield ids, weights
            matcher._next_block()
        return
    ids_list: list[int] = []
    weights_list: list[float] = []
    while matcher.is_active():
        ids_list.append(matcher.id())
        weights_list.append(matcher.weight())
        matcher.next()
    yield ids_list, weights_list


def _body_stems(parsed: query.Query) -> frozenset[str]:
    return frozenset(
        text.decode() if isinstance(text, bytes) else str(text)
        for fieldname, text in parsed.iter_all_terms()
        if fieldname == "body"
    )


def _render(text: str, start: int, end: int, spans: list[tuple[int, int, str]]) -> str:
    """``text[start:end]`` escaped, with the spans in <mark>; cut at word boundaries."""
    if start > 0 and text[start - 1].isalnum():
        while start < spans[0][0] and text[start].isalnum():
            start += 1
    while start < spans[0][0] and not text[start].isalnum():
        start += 1
    if end < len(text) and text[end].isalnum():
        while end > spans[-1][1] and text[end - 1].isalnum():
            end -= 1
    out: list[str] = []
    position = start
    for span_start, span_end, _stem in spans:
        out.append(_escape(text[position:span_start]))
        out.append(f"<mark>{_escape(text[span_start:span_end])}</mark>")
        position = span_end
    out.append(_escape(text[position:end]))
    return "".join(out).strip()
