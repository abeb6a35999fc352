"""Who may do what in moderation. Pure predicates (STYLE 4.2)."""

from __future__ import annotations

from typing import Any

from forum_kb.accounts.models import User
from forum_kb.accounts.policies import is_moderator, is_staff, role_of
from forum_kb.community.models import Post
from forum_kb.community.policies import can_view_post_body, can_view_thread


def can_flag(user: Any, post: Post) -> bool:
    """Signed-in members flag other people's live, visible posts."""
    return (
        role_of(user) is not None
        and bool(getattr(user, "is_active", False))
        and post.author_id != user.id
        and not post.is_deleted
        and not post.is_pending
        and can_view_thread(user, post.thread)
        and can_view_post_body(user, post)
    )


def can_moderate(user: Any) -> bool:
    """Moderators, staff and admins work the review queue and act on threads and posts."""
    return is_moderator(user)


def can_view_audit_log(user: Any) -> bool:
    """The audit log is for moderators, staff and admins; nobody edits it."""
    return is_moderator(user)


def can_sanction(actor: Any, user: User) -> bool:
    """Moderators silence and suspend members; only a higher role acts on a moderator or
    staff member, and nobody on themselves."""
    if not is_moderator(actor) or actor.id == user.id:
        return False
    return bool(actor.role.rank > user.role.rank)


def can_see_user_notes(user: Any) -> bool:
    """Private notes on users are for moderators and staff."""
    return is_moderator(user)


def can_manage_watched_words(user: Any) -> bool:
    return is_moderator(user)


def can_promote(user: Any, post: Post) -> bool:
    """Moderators and staff promote a live answer or opening post to the KB."""
    return (
        is_moderator(user)
        and not post.is_deleted
        and not post.is_hidden
        and not post.is_pending
        and not post.thread.is_deleted
    )


def can_see_promotions(user: Any) -> bool:
    return is_moderator(user) or is_staff(user)
