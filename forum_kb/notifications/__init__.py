"""Notifications: in-app notices, email (immediate or daily digest), per-user settings."""

from __future__ import annotations

from flask import Flask

from forum_kb.notifications.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """Register the notification pages and the header's unread count helper."""
    from forum_kb.notifications.queries import unread_notifications

    app.register_blueprint(bp)
    app.jinja_env.globals.update(unread_notifications=unread_notifications)
