"""Webhook deliveries to a real HTTP receiver on loopback: signatures, body shape, retries
with backoff, the attempt log, giving up, subscriptions and inactive endpoints."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from forum_kb.accounts.models import Role, User
from forum_kb.community.models import Category
from forum_kb.community.paths import thread_path
from forum_kb.db import utcnow
from forum_kb.errors import PermissionDenied, ValidationFailed
from forum_kb.escalation import services
from forum_kb.escalation.models import (
    DeliveryStatus,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from forum_kb.extensions import db
from tests.escalation.builders import ask, make_policy
from tests.escalation.receiver import Receiver
from tests.factories import make_category, make_user

SECRET = "s3cret-shared-with-the-helpdesk"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app(make_app: Any) -> Flask:
    # Short timeouts: the unreachable endpoint must not slow the suite.
    return make_app(WEBHOOK_TIMEOUT=2, WEBHOOK_MAX_ATTEMPTS=4, WEBHOOK_RETRY_BASE_SECONDS=30)


@pytest.fixture
def category(app_ctx: Flask) -> Category:
    make_policy()
    return make_category("Troubleshooting", slug="troubleshooting")


@pytest.fixture
def staff(app_ctx: Flask) -> User:
    return make_user("sam", role=Role.STAFF)


@pytest.fixture
def alice(app_ctx: Flask) -> User:
    return make_user("alice")


def hook_for(staff: User, url: str, events: list[str], **kw: Any) -> Webhook:
    return services.create_webhook(staff, url, events, secret=SECRET, **kw)


def all_deliveries() -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def attempts(delivery: WebhookDelivery) -> list[WebhookAttempt]:
    return list(
        db.session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery.id)
            .order_by(WebhookAttempt.id)
        )
    )


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_delivery_is_signed_json(
    receiver: Receiver, staff: User, alice: User, category: Category
) -> None:
    hook_for(staff, receiver.url, ["thread.created"])
    thread = ask(alice, category)
    assert services.deliver_due() == {"delivered": 1, "retrying": 0, "failed": 0}
    [request] = receiver.requests
    assert request.path == "/hooks/forum"
    expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Forum-KB-Signature"] == expected
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Forum-KB-Event"] == "thread.created"
    body = json.loads(request.body)
    assert body["event"] == "thread.created"
    datetime.fromisoformat(body["created_at"])
    assert body["data"]["thread"] == {
        "id": thread.id,
        "title": thread.title,
        "url": thread_path(thread.id),
        "kind": "question",
        "category": "troubleshooting",
        "author": "alice",
    }
    [delivery] = all_deliveries()
    assert delivery.status is DeliveryStatus.DELIVERED and delivery.delivered_at is not None
    assert [a.status_code for a in attempts(delivery)] == [200]


def test_signature_matches_with_a_generated_secret(
    receiver: Receiver, staff: User, alice: User, category: Category
) -> None:
    hook = services.create_webhook(staff, receiver.url, ["thread.created"])
    assert len(hook.secret) >= 24
    ask(alice, category)
    services.deliver_due()
    [request] = receiver.requests
    assert request.headers["X-Forum-KB-Signature"] == services.sign(hook.secret, request.body)


def test_retries_after_500_with_backoff_and_delivers_exactly_once(
    receiver: Receiver, staff: User, alice: User, category: Category
) -> None:
    receiver.fail_first = 2
    hook_for(staff, receiver.url, ["thread.created"])
    ask(alice, category)
    start = utcnow()
    assert services.deliver_due(start)["retrying"] == 1
    [delivery] = all_deliveries()
    assert delivery.status is DeliveryStatus.PENDING
    assert delivery.next_attempt_at == start + timedelta(seconds=30)
    # Not due yet: nothing is sent before the backoff has passed.
    assert services.deliver_due(start + timedelta(seconds=29))["retrying"] == 0
    assert len(receiver.requests) == 1
    second = start + timedelta(seconds=31)
    assert services.deliver_due(second)["retrying"] == 1
    assert delivery.next_attempt_at == second + timedelta(seconds=60)  # doubled
    third = second + timedelta(seconds=61)
    assert services.deliver_due(third) == {"delivered": 1, "retrying": 0, "failed": 0}
    assert services.deliver_due(third + timedelta(days=1)) == {
        "delivered": 0,
        "retrying": 0,
        "failed": 0,
    }
    assert len(receiver.requests) == 3
    assert len({r.body for r in receiver.requests}) == 1  # the same bytes every time
    assert delivery.status is DeliveryStatus.DELIVERED and delivery.attempts == 3
    assert [a.status_code for a in attempts(delivery)] == [500, 500, 200]
    assert attempts(delivery)[0].error == "HTTP 500"


def test_unreachable_endpoint_gives_up_after_max_attempts(
    app_ctx: Flask, staff: User, alice: User, category: Category
) -> None:
    hook_for(staff, f"http://127.0.0.1:{unused_port()}/gone", ["thread.created"])
    ask(alice, category)
    moment = utcnow()
    results = []
    for _ in range(6):
        results.append(services.deliver_due(moment))
        moment += timedelta(days=1)
    assert [r["retrying"] for r in results] == [1, 1, 1, 0, 0, 0]
    assert [r["failed"] for r in results] == [0, 0, 0, 1, 0, 0]
    [delivery] = all_deliveries()
    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.attempts == app_ctx.config["WEBHOOK_MAX_ATTEMPTS"] == 4
    logged = attempts(delivery)
    assert len(logged) == 4
    assert all(a.status_code is None and a.error for a in logged)


def test_events_go_only_to_subscribed_and_active_endpoints(
    receiver: Receiver, staff: User, alice: User, category: Category
) -> None:
    created = hook_for(staff, receiver.url + "?created", ["thread.created"])
    solved = hook_for(staff, receiver.url + "?solved", ["thread.solved"])
    both = hook_for(staff, receiver.url + "?both", ["thread.created", "escalation.created"])
    inactive = hook_for(staff, receiver.url + "?inactive", list(services.WEBHOOK_EVENTS))
    inactive.is_active = False
    db.session.commit()
    ask(alice, category)
    services.deliver_due()
    by_hook = {d.webhook_id: d.event for d in all_deliveries()}
    assert by_hook == {created.id: "thread.created", both.id: "thread.created"}
    assert solved.id not in by_hook and inactive.id not in by_hook
    assert sorted(r.path for r in receiver.requests) == [
        "/hooks/forum?both",
        "/hooks/forum?created",
    ]


def test_event_of_a_rolled_back_transaction_is_never_queued(
    receiver: Receiver, staff: User, alice: User, category: Category
) -> None:
    hook_for(staff, receiver.url, ["thread.created"])
    with pytest.raises(ValidationFailed):
        ask(alice, category, title="")
    assert all_deliveries() == []


def test_create_webhook_validates_and_is_staff_only(staff: User, alice: User) -> None:
    with pytest.raises(PermissionDenied):
        services.create_webhook(alice, "https://example.com/h", ["thread.created"])
    with pytest.raises(ValidationFailed) as exc:
        services.create_webhook(staff, "ftp://example.com/h", ["nope"])
    assert {field for field, _ in exc.value.errors} == {"url", "events"}
    assert db.session.scalars(select(Webhook)).all() == []


def test_delete_webhook_removes_its_log(
    receiver: Receiver, staff: User, alice: User, category: Category
) -> None:
    hook = hook_for(staff, receiver.url, ["thread.created"])
    ask(alice, category)
    services.deliver_due()
    services.delete_webhook(staff, hook)
    assert all_deliveries() == []
    assert db.session.scalars(select(WebhookAttempt)).all() == []
