"""What the community feeds to search: thread openers (title + opening post) and answers
(with their thread's title). Only what the public may see is indexed."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import selectinload

from forum_kb.community.models import Post, Thread
from forum_kb.community.paths import thread_path
from forum_kb.extensions import db
from forum_kb.search import SearchDocument, Source, indexable_text

BATCH = 500


def _thread_is_public() -> tuple[ColumnElement[bool], ...]:
    return (
        Thread.deleted_at.is_(None),
        Thread.is_hidden.is_(False),
        Thread.is_pending.is_(False),
        Thread.merged_into_id.is_(None),
    )


def _public_threads() -> Select[Thread]:
    return select(Thread).where(*_thread_is_public())


def _public_posts() -> Select[Post]:
    return select(Post).where(
        Post.deleted_at.is_(None), Post.is_hidden.is_(False), Post.is_pending.is_(False)
    )


def _thread_document(thread: Thread, opening: Post) -> SearchDocument:
    return SearchDocument(
        doc_id=f"thread:{thread.id}",
        type="thread",
        object_id=thread.id,
        thread_id=thread.id,
        title=thread.title,
        body=indexable_text(opening.body_html),
        url=thread_path(thread.id),
        tags=[tag.name for tag in thread.tags],
        category=thread.category.slug,
        category_name=thread.category.name,
        kind=thread.kind.value,
        solved=thread.is_solved,
        score=thread.score,
        created_at=thread.created_at,
        updated_at=thread.last_activity_at,
        author=thread.author.username,
    )


def _post_document(thread: Thread, post: Post) -> SearchDocument:
    return SearchDocument(
        doc_id=f"post:{post.id}",
        type="post",
        object_id=post.id,
        thread_id=thread.id,
        title=thread.title,
        body=indexable_text(post.body_html),
        url=thread_path(thread.id, post.id),
        tags=[tag.name for tag in thread.tags],
        category=thread.category.slug,
        category_name=thread.category.name,
        kind=thread.kind.value,
        solved=thread.is_solved,
        accepted=thread.accepted_post_id == post.id,
        score=post.score,
        created_at=post.created_at,
        updated_at=post.edited_at or post.created_at,
        author=post.author.username,
    )


def _documents(threads: Sequence[Thread]) -> list[SearchDocument]:
    if not threads:
        return []
    by_id = {thread.id: thread for thread in threads}
    posts = db.session.scalars(
        _public_posts()
        .where(Post.thread_id.in_(by_id))
        .options(selectinload(Post.author))
        .order_by(Post.thread_id, Post.id)
    )
    documents: list[SearchDocument] = []
    for post in posts:
        thread = by_id[post.thread_id]
        if post.is_opening:
            documents.append(_thread_document(thread, post))
        else:
            documents.append(_post_document(thread, post))
    return documents


def _thread_options() -> list[Any]:
    return [selectinload(Thread.category), selectinload(Thread.tags), selectinload(Thread.author)]


def load_threads(ids: Sequence[int]) -> list[SearchDocument]:
    """Every public document of these threads (the opener and its answers)."""
    threads = list(
        db.session.scalars(_public_threads().where(Thread.id.in_(ids)).options(*_thread_options()))
    )
    return _documents(threads)


def load_posts(ids: Sequence[int]) -> list[SearchDocument]:
    """Public answers among these posts (openers are indexed through their thread)."""
    posts = list(
        db.session.scalars(
            _public_posts()
            .where(Post.id.in_(ids), Post.is_opening.is_(False))
            .options(selectinload(Post.author))
        )
    )
    if not posts:
        return []
    thread_ids = {post.thread_id for post in posts}
    threads = {
        t.id: t
        for t in db.session.scalars(
            _public_threads().where(Thread.id.in_(thread_ids)).options(*_thread_options())
        )
    }
    return [_post_document(threads[p.thread_id], p) for p in posts if p.thread_id in threads]


def iter_all() -> Iterator[SearchDocument]:
    """Every public thread opener and answer, in batches (for rebuilds)."""
    last = 0
    while True:
        threads = list(
            db.session.scalars(
                _public_threads()
                .where(Thread.id > last)
                .options(*_thread_options())
                .order_by(Thread.id)
                .limit(BATCH)
            )
        )
        if not threads:
            return
        yield from _documents(threads)
        last = threads[-1].id
        db.session.expunge_all()  # keep memory flat on large communities


def visible(doc_type: str, ids: Sequence[int]) -> set[int]:
    """Which of these threads or answers the public may still see."""
    if doc_type == "thread":
        stmt = select(Thread.id).where(Thread.id.in_(ids), *_thread_is_public())
        return set(db.session.scalars(stmt))
    stmt = (
        select(Post.id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.id.in_(ids), Post.is_opening.is_(False))
        .where(Post.deleted_at.is_(None), Post.is_hidden.is_(False), Post.is_pending.is_(False))
        .where(*_thread_is_public())
    )
    return set(db.session.scalars(stmt))


THREADS = Source(
    name="thread",
    types=("thread",),
    load=load_threads,
    iter_all=iter_all,
    visible=visible,
    by_thread=True,
)
POSTS = Source(name="post", types=("post",), load=load_posts, iter_all=lambda: (), visible=visible)
