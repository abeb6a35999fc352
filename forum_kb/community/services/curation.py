"""Moderators' changes to threads and posts: hide, lock, pin, move, close, merge, approve.

These are the community's own mutations; moderation.services calls them, adds the audit
log entry, the reason and the notifications (STYLE 4.1: moderation hides a post through the
community's services, never by setting the flag itself).
"""

from __future__ import annotations

from sqlalchemy import func, insert, literal, select, update

from forum_kb.accounts.models import User
from forum_kb.community import policies, signals
from forum_kb.community.models import Category, Post, Thread, ThreadWatch
from forum_kb.community.services import content, notify
from forum_kb.community.services.posts import count_reply, is_counted
from forum_kb.community.services.threads import opening_post
from forum_kb.community.services.votes import clear_accepted
from forum_kb.db import unit_of_work, utcnow
from forum_kb.errors import Conflict, PermissionDenied, ValidationFailed
from forum_kb.extensions import db
from forum_kb.search import index_later


def _require_moderator(actor: User | None) -> None:
    # None is the system itself (e.g. the flag threshold hiding a post automatically).
    if actor is not None and not policies.can_moderate(actor):
        raise PermissionDenied("Only moderators do that.")


def recount(thread: Thread) -> None:
    """Recompute a thread's reply count and latest activity from its posts."""
    visible = (
        Post.thread_id == thread.id,
        Post.is_opening.is_(False),
        Post.deleted_at.is_(None),
        Post.is_hidden.is_(False),
        Post.is_pending.is_(False),
    )
    thread.reply_count = (
        db.session.scalar(select(func.count()).select_from(Post).where(*visible)) or 0
    )
    latest = db.session.execute(
        select(Post.created_at, Post.author_id)
        .where(Post.thread_id == thread.id, Post.deleted_at.is_(None), Post.is_pending.is_(False))
        .where(Post.is_hidden.is_(False))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(1)
    ).first()
    if latest is not None:
        thread.last_activity_at, thread.last_poster_id = latest[0], latest[1]


def set_post_hidden(actor: User | None, post: Post, hidden: bool) -> bool:
    """Hide a post from everyone but moderators, or show it again; returns whether anything
    changed. Hiding an opening post hides its whole thread.

    Raises:
        PermissionDenied: the actor is not a moderator.
    """
    _require_moderator(actor)
    if post.is_hidden == hidden:
        return False
    with unit_of_work():
        was_counted = is_counted(post)
        post.is_hidden = hidden
        content.index_post_later(post)
        if hidden:
            notify.post_removed(post)
        thread = post.thread
        if post.is_opening:
            thread.is_hidden = hidden
        elif was_counted != is_counted(post):
            # Count and "latest activity" both change: a hidden reply is not the last word.
            db.session.flush()
            recount(thread)
    return True


def set_thread_hidden(actor: User, thread: Thread, hidden: bool) -> bool:
    """Hide a whole thread (and its opening post) or show it again.

    Raises:
        PermissionDenied: the actor is not a moderator.
    """
    _require_moderator(actor)
    if thread.is_hidden == hidden:
        return False
    with unit_of_work():
        thread.is_hidden = hidden
        opening_post(thread).is_hidden = hidden
        index_later("thread", thread.id)
    return True


def set_thread_locked(actor: User, thread: Thread, locked: bool) -> bool:
    """Lock a thread (no new replies, no edits by members) or unlock it.

    Raises:
        PermissionDenied: the actor is not a moderator.
    """
    _require_moderator(actor)
    if thread.is_locked == locked:
        return False
    with unit_of_work():
        thread.is_locked = locked
    return True


def set_thread_pinned(actor: User, thread: Thread, pinned: bool) -> bool:
    """Pin a thread to the top of its category, or unpin it.

    Raises:
        PermissionDenied: the actor is not a moderator.
    """
    _require_moderator(actor)
    if thread.is_pinned == pinned:
        return False
    with unit_of_work():
        thread.is_pinned = pinned
    return True


def move_thread(actor: User, thread: Thread, category_id: int) -> Category:
    """Move a thread to another category; returns the category it left.

    Raises:
        PermissionDenied: the actor is not a moderator.
        ValidationFailed: no such category, or the thread is already there.
    """
    _require_moderator(actor)
    target = db.session.get(Category, category_id)
    if target is None:
        raise ValidationFailed([("category", "Choose one of the categories.")])
    if target.id == thread.category_id:
        raise ValidationFailed([("category", "The thread is already in this category.")])
    old = thread.category
    with unit_of_work():
        thread.category_id = target.id
        index_later("thread", thread.id)
    db.session.refresh(thread, ["category"])
    return old


def _live_target(thread: Thread, target: Thread | None, field: str) -> Thread:
    if target is None or target.is_deleted or target.is_hidden or target.is_pending:
        raise ValidationFailed([(field, "Choose a visible thread.")])
    if target.merged_into_id is not None:
        raise ValidationFailed([(field, "That thread was merged into another; choose that one.")])
    if target.id == thread.id:
        raise ValidationFailed([(field, "Choose a different thread.")])
    return target


