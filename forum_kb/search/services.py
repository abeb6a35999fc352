"""Search use cases: queue changes for indexing, drain the queue into the index, rebuild,
search with visibility re-checked against the database, similar and related content, and
the search log.

Features push to search (STYLE 4.1): community and kb register *sources* that turn object
ids into documents and say which ids are still public; search imports neither of them.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, has_request_context
from sqlalchemy import delete, select

from forum_kb.db import after_commit, no_durability_wait, unit_of_work, utcnow
from forum_kb.extensions import db
from forum_kb.search.index import Hit as Hit
from forum_kb.search.index import RawResults, SearchDocument, SearchIndex
from forum_kb.search.models import OutboxEntry, SearchLog

log = logging.getLogger(__name__)

EXTENSION_KEY = "forum_kb.search"
TYPES = ("thread", "post", "article")
SORTS = ("relevance", "date")
MAX_PER_PAGE = 50
#: A thread started this soon after a search counts as "searched, then asked".
FOLLOW_UP_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class Source:
    """How a feature feeds the index.

    ``load(ids)`` returns the documents of those objects that are public now; every document
    previously indexed for them is replaced (by ``thread_id`` when ``by_thread``, else by
    ``doc_id`` ``<name>:<id>``). ``iter_all()`` yields every public document (rebuilds).
    ``visible(doc_type, ids)`` says which of the ids are still public (hits are re-checked).
    """

    name: str
    types: tuple[str, ...]
    load: Callable[[Sequence[int]], list[SearchDocument]]
    iter_all: Callable[[], Iterable[SearchDocument]]
    visible: Callable[[str, Sequence[int]], set[int]]
    by_thread: bool = False


#: How long (seconds) a thread's related threads and articles are reused, and for how many
#: threads at most per process. Entries are also keyed by the index version, so any change
#: applied to the index starts afresh; visibility is re-checked on every request.
RELATED_CACHE_SECONDS = 300.0
RELATED_CACHE_SIZE = 2048


class _RelatedCache:
    """A small thread-safe LRU of ``more_like`` hits with a time limit per entry."""

    def __init__(self, size: int, seconds: float) -> None:
        self.size, self.seconds = size, seconds
        self._entries: OrderedDict[Hashable, tuple[float, list[Hit]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> list[Hit] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if time.monotonic() - entry[0] > self.seconds:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: Hashable, hits: list[Hit]) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), hits)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


@dataclass
class _State:
    index: SearchIndex
    sources: dict[str, Source] = field(default_factory=dict)
    wake: threading.Event = field(default_factory=threading.Event)
    #: Set each time the background indexer has drained and warmed (benchmarks wait on it).
    warmed: threading.Event = field(default_factory=threading.Event)
    worker: threading.Thread | None = None
    related: _RelatedCache = field(
        default_factory=lambda: _RelatedCache(RELATED_CACHE_SIZE, RELATED_CACHE_SECONDS)
    )


def init_app(app: Flask) -> None:
    directory = app.config.get("SEARCH_INDEX_DIR")
    if directory == "":
        directory = str(app.instance_path) + "/search-index"
    app.extensions[EXTENSION_KEY] = _State(SearchIndex(directory))


def _state() -> _State:
    state: _State = current_app.extensions[EXTENSION_KEY]
    return state


def search_index() -> SearchIndex:
    return _state().index


def register_source(app: Flask, source: Source) -> None:
    """Let a feature feed the index (call from its init_app)."""
    app.extensions[EXTENSION_KEY].sources[source.name] = source


# --- writing -----------------------------------------------------------------------------------


def index_later(source: str, object_id: int) -> None:
    """Queue an object for (re)indexing in the caller's transaction; it reaches the index
    shortly after the commit (and never if the transaction rolls back).

    Raises:
        RuntimeError: outside a unit of work.
    """
    db.session.add(OutboxEntry(source=source, object_id=object_id))
    after_commit(_kick)


def _kick() -> None:
    mode = current_app.config["SEARCH_INDEXER"]
    if mode == "inline":
        drain()
    elif mode == "thread" and has_request_context():
        # In a server process: wake (or start) this process's indexer. Commands run without
        # a request (flask demo load, imports) leave their changes queued for the server.
        _ensure_worker(current_app._get_current_object())  # type: ignore[attr-defined]
        _state().wake.set()


def drain(batch_size: int = 500, *, blocking: bool = True) -> int:
    """Apply queued changes to the index until the queue is empty; returns how many entries
    were applied. Only one process writes at a time (a lock file beside the index); with
    ``blocking`` off, returns 0 at once when another process is writing.

    When there is no index for this schema version yet (after an upgrade that changed the
    schema, on a fresh install, or when the folder was lost), the index is first rebuilt from
    the database, beside the empty stand-in, then swapped in: every process that drains
    (server indexer threads, ``flask search drain`` / ``indexer``) does this, and the writer
    lock lets only one of them. Searches answer from the stand-in (no results) meanwhile."""
    index = search_index()
    total = 0
    while True:
        with index.writer_lock(blocking=blocking) as got:
            if not got:
                return total
            if index.needs_rebuild():
                _rebuild_locked(index, reason="no index for this schema version")
            # (After a rebuild, the changes queued meanwhile: counted as applied.)
            while applied := _drain_batch(index, batch_size):
                total += applied
        # Re-check after releasing: an entry committed while we held the lock, by a process
        # that then found the lock taken, is ours to apply.
        if not _pending():
            return total


def _pending() -> bool:
    found = db.session.scalar(select(OutboxEntry.id).limit(1)) is not None
    db.session.commit()  # end the read transaction: the next read sees new commits
    return found


def _drain_batch(index: SearchIndex, batch_size: int) -> int:
    rows = db.session.execute(
        select(OutboxEntry.id, OutboxEntry.source, OutboxEntry.object_id)
        .order_by(OutboxEntry.id)
        .limit(batch_size)
    ).all()
    if not rows:
        db.session.commit()
        return 0
    sources = _state().sources
    by_source: dict[str, set[int]] = {}
    for _id, name, object_id in rows:
        by_source.setdefault(name, set()).add(object_id)
    updates: list[SearchDocument] = []
    delete_ids: list[str] = []
    delete_threads: list[int] = []
    for name, ids in by_source.items():
        source = sources.get(name)
        if source is None:
            log.warning("search outbox names an unknown source %r; skipped", name)
            continue
        ordered = sorted(ids)
        updates.extend(source.load(ordered))
        if source.by_thread:
            delete_threads.extend(ordered)
        else:
            delete_ids.extend(f"{name}:{i}" for i in ordered)
    index.apply(updates, delete_ids=delete_ids, delete_threads=delete_threads)
    with unit_of_work():
        db.session.execute(delete(OutboxEntry).where(OutboxEntry.id.in_([r[0] for r in rows])))
    return len(rows)


def reindex() -> int:
    """Rebuild the whole index from the database beside the live one, then swap it in;
    search keeps answering from the old index meanwhile. Returns the documents indexed."""
    index = search_index()
    with index.writer_lock():
        count = _rebuild_locked(index)
        # Changes queued during the build stay queued (the lock keeps other drainers out)
        # and are applied to the new index right after the swap.
        while _drain_batch(index, 500):
            pass
    return count


def _rebuild_locked(index: SearchIndex, *, reason: str = "") -> int:
    """Rebuild beside the live index and swap it in (the caller holds the writer lock and
    then applies what was queued meanwhile)."""
    started = time.monotonic()
    if reason:
        log.warning("search: %s; rebuilding the index from the database", reason)
    sources = list(_state().sources.values())
    # In an app context (so a database session) of its own: the sources expunge their objects
    # as they go, which must not detach the caller's (a drain runs after the caller's commit).
    with current_app.app_context():
        count = index.rebuild(itertools.chain.from_iterable(s.iter_all() for s in sources))
        db.session.commit()  # end the long read transaction
    if reason:
        log.warning(
            "search: rebuilt the index: %d documents in %.1f s", count, time.monotonic() - started
        )
    return count


# --- the background indexer --------------------------------------------------------------------

_worker_lock = threading.Lock()


def _ensure_worker(app: Flask) -> None:
    state: _State = app.extensions[EXTENSION_KEY]
    if state.worker is not None and state.worker.is_alive():
        return
    with _worker_lock:
        if state.worker is not None and state.worker.is_alive():
            return
        state.worker = threading.Thread(
            target=_run_worker, args=(app,), name="forum-kb-indexer", daemon=True
        )
        state.worker.start()


def _run_worker(app: Flask) -> None:
    """Drain the outbox whenever this process commits a change, and every poll interval
    (changes made by other processes); the lock file lets one process write at a time.
    Then warm this process's caches for any new segments (``SearchIndex.warm``), so that
    requests do not pay for reading them: at start, after a rebuild, after merges."""
    state: _State = app.extensions[EXTENSION_KEY]
    interval = float(app.config["SEARCH_POLL_INTERVAL"])
    while True:
        with app.app_context():
            try:
                drain(blocking=False)
                state.index.warm()
            except Exception:  # keep the indexer alive; the outbox keeps the work
                log.exception("search indexer failed; will retry")
            finally:
                db.session.remove()
        state.warmed.set()
        state.wake.wait(interval)
        state.wake.clear()


def start_indexer(app: Flask) -> None:
    """Start this process's background indexer (for servers; tests drain inline). Returns
    nothing: it runs before every request, where a value would replace the response."""
    if app.config["SEARCH_INDEXER"] == "thread":
        _ensure_worker(app)


def indexer_warmed(app: Flask) -> threading.Event:
    """Set each time this process's background indexer has drained and warmed the caches."""
    state: _State = app.extensions[EXTENSION_KEY]
    return state.warmed


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchQuery:
    q: str
    type: str = ""
    category: str = ""
    tag: str = ""
    solved: str = ""  # "", "true", "false"
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20

    def filters(self) -> dict[str, str]:
        found = {"type": self.type, "category": self.category, "tags": self.tag}
        values = {name: value for name, value in found.items() if value}
        if self.solved in ("true", "false"):
            values["solved"] = self.solved
        return values


