"""Search: one box over threads, answers and KB articles."""

from __future__ import annotations

from flask import Flask

from forum_kb.search.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
