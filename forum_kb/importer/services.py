"""Mail import: messages of a mailing-list archive become threads and replies in one
category, written by inactive accounts mapped from the senders' addresses.

A dedicated writer rather than ``community.services``: those enforce what a live member may
do (rate limits, new-account rules, screening, notifications to watchers), none of which
applies to history. It reuses the community's rendering and counters and the search outbox,
and commits one batch of messages per transaction.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from forum_kb.accounts.models import Role, User
from forum_kb.accounts.services import RESERVED_USERNAMES
from forum_kb.community.models import Category, Post, PostRevision, Thread, ThreadKind
from forum_kb.community.services.curation import recount
from forum_kb.db import unit_of_work, utcnow
from forum_kb.extensions import db
from forum_kb.importer import bodies
from forum_kb.importer.messages import (
    ImportFailed,
    ParsedMessage,
    UnreadableMessage,
    parse_message,
    read_archive,
)
from forum_kb.importer.models import ImportRecord
from forum_kb.markup import RENDERER_VERSION, render_markdown
from forum_kb.search import index_later
from forum_kb.text import slugify

KIND = "mail"
CHUNK = 500  # ids per IN (...) lookup
TITLE_MAX = 200
NO_SUBJECT = "(no subject)"
#: A reply found only by its subject joins a thread whose last message is this recent.
SUBJECT_WINDOW = timedelta(days=60)
#: Accounts of senders cannot sign in: no password hash matches this.
NO_PASSWORD = "!imported"  # noqa: S105 - not a password: a hash no password matches
_PREFIX_RE = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|sv|vs|antw|wg|tr|odp|r)\s*(?:\[\d+\]|\(\d+\))?\s*[:\uff1a]|\[[^\]]{1,60}\])\s*",
    re.IGNORECASE,
)
_REPLY_PREFIX_RE = re.compile(
    r"^\s*(?:\[[^\]]{1,60}\]\s*)*(?:re|aw|sv|vs|antw|odp|r)\s*[:\uff1a]", re.I
)


@dataclass(frozen=True)
class Note:
    """One line of a report: which message or file, and what happened to it."""

    where: str
    detail: str


@dataclass
class MailReport:
    messages: int = 0
    threads: int = 0
    replies: int = 0
    accounts: int = 0
    duplicates: list[Note] = field(default_factory=list)
    adopted: int = 0
    skipped: list[Note] = field(default_factory=list)
    attachments: list[Note] = field(default_factory=list)
    dates: list[Note] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(eq=False)
class _ThreadRef:
    """A thread found or made during the run; ``obj`` until its batch is flushed."""

    created_at: datetime
    id: int | None = None
    obj: Thread | None = None
    last_at: datetime | None = None

    @property
    def thread_id(self) -> int:
        return self.id if self.id is not None else self.obj.id  # type: ignore[union-attr]


@dataclass(frozen=True)
class _Author:
    user_id: int
    name: str


@dataclass
class _Run:
    category: Category
    now: datetime
    report: MailReport
    authors: dict[str, _Author]
    located: dict[str, _ThreadRef]
    subjects: dict[str, _ThreadRef]
    orphans: dict[str, list[tuple[int, int]]]


def import_mail(
    path: Path, category_slug: str, *, batch_size: int = 500, now: datetime | None = None
) -> MailReport:
    """Import an mbox file or Maildir folder into a category; already imported messages
    (by Message-ID) are counted as duplicates and left alone.

    Raises:
        ImportFailed: the path is missing or not an archive, or the category is unknown.
    """
    started = time.monotonic()
    category = _category(category_slug)
    now = now or utcnow()
    report = MailReport()
    messages = _read(path, now, report)
    known = _known([k for m in messages for k in (m.key, *m.parents)])
    fresh = []
    for message in messages:
        if message.key in known:
            report.duplicates.append(Note(message.label, "imported before"))
        else:
            fresh.append(message)
    run = _Run(
        category=category,
        now=now,
        report=report,
        authors=_ensure_authors(fresh, report),
        located={key: ref for key, ref in known.items() if ref is not None},
        subjects=_imported_subjects(category.id),
        orphans=_orphans([m.key for m in fresh]),
    )
    for batch in _batches(_thread_order(fresh, now), batch_size):
        _import_batch(run, batch)
    report.seconds = time.monotonic() - started
    return report


def _category(slug: str) -> Category:
    category = db.session.scalar(select(Category).where(Category.slug == slug))
    if category is None:
        slugs = ", ".join(db.session.scalars(select(Category.slug).order_by(Category.slug)))
        raise ImportFailed(f"No category with the slug '{slug}' (categories: {slugs or 'none'}).")
    return category


def _read(path: Path, now: datetime, report: MailReport) -> list[ParsedMessage]:
    messages: list[ParsedMessage] = []
    seen: set[str] = set()
    for raw in read_archive(path):
        report.messages += 1
        try:
            message = parse_message(raw, now)
        except UnreadableMessage as exc:
            where = f"#{raw.position}" + (f" <{exc.message_id}>" if exc.message_id else "")
            report.skipped.append(Note(where, exc.reason))
            continue
        if message.key in seen:
            report.duplicates.append(Note(message.label, "twice in the archive"))
            continue
        seen.add(message.key)
        messages.append(message)
    if report.messages == 0:
        raise ImportFailed(f"No messages found in {path} (is it an mbox file or a Maildir?).")
    return messages


def _chunks(items: Sequence[str]) -> Iterator[list[str]]:
    unique = list(dict.fromkeys(items))
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


def _known(keys: Sequence[str]) -> dict[str, _ThreadRef | None]:
    """Keys imported before: the live thread holding each (None when it was deleted)."""
    found: dict[str, _ThreadRef | None] = {}
    for chunk in _chunks(keys):
        rows = db.session.execute(
            select(ImportRecord.key, Thread.id, Thread.created_at, Thread.merged_into_id)
            .join(Post, Post.id == ImportRecord.object_id, isouter=True)
            .join(Thread, Thread.id == Post.thread_id, isouter=True)
            .where(ImportRecord.kind == KIND, ImportRecord.key.in_(chunk))
        )
        for key, thread_id, created_at, merged_into in rows:
            if thread_id is None:
                found[key] = None
            else:
                found[key] = _ThreadRef(created_at, id=merged_into or thread_id)
    return found


def normalize_subject(subject: str) -> str:
    """The subject without reply/forward prefixes and [list] tags, for matching."""
    return " ".join(strip_prefixes(subject).lower().split())


def strip_prefixes(subject: str) -> str:
    previous = None
    while previous != subject:
        previous, subject = subject, _PREFIX_RE.sub("", subject, count=1)
    return subject.strip()


def _imported_subjects(category_id: int) -> dict[str, _ThreadRef]:
    rows = db.session.execute(
        select(Thread.id, Thread.title, Thread.created_at, Thread.last_activity_at)
        .join(Post, Post.thread_id == Thread.id)
        .join(ImportRecord, (ImportRecord.object_id == Post.id) & (ImportRecord.kind == KIND))
        .where(Thread.category_id == category_id, Post.is_opening.is_(True))
        .where(Thread.deleted_at.is_(None))
        .order_by(Thread.last_activity_at)
    )
    return {
        normalize_subject(title): _ThreadRef(created, id=tid, last_at=last)
        for tid, title, created, last in rows
    }


def _orphans(keys: Sequence[str]) -> dict[str, list[tuple[int, int]]]:
    """Threads started earlier by replies to these keys: key -> [(record id, thread id)]."""
    found: dict[str, list[tuple[int, int]]] = {}
    for chunk in _chunks(keys):
        rows = db.session.execute(
            select(ImportRecord.parent_key, ImportRecord.id, Post.thread_id)
            .join(Post, Post.id == ImportRecord.object_id)
            .join(Thread, Thread.id == Post.thread_id)
            .where(ImportRecord.kind == KIND, ImportRecord.parent_key.in_(chunk))
            .where(Post.is_opening.is_(True), Thread.deleted_at.is_(None))
        )
        for parent_key, record_id, thread_id in rows:
            if parent_key is not None:
                found.setdefault(parent_key, []).append((record_id, thread_id))
    return found


# --- order -------------------------------------------------------------------------------------


def _thread_order(messages: list[ParsedMessage], now: datetime) -> list[ParsedMessage]:
    """Oldest first, but never a reply before the message it answers (clocks are wrong)."""
    by_key = {m.key: m for m in messages}
    ordered: list[ParsedMessage] = []
    done: set[str] = set()
    for message in sorted(messages, key=lambda m: (m.date or now, m.position)):
        chain: list[ParsedMessage] = []
        current: ParsedMessage | None = message
        while current is not None and current.key not in done and current not in chain:
            chain.append(current)
            current = next((by_key[p] for p in current.parents if p in by_key), None)
        for item in reversed(chain):
            done.add(item.key)
            ordered.append(item)
    return ordered


def _batches(items: list[ParsedMessage], size: int) -> Iterator[list[ParsedMessage]]:
    size = max(1, size)
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- authors -----------------------------------------------------------------------------------


def _sender_key(message: ParsedMessage) -> str:
    if message.author_address and len(message.author_address) <= 254:
        return message.author_address
    # No usable address: one account per display name, under a reserved domain.
    return f"{slugify(message.author_name, 60) or 'unknown-sender'}@unknown.invalid"


def _ensure_authors(messages: Iterable[ParsedMessage], report: MailReport) -> dict[str, _Author]:
    """An account for every sender: existing ones by address, new inactive ones otherwise."""
    wanted: dict[str, tuple[str, datetime | None]] = {}
    for message in messages:
        key = _sender_key(message)
        name, first = wanted.get(key, ("", None))
        dates = [d for d in (first, message.date) if d is not None]
        wanted[key] = (name or message.author_name, min(dates) if dates else None)
    authors: dict[str, _Author] = {}
    for chunk in _chunks(list(wanted)):
        for user in db.session.scalars(select(User).where(User.email_key.in_(chunk))):
            authors[user.email_key] = _Author(user.id, user.name)
    missing = [key for key in wanted if key not in authors]
    if not missing:
        return authors
    with unit_of_work():
        taken: set[str] = set()
        users = []
        for key in missing:
            name, first = wanted[key]
            display = _display_name(name, key)
            username = _free_username(display, key, taken)
            users.append(User(
                username=username, username_key=username.lower(), email=key, email_key=key,
                password_hash=NO_PASSWORD, role=Role.MEMBER, display_name=display,
                is_active=False, created_at=first or utcnow(),
            ))  # fmt: skip
        db.session.add_all(users)
        db.session.flush()
        for key, user in zip(missing, users, strict=True):
            authors[key] = _Author(user.id, user.name)
    report.accounts += len(missing)
    return authors


def _display_name(name: str, address: str) -> str:
    name = bodies.EMAIL_RE.sub("", name).strip(" \"'<>()")
    return " ".join(name.split())[:64] or address.split("@", 1)[0][:64]


def _free_username(display: str, address: str, taken: set[str]) -> str:
    base = slugify(display, 28) or slugify(address.split("@", 1)[0], 28)
    base = re.sub(r"-{2,}", "-", base).strip("-")
    if len(base) < 3:
        base = f"{base}-member" if base else "member"
    candidates = [base] + [f"{base}-{n}" for n in range(2, 1000)]
    existing = set(
        db.session.scalars(
            select(User.username_key).where(
                (User.username_key == base) | User.username_key.like(f"{base}-%")
            )
        )
    )
    for candidate in candidates:
        if candidate not in existing | taken | RESERVED_USERNAMES:
            taken.add(candidate)
            return candidate
    digest = hashlib.sha256(address.encode()).hexdigest()[:10]
    taken.add(f"member-{digest}")
    return f"member-{digest}"


# --- writing -----------------------------------------------------------------------------------


@dataclass
class _Made:
    message: ParsedMessage
    post: Post
    ref: _ThreadRef
    body: str
    title: str | None
    parent_key: str | None


def _import_batch(run: _Run, batch: list[ParsedMessage]) -> None:
    made: list[_Made] = []
    new_threads: list[_ThreadRef] = []
    with unit_of_work():
        for message in batch:
            item = _build(run, message)
            if item is None:
                continue
            made.append(item)
            if item.ref.obj is not None and item.title is not None:
                new_threads.append(item.ref)
        db.session.flush()
        touched: set[int] = set()
        recount_ids: set[int] = set()
        for item in made:
            _record(run, item)
            touched.add(item.ref.thread_id)
            if not any(item.ref is ref for ref in new_threads):
                recount_ids.add(item.ref.thread_id)
        for ref in new_threads:
            ref.id, ref.obj = ref.thread_id, None
        recount_ids |= _adopt(run, made)
        db.session.flush()
        for thread_id in recount_ids:
            thread = db.session.get(Thread, thread_id)
            if thread is not None:
                recount(thread)
        for thread_id in sorted(touched | recount_ids):
            index_later("thread", thread_id)


def _build(run: _Run, message: ParsedMessage) -> _Made | None:
    author = run.authors[_sender_key(message)]
    text = bodies.strip_addresses(bodies.fold(message.text), _name_for(run))
    if not text.strip():
        run.report.skipped.append(Note(message.label, "no new text (only quotes or a signature)"))
        return None
    for name in message.attachments:
        run.report.attachments.append(Note(message.label, name))
    source = bodies.to_markdown(text)
    if message.attachments:
        names = ", ".join(bodies.escape_line(n) for n in message.attachments)
        source += f"\n\n*(Attachments not imported: {names})*"
    date = message.date
    if date is None:
        date = run.now
        run.report.dates.append(Note(message.label, "no readable date; used the import time"))
    elif message.date_source != "Date":
        run.report.dates.append(Note(message.label, f"date taken from the {message.date_source}"))
    ref, parent_key = _parent(run, message, date)
    html = str(render_markdown(source))
    post = Post(
        author_id=author.user_id, body_source=source, body_html=html,
        renderer_version=RENDERER_VERSION, created_at=date, updated_at=date,
    )  # fmt: skip
    title: str | None = None
    if ref is None:
        title = _title(message.subject, run)
        thread = Thread(
            category_id=run.category.id, author_id=author.user_id, kind=ThreadKind.DISCUSSION,
            title=title, created_at=date, updated_at=date, last_activity_at=date,
            last_poster_id=author.user_id, reply_count=0,
        )  # fmt: skip
        db.session.add(thread)
        ref = _ThreadRef(date, obj=thread, last_at=date)
        post.is_opening = True
        post.thread = thread
        run.subjects[normalize_subject(message.subject)] = ref
        run.report.threads += 1
    else:
        post.created_at = post.updated_at = max(date, ref.created_at)
        if ref.obj is not None:
            post.thread = ref.obj
            _count_reply(ref.obj, post)
        else:
            post.thread_id = ref.thread_id
        ref.last_at = max(ref.last_at or date, post.created_at)
        run.report.replies += 1
    db.session.add(post)
    run.located[message.key] = ref
    return _Made(message, post, ref, text, title, parent_key)


def _name_for(run: _Run) -> Callable[[str], str | None]:
    def name_for(address: str) -> str | None:
        author = run.authors.get(address)
        return author.name if author else None

    return name_for


def _count_reply(thread: Thread, post: Post) -> None:
    thread.reply_count += 1
    if post.created_at >= thread.last_activity_at:
        thread.last_activity_at = post.created_at
        thread.last_poster_id = post.author_id


def _parent(
    run: _Run, message: ParsedMessage, date: datetime
) -> tuple[_ThreadRef | None, str | None]:
    """The thread a message answers (the nearest known ancestor, else a recent thread with
    the same subject when it looks like a reply), and the unknown parent it waits for."""
    for key in message.parents:
        if key in run.located:
            return run.located[key], None
    if message.parents or _REPLY_PREFIX_RE.match(message.subject):
        ref = run.subjects.get(normalize_subject(message.subject))
        if ref is not None and ref.last_at is not None and date - ref.last_at <= SUBJECT_WINDOW:
            return ref, None
    return None, (message.parents[0] if message.parents else None)


def _title(subject: str, run: _Run) -> str:
    title = bodies.strip_addresses(strip_prefixes(subject), _name_for(run))
    title = " ".join(title.split())
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1].rsplit(" ", 1)[0] + "…"
    return title or NO_SUBJECT


def _record(run: _Run, item: _Made) -> None:
    post = item.post
    db.session.add(
        PostRevision(
            post_id=post.id, number=1, editor_id=post.author_id, title=item.title,
            body_source=post.body_source, created_at=post.created_at,
        )
    )  # fmt: skip
    db.session.add(
        ImportRecord(
            kind=KIND, key=item.message.key, object_type="post", object_id=post.id,
            content_hash=hashlib.sha256(item.body.encode()).hexdigest(),
            parent_key=item.parent_key if item.title is not None else None,
            imported_at=run.now,
        )
    )  # fmt: skip


def _adopt(run: _Run, made: list[_Made]) -> set[int]:
    """Threads started earlier by replies to messages that arrived now move under them."""
    targets: set[int] = set()
    for item in made:
        for record_id, orphan_id in run.orphans.pop(item.message.key, []):
            target = item.ref.thread_id
            if orphan_id == target:
                continue
            db.session.execute(
                update(Post)
                .where(Post.thread_id == orphan_id)
                .values(thread_id=target, is_opening=False)
                .execution_options(synchronize_session=False)
            )
            db.session.execute(
                update(Thread)
                .where(Thread.id == orphan_id)
                .values(merged_into_id=target, deleted_at=run.now, reply_count=0)
                .execution_options(synchronize_session=False)
            )
            db.session.execute(
                update(ImportRecord).where(ImportRecord.id == record_id).values(parent_key=None)
            )
            for ref in run.located.values():
                if ref.id == orphan_id:
                    ref.id = target
            index_later("thread", orphan_id)
            targets.add(target)
            run.report.adopted += 1
    return targets
