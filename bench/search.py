"""Benchmark search on a large forum: full rebuild, query latency, similar(), edit to visible.

Builds a database of 100,000 searchable documents (thread openers, answers and published KB
articles of realistic lengths, over a Zipf-distributed vocabulary mixed with real support
words), rebuilds the on-disk index through the project's own sources and
``forum_kb.search.services.reindex()``, then measures:

- the rebuild: time, documents per second, size of the index folder;
- 200 one-to-three-word queries through ``services.search`` (page 1, facets, highlights,
  visibility re-check and search log, as the search page runs them): p50/p95/p99;
- ``services.similar()`` for 50 draft titles: p50/p95;
- 20 edits through ``community.services.edit_post`` with ``SEARCH_INDEXER = "thread"``
  inside a request context, as a server process makes them: the time from the service's
  return (the commit) until the edited word is found, polling the index.

    .venv/bin/python bench/search.py                   # 100,000 documents, SQLite file
    .venv/bin/python bench/search.py --docs 10000      # a quick check
    .venv/bin/python bench/search.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

With PostgreSQL the script works in a private schema that it creates and drops at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import logging
import math
import os
import random
import resource
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, create_engine, insert, text, update
from sqlalchemy.engine import Connection, make_url
from werkzeug.security import generate_password_hash

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import database, describe_machine  # the same fresh-database helper

from forum_kb import create_app
from forum_kb.accounts.models import Role, User
from forum_kb.community import services as community
from forum_kb.community.models import Category, Post, Tag, Thread, ThreadKind, thread_tags
from forum_kb.extensions import db
from forum_kb.kb.models import Article, ArticleStatus, Label, Revision, Section, article_labels
from forum_kb.markup import RENDERER_VERSION
from forum_kb.search import services as search

BATCH = 2_000
#: Share of documents by type, and words per body (uniform in the range).
ARTICLE_SHARE, ANSWER_SHARE = 0.02, 0.70
OPENER_WORDS, ANSWER_WORDS, ARTICLE_WORDS = (80, 300), (30, 200), (300, 1200)

# --- the vocabulary -----------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


FUNCTION_WORDS = _words("""the to and a i it is of you in for my that this on with be have not can
but we are do was if as or so an at there when from what how they all your me no just get
then our one will would any out up by about same after also now been still it's don't""")

SUPPORT_WORDS = _words("""password reset login sign account email address invoice invoices billing
payment card credit subscription plan upgrade downgrade cancel refund charge charged receipt
vat tax export exports csv json excel import file files download upload attachment api token
tokens key scope scopes header bearer unauthorized request requests limit rate webhook
webhooks endpoint signature secret hmac payload delivery retry sso saml okta azure google
identity provider two-factor 2fa authenticator code codes recovery phone device sms
notification notifications digest push android ios iphone mobile app browser chrome firefox
safari desktop sync calendar slack teams zapier jira salesforce integration integrations
workspace project projects task tasks comment comments member members owner admin role
permission permissions invite team settings profile dashboard report reports filter search
error errors crash crashes bug slow timeout loading blank page broken fails failed working
update version release feature request dark mode offline language timezone date format
domain security privacy delete deleted archive restore backup history audit log""")

GENERAL_WORDS = _words("""need help please thanks try tried work works using use used problem issue
question answer way time day days week month new old first last again every some other
see look find found click clicked open opened show shows showing change changed set setting
add added remove removed make made want know think able sure right wrong different same
still only already yet since because while before until without instead something nothing
anyone someone everyone people user users customer customers company support docs guide
option options button menu screen link links message messages list view edit save saved
create created send sent receive received check checked turn enable enabled disable
disabled allow allowed seems seem happen happens happened tried trying getting keep keeps
number name field fields value values default custom manual automatic automatically
option instead easy hard quick simple fix fixed workaround solution solved problem help""")

TAGS = _words("""password 2fa sso saml billing invoices export api tokens webhooks notifications
mobile ios android integrations slack zapier jira calendar email security privacy account
performance bug feature-request reports search import sync offline""")
CATEGORIES = ["Getting started", "Account and security", "Billing", "Developers", "Mobile",
              "Integrations", "Feature requests", "Troubleshooting"]  # fmt: skip
SECTIONS = ["Account", "Billing", "Developers", "Apps", "Integrations", "Administration"]

_SYLLABLES = _words(
    "ba be bi bo bu ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu "
    "ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo zu tr st pl gr"
)


@dataclass
class Vocabulary:
    words: list[str]
    cumulative: list[float]

    def sample(self, rnd: random.Random, n: int) -> list[str]:
        return rnd.choices(self.words, cum_weights=self.cumulative, k=n)


def make_vocabulary(rnd: random.Random, tail: int = 40_000) -> Vocabulary:
    """Zipf-Mandelbrot weights 1 / (rank + 2.7) over: function words (the top ranks), general
    words (ranks up to about 200: in 5 to 25 % of posts), then a long tail of made-up words
    (names, identifiers, typos) among which the support words sit at ranks from 150 to 15,000,
    spaced evenly on a log scale (so a support word is in 0.1 to 10 % of posts, as topical
    words are in a real forum)."""
    made_up: set[str] = set()
    while len(made_up) < tail:
        made_up.add("".join(rnd.choice(_SYLLABLES) for _ in range(rnd.randint(2, 4))))
    support = list(dict.fromkeys(SUPPORT_WORDS))
    rnd.shuffle(support)
    head = list(dict.fromkeys(FUNCTION_WORDS + GENERAL_WORDS))
    words = head + sorted(made_up - set(head) - set(support))
    for i, word in enumerate(support):
        rank = round(150 * 100 ** (i / (len(support) - 1)))
        words.insert(min(rank, len(words)), word)
    weights = [1 / (rank + 2.7) for rank in range(1, len(words) + 1)]
    return Vocabulary(words, list(itertools.accumulate(weights)))


def make_text(rnd: random.Random, vocab: Vocabulary, n_words: int) -> tuple[str, str]:
    """(Markdown, HTML) of about ``n_words`` words in sentences and paragraphs."""
    words = vocab.sample(rnd, n_words)
    paragraphs: list[str] = []
    sentences: list[str] = []
    i = 0
    while i < len(words):
        length = rnd.randint(6, 18)
        sentence = words[i : i + length]
        i += length
        sentences.append(" ".join(sentence).capitalize() + ".")
        if len(sentences) >= rnd.randint(3, 6):
            paragraphs.append(" ".join(sentences))
            sentences = []
    if sentences:
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs), "".join(f"<p>{p}</p>\n" for p in paragraphs)


def make_title(rnd: random.Random) -> str:
    words = rnd.sample(SUPPORT_WORDS, rnd.randint(2, 4)) + rnd.sample(GENERAL_WORDS, 2)
    rnd.shuffle(words)
    return " ".join(words).capitalize()


def make_queries(rnd: random.Random, n: int) -> list[str]:
    """One to three words: seven in ten a support word, the others general words."""
    queries = []
    for _ in range(n):
        words: list[str] = []
        size = rnd.choice((1, 2, 2, 3))
        while len(words) < size:
            pool = SUPPORT_WORDS if rnd.random() < 0.7 else GENERAL_WORDS
            word = rnd.choice(pool)
            if word not in words:
                words.append(word)
        queries.append(" ".join(words))
    return queries


# --- the database -------------------------------------------------------------------------------


@dataclass
class Corpus:
    threads: int
    answers: int
    articles: int

    @property
    def documents(self) -> int:
        return self.threads + self.answers + self.articles


def plan(docs: int) -> Corpus:
    articles = max(1, round(docs * ARTICLE_SHARE))
    answers = round(docs * ANSWER_SHARE)
    return Corpus(docs - articles - answers, answers, articles)


def populate(url: str, instance: Path, corpus: Corpus, seed: int) -> None:
    """Create the tables and bulk-insert users, threads, answers and published articles."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SEARCH_INDEX_DIR": None},
        instance_path=str(instance),
    )
    rnd = random.Random(seed)
    vocab = make_vocabulary(rnd)
    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            _insert_content(conn, corpus, rnd, vocab)
            if conn.dialect.name == "postgresql":
                # Explicit ids leave the sequences behind; the edits insert rows later.
                for table in ("users", "categories", "tags", "threads", "posts", "kb_sections",
                              "kb_labels", "kb_articles", "kb_revisions"):  # fmt: skip
                    max_id = f"(SELECT max(id) FROM {table})"  # noqa: S608 - our table names
                    conn.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {max_id})")
                    )
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        db.engine.dispose()


