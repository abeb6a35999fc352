"""Watching threads, categories and tags (for notifications)."""

from __future__ import annotations

from sqlalchemy import delete, select

from forum_kb.accounts.models import User
from forum_kb.community import policies
from forum_kb.community.models import Category, CategoryWatch, Tag, TagWatch, Thread, ThreadWatch
from forum_kb.db import unit_of_work
from forum_kb.errors import PermissionDenied
from forum_kb.extensions import db


def ensure_watching(user: User, thread: Thread) -> None:
    """Watch a thread if not already (posting in a thread watches it)."""
    exists = db.session.scalar(
        select(ThreadWatch.user_id).where(
            ThreadWatch.user_id == user.id, ThreadWatch.thread_id == thread.id
        )
    )
    if exists is None:
        db.session.add(ThreadWatch(user_id=user.id, thread_id=thread.id))


def _set(model: type, actor: User, key: str, target_id: int, watching: bool) -> None:
    if not policies.can_watch(actor):
        raise PermissionDenied("Sign in to watch.")
    column = getattr(model, key)
    with unit_of_work():
        db.session.execute(delete(model).where(model.user_id == actor.id, column == target_id))  # type: ignore[attr-defined]
        if watching:
            db.session.add(model(user_id=actor.id, **{key: target_id}))


def watch_thread(actor: User, thread: Thread, watching: bool = True) -> None:
    """Start or stop watching a thread.

    Raises:
        PermissionDenied: the actor is not signed in.
    """
    _set(ThreadWatch, actor, "thread_id", thread.id, watching)


def watch_category(actor: User, category: Category, watching: bool = True) -> None:
    """Start or stop watching a category's new threads.

    Raises:
        PermissionDenied: the actor is not signed in.
    """
    _set(CategoryWatch, actor, "category_id", category.id, watching)


def watch_tag(actor: User, tag: Tag, watching: bool = True) -> None:
    """Start or stop watching new threads with a tag.

    Raises:
        PermissionDenied: the actor is not signed in.
    """
    _set(TagWatch, actor, "tag_id", tag.id, watching)
