"""Escalation: unresolved threads reach staff under a service-level clock; webhooks."""

from __future__ import annotations

from flask import Flask

from forum_kb.escalation.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    from forum_kb.api import register_api
    from forum_kb.community import signals as community_signals
    from forum_kb.escalation import policies, queries
    from forum_kb.escalation.api import api_bp
    from forum_kb.escalation.services import core
    from forum_kb.kb import signals as kb_signals
    from forum_kb.moderation import signals as moderation_signals

    app.register_blueprint(bp)
    register_api(app, api_bp)
    # Module-level receivers (blinker keeps weak references to functions; these live as
    # module attributes), connected once however many apps are made.
    community_signals.answer_accepted.connect(core.on_answer_accepted)
    community_signals.reply_created.connect(core.on_reply_created)
    community_signals.thread_created.connect(core.on_thread_created)
    community_signals.category_created.connect(core.on_category_created)
    kb_signals.article_published.connect(core.on_article_published)
    moderation_signals.flag_created.connect(core.on_flag_created)
    app.jinja_env.globals.update(
        can_work_queue=policies.can_work_queue,
        # The thread page shows the escalation state without community importing escalation.
        thread_escalation=queries.thread_escalation,
        ask_staff_available=queries.ask_staff_available,
        ask_staff_at=queries.ask_staff_at,
        staff_queue_badge=queries.queue_badge,
    )
