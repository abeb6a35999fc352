"""Escalations: the ways in (sweep, "Ask staff", moderators, urgent flags), routing, the
staff workflow (assign, notes, waiting on the customer, resolve) and the clocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forum_kb.accounts.models import User
from forum_kb.accounts.policies import is_moderator, is_staff
from forum_kb.community import services as community
from forum_kb.community.models import Category, Post, Thread, ThreadKind, thread_tags
from forum_kb.community.paths import thread_path
from forum_kb.db import unit_of_work, utcnow
from forum_kb.errors import Conflict, PermissionDenied, ValidationFailed
from forum_kb.escalation import policies
from forum_kb.escalation.models import (
    CategoryPolicy,
    Escalation,
    EscalationEvent,
    EscalationNote,
    EscalationSource,
    EscalationStatus,
    SlaPolicy,
    StaffGroup,
    group_categories,
    group_members,
    group_tags,
)
from forum_kb.escalation.services import clock, webhooks
from forum_kb.extensions import db
from forum_kb.notifications import services as notifications

REASON_MAX = 1000
NOTE_MAX = 10_000

#: Allowed status changes (STYLE 4.9); resolving is its own use case.
TRANSITIONS: dict[EscalationStatus, set[EscalationStatus]] = {
    EscalationStatus.OPEN: {EscalationStatus.ASSIGNED, EscalationStatus.WAITING},
    EscalationStatus.ASSIGNED: {EscalationStatus.OPEN, EscalationStatus.WAITING},
    EscalationStatus.WAITING: {EscalationStatus.OPEN, EscalationStatus.ASSIGNED},
    EscalationStatus.RESOLVED: set(),
}


# --- policies and routing ----------------------------------------------------------------------


def default_policy() -> SlaPolicy | None:
    return db.session.scalar(
        select(SlaPolicy).order_by(SlaPolicy.is_default.desc(), SlaPolicy.id).limit(1)
    )


def policy_for(category_id: int) -> SlaPolicy | None:
    """The category's policy, else the default one."""
    chosen = db.session.scalar(
        select(SlaPolicy)
        .join(CategoryPolicy, CategoryPolicy.policy_id == SlaPolicy.id)
        .where(CategoryPolicy.category_id == category_id)
    )
    return chosen or default_policy()


def _route(thread: Thread) -> tuple[StaffGroup | None, User | None]:
    """The staff group whose skills match the thread (category first, then tags) and, when
    the group auto-assigns, its member with the fewest open escalations."""
    by_category = select(group_categories.c.group_id).where(
        group_categories.c.category_id == thread.category_id
    )
    by_tag = select(group_tags.c.group_id).where(
        group_tags.c.tag_id.in_(
            select(thread_tags.c.tag_id).where(thread_tags.c.thread_id == thread.id)
        )
    )
    group = db.session.scalar(
        select(StaffGroup).where(StaffGroup.id.in_(by_category)).order_by(StaffGroup.id).limit(1)
    ) or db.session.scalar(
        select(StaffGroup).where(StaffGroup.id.in_(by_tag)).order_by(StaffGroup.id).limit(1)
    )
    if group is None or not group.auto_assign:
        return group, None
    load = (
        select(func.count(Escalation.id))
        .where(Escalation.assignee_id == User.id, Escalation.status != EscalationStatus.RESOLVED)
        .correlate(User)
        .scalar_subquery()
    )
    assignee = db.session.scalar(
        select(User)
        .join(group_members, group_members.c.user_id == User.id)
        .where(group_members.c.group_id == group.id, User.is_active.is_(True))
        .order_by(load, User.id)
        .limit(1)
    )
    return group, assignee


# --- the ways in ----------------------------------------------------------------------------


def open_escalation(thread: Thread) -> Escalation | None:
    return db.session.scalar(
        select(Escalation).where(
            Escalation.thread_id == thread.id, Escalation.status != EscalationStatus.RESOLVED
        )
    )


def _event(
    escalation: Escalation, actor: User | None, action: str, at: datetime | None = None, **d: Any
) -> None:
    db.session.add(
        EscalationEvent(
            escalation_id=escalation.id,
            actor_id=actor.id if actor is not None else None,
            action=action,
            details=d,
            created_at=at or utcnow(),
        )
    )


