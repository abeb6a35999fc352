"""Escalation use cases: the ways in, the staff workflow, clocks, webhooks."""

from __future__ import annotations

from forum_kb.escalation.services.admin import (
    GroupFields,
    PolicyFields,
    create_group,
    create_policy,
    update_group,
    update_policy,
)
from forum_kb.escalation.services.core import (
    SweepResult,
    add_note,
    ask_staff_after,
    assign,
    default_policy,
    escalate_from_flag,
    escalate_thread,
    mark_breaches,
    open_escalation,
    policy_for,
    resolve,
    set_category_policy,
    set_status,
    staff_reply,
    sweep,
)
from forum_kb.escalation.services.webhooks import (
    WEBHOOK_EVENTS,
    create_webhook,
    delete_webhook,
    deliver_due,
    emit,
    sign,
)

__all__ = [
    "WEBHOOK_EVENTS",
    "GroupFields",
    "PolicyFields",
    "SweepResult",
    "add_note",
    "ask_staff_after",
    "assign",
    "create_group",
    "create_policy",
    "create_webhook",
    "default_policy",
    "delete_webhook",
    "deliver_due",
    "emit",
    "escalate_from_flag",
    "escalate_thread",
    "mark_breaches",
    "open_escalation",
    "policy_for",
    "resolve",
    "set_category_policy",
    "set_status",
    "sign",
    "staff_reply",
    "sweep",
    "update_group",
    "update_policy",
]
