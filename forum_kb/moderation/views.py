"""Moderation pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from forum_kb.accounts.auth import role_required
from forum_kb.accounts.models import Role

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


@bp.get("/")
@role_required(Role.MODERATOR)
def queue():
    return render_template("moderation/queue.html")
