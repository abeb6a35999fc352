"""Moderation: flags, the review queue, actions, sanctions, the audit log, pre-moderation,
watched words and promotion of community posts to the KB."""

from __future__ import annotations

from flask import Flask

from forum_kb.moderation.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    from forum_kb.api import register_api
    from forum_kb.community.hooks import register_post_screen, register_thread_banner
    from forum_kb.kb import signals
    from forum_kb.moderation import policies, queries
    from forum_kb.moderation.api import api_bp
    from forum_kb.moderation.banners import thread_banners
    from forum_kb.moderation.services import promotion, words

    app.register_blueprint(bp)
    register_api(app, api_bp)
    register_post_screen(app, words.screen_post)
    register_thread_banner(app, thread_banners)
    # Module-level receivers connected once (blinker keeps weak references to functions,
    # which stay alive as module attributes); they act only inside the sending app.
    signals.article_published.connect(promotion.on_article_published)
    signals.article_archived.connect(promotion.on_article_archived)
    app.jinja_env.globals.update(
        can_flag=policies.can_flag,
        can_moderate=policies.can_moderate,
        can_promote=policies.can_promote,
        can_sanction=policies.can_sanction,
        can_view_audit_log=policies.can_view_audit_log,
        moderation_queue_badge=queries.queue_badge,
        promoted_posts=promotion.promoted_posts,
    )
