"""Moderation: flags, the review queue, the audit log, promotion to the KB."""

from __future__ import annotations

from flask import Flask

from forum_kb.moderation.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
