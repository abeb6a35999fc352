"""KB import: a folder of Markdown files becomes knowledge-base articles, through the KB's
own services (so every article has its revision, event log and search indexing).

Re-importing is idempotent: a file is known by its path relative to the folder; an
unchanged file (same content hash) is skipped, a changed one becomes a new revision of its
article (published at once, like the first import, unless ``draft``).
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from forum_kb.accounts.models import Role, User
from forum_kb.db import unit_of_work
from forum_kb.errors import ForumKBError
from forum_kb.extensions import db
from forum_kb.importer.messages import ImportFailed, limit_key
from forum_kb.importer.models import ImportRecord
from forum_kb.importer.services import Note
from forum_kb.kb import policies
from forum_kb.kb import services as kb_services
from forum_kb.kb.models import Article, ArticleSlug, ArticleStatus, Section
from forum_kb.text import slugify

KIND = "kb"
_HEADING_RE = re.compile(r"^#\s+(.+?)(?:\s+#+)?\s*$")
_FENCE_RE = re.compile(r"^(```|~~~)")
_ENCODINGS = ("utf-8-sig", "cp1252")


@dataclass
class KbReport:
    files: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Note] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class Document:
    title: str
    body: str
    labels: tuple[str, ...] = ()
    slug: str = ""


def import_kb(
    directory: Path, section_slug: str, *, owner_username: str | None = None, draft: bool = False
) -> KbReport:
    """Import every ``*.md`` file under ``directory`` (recursively) into a KB section.

    Raises:
        ImportFailed: the folder or section does not exist, or there is no suitable owner.
    """
    started = time.monotonic()
    if not directory.is_dir():
        raise ImportFailed(f"{directory} is not a folder.")
    section = db.session.scalar(select(Section).where(Section.slug == section_slug))
    if section is None:
        slugs = ", ".join(db.session.scalars(select(Section.slug).order_by(Section.slug)))
        raise ImportFailed(
            f"No KB section with the slug '{section_slug}' (sections: {slugs or 'none'})."
        )
    owner = _owner(owner_username, draft)
    report = KbReport()
    for path in sorted(directory.rglob("*.md")):
        relative = path.relative_to(directory)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        report.files += 1
        _import_file(path, relative.as_posix(), section, owner, draft, report)
    report.seconds = time.monotonic() - started
    return report


def _owner(username: str | None, draft: bool) -> User:
    allowed = policies.can_write_articles if draft else policies.can_publish
    if username is None:
        owner = db.session.scalar(
            select(User).where(User.role == Role.ADMIN, User.is_active.is_(True)).order_by(User.id)
        )
        if owner is None:
            raise ImportFailed("No admin account to own the articles: create one or pass --owner.")
        return owner
    owner = db.session.scalar(select(User).where(User.username_key == username.lower()))
    if owner is None:
        raise ImportFailed(f"No user named '{username}'.")
    if not owner.is_active or not allowed(owner):
        needed = "a moderator or staff member" if draft else "a staff member or admin"
        raise ImportFailed(f"{owner.username} cannot own imported articles: choose {needed}.")
    return owner


def _import_file(
    path: Path, key: str, section: Section, owner: User, draft: bool, report: KbReport
) -> None:
    text, problem = read_text(path)
    if text is None:
        report.skipped.append(Note(key, problem))
        return
    document = parse_document(text, path.stem)
    digest = hashlib.sha256(text.encode()).hexdigest()
    record = db.session.scalar(
        select(ImportRecord).where(ImportRecord.kind == KIND, ImportRecord.key == limit_key(key))
    )
    if record is not None and record.content_hash == digest:
        report.unchanged += 1
        return
    try:
        with unit_of_work():
            if record is None:
                article = _create(document, section, owner, draft)
                db.session.add(
                    ImportRecord(
                        kind=KIND, key=limit_key(key), object_type="article",
                        object_id=article.id, content_hash=digest,
                    )
                )  # fmt: skip
            else:
                existing = db.session.get(Article, record.object_id)
                if existing is None:
                    report.skipped.append(Note(key, "its article was deleted; not re-created"))
                    return
                article = _update(existing, document, owner, draft)
                record.content_hash = digest
            _apply_slug(article, document.slug, key, report)
    except ForumKBError as exc:
        report.skipped.append(Note(key, _describe(exc)))
        return
    if record is None:
        report.created += 1
    else:
        report.updated += 1


def _describe(exc: ForumKBError) -> str:
    errors = getattr(exc, "errors", None)
    if errors:
        return "; ".join(f"{field_}: {message}" for field_, message in errors)
    return str(exc)


def _create(document: Document, section: Section, owner: User, draft: bool) -> Article:
    article = kb_services.create_article(
        owner,
        kb_services.ArticleDraft(
            section_id=section.id,
            title=document.title,
            body=document.body,
            labels=document.labels,
            note="Imported",
        ),
    )
    if not draft:
        kb_services.publish_article(owner, article, "Imported")
    return article


def _update(article: Article, document: Document, owner: User, draft: bool) -> Article:
    kb_services.edit_article(
        owner, article, title=document.title, body=document.body, labels=document.labels,
        note="Re-imported",
    )  # fmt: skip
    # edit_article sets draft_revision_id but not the already-loaded draft_revision
    # relationship, which publish_article reads: reload it before publishing.
    db.session.flush()
    db.session.expire(article, ["draft_revision", "published_revision"])
    if not draft and article.has_pending_draft:
        kb_services.publish_article(owner, article, "Re-imported")
    return article


def _apply_slug(article: Article, wanted: str, key: str, report: KbReport) -> None:
    """Give the article the address named in its front matter, when it is free.

    The KB services derive addresses from titles; a migrated KB keeps its old addresses, so
    the importer sets this one column itself (in the same transaction)."""
    slug = slugify(wanted, 100)
    if not slug or slug == article.slug:
        return
    owner = db.session.scalar(select(Article.id).where(Article.slug == slug))
    old = db.session.get(ArticleSlug, slug)
    if (owner is not None and owner != article.id) or (
        old is not None and old.article_id != article.id
    ):
        report.notes.append(Note(key, f"slug '{slug}' is taken; kept '{article.slug}'"))
        return
    if old is not None:
        db.session.delete(old)
    if (
        article.status == ArticleStatus.PUBLISHED
        and db.session.get(ArticleSlug, article.slug) is None
    ):
        db.session.add(ArticleSlug(slug=article.slug, article_id=article.id))
    article.slug = slug


# --- files -------------------------------------------------------------------------------------


def read_text(path: Path) -> tuple[str | None, str]:
    """A file's text (UTF-8, with or without BOM, else Windows-1252), or None and why not."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or exc})"
    if b"\x00" in data:
        return None, "binary file, not text"
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n"), ""
        except UnicodeDecodeError:
            continue
    return None, "not UTF-8 or Windows-1252 text"


