"""Notices that moderation adds to thread pages (through the community's banner hook)."""

from __future__ import annotations

from forum_kb.community.hooks import Banner
from forum_kb.community.models import Thread
from forum_kb.community.paths import thread_path
from forum_kb.extensions import db
from forum_kb.kb.models import Article, ArticleStatus
from forum_kb.kb.services import article_path
from forum_kb.moderation.services.promotion import official_article


def thread_banners(thread: Thread) -> list[Banner]:
    """The official KB article made from this thread; "closed as a duplicate of ..."."""
    banners: list[Banner] = []
    article = official_article(thread)
    if article is not None:
        banners.append(
            Banner(
                kind="official_article",
                title=article.title,
                url=article_path(article),
                text="The answer here is now an official knowledge-base article:",
                data={"article_id": article.id},
            )
        )
    if thread.duplicate_of_thread_id is not None and thread.duplicate_of is not None:
        target = thread.duplicate_of
        if not (target.is_deleted or target.is_hidden or target.is_pending):
            banners.append(
                Banner(
                    kind="duplicate",
                    title=target.title,
                    url=thread_path(target.id),
                    text="Closed as a duplicate of",
                    data={"thread_id": target.id},
                )
            )
    if thread.duplicate_of_article_id is not None:
        canonical = db.session.get(Article, thread.duplicate_of_article_id)
        if canonical is not None and canonical.status is ArticleStatus.PUBLISHED:
            banners.append(
                Banner(
                    kind="duplicate",
                    title=canonical.title,
                    url=article_path(canonical),
                    text="Closed as a duplicate of the knowledge-base article",
                    data={"article_id": canonical.id},
                )
            )
    return banners
