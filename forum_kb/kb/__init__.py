"""Knowledge base: company-sanctioned articles with a reviewed lifecycle."""

from __future__ import annotations

from flask import Flask

from forum_kb.kb import models as models
from forum_kb.kb.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    from forum_kb.api import register_api
    from forum_kb.kb import policies
    from forum_kb.kb.api import api_bp
    from forum_kb.kb.search_source import ARTICLES
    from forum_kb.search import register_source

    app.register_blueprint(bp)
    register_api(app, api_bp)
    register_source(app, ARTICLES)
    app.jinja_env.globals.update(
        can_view_article=policies.can_view_article,
        can_see_unpublished=policies.can_see_unpublished,
        can_write_articles=policies.can_write_articles,
        can_edit_article=policies.can_edit_article,
        can_publish=policies.can_publish,
        can_manage_sections=policies.can_manage_sections,
        can_see_feedback=policies.can_see_feedback,
    )
