"""Community: categories, threads, posts, votes, tags, watches."""

from __future__ import annotations

from flask import Flask

from forum_kb.accounts import ProfileSection, register_profile_section
from forum_kb.accounts.models import User
from forum_kb.community.views import bp

__all__ = ["bp", "init_app"]


def _profile_section(user: User) -> ProfileSection:
    from forum_kb.community import queries
    from forum_kb.extensions import db

    recent = queries.list_threads(
        queries.ThreadFilter(author_id=user.id, sort=queries.ThreadSort.NEWEST)
    )
    return ProfileSection(
        "_partials/profile_activity.html",
        {
            "activity": queries.user_activity(user),
            "recent_threads": list(db.session.scalars(recent.limit(5))),
        },
    )


def init_app(app: Flask) -> None:
    from forum_kb.api import register_api
    from forum_kb.community import hooks, policies
    from forum_kb.community.api import api_bp
    from forum_kb.community.search_source import POSTS, THREADS
    from forum_kb.search import register_source

    app.register_blueprint(bp)
    register_api(app, api_bp)
    register_profile_section(app, _profile_section)
    register_source(app, THREADS)
    register_source(app, POSTS)
    app.jinja_env.globals.update(
        can_create_thread=policies.can_create_thread,
        can_reply=policies.can_reply,
        can_edit_post=policies.can_edit_post,
        can_delete_post=policies.can_delete_post,
        can_vote=policies.can_vote,
        can_accept=policies.can_accept,
        can_view_post_body=policies.can_view_post_body,
        can_see_history=policies.can_see_history,
        can_watch=policies.can_watch,
        can_manage_categories=policies.can_manage_categories,
        can_moderate_community=policies.can_moderate,
        thread_banners=hooks.thread_banners,
    )
