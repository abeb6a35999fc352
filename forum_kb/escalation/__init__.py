"""Escalation: unresolved threads reach staff under a service-level clock."""

from __future__ import annotations

from flask import Flask

from forum_kb.escalation.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
