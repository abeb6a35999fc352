"""Category use cases."""

from __future__ import annotations

from sqlalchemy import func, select

from forum_kb.accounts.models import User
from forum_kb.community import policies
from forum_kb.community.models import Category
from forum_kb.db import unit_of_work
from forum_kb.errors import Conflict, PermissionDenied, ValidationFailed
from forum_kb.extensions import db
from forum_kb.text import slugify

NAME_MAX = 80
DESCRIPTION_MAX = 1000


def create_category(actor: User, name: str, slug: str = "", description: str = "") -> Category:
    """Add a category at the end of the list.

    Raises:
        PermissionDenied: the actor is not an admin.
        ValidationFailed: the name or slug is empty or too long.
        Conflict: the slug is taken.
    """
    if not policies.can_manage_categories(actor):
        raise PermissionDenied("Only admins manage categories.")
    name = " ".join(name.split())
    slug = slugify(slug or name)
    errors: list[tuple[str, str]] = []
    if not name or len(name) > NAME_MAX:
        errors.append(("name", f"Give a name of 1 to {NAME_MAX} characters."))
    if not slug:
        errors.append(("slug", "Give a slug with at least one letter or digit."))
    if len(description) > DESCRIPTION_MAX:
        errors.append(("description", f"Use at most {DESCRIPTION_MAX} characters."))
    if errors:
        raise ValidationFailed(errors)
    if db.session.scalar(select(Category.id).where(Category.slug == slug)) is not None:
        raise Conflict(f"A category with the slug '{slug}' already exists.")
    with unit_of_work():
        position = db.session.scalar(select(func.coalesce(func.max(Category.position), -1))) or 0
        category = Category(
            name=name, slug=slug, description=description.strip(), position=position + 1
        )
        db.session.add(category)
        db.session.flush()
    return category
