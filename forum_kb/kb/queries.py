"""Read helpers for the knowledge base."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from forum_kb.accounts.models import Role, User
from forum_kb.db import utcnow
from forum_kb.errors import NotFound
from forum_kb.extensions import db
from forum_kb.kb import policies
from forum_kb.kb.models import (
    Article,
    ArticleEvent,
    ArticleSlug,
    ArticleStatus,
    Feedback,
    InaccuracyReport,
    Revision,
    Section,
    article_labels,
)
from forum_kb.text import line_diff


def list_sections() -> list[Section]:
    return list(db.session.scalars(select(Section).order_by(Section.position, Section.name)))


def published_counts() -> dict[int, int]:
    """Published articles per section id."""
    rows = db.session.execute(
        select(Article.section_id, func.count())
        .where(Article.status == ArticleStatus.PUBLISHED)
        .group_by(Article.section_id)
    ).all()
    return {section_id: count for section_id, count in rows}


def get_section_by_slug_or_404(slug: str) -> Section:
    section = db.session.scalar(select(Section).where(Section.slug == slug))
    if section is None:
        raise NotFound("No such section.")
    return section


def list_articles(
    viewer: Any, *, status: ArticleStatus | None = None, section_id: int | None = None
) -> Select[Article]:
    """Articles the viewer may see (published only, unless moderator or staff), newest first."""
    stmt = select(Article).options(
        selectinload(Article.section), selectinload(Article.owner), selectinload(Article.labels)
    )
    if not policies.can_see_unpublished(viewer):
        stmt = stmt.where(Article.status == ArticleStatus.PUBLISHED)
    elif status is not None:
        stmt = stmt.where(Article.status == status)
    if section_id is not None:
        stmt = stmt.where(Article.section_id == section_id)
    return stmt.order_by(func.coalesce(Article.published_at, Article.created_at).desc(), Article.id)


def section_articles(section: Section) -> list[Article]:
    """A section's published articles, alphabetically (as a table of contents)."""
    return list(
        db.session.scalars(
            select(Article)
            .where(Article.section_id == section.id, Article.status == ArticleStatus.PUBLISHED)
            .order_by(Article.title)
        )
    )


@dataclass(frozen=True)
class Lookup:
    article: Article
    #: True when the address was an old slug (or an id): the caller redirects to the current one.
    moved: bool


def find_article_or_404(key: str, viewer: Any) -> Lookup:
    """An article by current slug, earlier slug or numeric id, if the viewer may see it.

    Raises:
        NotFound: no such article, or not visible to the viewer.
    """
    article = db.session.scalar(select(Article).where(Article.slug == key))
    moved = False
    if article is None:
        article_id = db.session.scalar(
            select(ArticleSlug.article_id).where(ArticleSlug.slug == key)
        )
        # isascii(): "²".isdigit() is true, but int("²") raises.
        if article_id is None and key.isascii() and key.isdigit() and len(key) < 10:
            article_id = int(key)
        article = db.session.get(Article, article_id) if article_id is not None else None
        moved = article is not None
    if article is None or not policies.can_view_article(viewer, article):
        raise NotFound("No such article.")
    return Lookup(article, moved)


def reader_revision(article: Article, viewer: Any, *, draft: bool = False) -> Revision | None:
    """What to show: the published version, or (for writers asking for it) the draft."""
    if draft and policies.can_see_unpublished(viewer) and article.draft_revision is not None:
        return article.draft_revision
    return article.published_revision or (
        article.draft_revision if policies.can_see_unpublished(viewer) else None
    )


