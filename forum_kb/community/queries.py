"""Read helpers for the community: lists return Select for db.paginate (STYLE 4.2)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from forum_kb.accounts.models import User
from forum_kb.accounts.policies import is_moderator, role_of
from forum_kb.community import policies
from forum_kb.community.models import (
    Category,
    CategoryWatch,
    Post,
    PostRevision,
    Tag,
    TagWatch,
    Thread,
    ThreadKind,
    ThreadWatch,
    Vote,
    thread_tags,
)
from forum_kb.errors import NotFound
from forum_kb.extensions import db
from forum_kb.text import line_diff


class ThreadSort(enum.StrEnum):
    LATEST = "latest"  # latest activity
    NEWEST = "newest"
    TOP = "top"
    UNANSWERED = "unanswered"
    UNSOLVED = "unsolved"
    SOLVED = "solved"

    @property
    def label(self) -> str:
        return {"latest": "Latest activity", "top": "Top voted"}.get(
            self.value, self.value.capitalize()
        )


@dataclass(frozen=True)
class ThreadFilter:
    category_id: int | None = None
    kind: ThreadKind | None = None
    tag: str | None = None
    sort: ThreadSort = ThreadSort.LATEST
    author_id: int | None = None


def list_categories() -> list[Category]:
    """All categories in display order."""
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.name)))


def get_category_by_slug_or_404(slug: str) -> Category:
    return db.one_or_404(
        select(Category).where(Category.slug == slug), description="No such category."
    )


def category_thread_counts() -> dict[int, int]:
    """Visible threads per category id."""
    rows = db.session.execute(
        select(Thread.category_id, func.count())
        .where(
            Thread.deleted_at.is_(None), Thread.is_hidden.is_(False), Thread.is_pending.is_(False)
        )
        .group_by(Thread.category_id)
    )
    return {category_id: count for category_id, count in rows.all()}


def list_threads(filters: ThreadFilter) -> Select[Thread]:
    """Visible threads matching ``filters``, sorted, with what a list row shows preloaded."""
    stmt = (
        select(Thread)
        .where(
            Thread.deleted_at.is_(None), Thread.is_hidden.is_(False), Thread.is_pending.is_(False)
        )
        .options(
            selectinload(Thread.author),
            selectinload(Thread.last_poster),
            selectinload(Thread.category),
            selectinload(Thread.tags),
        )
    )
    if filters.category_id is not None:
        stmt = stmt.where(Thread.category_id == filters.category_id)
    if filters.kind is not None:
        stmt = stmt.where(Thread.kind == filters.kind)
    if filters.author_id is not None:
        stmt = stmt.where(Thread.author_id == filters.author_id)
    if filters.tag:
        stmt = stmt.where(
            Thread.id.in_(
                select(thread_tags.c.thread_id)
                .join(Tag, Tag.id == thread_tags.c.tag_id)
                .where(Tag.name == filters.tag)
            )
        )
    sort = filters.sort
    if sort == ThreadSort.UNANSWERED:
        stmt = stmt.where(Thread.reply_count == 0)
    elif sort == ThreadSort.UNSOLVED:
        stmt = stmt.where(Thread.kind == ThreadKind.QUESTION, Thread.accepted_post_id.is_(None))
    elif sort == ThreadSort.SOLVED:
        stmt = stmt.where(Thread.accepted_post_id.is_not(None))
    order: list[Any] = []
    if filters.category_id is not None and sort == ThreadSort.LATEST:
        order.append(Thread.is_pinned.desc())
    if sort == ThreadSort.TOP:
        order += [Thread.score.desc(), Thread.last_activity_at.desc()]
    elif sort in (ThreadSort.NEWEST, ThreadSort.UNANSWERED):
        order.append(Thread.created_at.desc())
    else:
        order.append(Thread.last_activity_at.desc())
    return stmt.order_by(*order, Thread.id.desc())


def get_thread_or_404(thread_id: int, viewer: Any) -> Thread:
    """A thread the viewer may see, with its category, author and tags.

    Raises:
        NotFound: no such thread, or the viewer may not see it.
    """
    thread = db.session.scalar(
        select(Thread)
        .where(Thread.id == thread_id)
        .options(
            selectinload(Thread.category), selectinload(Thread.author), selectinload(Thread.tags)
        )
    )
    if thread is None or not policies.can_view_thread(viewer, thread):
        raise NotFound("No such thread.")
    return thread


def merged_into(thread_id: int) -> int | None:
    """The thread a merged thread's address now leads to (merged threads are deleted, so
    this is read before any visibility check)."""
    return db.session.scalar(select(Thread.merged_into_id).where(Thread.id == thread_id))


def get_post_or_404(post_id: int, viewer: Any) -> Post:
    """A post in a thread the viewer may see.

    Raises:
        NotFound: no such post, or the viewer may not see its thread.
    """
    post = db.session.scalar(
        select(Post).where(Post.id == post_id).options(selectinload(Post.thread))
    )
    if post is None or not policies.can_view_thread(viewer, post.thread):
        raise NotFound("No such post.")
    return post


@dataclass
class ThreadPage:
    thread: Thread
    opening: Post
    accepted: Post | None
    replies: Pagination
    my_votes: dict[int, int]
    is_watching: bool


def _visible_replies(stmt: Select[Any], viewer: Any) -> Select[Any]:
    """Moderators see every reply; others not hidden ones, nor pending ones except their own."""
    if is_moderator(viewer):
        return stmt
    stmt = stmt.where(Post.is_hidden.is_(False))
    if role_of(viewer) is None:
        return stmt.where(Post.is_pending.is_(False))
    return stmt.where(or_(Post.is_pending.is_(False), Post.author_id == viewer.id))


def _post_options() -> list[Any]:
    return [selectinload(Post.author), selectinload(Post.edited_by)]


def thread_page(thread: Thread, viewer: Any, page: int, per_page: int) -> ThreadPage:
    """Everything a thread page shows, in a fixed number of queries (no N+1).

    The opening post shows on every page; the accepted answer right under it on page 1; the
    other replies follow, oldest first. Deleted replies keep their place (shown as such).
    """
    posts = list(
        db.session.scalars(
            select(Post)
            .where(Post.thread_id == thread.id, Post.is_opening.is_(True))
            .options(*_post_options())
        )
    )
    opening = posts[0]
    accepted = None
    if thread.accepted_post_id is not None:
        accepted = db.session.scalar(
            select(Post).where(Post.id == thread.accepted_post_id).options(*_post_options())
        )
    replies_stmt = (
        select(Post)
        .where(Post.thread_id == thread.id, Post.is_opening.is_(False))
        .options(*_post_options())
        .order_by(Post.created_at, Post.id)
    )
    if accepted is not None:
        replies_stmt = replies_stmt.where(Post.id != accepted.id)
    replies_stmt = _visible_replies(replies_stmt, viewer)
    replies = db.paginate(replies_stmt, page=page, per_page=per_page, error_out=False)
    shown = [opening.id] + ([accepted.id] if accepted else []) + [p.id for p in replies.items]
    my_votes: dict[int, int] = {}
    is_watching = False
    if role_of(viewer) is not None:
        rows = db.session.execute(
            select(Vote.post_id, Vote.value).where(
                Vote.user_id == viewer.id, Vote.post_id.in_(shown)
            )
        ).all()
        my_votes = {post_id: value for post_id, value in rows}
        is_watching = (
            db.session.scalar(
                select(ThreadWatch.user_id).where(
                    ThreadWatch.user_id == viewer.id, ThreadWatch.thread_id == thread.id
                )
            )
            is not None
        )
    return ThreadPage(thread, opening, accepted, replies, my_votes, is_watching)


def reply_page_number(post: Post, viewer: Any, per_page: int) -> int:
    """The page of its thread on which a reply appears for this viewer (1 for the opening or
    accepted post); hidden replies count only for moderators, who see them."""
    thread = post.thread
    if post.is_opening or thread.accepted_post_id == post.id:
        return 1
    stmt = (
        select(func.count())
        .select_from(Post)
        .where(
            Post.thread_id == thread.id,
            Post.is_opening.is_(False),
            Post.id != (thread.accepted_post_id or 0),
            (Post.created_at < post.created_at)
            | ((Post.created_at == post.created_at) & (Post.id < post.id)),
        )
    )
    stmt = _visible_replies(stmt, viewer)
    earlier = db.session.scalar(stmt)
    return (earlier or 0) // per_page + 1


@dataclass(frozen=True)
class RevisionView:
    revision: PostRevision
    title_diff: list[tuple[str, str]] | None
    body_diff: list[tuple[str, str]]


def revision_history(post: Post) -> list[RevisionView]:
    """A post's revisions, newest first, each with its diff against the one before."""
    revisions = list(
        db.session.scalars(
            select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .options(selectinload(PostRevision.editor))
            .order_by(PostRevision.number)
        )
    )
    views: list[RevisionView] = []
    previous: PostRevision | None = None
    for revision in revisions:
        old_body = previous.body_source if previous else ""
        title_diff = None
        if revision.title is not None:
            old_title = previous.title or "" if previous else ""
            if revision.title != old_title:
                title_diff = line_diff(old_title, revision.title)
        views.append(RevisionView(revision, title_diff, line_diff(old_body, revision.body_source)))
        previous = revision
    return list(reversed(views))


