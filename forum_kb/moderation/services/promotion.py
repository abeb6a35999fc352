"""Promotion: a community answer (or a how-to, a success story) becomes an official KB
article, crediting its author and linking back to its thread."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from forum_kb.accounts.models import User
from forum_kb.accounts.services import adjust_reputation
from forum_kb.community.models import Post, Thread, ThreadKind, ThreadWatch
from forum_kb.community.paths import thread_path
from forum_kb.db import unit_of_work, utcnow
from forum_kb.errors import PermissionDenied
from forum_kb.extensions import db
from forum_kb.kb import services as kb
from forum_kb.kb.models import Article, ArticleStatus
from forum_kb.moderation import policies
from forum_kb.moderation.models import Promotion
from forum_kb.moderation.services.audit import log_action, log_post
from forum_kb.notifications import services as notifications


@dataclass(frozen=True)
class PromotionResult:
    article: Article
    #: False when the post had already been promoted: the existing article is returned.
    created: bool


def source_kind(post: Post) -> str:
    """How the credit line names the source: "community answer", "how-to", ..."""
    if not post.is_opening:
        return "community answer"
    return {
        ThreadKind.HOWTO: "community how-to",
        ThreadKind.STORY: "community success story",
        ThreadKind.QUESTION: "community question",
    }.get(post.thread.kind, "community post")


def promotion_for(post: Post) -> Promotion | None:
    return db.session.scalar(select(Promotion).where(Promotion.post_id == post.id))


def prefill(post: Post) -> tuple[str, str]:
    """The promotion form's starting title and body: the thread's title, the post's Markdown."""
    return post.thread.title, post.body_source


def promote_post(
    actor: User,
    post: Post,
    *,
    section_id: int,
    title: str | None = None,
    body: str | None = None,
    labels: Sequence[str] = (),
    note: str = "",
) -> PromotionResult:
    """Make a KB draft from a community post, crediting its author and linking its thread;
    it then goes through the KB's review flow. A post that already has an article gets that
    article back instead of a duplicate.

    Raises:
        PermissionDenied: the actor is not a moderator or staff, or the post is hidden,
            deleted or waiting for review.
        ValidationFailed: the title, body or section break the KB's rules.
    """
    existing = promotion_for(post)
    if existing is not None:
        if not policies.can_moderate(actor):
            raise PermissionDenied("Only moderators and staff promote posts to the KB.")
        return PromotionResult(existing.article, created=False)
    if not policies.can_promote(actor, post):
        raise PermissionDenied("Only moderators and staff promote live posts to the KB.")
    default_title, default_body = prefill(post)
    thread = post.thread
    source = kb.ArticleSource(
        credited_user_id=post.author_id,
        kind=source_kind(post),
        title=thread.title,
        url=thread_path(thread.id, None if post.is_opening else post.id),
    )
    draft = kb.ArticleDraft(
        section_id=section_id,
        title=default_title if title is None else title,
        body=default_body if body is None else body,
        labels=labels,
        note=note or f"Promoted from “{thread.title}”",
        source=source,
    )
    with unit_of_work():
        article = kb.create_article(actor, draft)
        db.session.add(
            Promotion(
                post_id=post.id,
                thread_id=thread.id,
                article_id=article.id,
                credited_user_id=post.author_id,
                promoted_by_id=actor.id,
            )
        )
        log_post(
            actor, "post.promote", post, note, article_id=article.id, article_title=article.title
        )
    return PromotionResult(article, created=True)


def on_article_published(_sender: Any, *, article: Article, actor: User, before: Any) -> None:
    """Receiver of kb.signals.article_published: audit it and, on a promoted article's first
    publication, credit the author and tell the thread's watchers."""
    log_action(
        actor, "article.publish", "article", article.id, label=article.title,
        url=kb.article_path(article),
    )  # fmt: skip
    promotion = db.session.scalar(select(Promotion).where(Promotion.article_id == article.id))
    if promotion is None or promotion.published_at is not None:
        return
    promotion.published_at = utcnow()
    thread = promotion.post.thread  # the post's thread now, should it have been merged
    url = kb.article_path(article)
    credited = promotion.credited_user
    if credited is not None:
        adjust_reputation(credited.id, int(current_app.config["REPUTATION_PROMOTED"]))
        notifications.notify(
            [credited], kind="promoted",
            title=f"Your post in “{thread.title}” is now an official KB article",
            body=f"“{article.title}” credits you. Thank you for helping.",
            url=url, actor=actor, email_flag="replies",
        )  # fmt: skip
    watchers = db.session.scalars(
        select(User)
        .join(ThreadWatch, ThreadWatch.user_id == User.id)
        .where(ThreadWatch.thread_id == thread.id)
    )
    notifications.notify(
        [w for w in watchers if credited is None or w.id != credited.id], kind="promoted_thread",
        title=f"“{thread.title}” now has an official answer in the knowledge base",
        body=article.title, url=url, actor=actor, email_flag="replies",
    )  # fmt: skip


def on_article_archived(_sender: Any, *, article: Article, actor: User, before: Any) -> None:
    """Receiver of kb.signals.article_archived: audit it."""
    log_action(
        actor, "article.archive", "article", article.id, label=article.title,
        url=kb.article_path(article),
    )  # fmt: skip


def official_article(thread: Thread) -> Article | None:
    """The published article promoted from one of this thread's posts, if any."""
    return db.session.scalar(
        select(Article)
        .join(Promotion, Promotion.article_id == Article.id)
        .join(Post, Post.id == Promotion.post_id)
        .where(Post.thread_id == thread.id, Article.status == ArticleStatus.PUBLISHED)
        .order_by(Promotion.created_at)
        .limit(1)
    )


def promoted_posts(thread: Thread) -> dict[int, Article]:
    """Post id -> its article, for the posts of a thread that were promoted (any status)."""
    rows = db.session.execute(
        select(Promotion.post_id, Article)
        .join(Article, Article.id == Promotion.article_id)
        .join(Post, Post.id == Promotion.post_id)
        .where(Post.thread_id == thread.id)
    ).all()
    return {post_id: article for post_id, article in rows}
