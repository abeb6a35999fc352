"""JSON shapes of community objects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from forum_kb.accounts.serializers import user_json
from forum_kb.api import iso
from forum_kb.community import policies
from forum_kb.community.hooks import Banner, thread_banners
from forum_kb.community.models import Category, Post, PostRevision, Tag, Thread
from forum_kb.community.paths import thread_path


def category_json(category: Category) -> dict[str, Any]:
    return {
        "id": category.id,
        "name": category.name,
        "slug": category.slug,
        "description": category.description,
        "position": category.position,
    }


def category_ref_json(category: Category) -> dict[str, Any]:
    """The short form of a category, embedded in threads."""
    return {"id": category.id, "slug": category.slug, "name": category.name}


def thread_summary_json(thread: Thread) -> dict[str, Any]:
    """A thread as a list row shows it (no posts)."""
    return {
        "id": thread.id,
        "title": thread.title,
        "kind": thread.kind.value,
        "status": thread.status,
        "category": category_ref_json(thread.category),
        "tags": [tag.name for tag in thread.tags],
        "author": user_json(thread.author),
        "reply_count": thread.reply_count,
        "score": thread.score,
        "view_count": thread.view_count,
        "is_pinned": thread.is_pinned,
        "is_locked": thread.is_locked,
        "created_at": iso(thread.created_at),
        "last_activity_at": iso(thread.last_activity_at),
        "solved_at": iso(thread.solved_at),
        "accepted_post_id": thread.accepted_post_id,
        "url": thread_path(thread.id),
    }


def thread_json(
    thread: Thread,
    posts: Sequence[Post],
    viewer: Any,
    *,
    page: int,
    per_page: int,
    total: int,
) -> dict[str, Any]:
    """A thread with one page of its posts; ``page``, ``per_page`` and ``total`` count replies."""
    data = thread_state_json(thread)
    data.update(
        {
            "posts": [post_json(post, viewer, thread=thread) for post in posts],
            "page": page,
            "per_page": per_page,
            "total": total,
        }
    )
    return data


def thread_state_json(thread: Thread) -> dict[str, Any]:
    """A thread's summary with its state and notices (no posts).

    ``article_id`` is the official KB article made from the thread, which a higher feature
    reports through a thread banner (the community does not import it).
    """
    banners = thread_banners(thread)
    official = next((b for b in banners if b.kind == "official_article"), None)
    data = thread_summary_json(thread)
    data.update(
        {
            "article_id": official.data.get("article_id") if official is not None else None,
            "banners": [banner_json(banner) for banner in banners],
            "is_deleted": thread.is_deleted,
            "is_hidden": thread.is_hidden,
            "is_pending": thread.is_pending,
            "duplicate_of": _duplicate_of(thread),
        }
    )
    return data


def _duplicate_of(thread: Thread) -> dict[str, int] | None:
    if thread.duplicate_of_thread_id is not None:
        return {"thread_id": thread.duplicate_of_thread_id}
    if thread.duplicate_of_article_id is not None:
        return {"article_id": thread.duplicate_of_article_id}
    return None


def banner_json(banner: Banner) -> dict[str, Any]:
    return {"kind": banner.kind, "title": banner.title, "url": banner.url, "text": banner.text}


def post_json(post: Post, viewer: Any, *, thread: Thread | None = None) -> dict[str, Any]:
    """A post; what a deleted or hidden post said is shown to moderators only."""
    thread = thread or post.thread
    visible = policies.can_view_post_body(viewer, post)
    return {
        "id": post.id,
        "thread_id": post.thread_id,
        "author": user_json(post.author),
        "body": post.body_source if visible else None,
        "body_html": post.body_html if visible else None,
        "score": post.score,
        "is_opening": post.is_opening,
        "is_accepted": thread.accepted_post_id == post.id,
        "created_at": iso(post.created_at),
        "edited_at": iso(post.edited_at),
        "edited_by": user_json(post.edited_by) if post.edited_by is not None else None,
        "deleted": post.is_deleted,
        "hidden": post.is_hidden,
        "is_pending": post.is_pending,
        "url": thread_path(post.thread_id, None if post.is_opening else post.id),
    }


def revision_json(revision: PostRevision) -> dict[str, Any]:
    return {
        "number": revision.number,
        "post_id": revision.post_id,
        "editor": user_json(revision.editor),
        "title": revision.title,
        "body": revision.body_source,
        "reason": revision.reason,
        "created_at": iso(revision.created_at),
    }


def tag_json(tag: Tag, thread_count: int) -> dict[str, Any]:
    return {"name": tag.name, "count": thread_count}
