"""JSON shapes of community objects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from forum_kb.accounts.serializers import user_json
from forum_kb.api import iso
from forum_kb.community import policies
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
    data = thread_summary_json(thread)
    data.update(
        {
            # Promotion to the knowledge base is not built yet; the key is part of API.md.
            "article_id": None,
            "is_deleted": thread.is_deleted,
            "is_hidden": thread.is_hidden,
            "posts": [post_json(post, viewer, thread=thread) for post in posts],
            "page": page,
            "per_page": per_page,
            "total": total,
        }
    )
    return data


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