def escalation_json(escalation: Escalation) -> dict[str, Any]:
    """The webhook payload's ``data`` for an escalation."""
    thread = escalation.thread
    return {
        "id": escalation.id,
        "status": escalation.status.value,
        "source": escalation.source.value,
        "thread": {"id": thread.id, "title": thread.title, "url": thread_path(thread.id)},
        "policy": escalation.policy.name if escalation.policy else None,
        "group": escalation.group.name if escalation.group else None,
        "assignee": escalation.assignee.username if escalation.assignee else None,
        "first_response_due_at": escalation.first_response_due_at.isoformat(),
        "resolution_due_at": escalation.resolution_due_at.isoformat(),
        "breached": escalation.breached,
    }


def _create(
    thread: Thread,
    source: EscalationSource,
    *,
    actor: User | None,
    reason: str,
    now: datetime | None = None,
) -> Escalation:
    """Insert an escalation (inside the caller's unit of work).

    Raises:
        Conflict: the thread already has an open escalation.
        IntegrityError: one was created concurrently (the partial unique index); callers
            turn it into a Conflict at the outermost unit of work.
    """
    if open_escalation(thread) is not None:
        raise Conflict("This thread is already with staff.")
    moment = now or utcnow()
    policy = policy_for(thread.category_id)
    group, assignee = _route(thread)
    first_hours = policy.first_response_hours if policy else 8
    resolution_hours = policy.resolution_hours if policy else 48
    escalation = Escalation(
        thread_id=thread.id,
        source=source,
        reason=reason,
        requested_by_id=actor.id if actor is not None else None,
        policy_id=policy.id if policy else None,
        group_id=group.id if group else None,
        assignee_id=assignee.id if assignee else None,
        status=EscalationStatus.ASSIGNED if assignee else EscalationStatus.OPEN,
        created_at=moment,
        first_response_due_at=clock.add_hours(policy, moment, first_hours),
        resolution_due_at=clock.add_hours(policy, moment, resolution_hours),
    )
    db.session.add(escalation)
    db.session.flush()  # a concurrent open escalation for the thread fails here
    _event(escalation, actor, "created", moment, source=source.value)
    if assignee is not None:
        _event(escalation, None, "assigned", moment, assignee=assignee.username)
    webhooks.emit("escalation.created", escalation_json(escalation), at=moment)
    recipients = [m for m in (group.members if group else []) if is_staff(m)]
    if recipients:
        notifications.notify(
            recipients, kind="escalation",
            title=f"Escalated to staff: “{thread.title}”",
            body=source.label + (f": {reason}" if reason else ""),
            url=f"/staff/escalations/{escalation.id}",
        )  # fmt: skip
    return escalation


def _check_reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise ValidationFailed([("reason", f"Keep it under {REASON_MAX} characters.")])
    return reason


def ask_staff_after(thread: Thread) -> datetime:
    """When the asker's "Ask staff" button appears."""
    hours = float(current_app.config["ESCALATION_ASK_STAFF_AFTER_HOURS"])
    return thread.created_at + timedelta(hours=hours)


def escalate_thread(
    actor: User, thread: Thread, reason: str = "", *, now: datetime | None = None
) -> Escalation:
    """Hand a thread to staff: its asker once it has waited a while ("Ask staff"), or a
    moderator at any time.

    Raises:
        PermissionDenied: the actor may not escalate this thread (yet).
        ValidationFailed: the reason is too long.
        Conflict: the thread already has an open escalation.
    """
    reason = _check_reason(reason)
    moment = now or utcnow()
    if not policies.can_escalate(actor, thread, moment, ask_staff_after(thread)):
        raise PermissionDenied(
            "You can ask staff once your question has waited a while without a solution."
        )
    source = EscalationSource.MODERATOR if is_moderator(actor) else EscalationSource.CUSTOMER
    if is_moderator(actor) and actor.id == thread.author_id:
        source = EscalationSource.CUSTOMER
    try:
        with unit_of_work():
            return _create(thread, source, actor=actor, reason=reason, now=moment)
    except IntegrityError as exc:
        raise Conflict("This thread is already with staff.") from exc


def escalate_from_flag(actor: User, thread: Thread, reason: str) -> Escalation | None:
    """An urgent flag sends its thread to staff (no-op if one is already open). Runs inside
    the flag's own transaction."""
    if open_escalation(thread) is not None:
        return None
    return _create(thread, EscalationSource.FLAG, actor=actor, reason=reason)


