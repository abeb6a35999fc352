"""Read helpers for the community."""

from __future__ import annotations

from sqlalchemy import select

from forum_kb.community.models import Category
from forum_kb.extensions import db


def list_categories() -> list[Category]:
    """All categories in display order."""
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.name)))


def get_category_by_slug_or_404(slug: str) -> Category:
    return db.one_or_404(
        select(Category).where(Category.slug == slug), description="No such category."
    )
