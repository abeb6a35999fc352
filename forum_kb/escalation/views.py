"""The staff escalation queue."""

from __future__ import annotations

from flask import Blueprint, render_template

from forum_kb.accounts.auth import role_required
from forum_kb.accounts.models import Role

bp = Blueprint("escalation", __name__, url_prefix="/staff")


@bp.get("/queue")
@role_required(Role.STAFF)
def queue():
    return render_template("escalation/queue.html")
