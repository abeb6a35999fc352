"""JSON shapes of community objects."""

from __future__ import annotations

from typing import Any

from forum_kb.community.models import Category


def category_json(category: Category) -> dict[str, Any]:
    return {
        "id": category.id,
        "name": category.name,
        "slug": category.slug,
        "description": category.description,
        "position": category.position,
    }
