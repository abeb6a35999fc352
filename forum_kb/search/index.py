"""The Whoosh wrapper: the only module that imports whoosh (STYLE 4.8).

Why whoosh-reloaded 2.7.5 and not whoosh 2.7.4: it is the maintained fork with the same
``whoosh`` import name, and 2.7.4 emits SyntaxWarnings on Python 3.12+ (invalid escape
sequences) that fail a warnings-as-errors test run.

Layout on disk: ``<SEARCH_INDEX_DIR>/CURRENT`` names the live index folder
(``v<SCHEMA_VERSION>-<stamp>``). A rebuild writes a new folder beside it and swaps CURRENT, so
search never goes offline and a schema change simply builds into a fresh folder. Readers
notice the swap and reopen. ``SEARCH_INDEX_DIR = None`` keeps the index in memory (tests).
"""

from __future__ import annotations

import bisect
import contextlib
import fcntl
import math
import os
import re
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import fields, highlight, qparser, query, scoring, sorting
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.index import FileIndex
from whoosh.spelling import ListCorrector
from whoosh.writing import IndexWriter

#: Part of the index folder's name: changing the schema means building a fresh folder.
SCHEMA_VERSION = 1
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


def make_schema() -> fields.Schema:
    stem = StemmingAnalyzer()
    return fields.Schema(
        doc_id=fields.ID(unique=True, stored=True),
        type=fields.ID(stored=True),
        object_id=fields.NUMERIC(stored=True),
        thread_id=fields.NUMERIC(stored=True),
        title=fields.TEXT(analyzer=stem, stored=True, field_boost=3.0),
        body=fields.TEXT(analyzer=stem, stored=True),
        tags=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        # Unstemmed words, for "did you mean"; never queried.
        words=fields.TEXT(analyzer=StandardAnalyzer(minsize=3)),
        category=fields.ID(stored=True),
        category_name=fields.STORED(),
        kind=fields.ID(stored=True),
        solved=fields.BOOLEAN(stored=True),
        accepted=fields.BOOLEAN(stored=True),
        score=fields.NUMERIC(stored=True, sortable=True, signed=True),
        created=fields.DATETIME(stored=True, sortable=True),
        updated=fields.DATETIME(stored=True, sortable=True),
        url=fields.STORED(),
        author=fields.STORED(),
        # The static prior in thousandths (an integer column: cheap to read while scoring).
        prior=fields.NUMERIC(int, bits=32, sortable=True),
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


class PriorBM25F(scoring.BM25F):
    """BM25F times each document's static prior (read from a column, not stored fields)."""

    use_final = True

    def __init__(self) -> None:
        super().__init__(B=0.75, K1=1.2)
        self._columns: dict[int, Any] = {}

    def final(self, searcher: Any, docnum: int, score: float) -> float:
        key = id(searcher)
        reader = self._columns.get(key)
        if reader is None:
            self._columns.clear()  # one live searcher per weighting object
            reader = self._columns[key] = searcher.reader().column_reader("prior")
        prior = reader[docnum] or 1000
        return float(score * prior / 1000)


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


class _MarkFormatter(highlight.HtmlFormatter):
    """Matched words in <mark>; the rest of the text is HTML-escaped by whoosh."""

    def __init__(self) -> None:
        super().__init__(tagname="mark", between=" … ")

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        ttext = token.text if replace else text[token.startchar : token.endchar]
        return f"<mark>{self._text(ttext)}</mark>"


FACETS = ("type", "category", "tags", "solved")


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
        self._words: tuple[int, dict[str, int], ListCorrector] | None = None
        self._words_checked = 0.0
        if directory is None:
            self._ram_index = self._ram()
        else:
            Path(directory).mkdir(parents=True, exist_ok=True)
            if self._current_folder() is None:
                folder = self._new_folder()
                self._create_in(folder)
                self._point_to(folder)

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
        folder = self._current_folder()
        if folder is None:
            folder = self._new_folder()
            self._create_in(folder)
            self._point_to(folder)
        cached = getattr(self._local, "index", None)
        if cached is not None and cached[0] == folder:
            return cached[1]
        index = FileStorage(str(folder), supports_mmap=False).open_index(INDEX_NAME)
        self._local.index = (folder, index)
        self._local.searcher = None
        return index

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
            self._local.searcher = None
            return count
        old = self._current_folder()
        folder = self._new_folder()
        try:
            count = self._bulk(self._create_in(folder), documents)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        self._point_to(folder)
        if old is not None:
            # Readers in other processes may still hold files open; on POSIX that is fine.
            shutil.rmtree(old, ignore_errors=True)
        return count

    def _bulk(self, ix: FileIndex, documents: Iterable[SearchDocument]) -> int:
        writer = ix.writer(procs=1, limitmb=256)
        count = 0
        try:
            for doc in documents:
                writer.add_document(**_fields(doc))
                count += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit(optimize=True)
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
            current = ix.searcher(weighting=PriorBM25F())
            self._local.searcher_index = ix
            self._local.searcher = current
            self._local.closer = _Closer(current)
        return current

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
        kwargs: dict[str, Any] = {"limit": offset + limit, "terms": True}
        if terms:
            kwargs["filter"] = query.And(terms)
        if exclude:
            kwargs["mask"] = query.Or([query.Term("doc_id", d) for d in exclude])
        if facets:
            kwargs["groupedby"] = {
                name: sorting.FieldFacet(name, allow_overlap=name == "tags") for name in FACETS
            }
            kwargs["maptype"] = sorting.Count
        if sort == "date":
            kwargs["sortedby"] = sorting.FieldFacet("created", reverse=True)
        results = searcher.search(parsed, **kwargs)
        results.fragmenter = highlight.ContextFragmenter(maxchars=200, surround=60)
        results.formatter = _MarkFormatter()
        hits = [self._hit(hit) for hit in results[offset : offset + limit]]
        counts: dict[str, dict[str, int]] = {}
        if facets:
            for name in FACETS:
                counts[name] = {
                    _facet_key(key): int(n)
                    for key, n in results.groups(name).items()
                    if key not in (None, "", b"")
                }
        return RawResults(hits, len(results), counts)

    def _hit(self, hit: Any) -> Hit:
        stored = hit.fields()
        snippet = hit.highlights("body", text=stored.get("body", ""), top=2) or ""
        if not snippet:
            snippet = _escape(stored.get("body", "")[:240])
        created = stored.get("created")
        return Hit(
            doc_id=stored["doc_id"],
            type=stored["type"],
            object_id=int(stored["object_id"]),
            thread_id=int(stored["thread_id"]) if stored.get("thread_id") is not None else None,
            title=stored.get("title", ""),
            url=stored.get("url", ""),
            snippet_html=snippet,
            score=float(hit.score or 0.0),
            category=stored.get("category", ""),
            category_name=stored.get("category_name", ""),
            kind=stored.get("kind", ""),
            solved=bool(stored.get("solved")),
            accepted=bool(stored.get("accepted")),
            tags=[t for t in stored.get("tags", "").split(",") if t],
            author=stored.get("author", ""),
            created_at=created,
        )

    def more_like(
        self,
        text: str,
        *,
        limit: int,
        types: Sequence[str] = (),
        exclude_thread: int | None = None,
    ) -> list[Hit]:
        """Documents like a piece of text (a draft title, a thread): an any-word query with
        the title weighted up."""
        words = [w for w in re.findall(r"\w+", text.lower()) if len(w) > 2][:QUERY_MAX_TERMS]
        if not words:
            return []
        analyzer = self.schema["title"].analyzer
        stems = {token.text for token in analyzer(" ".join(words))}
        terms: list[query.Query] = []
        for stem in sorted(stems):
            terms.append(query.Term("title", stem, boost=2.0))
            terms.append(query.Term("body", stem))
        if not terms:
            return []
        kwargs: dict[str, Any] = {"limit": limit}
        if types:
            kwargs["filter"] = query.Or([query.Term("type", t) for t in types])
        if exclude_thread is not None:
            kwargs["mask"] = query.Term("thread_id", exclude_thread)
        results = self.searcher().search(query.Or(terms), **kwargs)
        results.formatter = _MarkFormatter()
        return [self._hit(hit) for hit in results]

    # --- did you mean ------------------------------------------------------------------------
    def _word_list(self) -> tuple[dict[str, int], ListCorrector]:
        """Words that occur in at least two documents, with their document frequency; rebuilt
        at most every few seconds when the index changed. Rare words (typos, names) are left
        out, so a suggestion never comes from a single document."""
        now = time.monotonic()
        searcher = self.searcher()
        generation = id(searcher.reader())
        if self._words is not None and (
            self._words[0] == generation or now - self._words_checked < 30
        ):
            return self._words[1], self._words[2]
        reader = searcher.reader()
        frequencies = {
            text.decode() if isinstance(text, bytes) else text: info.doc_frequency()
            for text, info in reader.iter_field("words")
            if info.doc_frequency() >= 2
        }
        corrector = _WordCorrector(sorted(frequencies))
        self._words = (generation, frequencies, corrector)
        self._words_checked = now
        return frequencies, corrector

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
