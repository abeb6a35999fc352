"""Flags and the review queue: members report posts, moderators hide or dismiss, and the
queue also holds posts waiting for pre-moderation."""

from __future__ import annotations

import enum
from collections.abc import Sequence

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forum_kb.accounts.models import User
from forum_kb.community import services as community
from forum_kb.community.models import Post
from forum_kb.community.paths import thread_path
from forum_kb.db import unit_of_work, utcnow
from forum_kb.errors import Conflict, PermissionDenied, ValidationFailed
from forum_kb.extensions import db
from forum_kb.moderation import policies, signals
from forum_kb.moderation.models import Flag, FlagReason, FlagStatus, ModerationAction
from forum_kb.moderation.services.audit import log_post
from forum_kb.notifications import services as notifications

NOTE_MAX = 1000
REASON_MAX = 500


class FlagAction(enum.StrEnum):
    HIDE = "hide"
    DISMISS = "dismiss"
    #: Hide the post and silence its author.
    HIDE_AND_SILENCE = "hide_and_silence"


class PendingAction(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


def flag_post(
    actor: User, post: Post, reason: str, note: str = "", *, urgent: bool = False
) -> Flag:
    """Report a post to the moderators. Enough flags from established members hide the post
    at once, until a moderator reviews it.

    Raises:
        PermissionDenied: the actor may not flag this post (their own, or not visible).
        ValidationFailed: an unknown reason, a missing or too long note.
        Conflict: the actor already has an open flag on this post.
    """
    if not policies.can_flag(actor, post):
        raise PermissionDenied("You cannot flag this post.")
    note = note.strip()
    errors: list[tuple[str, str]] = []
    if reason not in FlagReason._value2member_map_:
        errors.append(("reason", "Choose spam, offensive, off-topic or other."))
    elif reason == FlagReason.OTHER and not note:
        errors.append(("note", "Tell the moderators what is wrong."))
    if len(note) > NOTE_MAX:
        errors.append(("note", f"Keep the note under {NOTE_MAX} characters."))
    if errors:
        raise ValidationFailed(errors)
    if _open_flag(post, actor) is not None:
        raise Conflict("You have already flagged this post; a moderator will look at it.")
    try:
        with unit_of_work():
            flag = Flag(
                post_id=post.id,
                reporter_id=actor.id,
                reason=FlagReason(reason),
                note=note,
                is_urgent=urgent,
            )
            db.session.add(flag)
            db.session.flush()
            _maybe_auto_hide(post)
            signals.send(signals.flag_created, flag=flag)
    except IntegrityError as exc:  # the same member flagged twice at the same instant
        raise Conflict("You have already flagged this post; a moderator will look at it.") from exc
    return flag


def _open_flag(post: Post, user: User) -> Flag | None:
    return db.session.scalar(
        select(Flag).where(
            Flag.post_id == post.id, Flag.reporter_id == user.id, Flag.status == FlagStatus.OPEN
        )
    )


def _maybe_auto_hide(post: Post) -> None:
    config = current_app.config
    if post.is_hidden:
        return
    trusted = db.session.scalar(
        select(func.count(func.distinct(Flag.reporter_id)))
        .join(User, User.id == Flag.reporter_id)
        .where(
            Flag.post_id == post.id,
            Flag.status == FlagStatus.OPEN,
            User.reputation >= config["MODERATION_FLAGGER_MIN_REPUTATION"],
        )
    )
    if (trusted or 0) < config["MODERATION_AUTO_HIDE_FLAGS"]:
        return
    community.set_post_hidden(None, post, True)
    log_post(None, "post.auto_hide", post, f"Flagged by {trusted} members", flags=trusted)
    notifications.notify(
        [post.author], kind="post_hidden",
        title=f"Your post in “{post.thread.title}” was hidden after several flags",
        body="A moderator will review it. If it breaks no rules it will be shown again.",
        url=thread_path(post.thread_id, post.id),
    )  # fmt: skip


def open_flags_for(post: Post) -> list[Flag]:
    return list(
        db.session.scalars(
            select(Flag)
            .where(Flag.post_id == post.id, Flag.status == FlagStatus.OPEN)
            .order_by(Flag.created_at)
        )
    )


def resolve_post_flags(
    actor: User,
    post: Post,
    action: str,
    *,
    reason: str = "",
    silence_days: int | None = None,
) -> list[Flag]:
    """Resolve every open flag on a post: hide it, dismiss the flags (showing the post again
    if the flags had hidden it), or hide it and silence its author. Flaggers hear the outcome.

    Raises:
        PermissionDenied: the actor is not a moderator (or may not silence this author).
        ValidationFailed: an unknown action, or a silence without a valid duration.
        Conflict: the post has no open flags.
    """
    if not policies.can_moderate(actor):
        raise PermissionDenied("Only moderators review flags.")
    if action not in FlagAction._value2member_map_:
        raise ValidationFailed([("action", "Choose hide, dismiss or hide_and_silence.")])
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise ValidationFailed([("reason", f"Keep the reason under {REASON_MAX} characters.")])
    flags = open_flags_for(post)
    if not flags:
        raise Conflict("This post has no open flags.")
    from forum_kb.moderation.services.people import silence_user

    verb = FlagAction(action)
    with unit_of_work():
        now = utcnow()
        status = FlagStatus.DISMISSED if verb is FlagAction.DISMISS else FlagStatus.UPHELD
        for flag in flags:
            flag.status, flag.resolved_at, flag.resolved_by_id = status, now, actor.id
        if verb is FlagAction.DISMISS:
            # Only undo the flags' own hiding, never a moderator's (of the post or its thread).
            if _hidden_by_flags(post) and community.set_post_hidden(actor, post, False):
                log_post(actor, "post.unhide", post, reason or "Flags dismissed")
            log_post(actor, "flags.dismiss", post, reason, flags=len(flags))
        else:
            if community.set_post_hidden(actor, post, True):
                log_post(actor, "post.hide", post, reason or _reasons(flags), flags=len(flags))
            log_post(actor, "flags.uphold", post, reason, flags=len(flags))
            if verb is FlagAction.HIDE_AND_SILENCE:
                silence_user(
                    actor, post.author, days=silence_days or 0,
                    reason=reason or f"Post hidden after flags: {_reasons(flags)}",
                )  # fmt: skip
        _tell_flaggers(flags, post, verb, actor)
    return flags


def _hidden_by_flags(post: Post) -> bool:
    """Whether the post is hidden because the flag threshold hid it: the latest hide, unhide
    or upheld flag of the post (or hide of its thread, for an opening post) in the audit log
    is the automatic hiding."""
    if not post.is_hidden:
        return False
    entry = ModerationAction
    moves = (entry.target_type == "post") & (entry.target_id == post.id)
    moves &= entry.action.in_(("post.auto_hide", "post.hide", "post.unhide", "flags.uphold"))
    if post.is_opening:
        on_thread = (entry.target_type == "thread") & (entry.target_id == post.thread_id)
        moves |= on_thread & entry.action.in_(("thread.hide", "thread.unhide"))
    last = db.session.scalar(select(entry.action).where(moves).order_by(entry.id.desc()).limit(1))
    return last == "post.auto_hide"


def _reasons(flags: Sequence[Flag]) -> str:
    return ", ".join(sorted({flag.reason.label for flag in flags}))


def _tell_flaggers(flags: Sequence[Flag], post: Post, verb: FlagAction, actor: User) -> None:
    reporters = [flag.reporter for flag in flags]
    if verb is FlagAction.DISMISS:
        title = f"A moderator reviewed your flag in “{post.thread.title}” and left the post up"
        body = "Thanks for flagging. This one did not break the rules."
    else:
        title = f"Thanks: the post you flagged in “{post.thread.title}” was hidden"
        body = "A moderator agreed with your flag."
    notifications.notify(
        reporters, kind="flag_resolved", title=title, body=body,
        url=thread_path(post.thread_id), actor=actor,
    )  # fmt: skip


def resolve_flag(actor: User, flag: Flag, action: str, *, reason: str = "") -> Flag:
    """Resolve one flag (and with it every open flag on the same post).

    Raises:
        PermissionDenied, ValidationFailed: as resolve_post_flags.
        Conflict: the flag is already resolved.
    """
    if not policies.can_moderate(actor):
        raise PermissionDenied("Only moderators review flags.")
    if flag.status is not FlagStatus.OPEN:
        raise Conflict("This flag is already resolved.")
    resolve_post_flags(actor, flag.post, action, reason=reason)
    return flag


def resolve_many(
    actor: User,
    post_ids: Sequence[int],
    action: str,
    *,
    reason: str = "",
    silence_days: int | None = None,
) -> int:
    """Batch action from the queue: resolve the flags of several posts in one transaction;
    returns how many posts were resolved (posts whose flags were resolved meanwhile are
    skipped).

    Raises:
        PermissionDenied, ValidationFailed: as resolve_post_flags.
    """
    if not policies.can_moderate(actor):
        raise PermissionDenied("Only moderators review flags.")
    if not post_ids:
        raise ValidationFailed([("posts", "Select at least one post.")])
    done = 0
    silenced: set[int] = set()
    with unit_of_work():
        for post in db.session.scalars(select(Post).where(Post.id.in_(set(post_ids)))):
            if not open_flags_for(post):
                continue
            verb = action
            # Silence each author once, even if several of their posts are selected.
            if action == FlagAction.HIDE_AND_SILENCE and post.author_id in silenced:
                verb = FlagAction.HIDE
            resolve_post_flags(actor, post, verb, reason=reason, silence_days=silence_days)
            silenced.add(post.author_id)
            done += 1
    return done


def review_pending(actor: User, post: Post, action: str, *, reason: str = "") -> Post:
    """Approve or reject a post that waited for pre-moderation; its author hears which.

    Raises:
        PermissionDenied: the actor is not a moderator.
        ValidationFailed: an unknown action.
        Conflict: the post is not waiting for review.
    """
    if not policies.can_moderate(actor):
        raise PermissionDenied("Only moderators review posts.")
    if action not in PendingAction._value2member_map_:
        raise ValidationFailed([("action", "Choose approve or reject.")])
    with unit_of_work():
        if action == PendingAction.APPROVE:
            community.approve_post(actor, post)
            log_post(actor, "post.approve", post, reason)
            title = f"Your post in “{post.thread.title}” was approved and is now visible"
        else:
            community.reject_post(actor, post)
            log_post(actor, "post.reject", post, reason)
            title = f"Your post in “{post.thread.title}” was not approved"
        notifications.notify(
            [post.author], kind="post_reviewed", title=title, body=reason,
            url=thread_path(post.thread_id, post.id) if action == "approve" else "/",
            actor=actor,
        )  # fmt: skip
    return post


def review_pending_many(actor: User, post_ids: Sequence[int], action: str) -> int:
    """Batch approve or reject; posts no longer pending are skipped.

    Raises:
        PermissionDenied, ValidationFailed: as review_pending.
    """
    if not policies.can_moderate(actor):
        raise PermissionDenied("Only moderators review posts.")
    if not post_ids:
        raise ValidationFailed([("posts", "Select at least one post.")])
    done = 0
    with unit_of_work():
        stmt = select(Post).where(
            Post.id.in_(set(post_ids)), Post.is_pending.is_(True), Post.deleted_at.is_(None)
        )
        for post in db.session.scalars(stmt):
            review_pending(actor, post, action)
            done += 1
    return done