@dataclass
class SearchResults:
    query: SearchQuery
    items: list[Hit]
    total: int
    facets: dict[str, dict[str, int]]
    suggestion: str | None
    log_id: int | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


def _visible(hits: list[Hit]) -> list[Hit]:
    """Drop hits that are no longer public (the index may lag the database by a moment)."""
    sources = _state().sources
    keep: set[str] = set()
    by_type: dict[str, list[int]] = {}
    for hit in hits:
        by_type.setdefault(hit.type, []).append(hit.object_id)
    for doc_type, ids in by_type.items():
        owner = next((s for s in sources.values() if doc_type in s.types), None)
        if owner is None:
            continue
        keep.update(f"{doc_type}:{i}" for i in owner.visible(doc_type, ids))
    return [hit for hit in hits if hit.doc_id in keep]


def search(
    request: SearchQuery, *, user_id: int | None = None, origin: str = "page"
) -> SearchResults:
    """Ranked, faceted, highlighted results that the public may see, with a "did you mean"
    suggestion when the query finds little; page-1 searches are logged."""
    per_page = max(1, min(request.per_page, MAX_PER_PAGE))
    page = max(1, request.page)
    sort = request.sort if request.sort in SORTS else "relevance"
    request = SearchQuery(
        request.q.strip(), request.type, request.category, request.tag, request.solved, sort,
        page, per_page,
    )  # fmt: skip
    index = search_index()
    raw: RawResults = index.search(
        request.q, filters=request.filters(), sort=sort, limit=per_page,
        offset=(page - 1) * per_page,
    )  # fmt: skip
    items = _visible(raw.hits)
    suggestion = None
    if raw.total < 3 and request.q:
        candidate = index.suggest(request.q)
        if candidate and candidate != request.q.lower():
            check = index.search(candidate, filters={}, sort="relevance", limit=5, offset=0,
                                 facets=False)  # fmt: skip
            if _visible(check.hits):
                suggestion = candidate
    results = SearchResults(request, items, raw.total, raw.facets, suggestion)
    if request.q and page == 1:
        results.log_id = log_search(request, raw.total, user_id=user_id, origin=origin)
    return results


