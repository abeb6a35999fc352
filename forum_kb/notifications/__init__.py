"""Notifications: in-app notices, email (immediate or daily digest), per-user settings."""

from __future__ import annotations

from flask import Flask

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    """Register the notification pages (added with the notifications service)."""
