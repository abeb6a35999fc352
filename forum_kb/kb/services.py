"""Knowledge-base use cases: sections, the article lifecycle, revisions, ownership, feedback."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from flask import current_app
from sqlalchemy import func, select, update

from forum_kb import ordering
from forum_kb.accounts.models import User
from forum_kb.accounts.policies import is_moderator
from forum_kb.db import after_commit, count_daily, unit_of_work, utcnow
from forum_kb.errors import Conflict, PermissionDenied, ValidationFailed
from forum_kb.extensions import db
from forum_kb.kb import policies, signals
from forum_kb.kb.models import (
    Article,
    ArticleDailyViews,
    ArticleEvent,
    ArticleSlug,
    ArticleStatus,
    Feedback,
    InaccuracyReport,
    Label,
    Revision,
    Section,
)
from forum_kb.mail import Mail, send_mail
from forum_kb.markup import RENDERER_VERSION, render_article
from forum_kb.notifications import services as notifications
from forum_kb.search import index_later
from forum_kb.text import normalize_whitespace, slugify

TITLE_MIN, TITLE_MAX = 5, 200
BODY_MIN, BODY_MAX = 20, 100_000
NOTE_MAX = 200
COMMENT_MAX = 2000
MAX_LABELS = 10


def article_path(article: Article) -> str:
    """Site-relative link to an article (services have no request to call url_for)."""
    return f"/kb/articles/{article.slug}"


# --- sections ----------------------------------------------------------------------------------


def _section_values(name: str, slug: str, description: str) -> tuple[str, str, str]:
    name, slug = normalize_whitespace(name), slugify(slug or name)
    errors: list[tuple[str, str]] = []
    if not 1 <= len(name) <= 80:
        errors.append(("name", "Give a name of 1 to 80 characters."))
    if not slug:
        errors.append(("slug", "Give a slug with at least one letter or digit."))
    if len(description) > 1000:
        errors.append(("description", "Use at most 1000 characters."))
    if errors:
        raise ValidationFailed(errors)
    return name, slug, description.strip()


def create_section(actor: User, name: str, slug: str = "", description: str = "") -> Section:
    """Add a KB section at the end of the list.

    Raises:
        PermissionDenied: the actor is not staff.
        ValidationFailed: the name or slug is empty or too long.
        Conflict: the slug is taken.
    """
    if not policies.can_manage_sections(actor):
        raise PermissionDenied("Only staff manage knowledge-base sections.")
    name, slug, description = _section_values(name, slug, description)
    if db.session.scalar(select(Section.id).where(Section.slug == slug)) is not None:
        raise Conflict(f"A section with the slug '{slug}' already exists.")
    with unit_of_work():
        position = db.session.scalar(select(func.coalesce(func.max(Section.position), -1))) or 0
        section = Section(name=name, slug=slug, description=description, position=position + 1)
        db.session.add(section)
        db.session.flush()
    return section


def update_section(
    actor: User, section: Section, name: str, slug: str, description: str
) -> Section:
    """Rename a section, change its slug or description.

    Raises:
        PermissionDenied: the actor is not staff.
        ValidationFailed: the name or slug is empty or too long.
        Conflict: the slug belongs to another section.
    """
    if not policies.can_manage_sections(actor):
        raise PermissionDenied("Only staff manage knowledge-base sections.")
    name, slug, description = _section_values(name, slug, description)
    taken = db.session.scalar(select(Section.id).where(Section.slug == slug))
    if taken is not None and taken != section.id:
        raise Conflict(f"A section with the slug '{slug}' already exists.")
    with unit_of_work():
        section.name, section.slug, section.description = name, slug, description
    return section


def move_section(actor: User, section: Section, offset: int) -> None:
    """Move a section one place up (-1) or down (+1) on the KB home.

    Raises:
        PermissionDenied: the actor is not staff.
        ValidationFailed: an offset other than -1 or 1.
    """
    if not policies.can_manage_sections(actor):
        raise PermissionDenied("Only staff manage knowledge-base sections.")
    ordered = list(db.session.scalars(select(Section).order_by(Section.position, Section.name)))
    with unit_of_work():
        ordering.move(ordered, section, offset)


# --- writing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleSource:
    """Where an article came from: the community post it was made from and whom it credits."""

    credited_user_id: int
    kind: str  # "community answer", "how-to", ...: "Based on a <kind> by @user"
    title: str
    url: str


@dataclass(frozen=True)
class ArticleDraft:
    section_id: int
    title: str
    body: str
    labels: Sequence[str] = field(default_factory=tuple)
    owner_id: int | None = None
    note: str = ""
    source: ArticleSource | None = None


def _content_errors(title: str, body: str, note: str) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        errors.append(("title", f"Write a title of {TITLE_MIN} to {TITLE_MAX} characters."))
    if not BODY_MIN <= len(body.strip()) <= BODY_MAX:
        errors.append(("body", f"Write {BODY_MIN} to {BODY_MAX} characters."))
    if len(note) > NOTE_MAX:
        errors.append(("note", f"Keep the note under {NOTE_MAX} characters."))
    return errors


def _labels(names: Sequence[str]) -> tuple[list[Label], list[tuple[str, str]]]:
    cleaned: list[str] = []
    for raw in names:
        name = slugify(raw, max_length=30)
        if name and name not in cleaned:
            cleaned.append(name)
    if len(cleaned) > MAX_LABELS:
        return [], [("labels", f"Use at most {MAX_LABELS} labels.")]
    existing = {
        label.name: label
        for label in db.session.scalars(select(Label).where(Label.name.in_(cleaned)))
    }
    labels = [existing.get(name) or Label(name=name) for name in cleaned]
    return labels, []


def _owner(owner_id: int | None, default: User) -> tuple[User | None, list[tuple[str, str]]]:
    if owner_id is None:
        return default, []
    owner = db.session.get(User, owner_id)
    if owner is None or not is_moderator(owner):
        return None, [("owner_id", "The owner must be a staff member or moderator.")]
    return owner, []


def _unique_slug(title: str, article_id: int | None = None) -> str:
    base = slugify(title, max_length=100) or "article"
    candidate, n = base, 2
    while True:
        owner = db.session.scalar(select(Article.id).where(Article.slug == candidate))
        old = db.session.scalar(select(ArticleSlug.article_id).where(ArticleSlug.slug == candidate))
        if (owner is None or owner == article_id) and (old is None or old == article_id):
            return candidate
        candidate, n = f"{base}-{n}", n + 1


def _new_revision(article: Article, actor: User, title: str, body: str, note: str) -> Revision:
    number = db.session.scalar(
        select(func.coalesce(func.max(Revision.number), 0)).where(Revision.article_id == article.id)
    )
    html, _ = render_article(body)
    revision = Revision(
        article_id=article.id,
        number=(number or 0) + 1,
        title=title,
        body_source=body,
        body_html=str(html),
        renderer_version=RENDERER_VERSION,
        editor_id=actor.id,
        note=normalize_whitespace(note),
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def _check_note(note: str) -> None:
    if len(note) > NOTE_MAX:
        raise ValidationFailed([("note", f"Keep the note under {NOTE_MAX} characters.")])


def _log(
    article: Article,
    actor: User,
    action: str,
    before: ArticleStatus | None,
    note: str = "",
    revision: Revision | None = None,
) -> None:
    db.session.add(
        ArticleEvent(
            article_id=article.id,
            actor_id=actor.id,
            action=action,
            from_status=before.value if before else None,
            to_status=article.status.value,
            revision_number=revision.number if revision else None,
            note=normalize_whitespace(note)[:500],
        )
    )


def create_article(actor: User, draft: ArticleDraft) -> Article:
    """Start an article as a draft (revision 1); the author owns it unless told otherwise.

    Raises:
        PermissionDenied: the actor is not a moderator or staff.
        ValidationFailed: the title, body, section, labels or owner break a rule.
    """
    if not policies.can_write_articles(actor):
        raise PermissionDenied("Only moderators and staff write knowledge-base articles.")
    title = normalize_whitespace(draft.title)
    errors = _content_errors(title, draft.body, draft.note)
    if db.session.get(Section, draft.section_id) is None:
        errors.append(("section_id", "Choose one of the sections."))
    labels, label_errors = _labels(draft.labels)
    owner, owner_errors = _owner(draft.owner_id, actor)
    errors += label_errors + owner_errors
    if errors:
        raise ValidationFailed(errors)
    assert owner is not None
    with unit_of_work():
        article = Article(
            section_id=draft.section_id,
            slug=_unique_slug(title),
            title=title,
            owner_id=owner.id,
            labels=labels,
        )
        if draft.source is not None:
            article.credited_user_id = draft.source.credited_user_id
            article.source_kind = draft.source.kind[:40]
            article.source_title = draft.source.title[:200]
            article.source_url = draft.source.url[:300]
        db.session.add(article)
        db.session.flush()
        revision = _new_revision(article, actor, title, draft.body, draft.note)
        article.draft_revision_id = revision.id
        _log(article, actor, "created", None, draft.note, revision)
    return article


def edit_article(
    actor: User,
    article: Article,
    *,
    title: str | None = None,
    body: str | None = None,
    section_id: int | None = None,
    labels: Sequence[str] | None = None,
    note: str = "",
) -> Article:
    """Save changes as a new draft revision; a published article stays as it is for readers
    until the draft is published. Section and labels change at once.

    Raises:
        PermissionDenied: the actor may not edit this article.
        ValidationFailed: a value breaks a rule.
    """
    if not policies.can_edit_article(actor, article):
        raise PermissionDenied("You cannot edit this article.")
    base = article.draft_revision or article.published_revision
    assert base is not None, "every article has a draft or a published revision"
    new_title = normalize_whitespace(title) if title is not None else base.title
    new_body = body if body is not None else base.body_source
    errors = _content_errors(new_title, new_body, note)
    if section_id is not None and db.session.get(Section, section_id) is None:
        errors.append(("section_id", "Choose one of the sections."))
    new_labels, label_errors = _labels(labels) if labels is not None else (None, [])
    errors += label_errors
    if errors:
        raise ValidationFailed(errors)
    with unit_of_work():
        if section_id is not None:
            article.section_id = section_id
            index_later("article", article.id)
        if new_labels is not None:
            article.labels = new_labels
        if (new_title, new_body) != (base.title, base.body_source):
            revision = _new_revision(article, actor, new_title, new_body, note)
            article.draft_revision_id = revision.id
            if not article.published_revision_id:
                article.title = new_title
            if article.status == ArticleStatus.ARCHIVED:
                before = article.status
                article.status = ArticleStatus.DRAFT
                _log(article, actor, "revived", before, note, revision)
    return article


def restore_revision(actor: User, article: Article, revision: Revision) -> Article:
    """Make an old version the new draft (a new revision; history is never rewritten).

    Raises:
        PermissionDenied: the actor may not edit this article.
        ValidationFailed: the revision belongs to another article.
    """
    if revision.article_id != article.id:
        raise ValidationFailed([("revision", "Choose a revision of this article.")])
    return edit_article(
        actor,
        article,
        title=revision.title,
        body=revision.body_source,
        note=f"Restored revision {revision.number}",
    )


# --- lifecycle ---------------------------------------------------------------------------------


def submit_for_review(actor: User, article: Article, note: str = "") -> Article:
    """Send a draft (or a published article's pending changes) to review.

    Raises:
        ValidationFailed: the note is too long.
        PermissionDenied: the actor may not edit this article.
        Conflict: there is nothing to review.
    """
    _check_note(note)
    if not policies.can_edit_article(actor, article):
        raise PermissionDenied("You cannot send this article to review.")
    before = article.status
    with unit_of_work():
        if before == ArticleStatus.DRAFT:
            article.status = ArticleStatus.IN_REVIEW
        elif before == ArticleStatus.PUBLISHED and article.has_pending_draft:
            article.draft_in_review = True
        else:
            raise Conflict("There is no draft to send to review.")
        _log(article, actor, "submitted", before, note, article.draft_revision)
    return article


def return_to_draft(actor: User, article: Article, note: str = "") -> Article:
    """A reviewer sends an article back to its writer.

    Raises:
        ValidationFailed: the note is too long.
        PermissionDenied: the actor is not staff.
        Conflict: the article is not in review.
    """
    _check_note(note)
    if not policies.can_publish(actor):
        raise PermissionDenied("Only staff review articles.")
    before = article.status
    with unit_of_work():
        if before == ArticleStatus.IN_REVIEW:
            article.status = ArticleStatus.DRAFT
        elif article.draft_in_review:
            article.draft_in_review = False
        else:
            raise Conflict("This article is not in review.")
        _log(article, actor, "returned", before, note, article.draft_revision)
    return article


def publish_article(actor: User, article: Article, note: str = "") -> Article:
    """Make the draft the official, public version (or bring back an archived article).

    Raises:
        ValidationFailed: the note is too long.
        PermissionDenied: the actor is not staff.
        Conflict: there is no draft to publish and the article is already published.
    """
    _check_note(note)
    if not policies.can_publish(actor):
        raise PermissionDenied("Only staff publish articles.")
    before = article.status
    if before == ArticleStatus.PUBLISHED and not article.has_pending_draft:
        raise Conflict("This article is already published and has no pending changes.")
    with unit_of_work():
        revision = article.draft_revision or article.published_revision
        assert revision is not None
        if revision.title != article.title or before != ArticleStatus.PUBLISHED:
            _change_slug(article, revision.title)
        article.title = revision.title
        article.published_revision_id = revision.id
        article.draft_revision_id = None
        article.draft_in_review = False
        article.status = ArticleStatus.PUBLISHED
        now = utcnow()
        article.published_at = article.published_at or now
        if article.review_by is None:
            days = int(current_app.config["KB_REVIEW_INTERVAL_DAYS"])
            article.review_by = now.date() + timedelta(days=days)
        _log(article, actor, "published", before, note, revision)
        index_later("article", article.id)
        signals.article_published.send(
            current_app._get_current_object(),  # type: ignore[attr-defined]
            article=article,
            actor=actor,
            before=before,
        )
        if article.owner_id != actor.id:
            notifications.notify(
                [article.owner], kind="kb_published",
                title=f"“{article.title}” is now published in the knowledge base",
                body=note, url=article_path(article), actor=actor,
            )  # fmt: skip
    return article


def _change_slug(article: Article, title: str) -> None:
    slug = _unique_slug(title, article.id)
    if slug == article.slug:
        return
    if db.session.get(ArticleSlug, article.slug) is None:
        db.session.add(ArticleSlug(slug=article.slug, article_id=article.id))
    existing = db.session.get(ArticleSlug, slug)
    if existing is not None:  # returning to an earlier address
        db.session.delete(existing)
    article.slug = slug


def archive_article(actor: User, article: Article, note: str = "") -> Article:
    """Take an article out of the public KB (it keeps its history and can be republished).

    Raises:
        ValidationFailed: the note is too long.
        PermissionDenied: the actor is not staff.
        Conflict: the article is already archived.
    """
    _check_note(note)
    if not policies.can_publish(actor):
        raise PermissionDenied("Only staff archive articles.")
    if article.status == ArticleStatus.ARCHIVED:
        raise Conflict("This article is already archived.")
    before = article.status
    with unit_of_work():
        article.status = ArticleStatus.ARCHIVED
        article.draft_in_review = False
        _log(article, actor, "archived", before, note)
        index_later("article", article.id)
        signals.article_archived.send(
            current_app._get_current_object(),  # type: ignore[attr-defined]
            article=article,
            actor=actor,
            before=before,
        )
    return article


def set_ownership(actor: User, article: Article, owner_id: int, review_by: date | None) -> Article:
    """Give an article a new owner and review-by date.

    Raises:
        PermissionDenied: the actor is not staff.
        ValidationFailed: the owner is not staff or a moderator.
    """
    if not policies.can_publish(actor):
        raise PermissionDenied("Only staff assign article owners.")
    owner, errors = _owner(owner_id, actor)
    if errors:
        raise ValidationFailed(errors)
    assert owner is not None
    with unit_of_work():
        article.owner_id = owner.id
        article.review_by = review_by
        article.last_reminded_at = None
        _log(article, actor, "owner_changed", article.status, f"Owner: {owner.username}")
    return article


# --- reading and feedback ----------------------------------------------------------------------


def record_view(article: Article) -> None:
    """Count one view (the caller skips repeat views in one browser session)."""
    with unit_of_work():
        db.session.execute(
            update(Article)
            .where(Article.id == article.id)
            # Keep updated_at: reading is not a change (onupdate would bump it).
            .values(view_count=Article.view_count + 1, updated_at=Article.updated_at)
            .execution_options(synchronize_session=False)
        )
        count_daily(ArticleDailyViews, {"article_id": article.id, "day": utcnow().date()})


def give_feedback(
    article: Article,
    helpful: bool,
    *,
    user: User | None = None,
    session_key: str | None = None,
    comment: str = "",
) -> Feedback:
    """Record "was this helpful?"; one answer per user or browser session, changeable.

    Raises:
        PermissionDenied: the article is not published.
        ValidationFailed: no user or session, or an overlong comment.
    """
    if article.status != ArticleStatus.PUBLISHED:
        raise PermissionDenied("Feedback is for published articles.")
    comment = comment.strip()
    if user is None and not session_key:
        raise ValidationFailed([("session", "Feedback needs a user or a browser session.")])
    if len(comment) > COMMENT_MAX:
        raise ValidationFailed([("comment", f"Keep the comment under {COMMENT_MAX} characters.")])
    key = Feedback.user_id == user.id if user is not None else Feedback.session_key == session_key
    with unit_of_work():
        existing = db.session.scalar(select(Feedback).where(Feedback.article_id == article.id, key))
        if existing is None:
            feedback = Feedback(
                article_id=article.id,
                user_id=user.id if user is not None else None,
                session_key=None if user is not None else session_key,
                helpful=helpful,
                comment=comment,
            )
            db.session.add(feedback)
            _count(article, helpful, +1)
        else:
            feedback = existing
            if existing.helpful != helpful:
                _count(article, existing.helpful, -1)
                _count(article, helpful, +1)
            existing.helpful = helpful
            existing.comment = comment or existing.comment
    return feedback


def _count(article: Article, helpful: bool, delta: int) -> None:
    article.updated_at = Article.updated_at  # feedback is not an edit of the article
    if helpful:
        article.helpful_count = Article.helpful_count + delta
    else:
        article.not_helpful_count = Article.not_helpful_count + delta


def report_inaccurate(
    article: Article, comment: str, reporter: User | None = None
) -> InaccuracyReport:
    """Tell an article's owner that it is wrong or out of date.

    Raises:
        PermissionDenied: the article is not published.
        ValidationFailed: the comment is empty or too long.
    """
    if article.status != ArticleStatus.PUBLISHED:
        raise PermissionDenied("Reports are for published articles.")
    comment = comment.strip()
    if not 5 <= len(comment) <= COMMENT_MAX:
        raise ValidationFailed(
            [("comment", f"Say what is wrong in 5 to {COMMENT_MAX} characters.")]
        )
    with unit_of_work():
        report = InaccuracyReport(
            article_id=article.id, reporter_id=reporter.id if reporter else None, comment=comment
        )
        db.session.add(report)
        notifications.notify(
            [article.owner], kind="kb_inaccurate",
            title=f"“{article.title}” was reported as inaccurate",
            body=comment, url=article_path(article), actor=reporter,
        )  # fmt: skip
    return report


def resolve_report(actor: User, report: InaccuracyReport) -> InaccuracyReport:
    """Close an inaccuracy report once the article is checked (its owner, or staff).

    Raises:
        PermissionDenied: the actor neither owns the article nor is staff.
        Conflict: the report is already resolved.
    """
    article = db.session.get(Article, report.article_id)
    assert article is not None
    if not policies.can_see_feedback(actor, article):
        raise PermissionDenied("Only the article's owner or staff resolve reports.")
    if report.resolved_at is not None:
        raise Conflict("This report is already resolved.")
    with unit_of_work():
        report.resolved_at = utcnow()
        _log(article, actor, "report_resolved", article.status, report.comment[:200])
    return report


# --- freshness ---------------------------------------------------------------------------------


def send_review_reminders(today: date | None = None) -> int:
    """Email each owner one list of their published articles past the review-by date.

    ``today`` decides which articles are overdue (cron catch-up); "reminded recently" is
    judged by the real clock, so an article is mentioned again only after
    KB_REMIND_EVERY_DAYS. Returns the number of emails sent.
    """
    now = utcnow()
    today = today or now.date()
    every = timedelta(days=int(current_app.config["KB_REMIND_EVERY_DAYS"]))
    with unit_of_work():
        stale = list(
            db.session.scalars(
                select(Article)
                .where(
                    Article.status == ArticleStatus.PUBLISHED,
                    Article.review_by.is_not(None),
                    Article.review_by < today,
                )
                .order_by(Article.owner_id, Article.review_by)
            )
        )
        by_owner: dict[int, list[Article]] = {}
        for article in stale:
            if article.last_reminded_at is None or now - article.last_reminded_at >= every:
                by_owner.setdefault(article.owner_id, []).append(article)
        site = str(current_app.config["SITE_URL"]).rstrip("/")
        for articles in by_owner.values():
            owner = articles[0].owner
            lines = [
                f"- {a.title} (review by {a.review_by}): {site}{article_path(a)}" for a in articles
            ]
            body = "\n".join(
                [f"Hello {owner.name},", "", "These articles you own are due for review:", "",
                 *lines, "", "Check them, then set a new review-by date when they are correct."]
            )  # fmt: skip
            mail = Mail(
                to=owner.email, subject=f"{len(articles)} KB article(s) due for review", body=body
            )
            after_commit(partial(send_mail, mail))
            for article in articles:
                article.last_reminded_at = now
    return len(by_owner)
