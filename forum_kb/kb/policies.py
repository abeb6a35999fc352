"""Who may do what in the knowledge base. Pure predicates (STYLE 4.2)."""

from __future__ import annotations

from typing import Any

from forum_kb.accounts.policies import is_moderator, is_staff
from forum_kb.kb.models import Article, ArticleStatus


def can_view_article(user: Any, article: Article) -> bool:
    """Published articles are public; drafts, reviews and archived ones are for moderators
    and staff."""
    return article.status == ArticleStatus.PUBLISHED or is_moderator(user)


def can_see_unpublished(user: Any) -> bool:
    """Moderators and staff see drafts, reviews and archived articles."""
    return is_moderator(user)


def can_write_articles(user: Any) -> bool:
    """Moderators and staff write drafts and edit articles (API.md: PATCH staff, moderator)."""
    return is_moderator(user)


def can_edit_article(user: Any, article: Article) -> bool:
    """Writers edit any article; archived ones only staff (to revive them)."""
    if article.status == ArticleStatus.ARCHIVED:
        return is_staff(user)
    return can_write_articles(user)


def can_publish(user: Any) -> bool:
    """Only staff make an article official (publish), or archive it."""
    return is_staff(user)


def can_manage_sections(user: Any) -> bool:
    """Staff and admins create and arrange KB sections."""
    return is_staff(user)


def can_see_feedback(user: Any, article: Article) -> bool:
    """Feedback comments go to the article's owner and to staff."""
    return is_staff(user) or (
        getattr(user, "is_authenticated", False) and getattr(user, "id", None) == article.owner_id
    )
