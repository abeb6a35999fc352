"""Escalation JSON API (API.md): asking staff, the staff queue and workflow, webhooks.

Everything but ``POST /threads/<id>/escalate`` is for staff (and admins): 401 without a
token, 403 for members and moderators, checked before anything is looked up. Internal notes
are returned only by staff endpoints.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from forum_kb.accounts.auth import require_api_user
from forum_kb.accounts.models import Role, User
from forum_kb.api import json_body, paginated, string_field
from forum_kb.community import queries as community_queries
from forum_kb.community.serializers import post_json
from forum_kb.errors import BadRequest, NotFound, ValidationFailed
from forum_kb.escalation import services
from forum_kb.escalation.models import (
    Escalation,
    EscalationEvent,
    EscalationNote,
    EscalationStatus,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from forum_kb.escalation.serializers import (
    delivery_json,
    escalation_detail_json,
    escalation_json,
    note_json,
    webhook_json,
)
from forum_kb.extensions import db

api_bp = Blueprint("escalation_api", __name__)

# Ids are 32-bit INTEGER columns (URL ids are bounded by the app's int converter).
MAX_ID = 2**31 - 1
USERNAME_MAX = 64


# --- asking staff --------------------------------------------------------------------------------


@api_bp.post("/threads/<int:thread_id>/escalate")
def thread_escalate(thread_id: int):
    actor = require_api_user()
    thread = community_queries.get_thread_or_404(thread_id, actor)
    reason = _text(_optional_body(), "reason")
    escalation = services.escalate_thread(actor, thread, reason)
    return escalation_json(escalation), 201


# --- the staff queue -----------------------------------------------------------------------------


@api_bp.get("/escalations")
def escalation_list():
    actor = _staff()
    status = _status_arg()
    stmt = _queue(status, _assignee_arg(actor))
    return paginated(stmt, escalation_json)


@api_bp.get("/escalations/<int:escalation_id>")
def escalation_detail(escalation_id: int):
    _staff()
    escalation = _escalation(escalation_id)
    notes = db.session.scalars(
        select(EscalationNote)
        .where(EscalationNote.escalation_id == escalation.id)
        .options(selectinload(EscalationNote.author))
        .order_by(EscalationNote.created_at, EscalationNote.id)
    ).all()
    events = db.session.scalars(
        select(EscalationEvent)
        .where(EscalationEvent.escalation_id == escalation.id)
        .options(selectinload(EscalationEvent.actor))
        .order_by(EscalationEvent.created_at, EscalationEvent.id)
    ).all()
    return escalation_detail_json(escalation, list(notes), list(events))


@api_bp.post("/escalations/<int:escalation_id>/assign")
def escalation_assign(escalation_id: int):
    actor = _staff()
    escalation = _escalation(escalation_id)
    assignee = _user_field(_optional_body(), "user")
    services.assign(actor, escalation, assignee)
    return escalation_json(escalation)


@api_bp.post("/escalations/<int:escalation_id>/notes")
def escalation_note(escalation_id: int):
    actor = _staff()
    escalation = _escalation(escalation_id)
    note = services.add_note(actor, escalation, _text(json_body(), "body", required=True))
    return note_json(note), 201


@api_bp.post("/escalations/<int:escalation_id>/status")
def escalation_status(escalation_id: int):
    actor = _staff()
    escalation = _escalation(escalation_id)
    services.set_status(actor, escalation, _text(json_body(), "status", required=True))
    return escalation_json(escalation)


@api_bp.post("/escalations/<int:escalation_id>/reply")
def escalation_reply(escalation_id: int):
    actor = _staff()
    escalation = _escalation(escalation_id)
    data = json_body()
    body = _text(data, "body", required=True)
    post = services.staff_reply(actor, escalation, body, waiting=_bool(data, "waiting", True))
    return {"post": post_json(post, actor), "escalation": escalation_json(escalation)}, 201


@api_bp.post("/escalations/<int:escalation_id>/resolve")
def escalation_resolve(escalation_id: int):
    actor = _staff()
    escalation = _escalation(escalation_id)
    data = json_body()
    resolution = _text(data, "resolution", required=True)
    try:
        services.resolve(actor, escalation, resolution, accept=_bool(data, "accept", True))
    except ValidationFailed as exc:
        # The answer is posted as a reply, whose rules name the text "body".
        raise ValidationFailed(
            [("resolution" if field == "body" else field, msg) for field, msg in exc.errors]
        ) from None
    return escalation_json(escalation)


# --- webhooks ------------------------------------------------------------------------------------


@api_bp.get("/webhooks")
def webhook_list():
    _staff()
    return paginated(select(Webhook).order_by(Webhook.id), webhook_json)


@api_bp.post("/webhooks")
def webhook_create():
    actor = _staff()
    data = json_body()
    events = data.get("events")
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        raise ValidationFailed([("events", "Must be a list of event names.")])
    hook = services.create_webhook(
        actor,
        _text(data, "url", required=True),
        events,
        secret=_text(data, "secret"),
        description=_text(data, "description"),
    )
    return webhook_json(hook, with_secret=True), 201


@api_bp.delete("/webhooks/<int:webhook_id>")
def webhook_delete(webhook_id: int):
    actor = _staff()
    services.delete_webhook(actor, _webhook(webhook_id))
    return "", 204


@api_bp.get("/webhooks/<int:webhook_id>/deliveries")
def webhook_deliveries(webhook_id: int):
    _staff()
    hook = _webhook(webhook_id)
    stmt = (
        select(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == hook.id)
        .order_by(WebhookDelivery.id.desc())
    )
    return paginated(stmt, lambda delivery: delivery_json(delivery, _attempts(delivery)))


# --- helpers -------------------------------------------------------------------------------------


def _staff() -> User:
    """Raises: Unauthorized (no token), PermissionDenied (below staff)."""
    return require_api_user(Role.STAFF)


def _escalation(escalation_id: int) -> Escalation:
    escalation = db.session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFound("No such escalation.")
    return escalation


def _webhook(webhook_id: int) -> Webhook:
    hook = db.session.get(Webhook, webhook_id)
    if hook is None:
        raise NotFound("No such webhook.")
    return hook


def _attempts(delivery: WebhookDelivery) -> list[WebhookAttempt]:
    return list(
        db.session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery.id)
            .order_by(WebhookAttempt.id)
        )
    )


def _queue(status: EscalationStatus | None, assignee: User | bool | None) -> Select[Any]:
    """Escalations by resolution due time; without a status, every unresolved one.
    ``assignee`` is a user, False for unassigned ones, or None for anyone."""
    stmt = select(Escalation).options(
        selectinload(Escalation.thread),
        selectinload(Escalation.assignee),
        selectinload(Escalation.requested_by),
        selectinload(Escalation.resolved_by),
        selectinload(Escalation.policy),
        selectinload(Escalation.group),
    )
    if status is None:
        stmt = stmt.where(Escalation.status != EscalationStatus.RESOLVED)
    else:
        stmt = stmt.where(Escalation.status == status)
    if assignee is False:
        stmt = stmt.where(Escalation.assignee_id.is_(None))
    elif isinstance(assignee, User):
        stmt = stmt.where(Escalation.assignee_id == assignee.id)
    return stmt.order_by(Escalation.resolution_due_at, Escalation.id)


def _arg(name: str) -> str:
    value = request.args.get(name, "").strip()
    if "\x00" in value:
        raise BadRequest(f"'{name}' must not contain NUL characters.")
    return value


def _status_arg() -> EscalationStatus | None:
    raw = _arg("status")
    if not raw:
        return None
    try:
        return EscalationStatus(raw)
    except ValueError:
        allowed = ", ".join(status.value for status in EscalationStatus)
        raise BadRequest(f"Unknown status '{raw}': use one of {allowed}.") from None


def _assignee_arg(actor: User) -> User | bool | None:
    """``assignee=``: a username, ``me``, or ``none`` (unassigned)."""
    raw = _arg("assignee")
    if not raw:
        return None
    if raw == "me":
        return actor
    if raw == "none":
        return False
    user = _find_user(raw)
    if user is None:
        raise BadRequest(f"No user '{raw}'.")
    return user


def _find_user(username: str) -> User | None:
    if len(username) > USERNAME_MAX:
        return None
    return db.session.scalar(select(User).where(User.username_key == username.lower()))


def _user_field(data: dict[str, Any], name: str) -> User | None:
    """A user given by username or id; None when absent.

    Raises:
        ValidationFailed: of the wrong type, or no such user.
    """
    value = data.get(name)
    if value is None:
        return None
    user: User | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        user = db.session.get(User, value) if 0 < value <= MAX_ID else None
    elif isinstance(value, str) and value.strip() and "\x00" not in value:
        user = _find_user(value.strip())
    else:
        raise ValidationFailed([(name, "Give a username or a user id.")])
    if user is None:
        raise ValidationFailed([(name, f"No user {value!r}.")])
    return user


def _text(data: dict[str, Any], name: str, *, required: bool = False) -> str:
    # PostgreSQL refuses NUL in text: without this check it would be a 500, not a 422.
    value = string_field(data, name, required=required)
    if "\x00" in value:
        raise ValidationFailed([(name, "Must not contain NUL characters.")])
    return value


def _bool(data: dict[str, Any], name: str, default: bool) -> bool:
    value = data.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ValidationFailed([(name, "Must be true or false.")])
    return value


def _optional_body() -> dict[str, Any]:
    """The JSON object of a request whose body may be left out."""
    if not request.get_data(cache=True):
        return {}
    return json_body()
