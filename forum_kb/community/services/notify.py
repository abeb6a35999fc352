"""Who hears about community activity: watchers and mentioned users."""

from __future__ import annotations

from sqlalchemy import select

from forum_kb.accounts.models import User
from forum_kb.community.models import (
    CategoryWatch,
    Post,
    TagWatch,
    Thread,
    ThreadWatch,
    thread_tags,
)
from forum_kb.community.paths import thread_path
from forum_kb.extensions import db
from forum_kb.markup import html_to_text
from forum_kb.notifications import services as notifications

EXCERPT_LENGTH = 280


def _excerpt(post: Post) -> str:
    text = html_to_text(post.body_html)
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1].rstrip() + "…"


def _thread_watchers(thread: Thread) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(ThreadWatch, ThreadWatch.user_id == User.id)
            .where(ThreadWatch.thread_id == thread.id)
        )
    )


def _category_and_tag_watchers(thread: Thread) -> list[User]:
    by_category = select(CategoryWatch.user_id).where(
        CategoryWatch.category_id == thread.category_id
    )
    by_tag = (
        select(TagWatch.user_id)
        .join(thread_tags, thread_tags.c.tag_id == TagWatch.tag_id)
        .where(thread_tags.c.thread_id == thread.id)
    )
    return list(db.session.scalars(select(User).where(User.id.in_(by_category.union(by_tag)))))


def new_thread(thread: Thread, post: Post, mentioned: list[User]) -> None:
    """Tell mentioned users, then watchers of the category and tags, about a new thread."""
    actor = thread.author
    mention_ids = {u.id for u in mentioned}
    url = thread_path(thread.id)
    notifications.notify(
        mentioned, kind="mention", title=f"{actor.name} mentioned you in “{thread.title}”",
        body=_excerpt(post), url=url, actor=actor, email_flag="mentions",
    )  # fmt: skip
    watchers = [u for u in _category_and_tag_watchers(thread) if u.id not in mention_ids]
    notifications.notify(
        watchers, kind="new_thread", title=f"New in {thread.category.name}: “{thread.title}”",
        body=_excerpt(post), url=url, actor=actor, email_flag="replies",
    )  # fmt: skip


def new_reply(thread: Thread, post: Post, mentioned: list[User]) -> None:
    """Tell mentioned users and the thread's watchers about a reply."""
    actor = post.author
    mention_ids = {u.id for u in mentioned}
    url = thread_path(thread.id, post.id)
    notifications.notify(
        mentioned, kind="mention", title=f"{actor.name} mentioned you in “{thread.title}”",
        body=_excerpt(post), url=url, actor=actor, email_flag="mentions",
    )  # fmt: skip
    watchers = [u for u in _thread_watchers(thread) if u.id not in mention_ids]
    notifications.notify(
        watchers, kind="reply", title=f"{actor.name} replied to “{thread.title}”",
        body=_excerpt(post), url=url, actor=actor, email_flag="replies",
    )  # fmt: skip


def mentioned_in_edit(post: Post, newly_mentioned: list[User], editor: User) -> None:
    """Tell users who were @mentioned for the first time by an edit."""
    notifications.notify(
        newly_mentioned, kind="mention",
        title=f"{editor.name} mentioned you in “{post.thread.title}”",
        body=_excerpt(post), url=thread_path(post.thread_id, post.id), actor=editor,
        email_flag="mentions",
    )  # fmt: skip


def answer_accepted(thread: Thread, post: Post, actor: User) -> None:
    """Tell the answer's author that it was accepted."""
    notifications.notify(
        [post.author], kind="accepted", title=f"Your answer to “{thread.title}” was accepted",
        body=_excerpt(post), url=thread_path(thread.id, post.id), actor=actor,
        email_flag="replies",
    )  # fmt: skip


def post_removed(post: Post) -> None:
    """A post was hidden or deleted: notifications about it stop quoting it."""
    url = thread_path(post.thread_id) if post.is_opening else thread_path(post.thread_id, post.id)
    notifications.redact_excerpts(url)
