"""Community JSON API (API.md)."""

from __future__ import annotations

from flask import Blueprint

from forum_kb.accounts.auth import require_api_user
from forum_kb.accounts.models import Role
from forum_kb.api import json_body, string_field
from forum_kb.community import queries, services
from forum_kb.community.serializers import category_json

api_bp = Blueprint("community_api", __name__)


@api_bp.get("/categories")
def category_list():
    return {"items": [category_json(c) for c in queries.list_categories()]}


@api_bp.post("/categories")
def category_create():
    actor = require_api_user(Role.ADMIN)
    data = json_body()
    category = services.create_category(
        actor,
        string_field(data, "name"),
        string_field(data, "slug", required=False),
        string_field(data, "description", required=False),
    )
    return category_json(category), 201