def similar(title: str, *, limit: int = 5, user_id: int | None = None) -> list[Hit]:
    """Threads and KB articles like a draft title (deflection while composing)."""
    title = title.strip()[:200]
    if len(title) < 3:
        return []
    hits = search_index().more_like(title, limit=limit * 3, types=("thread", "article"))
    items = _visible(hits)[:limit]
    if user_id is not None:
        _log_similar(title, len(items), user_id)
    return items


def related(thread_id: int, text: str, *, limit: int = 5) -> list[Hit]:
    """Other threads and articles about the same thing as a thread.

    The index's answer is remembered per thread (RELATED_CACHE_SECONDS, and only while the
    index is unchanged): every view of a thread page asks, and the answer changes rarely.
    Hits are still re-checked against the database each time."""
    index = search_index()
    key = (thread_id, text, limit, index.generation())
    cache = _state().related
    hits = cache.get(key)
    if hits is None:
        hits = index.more_like(
            text,
            limit=limit * 3,
            types=("thread", "article"),
            exclude_thread=thread_id,
            snippets=False,  # the thread page lists titles only
        )
        cache.put(key, hits)
    return _visible(hits)[:limit]


# --- the search log ----------------------------------------------------------------------------


def _normalize(q: str) -> str:
    return " ".join(q.lower().split())[:200]


