"""Moderators' actions on threads and posts, each with its audit entry."""

from __future__ import annotations

import enum

from forum_kb.accounts.models import User
from forum_kb.community import services as community
from forum_kb.community.models import Category, Post, Thread
from forum_kb.db import unit_of_work
from forum_kb.errors import PermissionDenied, ValidationFailed
from forum_kb.extensions import db
from forum_kb.kb.models import Article, ArticleStatus
from forum_kb.moderation import policies
from forum_kb.moderation.services.audit import log_action, log_post, log_thread

REASON_MAX = 500


class ThreadAction(enum.StrEnum):
    LOCK = "lock"
    UNLOCK = "unlock"
    PIN = "pin"
    UNPIN = "unpin"
    HIDE = "hide"
    UNHIDE = "unhide"


class PostAction(enum.StrEnum):
    HIDE = "hide"
    UNHIDE = "unhide"


def _check(actor: User, reason: str) -> str:
    if not policies.can_moderate(actor):
        raise PermissionDenied("Only moderators do that.")
    reason = " ".join(reason.split())
    if len(reason) > REASON_MAX:
        raise ValidationFailed([("reason", f"Keep the reason under {REASON_MAX} characters.")])
    return reason


def moderate_thread(actor: User, thread: Thread, action: str, reason: str = "") -> bool:
    """Lock, unlock, pin, unpin, hide or unhide a thread; returns whether anything changed
    (repeating an action changes and logs nothing).

    Raises:
        PermissionDenied: the actor is not a moderator.
        ValidationFailed: an unknown action or a too long reason.
    """
    reason = _check(actor, reason)
    if action not in ThreadAction._value2member_map_:
        raise ValidationFailed([("action", "Choose lock, unlock, pin, unpin, hide or unhide.")])
    verb = ThreadAction(action)
    setter = {
        "lock": community.set_thread_locked,
        "pin": community.set_thread_pinned,
        "hide": community.set_thread_hidden,
    }[verb.value.removeprefix("un")]
    with unit_of_work():
        changed = setter(actor, thread, not verb.value.startswith("un"))
        if changed:
            log_thread(actor, f"thread.{verb.value}", thread, reason)
    return changed


def moderate_post(actor: User, post: Post, action: str, reason: str = "") -> bool:
    """Hide a post from everyone but moderators, or show it again.

    Raises:
        PermissionDenied: the actor is not a moderator.
        ValidationFailed: an unknown action or a too long reason.
    """
    reason = _check(actor, reason)
    if action not in PostAction._value2member_map_:
        raise ValidationFailed([("action", "Choose hide or unhide.")])
    with unit_of_work():
        changed = community.set_post_hidden(actor, post, action == PostAction.HIDE)
        if changed:
            log_post(actor, f"post.{action}", post, reason)
    return changed


def move_thread(actor: User, thread: Thread, category_id: int, reason: str = "") -> Thread:
    """Move a thread to another category.

    Raises:
        PermissionDenied: the actor is not a moderator.
        ValidationFailed: no such category, the same category, or a too long reason.
    """
    reason = _check(actor, reason)
    with unit_of_work():
        old = community.move_thread(actor, thread, category_id)
        log_thread(
            actor, "thread.move", thread, reason, **{"from": old.slug, "to": thread.category.slug}
        )
    return thread


def close_as_duplicate(
    actor: User,
    thread: Thread,
    *,
    thread_id: int | None = None,
    article_id: int | None = None,
    reason: str = "",
) -> Thread:
    """Close a thread as a duplicate of another thread or of a published KB article.

    Raises:
        PermissionDenied: the actor is not a moderator.
        ValidationFailed: neither or both targets, an invisible thread, or an article that is
            not published.
    """
    reason = _check(actor, reason)
    if article_id is not None:
        article = db.session.get(Article, article_id)
        if article is None or article.status is not ArticleStatus.PUBLISHED:
            raise ValidationFailed([("duplicate_of", "Choose a published KB article.")])
    current = (thread.duplicate_of_thread_id, thread.duplicate_of_article_id)
    if thread.is_locked and thread.is_closed_as_duplicate and current == (thread_id, article_id):
        return thread  # already closed so: like any repeated action, nothing to change or log
    with unit_of_work():
        community.close_as_duplicate(actor, thread, thread_id=thread_id, article_id=article_id)
        log_thread(
            actor, "thread.close_duplicate", thread, reason,
            duplicate_of_thread=thread_id, duplicate_of_article=article_id,
        )  # fmt: skip
    return thread


def reopen_thread(actor: User, thread: Thread, reason: str = "") -> Thread:
    """Undo a duplicate closure.

    Raises:
        PermissionDenied: the actor is not a moderator.
        Conflict: the thread is not closed as a duplicate.
    """
    reason = _check(actor, reason)
    with unit_of_work():
        community.reopen_thread(actor, thread)
        log_thread(actor, "thread.reopen", thread, reason)
    return thread


def merge_threads(actor: User, source: Thread, target: Thread, reason: str = "") -> Thread:
    """Merge a duplicate thread into another: its posts move and its address redirects.

    Raises:
        PermissionDenied: the actor is not a moderator.
        ValidationFailed: the target is the source or not a live thread.
        Conflict: the source was already merged or deleted.
    """
    reason = _check(actor, reason)
    title = source.title
    with unit_of_work():
        community.merge_threads(actor, source, target)
        log_thread(actor, "thread.merge", target, reason, merged_thread=source.id, title=title)
    return target


def set_premoderation(actor: User, category: Category, enabled: bool, reason: str = "") -> bool:
    """Turn pre-moderation of new accounts' first posts on or off for a category.

    Raises:
        PermissionDenied: the actor is not a moderator.
    """
    reason = _check(actor, reason)
    with unit_of_work():
        changed = community.set_premoderation(actor, category, enabled)
        if changed:
            log_action(
                actor, "category.premoderate_on" if enabled else "category.premoderate_off",
                "category", category.id, label=category.name, url=f"/c/{category.slug}",
                reason=reason,
            )  # fmt: skip
    return changed
