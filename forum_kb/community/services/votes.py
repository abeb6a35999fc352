"""Votes, accepted answers and the reputation they earn."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from forum_kb.accounts.models import User
from forum_kb.accounts.services import adjust_reputation
from forum_kb.community import policies, signals
from forum_kb.community.models import Post, Thread, Vote
from forum_kb.community.services import content, notify
from forum_kb.db import unit_of_work, utcnow
from forum_kb.errors import PermissionDenied, ValidationFailed
from forum_kb.extensions import db
from forum_kb.search import index_later


def _points(value: int) -> int:
    if value > 0:
        return int(current_app.config["REPUTATION_UPVOTE"])
    if value < 0:
        return int(current_app.config["REPUTATION_DOWNVOTE"])
    return 0


def vote(actor: User, post: Post, value: int) -> int:
    """Vote a post up (1) or down (-1), or withdraw the vote (0); returns the new score.

    Raises:
        PermissionDenied: own post, a deleted or hidden post, or not signed in.
        ValidationFailed: a value other than 1, -1 or 0.
    """
    if value not in (1, -1, 0):
        raise ValidationFailed([("value", "Vote 1 (up), -1 (down) or 0 (withdraw).")])
    if not policies.can_vote(actor, post):
        raise PermissionDenied("You cannot vote on this post.")
    with unit_of_work():
        existing = db.session.get(Vote, (post.id, actor.id))
        old = existing.value if existing is not None else 0
        if old == value:
            return post.score
        if existing is None:
            db.session.add(Vote(post_id=post.id, user_id=actor.id, value=value))
        elif value == 0:
            db.session.delete(existing)
        else:
            existing.value = value
        delta = value - old
        post.score = Post.score + delta
        if post.is_opening:
            post.thread.score = Thread.score + delta
        adjust_reputation(post.author_id, _points(value) - _points(old))
        content.index_post_later(post)
        db.session.flush()
    db.session.refresh(post)
    return post.score


def accept_answer(actor: User, thread: Thread, post: Post) -> Thread:
    """Mark an answer as the solution of a question; it replaces any earlier one.

    Raises:
        PermissionDenied: the actor is neither the asker nor a moderator, or not a question.
        ValidationFailed: the post is not a live answer in this thread.
    """
    if not policies.can_accept(actor, thread):
        raise PermissionDenied("Only the asker or a moderator accepts an answer to a question.")
    if (
        post.thread_id != thread.id
        or post.is_opening
        or post.is_deleted
        or post.is_hidden
        or post.is_pending
    ):
        raise ValidationFailed([("post_id", "Choose an answer in this thread.")])
    if thread.accepted_post_id == post.id:
        return thread
    with unit_of_work():
        clear_accepted(thread)
        thread.accepted_post_id = post.id
        thread.solved_at = utcnow()
        index_later("thread", thread.id)
        if post.author_id != thread.author_id:
            adjust_reputation(post.author_id, int(current_app.config["REPUTATION_ACCEPTED"]))
            notify.answer_accepted(thread, post, actor)
        signals.send(signals.answer_accepted, thread=thread, post=post, actor=actor)
    return thread


def unaccept_answer(actor: User, thread: Thread) -> Thread:
    """Reopen a solved question.

    Raises:
        PermissionDenied: the actor is neither the asker nor a moderator.
    """
    if not policies.can_accept(actor, thread):
        raise PermissionDenied("Only the asker or a moderator changes the accepted answer.")
    with unit_of_work():
        clear_accepted(thread)
    return thread


def clear_accepted(thread: Thread) -> None:
    """Remove the accepted answer and the reputation it earned (inside a unit of work)."""
    if thread.accepted_post_id is None:
        return
    author_id = db.session.scalar(select(Post.author_id).where(Post.id == thread.accepted_post_id))
    if author_id is not None and author_id != thread.author_id:
        adjust_reputation(author_id, -int(current_app.config["REPUTATION_ACCEPTED"]))
    thread.accepted_post_id = None
    thread.solved_at = None
    index_later("thread", thread.id)