@dataclass(frozen=True)
class SweepResult:
    escalated: list[Escalation]
    breached: list[Escalation]
    deliveries: dict[str, int]


def _candidates(moment: datetime) -> list[Thread]:
    has_open = select(Escalation.id).where(
        Escalation.thread_id == Thread.id, Escalation.status != EscalationStatus.RESOLVED
    )
    return list(
        db.session.scalars(
            select(Thread)
            .where(
                Thread.kind == ThreadKind.QUESTION,
                Thread.accepted_post_id.is_(None),
                Thread.deleted_at.is_(None),
                Thread.is_hidden.is_(False),
                Thread.is_pending.is_(False),
                Thread.is_locked.is_(False),
                Thread.merged_into_id.is_(None),
                Thread.created_at <= moment,
                ~has_open.exists(),
            )
            .order_by(Thread.created_at, Thread.id)
        )
    )


def _was_resolved_since(thread: Thread) -> bool:
    # A thread staff already resolved is not escalated again by the clock.
    return (
        db.session.scalar(
            select(Escalation.id)
            .where(
                Escalation.thread_id == thread.id, Escalation.status == EscalationStatus.RESOLVED
            )
            .limit(1)
        )
        is not None
    )


def sweep(now: datetime | None = None) -> SweepResult:
    """Apply the rules as of ``now``: escalate questions that waited too long (unanswered
    for the policy's hours, or answered but unsolved for its days), mark breached targets,
    then deliver due webhooks. Idempotent; safe to run concurrently (the database allows one
    open escalation per thread)."""
    moment = now or utcnow()
    escalated: list[Escalation] = []
    for thread in _candidates(moment):
        policy = policy_for(thread.category_id)
        if policy is None or _was_resolved_since(thread):
            continue
        waited = clock.elapsed_hours(policy, thread.created_at, moment)
        if thread.reply_count == 0 and waited >= policy.unanswered_hours:
            source, why = EscalationSource.UNANSWERED, f"No answer for {policy.unanswered_hours} h"
        elif thread.reply_count > 0 and waited >= policy.unsolved_days * 24:
            source, why = EscalationSource.UNSOLVED, f"Unsolved for {policy.unsolved_days} days"
        else:
            continue
        try:
            with unit_of_work():
                escalated.append(_create(thread, source, actor=None, reason=why, now=moment))
        except (Conflict, IntegrityError):
            continue  # another sweep (or the asker) got there first
    breached = mark_breaches(moment)
    deliveries = webhooks.deliver_due(moment)
    return SweepResult(escalated, breached, deliveries)


def mark_breaches(now: datetime | None = None) -> list[Escalation]:
    """Flag escalations whose first-response or resolution target has passed."""
    moment = now or utcnow()
    found: list[Escalation] = []
    stmt = select(Escalation).where(
        Escalation.status != EscalationStatus.RESOLVED,
        (
            (Escalation.first_response_breached.is_(False))
            & Escalation.first_response_at.is_(None)
            & (Escalation.first_response_due_at <= moment)
        )
        | (Escalation.resolution_breached.is_(False) & (Escalation.resolution_due_at <= moment)),
    )
    with unit_of_work():
        for escalation in db.session.scalars(stmt):
            which = []
            if (
                escalation.first_response_at is None
                and not escalation.first_response_breached
                and escalation.first_response_due_at <= moment
            ):
                escalation.first_response_breached = True
                which.append("first_response")
            if not escalation.resolution_breached and escalation.resolution_due_at <= moment:
                escalation.resolution_breached = True
                which.append("resolution")
            _event(escalation, None, "breached", moment, targets=which)
            data = escalation_json(escalation) | {"targets": which}
            webhooks.emit("escalation.breached", data, at=moment)
            found.append(escalation)
    return found


# --- the staff workflow ------------------------------------------------------------------------


def _require_staff(actor: User) -> None:
    if not policies.can_work_queue(actor):
        raise PermissionDenied("Only staff work the escalation queue.")