def _insert_content(conn: Connection, corpus: Corpus, rnd: random.Random, vocab: Vocabulary):
    now = datetime.now(UTC)
    n_users = 2_000
    password_hash = generate_password_hash(secrets.token_hex(8), method="scrypt:1024:8:1")
    _insert(conn, User, [
        {
            "id": i, "username": f"member{i}", "username_key": f"member{i}",
            "email": f"member{i}@example.com", "email_key": f"member{i}@example.com",
            "password_hash": password_hash, "role": Role.STAFF if i == 1 else Role.MEMBER,
            "display_name": f"Member {i}", "bio": "", "is_active": True,
            "reputation": rnd.randint(0, 500), "session_generation": 0,
            "created_at": now - timedelta(days=400), "updated_at": now,
        }
        for i in range(1, n_users + 1)
    ])  # fmt: skip
    _insert(conn, Category, [
        {"id": i, "name": name, "slug": name.lower().replace(" ", "-"), "description": name,
         "position": i, "created_at": now, "updated_at": now}
        for i, name in enumerate(CATEGORIES, start=1)
    ])  # fmt: skip
    _insert(conn, Tag, [
        {"id": i, "name": name, "created_at": now} for i, name in enumerate(TAGS, start=1)
    ])  # fmt: skip

    # Answers per thread: about one thread in ten has none, the rest share the answers.
    replies = [0] * (corpus.threads + 1)
    answered = [t for t in range(1, corpus.threads + 1) if rnd.random() > 0.1] or [1]
    for thread_id in rnd.choices(answered, k=corpus.answers):
        replies[thread_id] += 1
    kinds = list(ThreadKind)
    threads, posts, tags, accepted = [], [], [], []
    post_id = 0
    for thread_id in range(1, corpus.threads + 1):
        started = now - timedelta(minutes=rnd.randint(60, 365 * 24 * 60))
        author = rnd.randint(2, n_users)
        kind = ThreadKind.QUESTION if rnd.random() < 0.6 else rnd.choice(kinds)
        count = replies[thread_id]
        when = started
        for position in range(count + 1):
            post_id += 1
            words = OPENER_WORDS if position == 0 else ANSWER_WORDS
            source, html = make_text(rnd, vocab, rnd.randint(*words))
            posts.append({
                "id": post_id, "thread_id": thread_id,
                "author_id": author if position == 0 else rnd.randint(2, n_users),
                "is_opening": position == 0, "body_source": source, "body_html": html,
                "renderer_version": RENDERER_VERSION,
                "score": rnd.choice((0, 0, 0, 0, 1, 1, 2, 3, 5, 8, -1)),
                "is_hidden": False, "created_at": when, "updated_at": when,
            })  # fmt: skip
            when = min(now, when + timedelta(minutes=rnd.randint(5, 5_000)))
        if kind == ThreadKind.QUESTION and count and rnd.random() < 0.45:
            accepted.append({"tid": thread_id, "pid": rnd.randint(post_id - count + 1, post_id)})
        threads.append({
            "id": thread_id, "category_id": rnd.randint(1, len(CATEGORIES)), "author_id": author,
            "kind": kind, "title": make_title(rnd), "is_locked": False, "is_pinned": False,
            "is_hidden": False, "reply_count": count, "score": rnd.choice((0, 0, 0, 1, 2, 4, 9)),
            "view_count": rnd.randint(0, 900), "created_at": started, "updated_at": when,
            "last_activity_at": when, "last_poster_id": author,
        })  # fmt: skip
        for tag_id in rnd.sample(range(1, len(TAGS) + 1), rnd.randint(1, 3)):
            tags.append({"thread_id": thread_id, "tag_id": tag_id})
        if len(posts) >= BATCH * 5:
            _flush(conn, threads, posts, tags)
    _flush(conn, threads, posts, tags)
    if accepted:
        conn.execute(
            update(Thread.__table__)
            .where(Thread.__table__.c.id == bindparam("tid"))
            .values(accepted_post_id=bindparam("pid"), solved_at=now),
            accepted,
        )
    _insert_articles(conn, corpus.articles, rnd, vocab, now)