def log_search(request: SearchQuery, count: int, *, user_id: int | None, origin: str) -> int:
    """Record a search for the content-gap reports; returns the log entry's id."""
    with unit_of_work():
        no_durability_wait()
        entry = SearchLog(
            user_id=user_id,
            query=_normalize(request.q),
            filters=request.filters(),
            origin=origin,
            result_count=count,
        )
        db.session.add(entry)
        db.session.flush()
    return entry.id


def _log_similar(title: str, count: int, user_id: int) -> None:
    # The new-thread form asks as the customer types: one entry per composing session.
    recent = db.session.scalar(
        select(SearchLog)
        .where(
            SearchLog.user_id == user_id,
            SearchLog.origin == "similar",
            SearchLog.created_at >= utcnow() - timedelta(minutes=2),
            SearchLog.followed_by_thread_id.is_(None),
        )
        .order_by(SearchLog.id.desc())
        .limit(1)
    )
    with unit_of_work():
        if recent is not None:
            recent.query, recent.result_count, recent.created_at = (
                _normalize(title),
                count,
                utcnow(),
            )
        else:
            db.session.add(
                SearchLog(user_id=user_id, query=_normalize(title), origin="similar",
                          result_count=count)
            )  # fmt: skip


def record_click(log_id: int, doc_id: str, user_id: int | None) -> None:
    """Remember the first result opened from a search (only by the person who searched)."""
    entry = db.session.get(SearchLog, log_id)
    if entry is None or entry.clicked_doc is not None or entry.user_id != user_id:
        return
    with unit_of_work():
        entry.clicked_doc = doc_id[:40]
        entry.clicked_at = utcnow()


def note_new_thread(user_id: int, thread_id: int) -> None:
    """Link a new thread to the searches its author made just before (inside the caller's
    unit of work): they searched, did not find it, and asked."""
    since = utcnow() - FOLLOW_UP_WINDOW
    entries = db.session.scalars(
        select(SearchLog).where(
            SearchLog.user_id == user_id,
            SearchLog.created_at >= since,
            SearchLog.followed_by_thread_id.is_(None),
        )
    )
    for entry in entries:
        entry.followed_by_thread_id = thread_id


def index_stats() -> dict[str, Any]:
    """Documents in the index and entries waiting in the outbox."""
    waiting = db.session.scalar(select(db.func.count()).select_from(OutboxEntry)) or 0
    return {"documents": search_index().doc_count(), "queued": waiting}