def assign(actor: User, escalation: Escalation, assignee: User | None = None) -> Escalation:
    """Give an escalation to someone on staff (default: the actor).

    Raises:
        PermissionDenied: the actor is not staff.
        ValidationFailed: the assignee is not staff.
        Conflict: the escalation is resolved.
    """
    _require_staff(actor)
    target = assignee or actor
    if not is_staff(target):
        raise ValidationFailed([("user", "Assign it to a staff member.")])
    if not escalation.is_open:
        raise Conflict("This escalation is resolved.")
    with unit_of_work():
        escalation.assignee_id = target.id
        if escalation.status is EscalationStatus.OPEN:
            escalation.status = EscalationStatus.ASSIGNED
        _event(escalation, actor, "assigned", assignee=target.username)
        if target.id != actor.id:
            notifications.notify(
                [target], kind="escalation_assigned",
                title=f"Assigned to you: “{escalation.thread.title}”",
                body="", url=f"/staff/escalations/{escalation.id}", actor=actor,
            )  # fmt: skip
    return escalation


def add_note(actor: User, escalation: Escalation, body: str) -> EscalationNote:
    """Add an internal note (staff only; customers never see it).

    Raises:
        PermissionDenied: the actor is not staff.
        ValidationFailed: an empty or too long note.
    """
    _require_staff(actor)
    body = body.strip()
    if not body or len(body) > NOTE_MAX:
        raise ValidationFailed([("body", f"Write 1 to {NOTE_MAX} characters.")])
    with unit_of_work():
        note = EscalationNote(escalation_id=escalation.id, author_id=actor.id, body=body)
        db.session.add(note)
        _event(escalation, actor, "note")
        db.session.flush()
    return note


def set_status(actor: User, escalation: Escalation, status: str) -> Escalation:
    """Move an escalation between open, assigned and waiting on the customer.

    Raises:
        PermissionDenied: the actor is not staff.
        ValidationFailed: an unknown status.
        Conflict: a transition that is not allowed (e.g. out of resolved).
    """
    _require_staff(actor)
    if status not in EscalationStatus._value2member_map_ or status == "resolved":
        raise ValidationFailed([("status", "Choose open, assigned or waiting.")])
    target = EscalationStatus(status)
    if target is escalation.status:
        return escalation
    if target not in TRANSITIONS[escalation.status]:
        raise Conflict(f"An escalation cannot go from {escalation.status} to {target}.")
    if target is EscalationStatus.ASSIGNED and escalation.assignee_id is None:
        raise Conflict("Assign it to someone first.")
    with unit_of_work():
        before = escalation.status
        escalation.status = target
        _event(escalation, actor, "status", before=before.value, after=target.value)
    return escalation


def staff_reply(actor: User, escalation: Escalation, body: str, *, waiting: bool = True) -> Post:
    """Reply in the thread as staff (shown with a staff badge); records the first response
    and, by default, waits on the customer.

    Raises:
        PermissionDenied: the actor is not staff.
        ValidationFailed: the body breaks a posting rule.
        Conflict: the escalation is resolved.
    """
    _require_staff(actor)
    if not escalation.is_open:
        raise Conflict("This escalation is resolved.")
    with unit_of_work():
        post = community.reply_to_thread(actor, escalation.thread, body)
        _first_response(escalation, actor)
        if escalation.assignee_id is None:
            escalation.assignee_id = actor.id
        if waiting:
            escalation.status = EscalationStatus.WAITING
        _event(escalation, actor, "replied", post_id=post.id)
    return post


def _first_response(escalation: Escalation, actor: User) -> None:
    if escalation.first_response_at is None:
        escalation.first_response_at = utcnow()
        _event(escalation, actor, "first_response")


def resolve(
    actor: User, escalation: Escalation, resolution: str, *, accept: bool = True
) -> Escalation:
    """Resolve: post the staff answer into the thread, optionally mark it accepted, and tell
    the customer.

    Raises:
        PermissionDenied: the actor is not staff.
        ValidationFailed: an empty or invalid resolution.
        Conflict: already resolved.
    """
    _require_staff(actor)
    if not escalation.is_open:
        raise Conflict("This escalation is already resolved.")
    resolution = resolution.strip()
    if not resolution:
        raise ValidationFailed([("resolution", "Write the answer for the customer.")])
    thread = escalation.thread
    with unit_of_work():
        post = community.reply_to_thread(actor, thread, resolution)
        _first_response(escalation, actor)
        _close(escalation, actor, resolution, post)
        if accept and thread.is_question:
            community.accept_answer(actor, thread, post)
        notifications.notify(
            [thread.author], kind="escalation_resolved",
            title=f"Staff answered “{thread.title}”", body=resolution[:280],
            url=thread_path(thread.id, post.id), actor=actor, email_flag="replies",
        )  # fmt: skip
    return escalation


