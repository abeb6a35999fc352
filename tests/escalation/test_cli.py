"""`flask escalation sweep` and `flask webhooks deliver`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from forum_kb.accounts.models import Role
from forum_kb.escalation import services
from forum_kb.escalation.models import (
    DeliveryStatus,
    Escalation,
    EscalationSource,
    WebhookAttempt,
    WebhookDelivery,
)
from forum_kb.extensions import db
from tests.escalation.builders import ask, backdate, make_policy
from tests.escalation.receiver import Receiver
from tests.factories import make_category, make_user

ASKED = datetime(2030, 1, 7, 10, 0, tzinfo=UTC)


@pytest.fixture
def receiver() -> Any:
    server = Receiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def questions(app: Flask) -> list[tuple[int, str]]:
    """Two unanswered questions asked at ASKED, under a 48-hour policy."""
    with app.app_context():
        make_policy(unanswered_hours=48, first_response_hours=8)
        category = make_category("Troubleshooting", slug="troubleshooting")
        alice = make_user("alice")
        threads = [backdate(ask(alice, category), ASKED) for _ in range(2)]
        return [(thread.id, thread.title) for thread in threads]


def escalations(app: Flask) -> list[Escalation]:
    with app.app_context():
        found = list(db.session.scalars(select(Escalation).order_by(Escalation.thread_id)))
        db.session.expunge_all()
        return found


def test_sweep_escalates_and_prints_each_thread(
    runner: FlaskCliRunner, app: Flask, questions: list[tuple[int, str]]
) -> None:
    result = runner.invoke(args=["escalation", "sweep", "--now", "2030-01-09T11:00:00Z"])
    assert result.exit_code == 0, result.output
    for thread_id, title in questions:
        assert f"Escalated thread {thread_id} “{title}”" in result.output
    assert result.output.count("(escalation ") == 2
    assert "unanswered" in result.output
    assert "Escalated 2 threads, 0 breached" in result.output
    assert "webhooks: 0 delivered, 0 retrying, 0 failed" in result.output
    found = escalations(app)
    assert [e.thread_id for e in found] == [thread_id for thread_id, _ in questions]
    assert all(e.source is EscalationSource.UNANSWERED for e in found)
    assert found[0].created_at == datetime(2030, 1, 9, 11, 0, tzinfo=UTC)


def test_sweep_before_the_deadline_does_nothing(
    runner: FlaskCliRunner, app: Flask, questions: list[tuple[int, str]]
) -> None:
    result = runner.invoke(args=["escalation", "sweep", "--now", "2030-01-09T09:59:00+00:00"])
    assert result.exit_code == 0, result.output
    assert "Escalated 0 threads, 0 breached" in result.output
    assert escalations(app) == []


def test_sweep_without_now_uses_the_clock(
    runner: FlaskCliRunner, app: Flask, questions: list[tuple[int, str]]
) -> None:
    # The questions were asked in 2030: as of today they have not waited at all.
    result = runner.invoke(args=["escalation", "sweep"])
    assert result.exit_code == 0, result.output
    assert escalations(app) == []


def test_sweep_is_idempotent_and_reports_breaches(
    runner: FlaskCliRunner, app: Flask, questions: list[tuple[int, str]]
) -> None:
    runner.invoke(args=["escalation", "sweep", "--now", "2030-01-09T11:00:00Z"])
    again = runner.invoke(args=["escalation", "sweep", "--now", "2030-01-09T12:00:00Z"])
    assert again.exit_code == 0, again.output
    assert "Escalated 0 threads, 0 breached" in again.output
    late = runner.invoke(args=["escalation", "sweep", "--now", "2030-01-09T20:00"])  # UTC
    assert late.exit_code == 0, late.output
    assert late.output.count("Breached escalation") == 2
    assert "first response" in late.output and "2 breached" in late.output
    assert len(escalations(app)) == 2
    assert all(e.first_response_breached for e in escalations(app))


@pytest.mark.parametrize("bad", ["yesterday", "2030-13-01", "", "2030-01-09T25:00"])
def test_sweep_rejects_a_bad_now(
    runner: FlaskCliRunner, app: Flask, questions: list[tuple[int, str]], bad: str
) -> None:
    result = runner.invoke(args=["escalation", "sweep", "--now", bad])
    assert result.exit_code != 0
    assert "ISO 8601" in result.output
    assert escalations(app) == []


def test_sweep_delivers_the_escalation_webhooks(
    runner: FlaskCliRunner, app: Flask, questions: list[tuple[int, str]], receiver: Receiver
) -> None:
    with app.app_context():
        staff = make_user("sam", role=Role.STAFF)
        services.create_webhook(staff, receiver.url, ["escalation.created"], secret="k")
    result = runner.invoke(args=["escalation", "sweep", "--now", "2030-01-09T11:00:00Z"])
    assert result.exit_code == 0, result.output
    assert "webhooks: 2 delivered, 0 retrying, 0 failed" in result.output
    assert len(receiver.requests) == 2


def test_webhooks_deliver_prints_counts_and_retries(
    runner: FlaskCliRunner, app: Flask, receiver: Receiver
) -> None:
    with app.app_context():
        make_policy()
        category = make_category("Troubleshooting", slug="troubleshooting")
        staff = make_user("sam", role=Role.STAFF)
        services.create_webhook(staff, receiver.url, ["thread.created"], secret="k")
        ask(make_user("alice"), category)
    receiver.fail_first = 1
    first = runner.invoke(args=["webhooks", "deliver"])
    assert first.exit_code == 0, first.output
    assert "Webhooks: 0 delivered, 1 retrying, 0 failed." in first.output
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    second = runner.invoke(args=["webhooks", "deliver", "--now", later])
    assert second.exit_code == 0, second.output
    assert "Webhooks: 1 delivered, 0 retrying, 0 failed." in second.output
    nothing = runner.invoke(args=["webhooks", "deliver", "--now", later])
    assert "Webhooks: 0 delivered, 0 retrying, 0 failed." in nothing.output
    with app.app_context():
        [delivery] = db.session.scalars(select(WebhookDelivery)).all()
        assert delivery.status is DeliveryStatus.DELIVERED
        assert db.session.scalar(select(func.count()).select_from(WebhookAttempt)) == 2
    assert len(receiver.requests) == 2


def test_webhooks_deliver_rejects_a_bad_now(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["webhooks", "deliver", "--now", "soon"])
    assert result.exit_code != 0 and "ISO 8601" in result.output
