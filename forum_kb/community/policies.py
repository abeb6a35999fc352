"""Who may do what in the community. Pure predicates (STYLE 4.2)."""

from __future__ import annotations

from typing import Any

from forum_kb.accounts.policies import is_admin, is_moderator, role_of
from forum_kb.community.models import Post, Thread


def _signed_in(user: Any) -> bool:
    return role_of(user) is not None and bool(getattr(user, "is_active", False))


def _can_post(user: Any) -> bool:
    """Signed in, active and not silenced by a moderator."""
    return _signed_in(user) and not user.is_silenced


def _is_author(user: Any, author_id: int) -> bool:
    return role_of(user) is not None and user.id == author_id


def can_moderate(user: Any) -> bool:
    """Moderators (and staff and admins) hide, lock, pin, move, close and merge."""
    return is_moderator(user)


def can_manage_categories(user: Any) -> bool:
    """Admins create and arrange categories."""
    return is_admin(user)


def can_view_thread(user: Any, thread: Thread) -> bool:
    """Deleted and hidden threads are visible to moderators only; threads waiting for
    pre-moderation to their author too."""
    if is_moderator(user):
        return True
    if thread.is_deleted or thread.is_hidden:
        return False
    return not thread.is_pending or _is_author(user, thread.author_id)


def can_view_post_body(user: Any, post: Post) -> bool:
    """Deleted or hidden posts keep their place, but only moderators see what they said;
    posts waiting for pre-moderation show only to their author and moderators."""
    if is_moderator(user):
        return True
    if post.is_deleted or post.is_hidden:
        return False
    return not post.is_pending or _is_author(user, post.author_id)


def can_create_thread(user: Any) -> bool:
    """Any signed-in, active member who is not silenced starts threads."""
    return _can_post(user)


def can_reply(user: Any, thread: Thread) -> bool:
    """Members reply to visible, unlocked threads; moderators also to locked ones. Nobody but
    moderators replies to a thread still waiting for pre-moderation."""
    if not _can_post(user) or not can_view_thread(user, thread):
        return False
    if thread.is_pending or thread.merged_into_id is not None:
        return is_moderator(user)
    return not thread.is_locked or is_moderator(user)


def can_edit_post(user: Any, post: Post) -> bool:
    """Authors edit their own live posts in unlocked threads; moderators edit anything."""
    if is_moderator(user):
        return True
    return (
        _can_post(user)
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
    """Members who are not silenced vote on other people's live posts."""
    return (
        _can_post(user)
        and post.author_id != user.id
        and not post.is_deleted
        and not post.is_hidden
        and not post.is_pending
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
