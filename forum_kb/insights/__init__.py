"""Staff insights: is the community and KB deflecting questions, and what to fix upstream.

The figures live in ``forum_kb.insights.queries`` (SQL aggregates over a period); the staff
dashboard (``/staff/insights``), its CSV export and ``GET /api/v1/insights`` all read them.
This package sits above every feature: it reads their models and nothing imports it.
"""

from __future__ import annotations

from flask import Flask

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    from forum_kb.api import register_api
    from forum_kb.insights.api import api_bp
    from forum_kb.insights.views import bp

    app.register_blueprint(bp)
    register_api(app, api_bp)
