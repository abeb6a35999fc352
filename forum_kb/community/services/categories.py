"""Category use cases."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from forum_kb import ordering
from forum_kb.accounts.models import User
from forum_kb.community import policies, signals
from forum_kb.community.models import Category
from forum_kb.db import unit_of_work
from forum_kb.errors import Conflict, PermissionDenied, ValidationFailed
from forum_kb.extensions import db
from forum_kb.text import slugify

NAME_MAX = 80
DESCRIPTION_MAX = 1000


def _validated(name: str, slug: str, description: str) -> tuple[str, str, str]:
    name = " ".join(name.split())
    slug = slugify(slug or name)
    description = description.strip()
    errors: list[tuple[str, str]] = []
    if not name or len(name) > NAME_MAX:
        errors.append(("name", f"Give a name of 1 to {NAME_MAX} characters."))
    if not slug:
        errors.append(("slug", "Give a slug with at least one letter or digit."))
    if len(description) > DESCRIPTION_MAX:
        errors.append(("description", f"Use at most {DESCRIPTION_MAX} characters."))
    if errors:
        raise ValidationFailed(errors)
    return name, slug, description


def _require_admin(actor: User) -> None:
    if not policies.can_manage_categories(actor):
        raise PermissionDenied("Only admins manage categories.")


def _slug_taken(slug: str, exclude_id: int | None = None) -> bool:
    existing = db.session.scalar(select(Category.id).where(Category.slug == slug))
    return existing is not None and existing != exclude_id


def create_category(
    actor: User,
    name: str,
    slug: str = "",
    description: str = "",
    options: Mapping[str, Any] | None = None,
) -> Category:
    """Add a category at the end of the list.

    ``options`` carries settings that other features own (the escalation feature reads
    ``sla_policy``); they receive them through the ``category_created`` signal, in this
    transaction.

    Raises:
        PermissionDenied: the actor is not an admin.
        ValidationFailed: the name or slug is empty or too long.
        Conflict: the slug is taken.
    """
    _require_admin(actor)
    name, slug, description = _validated(name, slug, description)
    if _slug_taken(slug):
        raise Conflict(f"A category with the slug '{slug}' already exists.")
    with unit_of_work():
        position = db.session.scalar(select(func.coalesce(func.max(Category.position), -1))) or 0
        category = Category(name=name, slug=slug, description=description, position=position + 1)
        db.session.add(category)
        db.session.flush()
        signals.send(
            signals.category_created, category=category, actor=actor, options=dict(options or {})
        )
    return category


def update_category(
    actor: User, category: Category, name: str, slug: str, description: str
) -> Category:
    """Rename a category, change its slug or description.

    Raises:
        PermissionDenied: the actor is not an admin.
        ValidationFailed: the name or slug is empty or too long.
        Conflict: the new slug belongs to another category.
    """
    _require_admin(actor)
    name, slug, description = _validated(name, slug, description)
    if _slug_taken(slug, exclude_id=category.id):
        raise Conflict(f"A category with the slug '{slug}' already exists.")
    with unit_of_work():
        category.name, category.slug, category.description = name, slug, description
    return category


def move_category(actor: User, category: Category, offset: int) -> None:
    """Move a category one place up (-1) or down (+1) in the display order.

    Raises:
        PermissionDenied: the actor is not an admin.
        ValidationFailed: an offset other than -1 or 1.
    """
    _require_admin(actor)
    ordered = list(db.session.scalars(select(Category).order_by(Category.position, Category.name)))
    with unit_of_work():
        ordering.move(ordered, category, offset)
