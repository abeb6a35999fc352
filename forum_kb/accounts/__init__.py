"""Accounts: users, roles, sign-in, passwords, profiles and API tokens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from forum_kb.accounts.models import User
from forum_kb.accounts.views import bp

__all__ = ["ProfileSection", "bp", "init_app", "register_profile_section"]

PROFILE_SECTIONS_KEY = "forum_kb.profile_sections"


@dataclass(frozen=True)
class ProfileSection:
    """A block on the profile page contributed by another feature (activity, reputation...)."""

    template: str
    context: dict[str, Any]


def register_profile_section(app: Flask, provider: Callable[[User], ProfileSection]) -> None:
    """Let a feature add a section to profile pages without accounts importing it."""
    app.extensions.setdefault(PROFILE_SECTIONS_KEY, []).append(provider)


def init_app(app: Flask) -> None:
    from forum_kb.accounts import auth, policies
    from forum_kb.accounts.api import api_bp
    from forum_kb.api import register_api
    from forum_kb.extensions import login_manager

    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    assert auth.load_user  # the loader registers itself on import

    app.register_blueprint(bp)
    register_api(app, api_bp)
    app.before_request(auth.refuse_bad_tokens)
    app.jinja_env.globals.update(
        is_moderator=policies.is_moderator,
        is_staff=policies.is_staff,
        is_admin=policies.is_admin,
        can_manage_users=policies.can_manage_users,
        can_change_role=policies.can_change_role,
        can_edit_profile=policies.can_edit_profile,
        can_see_email=policies.can_see_email,
    )