def related_articles(article: Article, limit: int = 5) -> list[Article]:
    """Published articles sharing labels (best first), then others from the same section."""
    label_ids = [label.id for label in article.labels]
    shared = func.count(article_labels.c.label_id)
    stmt = (
        select(Article)
        .outerjoin(
            article_labels,
            (article_labels.c.article_id == Article.id)
            & article_labels.c.label_id.in_(label_ids or [-1]),
        )
        .where(Article.status == ArticleStatus.PUBLISHED, Article.id != article.id)
        .where(
            or_(Article.section_id == article.section_id, article_labels.c.label_id.is_not(None))
        )
        .group_by(Article.id)
        .order_by(shared.desc(), Article.view_count.desc(), Article.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class RevisionView:
    revision: Revision
    title_diff: list[tuple[str, str]] | None
    body_diff: list[tuple[str, str]]
    is_published: bool
    is_draft: bool


def revision_history(article: Article) -> list[RevisionView]:
    """Every version, newest first, with its diff against the one before."""
    revisions = list(
        db.session.scalars(
            select(Revision)
            .where(Revision.article_id == article.id)
            .options(selectinload(Revision.editor))
            .order_by(Revision.number)
        )
    )
    views: list[RevisionView] = []
    previous: Revision | None = None
    for revision in revisions:
        title_diff = None
        if previous is None or revision.title != previous.title:
            title_diff = line_diff(previous.title if previous else "", revision.title)
        views.append(
            RevisionView(
                revision,
                title_diff,
                line_diff(previous.body_source if previous else "", revision.body_source),
                revision.id == article.published_revision_id,
                revision.id == article.draft_revision_id,
            )
        )
        previous = revision
    return list(reversed(views))


def get_revision_or_404(article: Article, number: int) -> Revision:
    revision = db.session.scalar(
        select(Revision).where(Revision.article_id == article.id, Revision.number == number)
    )
    if revision is None:
        raise NotFound("No such revision.")
    return revision


def article_events(article: Article) -> list[ArticleEvent]:
    """The lifecycle log of an article, newest first."""
    return list(
        db.session.scalars(
            select(ArticleEvent)
            .where(ArticleEvent.article_id == article.id)
            .options(selectinload(ArticleEvent.actor))
            .order_by(ArticleEvent.created_at.desc(), ArticleEvent.id.desc())
        )
    )


def feedback_comments(article: Article, limit: int = 50) -> list[Feedback]:
    return list(
        db.session.scalars(
            select(Feedback)
            .where(Feedback.article_id == article.id, Feedback.comment != "")
            .order_by(Feedback.updated_at.desc())
            .limit(limit)
        )
    )


def open_inaccuracy_reports(article: Article) -> list[InaccuracyReport]:
    return list(
        db.session.scalars(
            select(InaccuracyReport)
            .where(
                InaccuracyReport.article_id == article.id, InaccuracyReport.resolved_at.is_(None)
            )
            .options(selectinload(InaccuracyReport.reporter))
            .order_by(InaccuracyReport.created_at.desc())
        )
    )


def review_queue() -> list[Article]:
    """Drafts in review and published articles whose pending changes are in review."""
    return list(
        db.session.scalars(
            select(Article)
            .where(
                or_(Article.status == ArticleStatus.IN_REVIEW, Article.draft_in_review.is_(True))
            )
            .options(selectinload(Article.owner), selectinload(Article.section))
            .order_by(Article.updated_at)
        )
    )


def stale_articles(today: date | None = None) -> list[Article]:
    """Published articles past their review-by date, most overdue first."""
    today = today or utcnow().date()
    return list(
        db.session.scalars(
            select(Article)
            .where(
                Article.status == ArticleStatus.PUBLISHED,
                Article.review_by.is_not(None),
                Article.review_by < today,
            )
            .options(selectinload(Article.owner))
            .order_by(Article.review_by)
        )
    )


def poorly_rated_articles() -> list[Article]:
    """Published articles with enough answers and a helpful ratio under the threshold."""
    config = current_app.config
    total = Article.helpful_count + Article.not_helpful_count
    return list(
        db.session.scalars(
            select(Article)
            .where(
                Article.status == ArticleStatus.PUBLISHED,
                total >= int(config["KB_POOR_FEEDBACK_MIN_VOTES"]),
                Article.helpful_count < total * float(config["KB_POOR_FEEDBACK_RATIO"]),
            )
            .options(selectinload(Article.owner))
            .order_by((Article.helpful_count * 1.0 / total).asc())
        )
    )


def list_writers() -> list[User]:
    """Active moderators, staff and admins: the people who may own articles."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role.in_([Role.MODERATOR, Role.STAFF, Role.ADMIN]), User.is_active.is_(True)
            )
            .order_by(User.username_key)
        )
    )


def get_article_or_404(article_id: int, viewer: Any) -> Article:
    """An article by id, if the viewer may see it.

    Raises:
        NotFound: no such article, or not visible to the viewer.
    """
    article = db.session.get(Article, article_id)
    if article is None or not policies.can_view_article(viewer, article):
        raise NotFound("No such article.")
    return article


def most_viewed_articles(limit: int = 5) -> list[Article]:
    """Published articles people read most."""
    return list(
        db.session.scalars(
            select(Article)
            .where(Article.status == ArticleStatus.PUBLISHED, Article.view_count > 0)
            .order_by(Article.view_count.desc(), Article.id)
            .limit(limit)
        )
    )


def viewer_feedback(
    article: Article, *, user: Any = None, session_key: str | None = None
) -> Feedback | None:
    """The answer this user (or browser session) gave to "was this helpful?", if any."""
    if user is not None and getattr(user, "is_authenticated", False):
        key = Feedback.user_id == user.id
    elif session_key:
        key = Feedback.session_key == session_key
    else:
        return None
    return db.session.scalar(select(Feedback).where(Feedback.article_id == article.id, key))


def reported_articles() -> list[tuple[Article, int]]:
    """Articles with open inaccuracy reports and how many, most reported first."""
    open_count = func.count(InaccuracyReport.id)
    rows = db.session.execute(
        select(Article, open_count)
        .join(InaccuracyReport, InaccuracyReport.article_id == Article.id)
        .where(InaccuracyReport.resolved_at.is_(None))
        .group_by(Article.id)
        .order_by(open_count.desc(), Article.id)
    ).all()
    return [(article, count) for article, count in rows]


def get_section_or_404(section_id: int) -> Section:
    section = db.session.get(Section, section_id)
    if section is None:
        raise NotFound("No such section.")
    return section


def get_report_or_404(report_id: int) -> InaccuracyReport:
    report = db.session.get(InaccuracyReport, report_id)
    if report is None:
        raise NotFound("No such report.")
    return report
