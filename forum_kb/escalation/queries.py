"""Read helpers for the staff pages and the thread page's escalation hints."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import selectinload

from forum_kb.accounts.models import Role, User
from forum_kb.community.models import Category, Tag, Thread
from forum_kb.db import utcnow
from forum_kb.errors import NotFound
from forum_kb.escalation import policies
from forum_kb.escalation.models import (
    CategoryPolicy,
    DeliveryStatus,
    Escalation,
    EscalationEvent,
    EscalationNote,
    EscalationStatus,
    SlaPolicy,
    StaffGroup,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from forum_kb.escalation.services import ask_staff_after, open_escalation
from forum_kb.extensions import db

#: The next target: the first response while there is none yet, then the resolution.
next_due_at = case(
    (Escalation.first_response_at.is_(None), Escalation.first_response_due_at),
    else_=Escalation.resolution_due_at,
)


@dataclass(frozen=True)
class QueueFilter:
    """``status`` None means every unresolved escalation; ``assignee`` is "mine",
    "unassigned" or "" (anyone)."""

    status: EscalationStatus | None = None
    assignee: str = ""
    group_id: int | None = None
    breached: bool = False


def queue(filters: QueueFilter, viewer: User) -> Select[Escalation]:
    """The staff queue, most urgent first (for db.paginate)."""
    stmt = select(Escalation).options(
        selectinload(Escalation.thread).selectinload(Thread.category),
        selectinload(Escalation.assignee),
        selectinload(Escalation.group),
    )
    if filters.status is None:
        stmt = stmt.where(Escalation.status != EscalationStatus.RESOLVED)
    else:
        stmt = stmt.where(Escalation.status == filters.status)
    if filters.assignee == "mine":
        stmt = stmt.where(Escalation.assignee_id == viewer.id)
    elif filters.assignee == "unassigned":
        stmt = stmt.where(Escalation.assignee_id.is_(None))
    if filters.group_id is not None:
        stmt = stmt.where(Escalation.group_id == filters.group_id)
    if filters.breached:
        stmt = stmt.where(or_(Escalation.first_response_breached, Escalation.resolution_breached))
    return stmt.order_by(next_due_at, Escalation.id)


def queue_badge(viewer: Any) -> int:
    """The header's count of open escalations that are the viewer's or nobody's: 0, without a
    query, for anyone but staff."""
    if not policies.can_work_queue(viewer):
        return 0
    return (
        db.session.scalar(
            select(func.count(Escalation.id)).where(
                Escalation.status != EscalationStatus.RESOLVED,
                or_(Escalation.assignee_id.is_(None), Escalation.assignee_id == viewer.id),
            )
        )
        or 0
    )


def get_escalation_or_404(escalation_id: int) -> Escalation:
    """An escalation with what its page shows.

    Raises:
        NotFound: no such escalation.
    """
    escalation = db.session.scalar(
        select(Escalation)
        .where(Escalation.id == escalation_id)
        .options(
            selectinload(Escalation.thread).selectinload(Thread.category),
            selectinload(Escalation.thread).selectinload(Thread.author),
            selectinload(Escalation.assignee),
            selectinload(Escalation.group),
            selectinload(Escalation.policy),
            selectinload(Escalation.requested_by),
            selectinload(Escalation.resolved_by),
        )
    )
    if escalation is None:
        raise NotFound("No such escalation.")
    return escalation


def escalation_notes(escalation: Escalation) -> list[EscalationNote]:
    return list(
        db.session.scalars(
            select(EscalationNote)
            .where(EscalationNote.escalation_id == escalation.id)
            .options(selectinload(EscalationNote.author))
            .order_by(EscalationNote.created_at, EscalationNote.id)
        )
    )


def escalation_events(escalation: Escalation) -> list[EscalationEvent]:
    return list(
        db.session.scalars(
            select(EscalationEvent)
            .where(EscalationEvent.escalation_id == escalation.id)
            .options(selectinload(EscalationEvent.actor))
            .order_by(EscalationEvent.created_at, EscalationEvent.id)
        )
    )


def staff_users() -> list[User]:
    """Active staff and admins, for assignee and member choices."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_([Role.STAFF, Role.ADMIN]), User.is_active.is_(True))
            .order_by(User.username_key)
        )
    )


