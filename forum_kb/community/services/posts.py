"""Post use cases: reply, edit with history, soft delete, re-render."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from forum_kb.accounts.models import User
from forum_kb.community import policies, signals
from forum_kb.community.models import Post, PostRevision, Thread
from forum_kb.community.services import content, notify
from forum_kb.community.services.votes import clear_accepted
from forum_kb.community.services.watches import ensure_watching
from forum_kb.db import unit_of_work, utcnow
from forum_kb.errors import Conflict, PermissionDenied, ValidationFailed
from forum_kb.extensions import db
from forum_kb.markup import RENDERER_VERSION, extract_mentions
from forum_kb.search import index_later

REASON_MAX = 200


def reply_to_thread(actor: User, thread: Thread, body: str) -> Post:
    """Add a reply (an answer, for questions); the replier then watches the thread.

    Raises:
        Conflict: the thread is locked.
        PermissionDenied: the actor may not reply here.
        ValidationFailed: the body breaks a rule or repeats the actor's last post.
        RateLimited: a new account used up its posts for the day.

    A reply that a screen sends to review is saved as pending and counted, announced and
    shown to others only once a moderator approves it.
    """
    content.check_not_silenced(actor)
    if thread.is_locked and not policies.can_reply(actor, thread):
        raise Conflict("This thread is locked: no new replies.")
    if not policies.can_reply(actor, thread):
        raise PermissionDenied("You cannot reply to this thread.")
    errors = content.body_errors(body)
    if errors:
        raise ValidationFailed(errors)
    content.check_posting_limits(actor, body)
    pending = content.screen(actor, thread.category, body)
    rendered = content.render_post(body)
    now = utcnow()
    with unit_of_work():
        post = content.add_post(actor, thread.id, body, rendered, now=now, pending_reason=pending)
        ensure_watching(actor, thread)
        content.index_post_later(post)
        if pending is None:
            count_reply(thread, post)
            db.session.flush()
            notify.new_reply(thread, post, rendered.mentioned)
            signals.send(signals.reply_created, thread=thread, post=post)
    return post


def count_reply(thread: Thread, post: Post) -> None:
    """A reply became visible: count it and make it the thread's latest activity."""
    # SQL-side increments: two replies at once must both count.
    thread.reply_count = Thread.reply_count + 1
    thread.last_activity_at = post.created_at
    thread.last_poster_id = post.author_id


def edit_post(
    actor: User,
    post: Post,
    body: str,
    *,
    title: str | None = None,
    tags: Sequence[str] | None = None,
    reason: str = "",
) -> Post:
    """Change a post (and, for an opening post, the thread title and tags), keeping a revision.

    All of it is one change: a bad tag saves nothing. Saving without a change records nothing.

    Raises:
        PermissionDenied: the actor may not edit this post.
        ValidationFailed: the body, title or reason breaks a rule.
    """
    if not policies.can_edit_post(actor, post):
        raise PermissionDenied("You cannot edit this post.")
    thread = post.thread
    new_title = content.normalize_title(title) if title is not None and post.is_opening else None
    errors = content.body_errors(body)
    if new_title is not None:
        errors += content.title_errors(new_title)
    reason = " ".join(reason.split())
    if len(reason) > REASON_MAX:
        errors.append(("reason", f"Keep the reason under {REASON_MAX} characters."))
    tag_names: list[str] | None = None
    if tags is not None and post.is_opening:
        tag_names, tag_errors = content.parse_tags(list(tags))
        errors += tag_errors
    if errors:
        raise ValidationFailed(errors)
    title_changed = new_title is not None and new_title != thread.title
    tags_changed = tag_names is not None and tag_names != [t.name for t in thread.tags]
    if tags_changed:
        with unit_of_work():
            thread.tags = content.get_or_create_tags(tag_names or [])
            index_later("thread", thread.id)
            if body != post.body_source or title_changed:
                _revise(actor, post, body, new_title if title_changed else None, reason)
        return post
    if body == post.body_source and not title_changed:
        return post
    _revise(actor, post, body, new_title if title_changed else None, reason)
    return post


def _revise(actor: User, post: Post, body: str, new_title: str | None, reason: str) -> None:
    thread = post.thread
    before = extract_mentions(post.body_source)
    rendered = content.render_post(body)
    with unit_of_work():
        number = db.session.scalar(
            select(func.coalesce(func.max(PostRevision.number), 0)).where(
                PostRevision.post_id == post.id
            )
        )
        post.body_source = body
        post.body_html = rendered.html
        post.renderer_version = rendered.version
        post.edited_at = utcnow()
        post.edited_by_id = actor.id
        if new_title is not None:
            thread.title = new_title
        db.session.add(
            PostRevision(
                post_id=post.id,
                number=(number or 0) + 1,
                editor_id=actor.id,
                title=thread.title if post.is_opening else None,
                body_source=body,
                reason=reason,
            )
        )
        content.index_post_later(post)
        newly = [u for u in rendered.mentioned if u.username_key not in before]
        notify.mentioned_in_edit(post, newly, actor)


def is_counted(post: Post) -> bool:
    """Whether a reply counts in its thread's reply_count (live, visible and approved)."""
    return not (post.is_opening or post.is_deleted or post.is_hidden or post.is_pending)


def delete_post(actor: User, post: Post) -> None:
    """Soft-delete a post; an opening post goes only with its whole (reply-less) thread.

    Raises:
        PermissionDenied: the actor may not delete this post.
        Conflict: an opening post that already has replies.
    """
    thread = post.thread
    if post.is_opening and thread.reply_count > 0 and not post.is_deleted:
        raise Conflict(
            "An opening post with replies cannot be deleted; edit it instead, "
            "or ask a moderator to close the thread."
        )
    if not policies.can_delete_post(actor, post):
        raise PermissionDenied("You cannot delete this post.")
    counted = is_counted(post)
    now = utcnow()
    with unit_of_work():
        post.deleted_at = now
        post.deleted_by_id = actor.id
        content.index_post_later(post)
        notify.post_removed(post)
        if post.is_opening:
            thread.deleted_at = now
        else:
            if counted:
                thread.reply_count = Thread.reply_count - 1
            if thread.accepted_post_id == post.id:
                clear_accepted(thread)


def rerender_stale_posts(batch_size: int = 500) -> int:
    """Re-render posts made by an older renderer; returns how many were updated."""
    updated = 0
    while True:
        posts = list(
            db.session.scalars(
                select(Post)
                .where(Post.renderer_version < RENDERER_VERSION)
                .order_by(Post.id)
                .limit(batch_size)
            )
        )
        if not posts:
            return updated
        with unit_of_work():
            for post in posts:
                rendered = content.render_post(post.body_source)
                post.body_html = rendered.html
                post.renderer_version = rendered.version
        updated += len(posts)
