"""Community: categories, threads, posts."""

from __future__ import annotations

from flask import Flask

from forum_kb.community.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    from forum_kb.api import register_api
    from forum_kb.community.api import api_bp

    app.register_blueprint(bp)
    register_api(app, api_bp)
