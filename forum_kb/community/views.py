"""Community pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from forum_kb.community import queries

bp = Blueprint("community", __name__)


@bp.get("/")
def index():
    return render_template("community/index.html", categories=queries.list_categories())


@bp.get("/c/<slug>")
def category_detail(slug: str):
    category = queries.get_category_by_slug_or_404(slug)
    return render_template("community/category_detail.html", category=category)
