"""Who may do what in the community. Pure predicates (STYLE 4.2)."""

from __future__ import annotations

from typing import Any

from forum_kb.accounts.policies import is_admin, is_moderator, role_of
from forum_kb.community.models import Post, Thread


def _signed_in(user: Any) -> bool:
    return role_of(user) is not None and bool(getattr(user, "is_active", False))


def can_manage_categories(user: Any) -> bool:
    """Admins create and arrange categories."""
    return is_admin(user)


def can_view_thread(user: Any, thread: Thread) -> bool:
    """Deleted and hidden threads are visible to moderators only."""
    return not (thread.is_deleted or thread.is_hidden) or is_moderator(user)


def can_view_post_body(user: Any, post: Post) -> bool:
    """Deleted or hidden posts keep their place, but only moderators see what they said."""
    return not (post.is_deleted or post.is_hidden) or is_moderator(user)


def can_create_thread(user: Any) -> bool:
    """Any signed-in, active member starts threads."""
    return _signed_in(user)


def can_reply(user: Any, thread: Thread) -> bool:
    """Members reply to visible, unlocked threads; moderators also to locked ones."""
    if not _signed_in(user) or not can_view_thread(user, thread):
        return False
    return not thread.is_locked or is_moderator(user)


def can_edit_post(user: Any, post: Post) -> bool:
    """Authors edit their own live posts in unlocked threads; moderators edit anything."""
    if is_moderator(user):
        return True
    return (
        _signed_in(user)
        and post.author_id == user.id
        and not post.is_deleted
        and not post.is_hidden
        and not post.thread.is_locked
    )


def can_delete_post(user: Any, post: Post) -> bool:
    """Authors delete their own posts; moderators delete any. An opening post with replies
    stays (the answers would lose their question)."""
    if post.is_deleted or (post.is_opening and post.thread.reply_count > 0):
        return False
    return is_moderator(user) or (_signed_in(user) and post.author_id == user.id)


def can_vote(user: Any, post: Post) -> bool:
    """Members vote on other people's live posts."""
    return (
        _signed_in(user)
        and post.author_id != user.id
        and not post.is_deleted
        and not post.is_hidden
    )


def can_accept(user: Any, thread: Thread) -> bool:
    """Only questions have an accepted answer, chosen by the asker or a moderator."""
    if not thread.is_question or thread.is_deleted:
        return False
    return is_moderator(user) or (_signed_in(user) and thread.author_id == user.id)


def can_see_history(user: Any, post: Post) -> bool:
    """Revision history is public for visible posts, like Stack Overflow's."""
    return can_view_post_body(user, post)


def can_watch(user: Any) -> bool:
    return _signed_in(user)
