"""What the knowledge base feeds to search: published articles (their published version)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from forum_kb.extensions import db
from forum_kb.kb.models import Article, ArticleStatus
from forum_kb.kb.services import article_path
from forum_kb.search import SearchDocument, Source, indexable_text

BATCH = 200


def _published() -> Select[Article]:
    return (
        select(Article)
        .where(
            Article.status == ArticleStatus.PUBLISHED, Article.published_revision_id.is_not(None)
        )
        .options(
            selectinload(Article.section),
            selectinload(Article.labels),
            selectinload(Article.published_revision),
            selectinload(Article.owner),
        )
    )


def _document(article: Article) -> SearchDocument:
    revision = article.published_revision
    assert revision is not None
    return SearchDocument(
        doc_id=f"article:{article.id}",
        type="article",
        object_id=article.id,
        title=revision.title,
        body=indexable_text(revision.body_html),
        url=article_path(article),
        tags=[label.name for label in article.labels],
        category=article.section.slug,
        category_name=article.section.name,
        kind="article",
        solved=True,
        score=article.helpful_count - article.not_helpful_count,
        created_at=article.published_at or article.created_at,
        updated_at=article.updated_at,
        author=article.owner.username,
    )


def load(ids: Sequence[int]) -> list[SearchDocument]:
    return [_document(a) for a in db.session.scalars(_published().where(Article.id.in_(ids)))]


def iter_all() -> Iterator[SearchDocument]:
    last = 0
    while True:
        articles = list(
            db.session.scalars(
                _published().where(Article.id > last).order_by(Article.id).limit(BATCH)
            )
        )
        if not articles:
            return
        yield from (_document(a) for a in articles)
        last = articles[-1].id
        db.session.expunge_all()


def visible(doc_type: str, ids: Sequence[int]) -> set[int]:
    stmt = select(Article.id).where(Article.id.in_(ids), Article.status == ArticleStatus.PUBLISHED)
    return set(db.session.scalars(stmt))


ARTICLES = Source(name="article", types=("article",), load=load, iter_all=iter_all, visible=visible)