def parse_document(text: str, stem: str) -> Document:
    """Title, body, labels and slug of a Markdown file: front matter first, else the first
    ``# heading`` (taken out of the body), else the file name."""
    meta, body = _front_matter(text)
    title = meta.get("title", "")
    if not isinstance(title, str) or not title.strip():
        title, body = _first_heading(body)
    if not title:
        title = re.sub(r"[-_\s]+", " ", stem).strip().capitalize() or "Untitled"
    labels = meta.get("labels") or meta.get("tags") or []
    if isinstance(labels, str):
        labels = [part.strip() for part in labels.split(",")]
    slug = meta.get("slug", "")
    return Document(
        title=" ".join(title.split()),
        body=body.strip("\n") + "\n",
        labels=tuple(label for label in labels if label),
        slug=slug if isinstance(slug, str) else "",
    )


def _front_matter(text: str) -> tuple[dict[str, str | list[str]], str]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            return _parse_meta(lines[1:end]), "\n".join(lines[end + 1 :])
    return {}, text


def _parse_meta(lines: list[str]) -> dict[str, str | list[str]]:
    """``key: value`` lines; ``[a, b]`` and ``- item`` lines make lists (a YAML subset)."""
    meta: dict[str, str | list[str]] = {}
    current = ""
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("- ") and current:
            items = meta.setdefault(current, [])
            if isinstance(items, list):
                items.append(_unquote(stripped[2:]))
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or name.startswith((" ", "\t", "#")):
            continue
        current, value = name.strip().lower(), value.strip()
        if value.startswith("[") and value.endswith("]"):
            meta[current] = [_unquote(v) for v in value[1:-1].split(",") if v.strip()]
        elif value:
            meta[current] = _unquote(value)
        else:
            meta[current] = []
    return meta


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _first_heading(body: str) -> tuple[str, str]:
    lines = body.split("\n")
    fenced = False
    for index, line in enumerate(lines):
        if _FENCE_RE.match(line.strip()):
            fenced = not fenced
        match = None if fenced else _HEADING_RE.match(line)
        if match:
            return match.group(1).strip(), "\n".join(lines[:index] + lines[index + 1 :])
    return "", body