def _flush(conn: Connection, threads: list, posts: list, tags: list) -> None:
    _insert(conn, Thread, threads)
    _insert(conn, Post, posts)
    if tags:
        conn.execute(insert(thread_tags), tags)
    threads.clear()
    posts.clear()
    tags.clear()


def _insert_articles(conn, n: int, rnd: random.Random, vocab: Vocabulary, now: datetime) -> None:
    _insert(conn, Section, [
        {"id": i, "name": name, "slug": name.lower(), "description": name, "position": i,
         "created_at": now, "updated_at": now}
        for i, name in enumerate(SECTIONS, start=1)
    ])  # fmt: skip
    labels = SUPPORT_WORDS[:30]
    _insert(conn, Label, [{"id": i, "name": name} for i, name in enumerate(labels, start=1)])
    articles, revisions, links = [], [], []
    for article_id in range(1, n + 1):
        title = make_title(rnd)
        published = now - timedelta(days=rnd.randint(1, 700))
        source, html = make_text(rnd, vocab, rnd.randint(*ARTICLE_WORDS))
        articles.append({
            "id": article_id, "section_id": rnd.randint(1, len(SECTIONS)),
            "slug": f"article-{article_id}", "title": title, "status": ArticleStatus.PUBLISHED,
            "owner_id": 1, "helpful_count": rnd.randint(0, 40),
            "not_helpful_count": rnd.randint(0, 8), "created_at": published,
            "updated_at": published, "published_at": published,
        })  # fmt: skip
        revisions.append({
            "id": article_id, "article_id": article_id, "number": 1, "title": title,
            "body_source": source, "body_html": html, "renderer_version": RENDERER_VERSION,
            "editor_id": 1, "note": "", "created_at": published,
        })  # fmt: skip
        for label_id in rnd.sample(range(1, len(labels) + 1), rnd.randint(1, 3)):
            links.append({"article_id": article_id, "label_id": label_id})
    _insert(conn, Article, articles)
    _insert(conn, Revision, revisions)
    conn.execute(insert(article_labels), links)
    conn.execute(update(Article.__table__).values(published_revision_id=Article.__table__.c.id))