# --- thread page ---------------------------------------------------------------------------------


def thread_escalation(thread: Thread) -> Escalation | None:
    """The thread's open escalation, if any."""
    return open_escalation(thread)


def ask_staff_at(thread: Thread) -> datetime:
    """When the asker may press "Ask staff"."""
    return ask_staff_after(thread)


def ask_staff_available(user: Any, thread: Thread) -> bool:
    """True when ``user`` may hand the thread to staff now (and it is not with them)."""
    return policies.can_escalate(
        user, thread, utcnow(), ask_staff_after(thread)
    ) and not open_escalation(thread)


# --- policies and groups -------------------------------------------------------------------------


def list_policies() -> list[SlaPolicy]:
    return list(
        db.session.scalars(select(SlaPolicy).order_by(SlaPolicy.is_default.desc(), SlaPolicy.name))
    )


def get_policy_or_404(policy_id: int) -> SlaPolicy:
    return db.get_or_404(SlaPolicy, policy_id, description="No such policy.")


def category_policies() -> list[tuple[Category, int | None]]:
    """Every category with the id of its chosen policy (None: the default)."""
    rows = db.session.execute(
        select(Category, CategoryPolicy.policy_id)
        .outerjoin(CategoryPolicy, CategoryPolicy.category_id == Category.id)
        .order_by(Category.position, Category.name)
    ).all()
    return [(category, policy_id) for category, policy_id in rows]


def list_groups() -> list[StaffGroup]:
    return list(
        db.session.scalars(
            select(StaffGroup)
            .options(
                selectinload(StaffGroup.members),
                selectinload(StaffGroup.categories),
                selectinload(StaffGroup.tags),
            )
            .order_by(StaffGroup.name)
        )
    )


def get_group_or_404(group_id: int) -> StaffGroup:
    return db.get_or_404(StaffGroup, group_id, description="No such staff group.")


def list_all_tags() -> list[Tag]:
    return list(db.session.scalars(select(Tag).order_by(Tag.name)))


# --- webhooks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookRow:
    webhook: Webhook
    deliveries: int
    pending: int
    failed: int


def list_webhooks() -> list[WebhookRow]:
    """Endpoints with their delivery counts, in one query."""
    pending = func.count(WebhookDelivery.id).filter(
        WebhookDelivery.status == DeliveryStatus.PENDING
    )
    failed = func.count(WebhookDelivery.id).filter(WebhookDelivery.status == DeliveryStatus.FAILED)
    rows = db.session.execute(
        select(Webhook, func.count(WebhookDelivery.id), pending, failed)
        .outerjoin(WebhookDelivery, WebhookDelivery.webhook_id == Webhook.id)
        .group_by(Webhook.id)
        .order_by(Webhook.id)
    ).all()
    return [WebhookRow(hook, total, waiting, gave_up) for hook, total, waiting, gave_up in rows]


def get_webhook_or_404(webhook_id: int) -> Webhook:
    return db.get_or_404(Webhook, webhook_id, description="No such webhook.")


def webhook_deliveries(hook: Webhook) -> Select[WebhookDelivery]:
    """An endpoint's deliveries, newest first (for db.paginate)."""
    return (
        select(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == hook.id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    )


def attempts_for(deliveries: list[WebhookDelivery]) -> dict[int, list[WebhookAttempt]]:
    """The attempts of a page of deliveries, by delivery id, oldest first (one query)."""
    found: dict[int, list[WebhookAttempt]] = defaultdict(list)
    ids = [delivery.id for delivery in deliveries]
    if ids:
        for attempt in db.session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(ids))
            .order_by(WebhookAttempt.attempted_at, WebhookAttempt.id)
        ):
            found[attempt.delivery_id].append(attempt)
    return dict(found)
