"""JSON shapes of knowledge-base objects."""

from __future__ import annotations

from typing import Any

from forum_kb.accounts.serializers import user_json
from forum_kb.api import iso
from forum_kb.kb import policies, queries
from forum_kb.kb.models import Article, InaccuracyReport, Revision, Section
from forum_kb.kb.services import article_path


def section_json(section: Section, published_count: int = 0) -> dict[str, Any]:
    return {
        "id": section.id,
        "name": section.name,
        "slug": section.slug,
        "description": section.description,
        "position": section.position,
        "published_count": published_count,
        "created_at": iso(section.created_at),
    }


def section_ref_json(section: Section) -> dict[str, Any]:
    """The short form of a section, embedded in articles."""
    return {"id": section.id, "slug": section.slug, "name": section.name}


def article_summary_json(article: Article) -> dict[str, Any]:
    """An article as a list row shows it (no body)."""
    return {
        "id": article.id,
        "slug": article.slug,
        "title": article.title,
        "status": article.status.value,
        "section": section_ref_json(article.section),
        "labels": [label.name for label in article.labels],
        "owner": user_json(article.owner),
        "review_by": article.review_by.isoformat() if article.review_by else None,
        "official": article.is_published,
        "url": article_path(article),
        "has_pending_draft": article.has_pending_draft,
        "helpful_count": article.helpful_count,
        "not_helpful_count": article.not_helpful_count,
        "view_count": article.view_count,
        "created_at": iso(article.created_at),
        "updated_at": iso(article.updated_at),
        "published_at": iso(article.published_at),
    }


def article_json(article: Article, viewer: Any) -> dict[str, Any]:
    """An article with the body the viewer reads; writers also get the pending draft."""
    data = article_summary_json(article)
    shown = queries.reader_revision(article, viewer)
    data["body"] = shown.body_source if shown is not None else None
    data["body_html"] = shown.body_html if shown is not None else None
    data.update(provenance_json(article))
    if policies.can_see_unpublished(viewer):
        draft = article.draft_revision
        data["draft"] = _draft_json(draft) if draft is not None else None
        data["draft_in_review"] = article.draft_in_review
    return data


def provenance_json(article: Article) -> dict[str, Any]:
    """Whom an article made from a community post credits, and where it came from."""
    credited = article.credited_user
    return {
        "credited_user": (
            {"username": credited.username, "name": credited.name} if credited is not None else None
        ),
        "source": (
            {"kind": article.source_kind, "title": article.source_title, "url": article.source_url}
            if article.source_kind or article.source_url
            else None
        ),
    }


def _draft_json(revision: Revision) -> dict[str, Any]:
    return {
        "title": revision.title,
        "body": revision.body_source,
        "body_html": revision.body_html,
        "revision": revision.number,
    }


def revision_json(view: queries.RevisionView) -> dict[str, Any]:
    revision = view.revision
    return {
        "number": revision.number,
        "title": revision.title,
        "body": revision.body_source,
        "body_html": revision.body_html,
        "note": revision.note,
        "editor": user_json(revision.editor),
        "is_published": view.is_published,
        "is_draft": view.is_draft,
        "created_at": iso(revision.created_at),
    }


def feedback_counts_json(article: Article) -> dict[str, Any]:
    return {
        "helpful_count": article.helpful_count,
        "not_helpful_count": article.not_helpful_count,
    }


def report_json(report: InaccuracyReport) -> dict[str, Any]:
    return {
        "id": report.id,
        "article_id": report.article_id,
        "comment": report.comment,
        "created_at": iso(report.created_at),
    }