def _insert(conn: Connection, model: type, rows: list[dict]) -> None:
    table = model.__table__  # type: ignore[attr-defined]
    for start in range(0, len(rows), BATCH):
        conn.execute(insert(table), rows[start : start + BATCH])


# --- measuring ----------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank percentile, in milliseconds."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000


def timed(calls: Sequence[Callable[[], Any]]) -> list[float]:
    out = []
    for call in calls:
        start = time.perf_counter()
        call()
        out.append(time.perf_counter() - start)
    return out


def _cpu_with_children() -> float:
    """CPU seconds of this process and of its finished child processes (the rebuild's
    segment writers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def measure_edits(app: Any, edits: int, seed: int) -> list[float]:
    """Edit posts through the service as a server request would (the background indexer
    applies them); the delay from the commit until search finds the new word."""
    rnd = random.Random(seed)
    delays = []
    with app.app_context():
        index = search.search_index()
        editor = db.session.get(User, 1)  # staff: may edit any post
        last_post = db.session.scalar(db.select(db.func.max(Post.id)))
    for n in range(edits):
        word = f"benchedit{n}x{secrets.token_hex(3)}"
        with app.test_request_context():
            post = db.session.get(Post, rnd.randint(1, last_post))
            assert post is not None
            assert editor is not None
            community.edit_post(editor, post, f"{post.body_source}\n\nEdited: {word}.")
            committed = time.perf_counter()
        with app.app_context():
            deadline = committed + 10
            while time.perf_counter() < deadline:
                found = index.search(word, filters={}, sort="relevance", limit=1, offset=0,
                                     facets=False)  # fmt: skip
                if found.total:
                    delays.append(time.perf_counter() - committed)
                    break
                time.sleep(0.002)
            else:
                delays.append(math.inf)
        time.sleep(0.05)  # let the indexer go idle, as between real edits
    return delays


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000, help="documents to index")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a temp SQLite file)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--similar", type=int, default=50)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--keep",
        metavar="DIR",
        type=Path,
        help="keep the database and the index in DIR (a PostgreSQL schema is named there) and "
        "reuse them when DIR already holds them: later runs skip building the data and the "
        "rebuild (unless --rebuild)",
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="with --keep: rebuild the kept index anyway"
    )
    parser.add_argument(
        "--drop", action="store_true", help="with --keep: remove DIR and its schema at the end"
    )
    args = parser.parse_args(argv)
    if args.docs < 100:
        parser.error("--docs must be at least 100")
    if (args.rebuild or args.drop) and args.keep is None:
        parser.error("--rebuild and --drop need --keep")
    logging.getLogger("forum_kb.mail").setLevel(logging.ERROR)  # no mail server: say nothing
    corpus = plan(args.docs)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="forum_kb-search-bench-"))
    instance = workdir / "instance"
    index_dir = workdir / "search-index"
    try:
        with _database(args, workdir) as (url, fresh):
            backend = make_url(url).get_backend_name()
            print(f"Machine: {describe_machine()}")
            print(f"Load average at the start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
            print(
                f"Database: {backend}; {corpus.documents:,} documents: {corpus.threads:,} "
                f"threads, {corpus.answers:,} answers, {corpus.articles:,} KB articles"
            )
            if fresh:
                shutil.rmtree(index_dir, ignore_errors=True)
                started = time.perf_counter()
                populate(url, instance, corpus, args.seed)
                print(f"Database built in {time.perf_counter() - started:.1f} s.")
                _remember(args, workdir)
            else:
                print(f"Database reused from {workdir}.")
            app = create_app(
                {
                    "SQLALCHEMY_DATABASE_URI": url,
                    "SECRET_KEY": secrets.token_hex(16),
                    "SEARCH_INDEX_DIR": str(index_dir),
                    "SEARCH_INDEXER": "thread",
                    "RATELIMIT_STORAGE_URI": "memory://",
                },
                instance_path=str(instance),
            )
            rebuild = fresh or args.rebuild or not (index_dir / "CURRENT").exists()
            return run(app, index_dir, corpus, args, rebuild=rebuild)
    finally:
        if args.keep is None or args.drop:
            shutil.rmtree(workdir, ignore_errors=True)


# --- a kept corpus (--keep) ---------------------------------------------------------------------


def _label(args: argparse.Namespace) -> dict[str, Any]:
    backend = make_url(args.database_url).get_backend_name() if args.database_url else "sqlite"
    return {"docs": args.docs, "seed": args.seed, "backend": backend}


def _remember(args: argparse.Namespace, workdir: Path) -> None:
    if args.keep is not None:
        saved = _saved(workdir)
        saved.update(_label(args))
        (workdir / "corpus.json").write_text(json.dumps(saved))


def _saved(workdir: Path) -> dict[str, Any]:
    try:
        found: dict[str, Any] = json.loads((workdir / "corpus.json").read_text())
    except (OSError, ValueError):
        return {}
    return found


@contextlib.contextmanager
def _database(args: argparse.Namespace, workdir: Path) -> Iterator[tuple[str, bool]]:
    """(database URL, whether it is fresh and must be populated). Without --keep, a fresh
    database that is gone afterwards; with it, the kept one when it holds the same corpus."""
    if args.keep is None:
        with database(args.database_url, workdir) as url:
            yield url, True
        return
    workdir.mkdir(parents=True, exist_ok=True)
    saved = _saved(workdir)
    same = saved and all(saved.get(k) == v for k, v in _label(args).items())
    if args.database_url is None:
        path = workdir / "bench.db"
        if not same:
            path.unlink(missing_ok=True)
        yield f"sqlite:///{path}", not same
        return
    schema = saved.get("schema") or f"fkb_bench_keep_{secrets.token_hex(6)}"
    admin = create_engine(args.database_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not same:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        (workdir / "corpus.json").write_text(json.dumps({**saved, "schema": schema}))
        scoped = make_url(args.database_url).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        yield scoped.render_as_string(hide_password=False), not same
    finally:
        if args.drop:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            print(f"Dropped schema {schema}.")
        else:
            print(f"Kept schema {schema} (drop it with --keep {workdir} --drop).")
        admin.dispose()


def run(
    app: Any, index_dir: Path, corpus: Corpus, args: argparse.Namespace, *, rebuild: bool = True
) -> int:
    rnd = random.Random(args.seed + 1)
    with app.app_context():
        if rebuild or search.search_index().needs_rebuild():
            started, cpu = time.perf_counter(), _cpu_with_children()
            count = search.reindex()
            took, cpu = time.perf_counter() - started, _cpu_with_children() - cpu
            current = index_dir / (index_dir / "CURRENT").read_text().strip()
            size = folder_size(current)
            print(
                f"Rebuild: {count:,} documents in {took:.1f} s ({count / took:,.0f} documents/s; "
                f"{cpu:.1f} s of CPU, its worker processes included); "
                f"index {size / 2**20:,.1f} MiB on disk"
            )
        else:
            count = search.index_stats()["documents"]
            print(f"Rebuild: skipped (the kept index holds {count:,} documents)")
        if count != corpus.documents:
            print(f"  expected {corpus.documents:,} documents!")

        queries = make_queries(rnd, args.queries)
        cold = timed([lambda: search.search(search.SearchQuery(q=queries[0]))])[0]
        # As in a server process: its background indexer starts with the first request and
        # warms the caches of the segments it has not seen (search.services._run_worker).
        started = time.perf_counter()
        search.start_indexer(app)
        if not search.indexer_warmed(app).wait(600):
            print("  the background indexer did not finish warming within 600 s!")
        print(f"Background indexer: drained and warmed in {time.perf_counter() - started:.1f} s")
        warm = make_queries(rnd, 10)
        timed([lambda q=q: search.search(search.SearchQuery(q=q)) for q in warm])
        totals: list[int] = []
        cpu: list[float] = []

        def one(q: str) -> None:
            start = time.thread_time()
            totals.append(search.search(search.SearchQuery(q=q)).total)
            cpu.append(time.thread_time() - start)

        first = timed([lambda q=q: one(q) for q in queries])
        first_cpu = cpu[:]
        cpu.clear()
        matches = sorted(totals)
        print(
            f"search (page 1 of 20, facets, highlights, visibility re-check, logged), "
            f"{len(queries)} queries; matches per query: median {statistics.median(matches):,.0f}, "
            f"p95 {matches[math.ceil(0.95 * len(matches)) - 1]:,} "
            f"(first query after the rebuild: {cold * 1000:.0f} ms)"
        )
        # The second pass repeats the queries: long posting lists are then decoded already,
        # as for the words a running forum sees searched again and again.
        second = timed([lambda q=q: one(q) for q in queries])
        for label, latencies, used in (
            ("first pass", first, first_cpu),
            ("second pass", second, cpu),
        ):
            print(
                f"  {label}: p50 {percentile(latencies, 50):.1f} ms, "
                f"p95 {percentile(latencies, 95):.1f} ms, p99 {percentile(latencies, 99):.1f} ms, "
                f"max {max(latencies) * 1000:.1f} ms (CPU p50 {percentile(used, 50):.1f} ms, "
                f"p95 {percentile(used, 95):.1f} ms)"
            )
        titles = [make_title(rnd) for _ in range(args.similar)]
        similar = timed([lambda t=t: search.similar(t) for t in titles])
        print(
            f"similar(), {len(titles)} draft titles: p50 {percentile(similar, 50):.1f} ms, "
            f"p95 {percentile(similar, 95):.1f} ms"
        )
        db.session.remove()
    delays = measure_edits(app, args.edits, args.seed + 2)
    found = [d for d in delays if math.isfinite(d)]
    missing = len(delays) - len(found)
    print(
        f"edit -> searchable, {len(delays)} edits (background indexer thread): "
        f"p50 {percentile(found, 50):.0f} ms, max {max(found) * 1000:.0f} ms"
        + (f"; {missing} never found within 10 s" if missing else "")
    )
    print(f"Load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if missing or count != corpus.documents else 0


if __name__ == "__main__":
    raise SystemExit(main())
