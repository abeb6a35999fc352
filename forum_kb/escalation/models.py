"""Escalation: service-level policies, staff groups and skills, escalations with their clocks
and internal notes, and outgoing webhooks with a delivery log."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Enum,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum_kb.accounts.models import User
from forum_kb.community.models import Category, Post, Tag, Thread
from forum_kb.db import Model, UTCDateTime, utcnow
from forum_kb.extensions import db


def _values(enum_class: type[enum.Enum]) -> list[str]:
    return [str(member.value) for member in enum_class]


class SlaPolicy(Model):
    """How long the community gets before staff step in, and the staff's own targets."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    #: An unanswered question escalates after this many (business) hours.
    unanswered_hours: Mapped[int] = mapped_column(default=48)
    #: An answered but unsolved question escalates after this many days.
    unsolved_days: Mapped[int] = mapped_column(default=7)
    #: Staff targets, counted from the escalation.
    first_response_hours: Mapped[int] = mapped_column(default=8)
    resolution_hours: Mapped[int] = mapped_column(default=48)
    #: The policy for categories without one.
    is_default: Mapped[bool] = mapped_column(default=False)
    #: When set, clocks run only inside business hours (UTC hours [start, end) on the days).
    business_hours: Mapped[bool] = mapped_column(default=False)
    business_start: Mapped[int] = mapped_column(default=9)
    business_end: Mapped[int] = mapped_column(default=17)
    #: Weekdays the clock runs, Monday = 0 ("01234" is Monday to Friday).
    business_days: Mapped[str] = mapped_column(String(7), default="01234")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CategoryPolicy(Model):
    """Which policy a community category uses (absent: the default policy)."""

    __tablename__ = "category_policies"

    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True
    )
    policy_id: Mapped[int] = mapped_column(ForeignKey("sla_policies.id", ondelete="CASCADE"))

    category: Mapped[Category] = relationship()
    policy: Mapped[SlaPolicy] = relationship()


group_members = Table(
    "staff_group_members",
    db.metadata,
    Column("group_id", ForeignKey("staff_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)
group_categories = Table(
    "staff_group_categories",
    db.metadata,
    Column("group_id", ForeignKey("staff_groups.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)
group_tags = Table(
    "staff_group_tags",
    db.metadata,
    Column("group_id", ForeignKey("staff_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class StaffGroup(Model):
    """A team with skills (categories and tags); escalations are routed to matching groups."""

    __tablename__ = "staff_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    #: Give each new escalation to the member with the fewest open ones.
    auto_assign: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[User]] = relationship(secondary=group_members, order_by=User.username)
    categories: Mapped[list[Category]] = relationship(secondary=group_categories)
    tags: Mapped[list[Tag]] = relationship(secondary=group_tags)


class EscalationStatus(enum.StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    WAITING = "waiting"  # on the customer
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        return "Waiting on customer" if self is EscalationStatus.WAITING else self.value.title()


class EscalationSource(enum.StrEnum):
    UNANSWERED = "unanswered"  # the sweep: nobody answered in time
    UNSOLVED = "unsolved"  # the sweep: answered, but not solved in time
    CUSTOMER = "customer"  # the asker pressed "Ask staff"
    MODERATOR = "moderator"
    FLAG = "flag"  # a flag marked urgent

    @property
    def label(self) -> str:
        return {
            "unanswered": "Unanswered in time",
            "unsolved": "Unsolved in time",
            "customer": "Customer asked for staff",
            "moderator": "Escalated by a moderator",
            "flag": "Urgent flag",
        }[self.value]


class Escalation(Model):
    """A thread handed to staff, with its service-level clock."""

    __tablename__ = "escalations"
    __table_args__ = (
        # At most one open escalation per thread, enforced by the database: two sweeps at
        # once, or a sweep and an "Ask staff" click, cannot both create one.
        Index(
            "uq_escalations_open_thread",
            "thread_id",
            unique=True,
            sqlite_where=text("status != 'resolved'"),
            postgresql_where=text("status != 'resolved'"),
        ),
        Index("ix_escalations_status_due", "status", "resolution_due_at"),
        Index("ix_escalations_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    status: Mapped[EscalationStatus] = mapped_column(
        Enum(EscalationStatus, name="escalation_status", values_callable=_values),
        default=EscalationStatus.OPEN,
    )
    source: Mapped[EscalationSource] = mapped_column(
        Enum(EscalationSource, name="escalation_source", values_callable=_values)
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("sla_policies.id", ondelete="SET NULL")
    )
    group_id: Mapped[int | None] = mapped_column(ForeignKey("staff_groups.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    first_response_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_breached: Mapped[bool] = mapped_column(default=False)
    resolution_breached: Mapped[bool] = mapped_column(default=False)
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolution_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL")
    )
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    thread: Mapped[Thread] = relationship()
    policy: Mapped[SlaPolicy | None] = relationship()
    group: Mapped[StaffGroup | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    resolution_post: Mapped[Post | None] = relationship()

    @property
    def breached(self) -> bool:
        return self.first_response_breached or self.resolution_breached

    @property
    def is_open(self) -> bool:
        return self.status is not EscalationStatus.RESOLVED


class EscalationNote(Model):
    """An internal note on an escalation: staff only, never shown to customers."""

    __tablename__ = "escalation_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(
        ForeignKey("escalations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class EscalationEvent(Model):
    """The escalation's history: created, assigned, status changes, breaches, resolution."""

    __tablename__ = "escalation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(
        ForeignKey("escalations.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class Webhook(Model):
    """An endpoint of another system (helpdesk, CRM, chat) that receives our events."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    #: Shared secret for the X-Forum-KB-Signature HMAC.
    secret: Mapped[str] = mapped_column(String(200))
    #: Event names it receives (see WEBHOOK_EVENTS).
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(default=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the last retry


class WebhookDelivery(Model):
    """One event for one endpoint, retried with exponential backoff until delivered."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(40))
    #: The exact JSON body sent (and signed), so retries send the same bytes.
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(DeliveryStatus, name="webhook_delivery_status", values_callable=_values),
        default=DeliveryStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    webhook: Mapped[Webhook] = relationship()


class WebhookAttempt(Model):
    """Every attempt, with its outcome: the delivery log."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None]
    error: Mapped[str] = mapped_column(String(500), default="")
    duration_ms: Mapped[int] = mapped_column(default=0)