def _close(escalation: Escalation, actor: User | None, text: str, post: Post | None) -> None:
    escalation.status = EscalationStatus.RESOLVED
    escalation.resolved_at = utcnow()
    escalation.resolution = text
    escalation.resolution_post_id = post.id if post is not None else None
    escalation.resolved_by_id = actor.id if actor is not None else None
    _event(escalation, actor, "resolved", post_id=post.id if post else None)
    webhooks.emit("escalation.resolved", escalation_json(escalation))


# --- reactions to community events (signal receivers) ------------------------------------------


def on_answer_accepted(_sender: Any, *, thread: Thread, post: Post, actor: User) -> None:
    """An accepted answer resolves the thread's open escalation (a community answer counts),
    and is a thread.solved event."""
    webhooks.emit(
        "thread.solved",
        {"thread": {"id": thread.id, "title": thread.title, "url": thread_path(thread.id)},
         "accepted_post_id": post.id, "by": actor.username},
    )  # fmt: skip
    escalation = open_escalation(thread)
    if escalation is None or escalation.resolution_post_id == post.id:
        return
    _close(escalation, actor, f"Answer accepted: post {post.id}", post)


def on_reply_created(_sender: Any, *, thread: Thread, post: Post) -> None:
    """The customer answering a thread that waits on them reopens its escalation."""
    escalation = open_escalation(thread)
    if (
        escalation is not None
        and escalation.status is EscalationStatus.WAITING
        and post.author_id == thread.author_id
    ):
        escalation.status = (
            EscalationStatus.ASSIGNED if escalation.assignee_id else EscalationStatus.OPEN
        )
        _event(escalation, post.author, "customer_replied", post_id=post.id)


def on_thread_created(_sender: Any, *, thread: Thread, post: Post) -> None:
    webhooks.emit(
        "thread.created",
        {"thread": {"id": thread.id, "title": thread.title, "url": thread_path(thread.id),
                    "kind": thread.kind.value, "category": thread.category.slug,
                    "author": thread.author.username}},
    )  # fmt: skip


def on_article_published(_sender: Any, *, article: Any, actor: User, before: Any) -> None:
    from forum_kb.kb.services import article_path

    webhooks.emit(
        "article.published",
        {"article": {"id": article.id, "title": article.title, "url": article_path(article)}},
    )


# --- administration ----------------------------------------------------------------------------


def set_category_policy(actor: User, category: Category, policy: SlaPolicy | None) -> None:
    """Choose a category's policy (None: the default).

    Raises:
        PermissionDenied: the actor is not staff.
    """
    _require_staff(actor)
    with unit_of_work():
        existing = db.session.get(CategoryPolicy, category.id)
        if policy is None:
            if existing is not None:
                db.session.delete(existing)
        elif existing is None:
            db.session.add(CategoryPolicy(category_id=category.id, policy_id=policy.id))
        else:
            existing.policy_id = policy.id


def on_category_created(
    _sender: Any, *, category: Category, actor: User, options: dict[str, Any]
) -> None:
    """``POST /categories`` may name the new category's SLA policy (by name or id)."""
    wanted = options.get("sla_policy")
    if wanted is None:
        return
    policy = None
    if isinstance(wanted, int) and not isinstance(wanted, bool):
        policy = db.session.get(SlaPolicy, wanted) if 0 < wanted < 2**31 else None
    elif isinstance(wanted, str):
        policy = db.session.scalar(select(SlaPolicy).where(SlaPolicy.name == wanted.strip()))
    if policy is None:
        raise ValidationFailed(
            [("sla_policy", "No such SLA policy: give the name or id of one on /staff/policies.")]
        )
    set_category_policy(actor, category, policy)


def on_flag_created(_sender: Any, *, flag: Any) -> None:
    """A flag marked urgent sends its thread to staff at once."""
    if not flag.is_urgent:
        return
    note = f": {flag.note}" if flag.note else ""
    escalate_from_flag(flag.reporter, flag.post.thread, f"Urgent flag, {flag.reason.label}{note}")
