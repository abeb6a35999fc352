"""Thread use cases: start, retitle and retag, views."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import update

from forum_kb.accounts.models import User
from forum_kb.community import policies, signals
from forum_kb.community.models import Category, Post, Thread, ThreadDailyViews, ThreadKind
from forum_kb.community.services import content, notify
from forum_kb.community.services.watches import ensure_watching
from forum_kb.db import count_daily, no_durability_wait, unit_of_work, utcnow
from forum_kb.errors import NotFound, PermissionDenied, ValidationFailed
from forum_kb.extensions import db
from forum_kb.search import index_later
from forum_kb.search.services import note_new_thread


@dataclass(frozen=True)
class NewThread:
    category_id: int
    kind: str
    title: str
    body: str
    tags: Sequence[str] = field(default_factory=tuple)


def create_thread(actor: User, data: NewThread) -> Thread:
    """Start a thread: its title, opening post (revision 1) and tags; the author watches it.

    Raises:
        PermissionDenied: the actor may not post.
        ValidationFailed: a field breaks a rule (kind, category, title, body, tags, links).
        RateLimited: a new account used up its posts for the day.

    A thread that a screen sends to review (watched words, pre-moderation) is saved as
    pending: only its author and moderators see it until a moderator approves it.
    """
    content.check_not_silenced(actor)
    if not policies.can_create_thread(actor):
        raise PermissionDenied("Sign in to start a thread.")
    title = content.normalize_title(data.title)
    errors = content.title_errors(title) + content.body_errors(data.body)
    if data.kind not in ThreadKind._value2member_map_:
        errors.append(("kind", "Choose question, how-to, success story or discussion."))
    category = db.session.get(Category, data.category_id)
    if category is None:
        errors.append(("category", "Choose one of the categories."))
    tag_names, tag_errors = content.parse_tags(list(data.tags))
    errors += tag_errors
    if errors:
        raise ValidationFailed(errors)
    assert category is not None
    content.check_posting_limits(actor, data.body)
    pending = content.screen(actor, category, f"{title}\n\n{data.body}")
    rendered = content.render_post(data.body)
    now = utcnow()
    with unit_of_work():
        thread = Thread(
            is_pending=pending is not None,
            category_id=data.category_id,
            author_id=actor.id,
            kind=ThreadKind(data.kind),
            title=title,
            created_at=now,
            last_activity_at=now,
            last_poster_id=actor.id,
            tags=content.get_or_create_tags(tag_names),
        )
        db.session.add(thread)
        db.session.flush()
        post = content.add_post(
            actor, thread.id, data.body, rendered, is_opening=True, title=title, now=now,
            pending_reason=pending,
        )  # fmt: skip
        ensure_watching(actor, thread)
        index_later("thread", thread.id)
        note_new_thread(actor.id, thread.id)
        if pending is None:
            notify.new_thread(thread, post, rendered.mentioned)
            signals.send(signals.thread_created, thread=thread, post=post)
    return thread


def retag_thread(actor: User, thread: Thread, tags: Sequence[str]) -> Thread:
    """Replace a thread's tags (the author or a moderator).

    Raises:
        PermissionDenied: the actor may not edit the opening post.
        ValidationFailed: a tag breaks a rule.
    """
    opening = opening_post(thread)
    if not policies.can_edit_post(actor, opening):
        raise PermissionDenied("You cannot edit this thread.")
    names, errors = content.parse_tags(list(tags))
    if errors:
        raise ValidationFailed(errors)
    with unit_of_work():
        thread.tags = content.get_or_create_tags(names)
        index_later("thread", thread.id)
    return thread


def opening_post(thread: Thread) -> Post:
    """The thread's first post.

    Raises:
        NotFound: the thread has no opening post (never for threads made by create_thread).
    """
    post = db.session.scalar(thread.posts.select().where(Post.is_opening.is_(True)))
    if post is None:
        raise NotFound("This thread has no opening post.")
    return post


def record_view(thread: Thread) -> None:
    """Count one view (the caller skips repeat views in one browser session). A statistic:
    on PostgreSQL its commit does not wait for the disk flush."""
    with unit_of_work():
        no_durability_wait()
        db.session.execute(
            update(Thread)
            .where(Thread.id == thread.id)
            # Keep updated_at: reading is not a change (onupdate would bump it).
            .values(view_count=Thread.view_count + 1, updated_at=Thread.updated_at)
            .execution_options(synchronize_session=False)
        )
        count_daily(ThreadDailyViews, {"thread_id": thread.id, "day": utcnow().date()})