def tags_with_counts() -> Select[Tag, int]:
    """Tags with their visible thread counts, most used first (for db.paginate)."""
    return (
        select(Tag, func.count(Thread.id))
        .join(thread_tags, thread_tags.c.tag_id == Tag.id)
        .join(Thread, Thread.id == thread_tags.c.thread_id)
        .where(
            Thread.deleted_at.is_(None), Thread.is_hidden.is_(False), Thread.is_pending.is_(False)
        )
        .group_by(Tag.id)
        .order_by(func.count(Thread.id).desc(), Tag.name)
    )


def list_tags(limit: int = 100) -> list[tuple[Tag, int]]:
    """The most used tags with their visible thread counts."""
    rows = db.session.execute(tags_with_counts().limit(limit)).all()
    return [(tag, count) for tag, count in rows]


def list_replies(thread: Thread, viewer: Any) -> Select[Post]:
    """A thread's replies in order (deleted ones keep their place; hidden ones only for
    moderators), with authors preloaded."""
    stmt = (
        select(Post)
        .where(Post.thread_id == thread.id, Post.is_opening.is_(False))
        .options(*_post_options())
        .order_by(Post.created_at, Post.id)
    )
    stmt = _visible_replies(stmt, viewer)
    return stmt


def get_tag_or_404(name: str) -> Tag:
    return db.one_or_404(select(Tag).where(Tag.name == name.lower()), description="No such tag.")


