"""Knowledge-base pages."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("kb", __name__, url_prefix="/kb")


@bp.get("/")
def index():
    return render_template("kb/index.html")
