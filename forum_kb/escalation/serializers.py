"""JSON shapes of escalations and webhooks.

Internal notes appear only in ``escalation_detail_json``, which only staff endpoints return.
"""

from __future__ import annotations

from typing import Any

from forum_kb.accounts.models import User
from forum_kb.accounts.serializers import user_json
from forum_kb.api import iso
from forum_kb.community.paths import thread_path
from forum_kb.escalation.models import (
    Escalation,
    EscalationEvent,
    EscalationNote,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)


def _user_or_none(user: User | None) -> dict[str, Any] | None:
    return user_json(user) if user is not None else None


def escalation_json(escalation: Escalation) -> dict[str, Any]:
    """An escalation as the queue lists it; ``due_at`` is the resolution target."""
    thread = escalation.thread
    return {
        "id": escalation.id,
        "status": escalation.status.value,
        "source": escalation.source.value,
        "reason": escalation.reason,
        "thread": {
            "id": thread.id,
            "title": thread.title,
            "status": thread.status,
            "url": thread_path(thread.id),
        },
        "policy": escalation.policy.name if escalation.policy else None,
        "group": escalation.group.name if escalation.group else None,
        "assignee": _user_or_none(escalation.assignee),
        "requested_by": _user_or_none(escalation.requested_by),
        "created_at": iso(escalation.created_at),
        "updated_at": iso(escalation.updated_at),
        "first_response_due_at": iso(escalation.first_response_due_at),
        "due_at": iso(escalation.resolution_due_at),
        "first_response_at": iso(escalation.first_response_at),
        "first_response_breached": escalation.first_response_breached,
        "resolution_breached": escalation.resolution_breached,
        "breached": escalation.breached,
        "resolved_at": iso(escalation.resolved_at),
        "resolved_by": _user_or_none(escalation.resolved_by),
        "resolution": escalation.resolution,
        "resolution_post_id": escalation.resolution_post_id,
    }


def note_json(note: EscalationNote) -> dict[str, Any]:
    return {
        "id": note.id,
        "escalation_id": note.escalation_id,
        "author": _user_or_none(note.author),
        "body": note.body,
        "created_at": iso(note.created_at),
    }


def event_json(event: EscalationEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "action": event.action,
        "actor": _user_or_none(event.actor),
        "details": event.details,
        "created_at": iso(event.created_at),
    }


def escalation_detail_json(
    escalation: Escalation, notes: list[EscalationNote], events: list[EscalationEvent]
) -> dict[str, Any]:
    """An escalation with its internal notes and history (staff only)."""
    return escalation_json(escalation) | {
        "notes": [note_json(note) for note in notes],
        "events": [event_json(event) for event in events],
    }


def webhook_json(hook: Webhook, *, with_secret: bool = False) -> dict[str, Any]:
    """An endpoint; the secret is shown once, when it is created."""
    data: dict[str, Any] = {
        "id": hook.id,
        "url": hook.url,
        "events": list(hook.events or []),
        "is_active": hook.is_active,
        "description": hook.description,
        "created_at": iso(hook.created_at),
    }
    if with_secret:
        data["secret"] = hook.secret
    return data


def attempt_json(attempt: WebhookAttempt) -> dict[str, Any]:
    return {
        "attempted_at": iso(attempt.attempted_at),
        "status_code": attempt.status_code,
        "error": attempt.error,
        "duration_ms": attempt.duration_ms,
    }


def delivery_json(delivery: WebhookDelivery, attempts: list[WebhookAttempt]) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "webhook_id": delivery.webhook_id,
        "event": delivery.event,
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "next_attempt_at": iso(delivery.next_attempt_at),
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "created_at": iso(delivery.created_at),
        "delivered_at": iso(delivery.delivered_at),
        "log": [attempt_json(attempt) for attempt in attempts],
    }