def close_as_duplicate(
    actor: User, thread: Thread, *, thread_id: int | None = None, article_id: int | None = None
) -> Thread:
    """Close a thread as a duplicate of another thread or of a KB article, and lock it.

    The caller checks that ``article_id`` names a published article (kb is not ours to read).

    Raises:
        PermissionDenied: the actor is not a moderator.
        ValidationFailed: neither or both targets, or a target that cannot be linked.
    """
    _require_moderator(actor)
    if (thread_id is None) == (article_id is None):
        raise ValidationFailed([("duplicate_of", "Link either a thread or a KB article.")])
    if thread_id is not None:
        _live_target(thread, db.session.get(Thread, thread_id), "duplicate_of")
    with unit_of_work():
        thread.duplicate_of_thread_id = thread_id
        thread.duplicate_of_article_id = article_id
        thread.is_locked = True
    return thread


def reopen_thread(actor: User, thread: Thread) -> Thread:
    """Undo a duplicate closure: the link goes and the thread is unlocked.

    Raises:
        PermissionDenied: the actor is not a moderator.
        Conflict: the thread is not closed as a duplicate.
    """
    _require_moderator(actor)
    if not thread.is_closed_as_duplicate:
        raise Conflict("This thread is not closed as a duplicate.")
    with unit_of_work():
        thread.duplicate_of_thread_id = None
        thread.duplicate_of_article_id = None
        thread.is_locked = False
    return thread


def merge_threads(actor: User, source: Thread, target: Thread) -> Thread:
    """Move every post of ``source`` into ``target`` (its opening post becomes a reply); the
    source's address then redirects to the target. Watchers carry over; so does an accepted
    answer when the target has none.

    Raises:
        PermissionDenied: the actor is not a moderator.
        ValidationFailed: the target is the source, or not a live thread.
        Conflict: the source was already merged or deleted.
    """
    _require_moderator(actor)
    if source.merged_into_id is not None or source.is_deleted:
        raise Conflict("This thread was already merged or deleted.")
    _live_target(source, target, "target")
    with unit_of_work():
        db.session.execute(
            update(Post)
            .where(Post.thread_id == source.id)
            .values(thread_id=target.id, is_opening=False)
            .execution_options(synchronize_session=False)
        )
        carried = source.accepted_post_id
        if carried is not None and target.accepted_post_id is None and target.is_question:
            target.accepted_post_id, target.solved_at = carried, source.solved_at
        elif carried is not None:
            clear_accepted(source)
        already = select(ThreadWatch.user_id).where(ThreadWatch.thread_id == target.id)
        db.session.execute(
            insert(ThreadWatch).from_select(
                ["user_id", "thread_id", "created_at"],
                select(ThreadWatch.user_id, literal(target.id), ThreadWatch.created_at).where(
                    ThreadWatch.thread_id == source.id, ThreadWatch.user_id.not_in(already)
                ),
            )
        )
        source.accepted_post_id = None
        source.solved_at = None
        source.merged_into_id = target.id
        source.deleted_at = utcnow()
        source.reply_count = 0
        db.session.flush()
        db.session.expire_all()
        recount(target)
        index_later("thread", source.id)
        index_later("thread", target.id)
    return target


def approve_post(actor: User, post: Post) -> Post:
    """Let a post that waited in the pre-moderation queue be seen (and its thread, if it is
    the opening post); watchers and mentioned users hear about it now.

    Raises:
        PermissionDenied: the actor is not a moderator.
        Conflict: the post is not waiting for review.
    """
    _require_moderator(actor)
    if not post.is_pending or post.is_deleted:
        raise Conflict("This post is not waiting for review.")
    thread = post.thread
    mentioned = content.render_post(post.body_source).mentioned
    with unit_of_work():
        post.is_pending = False
        content.index_post_later(post)
        if post.is_opening:
            thread.is_pending = False
            db.session.flush()
            notify.new_thread(thread, post, mentioned)
            signals.send(signals.thread_created, thread=thread, post=post)
        else:
            count_reply(thread, post)
            db.session.flush()
            notify.new_reply(thread, post, mentioned)
            signals.send(signals.reply_created, thread=thread, post=post)
    return post


def reject_post(actor: User, post: Post) -> Post:
    """Delete a post that waited in the pre-moderation queue (its thread too, if it is the
    opening post). Nobody but its author and moderators ever saw it.

    Raises:
        PermissionDenied: the actor is not a moderator.
        Conflict: the post is not waiting for review.
    """
    _require_moderator(actor)
    if not post.is_pending or post.is_deleted:
        raise Conflict("This post is not waiting for review.")
    now = utcnow()
    with unit_of_work():
        post.deleted_at = now
        post.deleted_by_id = actor.id
        if post.is_opening:
            post.thread.deleted_at = now
    return post


def set_premoderation(actor: User, category: Category, enabled: bool) -> bool:
    """Turn pre-moderation of new accounts' first posts on or off for a category.

    Raises:
        PermissionDenied: the actor is not a moderator.
    """
    _require_moderator(actor)
    if category.premoderate == enabled:
        return False
    with unit_of_work():
        category.premoderate = enabled
    return True
