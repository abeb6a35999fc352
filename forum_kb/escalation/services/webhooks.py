"""Outgoing webhooks: events queued in the transaction that caused them, delivered as signed
JSON by ``flask webhooks deliver`` (and the sweep), retried with exponential backoff, every
attempt logged."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select, update

from forum_kb.accounts.models import User
from forum_kb.accounts.policies import is_staff
from forum_kb.db import unit_of_work, utcnow
from forum_kb.errors import PermissionDenied, ValidationFailed
from forum_kb.escalation.models import (
    DeliveryStatus,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from forum_kb.extensions import db

WEBHOOK_EVENTS = (
    "thread.created",
    "thread.solved",
    "escalation.created",
    "escalation.breached",
    "escalation.resolved",
    "article.published",
)
SIGNATURE_HEADER = "X-Forum-KB-Signature"
URL_MAX = 500


def sign(secret: str, body: bytes) -> str:
    """The signature header value: ``sha256=<hex HMAC-SHA256 of the body>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def create_webhook(
    actor: User, url: str, events: Sequence[str], *, secret: str = "", description: str = ""
) -> Webhook:
    """Register an endpoint (staff); a secret is generated when none is given.

    Raises:
        PermissionDenied: the actor is not staff.
        ValidationFailed: a URL that is not http(s), or unknown events.
    """
    if not is_staff(actor):
        raise PermissionDenied("Only staff manage webhooks.")
    url = url.strip()
    errors: list[tuple[str, str]] = []
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > URL_MAX:
        errors.append(("url", "Give an http:// or https:// address."))
    chosen = [e for e in WEBHOOK_EVENTS if e in set(events)]
    if not chosen or len(chosen) != len(set(events)):
        errors.append(("events", "Choose one or more of: " + ", ".join(WEBHOOK_EVENTS) + "."))
    if len(secret) > 200 or len(description) > 200:
        errors.append(("secret", "Keep the secret and description under 200 characters."))
    if errors:
        raise ValidationFailed(errors)
    with unit_of_work():
        hook = Webhook(
            url=url,
            events=chosen,
            secret=secret or secrets.token_urlsafe(24),
            description=description.strip(),
            created_by_id=actor.id,
        )
        db.session.add(hook)
        db.session.flush()
    return hook


def delete_webhook(actor: User, hook: Webhook) -> None:
    """Remove an endpoint and its delivery log.

    Raises:
        PermissionDenied: the actor is not staff.
    """
    if not is_staff(actor):
        raise PermissionDenied("Only staff manage webhooks.")
    with unit_of_work():
        db.session.delete(hook)


def emit(event: str, data: dict[str, Any], *, at: datetime | None = None) -> int:
    """Queue ``event`` for every active endpoint that wants it (inside the caller's unit of
    work, so an event exists only if its cause committed); returns deliveries queued."""
    assert event in WEBHOOK_EVENTS, event
    hooks = [
        h for h in db.session.scalars(select(Webhook).where(Webhook.is_active.is_(True)))
        if event in (h.events or [])
    ]  # fmt: skip
    now = at or utcnow()
    for hook in hooks:
        body = {"event": event, "created_at": now.isoformat(), "data": data}
        db.session.add(
            WebhookDelivery(
                webhook_id=hook.id,
                event=event,
                payload=json.dumps(body, separators=(",", ":"), sort_keys=True),
                next_attempt_at=now,
            )
        )
    return len(hooks)


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: base * 2^(attempts-1), capped."""
    config = current_app.config
    seconds = float(config["WEBHOOK_RETRY_BASE_SECONDS"]) * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, float(config["WEBHOOK_RETRY_MAX_SECONDS"])))


def _post(url: str, body: bytes, signature: str, event: str) -> tuple[int | None, str]:
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked when registered
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature,
            "X-Forum-KB-Event": event,
            "User-Agent": "forum_kb-webhooks",
        },
    )
    timeout = float(current_app.config["WEBHOOK_TIMEOUT"])
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(response.status), ""
    except urllib.error.HTTPError as exc:
        return int(exc.code), f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))[:500]


def _claim(delivery: WebhookDelivery, moment: datetime) -> bool:
    """Take a due delivery for this run with one conditional UPDATE (committed before the
    request), so two runs at once never send it twice. Its next attempt moves past the
    request's timeout: if this run dies mid-request, the delivery is retried later."""
    lease = timedelta(seconds=float(current_app.config["WEBHOOK_TIMEOUT"]) + 60)
    with unit_of_work():
        result = db.session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery.id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= moment,
            )
            .values(next_attempt_at=moment + lease)
            .execution_options(synchronize_session=False)
        )
    return bool(getattr(result, "rowcount", 0) == 1)


def deliver_due(now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Attempt every delivery that is due; returns counts of delivered, retrying, failed."""
    moment = now or utcnow()
    max_attempts = int(current_app.config["WEBHOOK_MAX_ATTEMPTS"])
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    due = list(
        db.session.scalars(
            select(WebhookDelivery)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= moment,
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
    )
    for delivery in due:
        if not _claim(delivery, moment):
            continue  # a concurrent run (another sweep or deliver) took it
        body = delivery.payload.encode()
        started = time.monotonic()
        code, error = _post(
            delivery.webhook.url, body, sign(delivery.webhook.secret, body), delivery.event
        )
        elapsed = int((time.monotonic() - started) * 1000)
        with unit_of_work():
            delivery.attempts += 1
            delivery.last_status_code = code
            delivery.last_error = error
            db.session.add(
                WebhookAttempt(
                    delivery_id=delivery.id, status_code=code, error=error, duration_ms=elapsed
                )
            )
            if code is not None and 200 <= code < 300:
                delivery.status = DeliveryStatus.DELIVERED
                delivery.delivered_at = utcnow()
                counts["delivered"] += 1
            elif delivery.attempts >= max_attempts:
                delivery.status = DeliveryStatus.FAILED
                counts["failed"] += 1
            else:
                delivery.next_attempt_at = moment + backoff(delivery.attempts)
                counts["retrying"] += 1
    return counts