def is_watching_category(user: User, category: Category) -> bool:
    return (
        db.session.scalar(
            select(CategoryWatch.user_id).where(
                CategoryWatch.user_id == user.id, CategoryWatch.category_id == category.id
            )
        )
        is not None
    )


def is_watching_tag(user: User, tag: Tag) -> bool:
    return (
        db.session.scalar(
            select(TagWatch.user_id).where(TagWatch.user_id == user.id, TagWatch.tag_id == tag.id)
        )
        is not None
    )


def user_activity(user: User) -> dict[str, int]:
    """Counts for a profile: threads started, replies, accepted answers."""
    threads = db.session.scalar(
        select(func.count())
        .select_from(Thread)
        .where(
            Thread.author_id == user.id,
            Thread.deleted_at.is_(None),
            Thread.is_hidden.is_(False),
            Thread.is_pending.is_(False),
        )
    )
    replies = db.session.scalar(
        select(func.count())
        .select_from(Post)
        .where(
            Post.author_id == user.id,
            Post.is_opening.is_(False),
            Post.deleted_at.is_(None),
            Post.is_hidden.is_(False),
            Post.is_pending.is_(False),
        )
    )
    accepted = db.session.scalar(
        select(func.count())
        .select_from(Thread)
        .join(Post, Post.id == Thread.accepted_post_id)
        .where(Post.author_id == user.id)
    )
    return {"threads": threads or 0, "replies": replies or 0, "accepted": accepted or 0}
