"""The search page (a GET form that works without JavaScript)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

bp = Blueprint("search", __name__, url_prefix="/search")


@bp.get("/")
def index():
    query = request.args.get("q", "").strip()[:200]
    return render_template("search/index.html", query=query)
