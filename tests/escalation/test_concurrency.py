"""Concurrent sweeps (and escalations) against one shared database: each thread ends with
exactly one open escalation, because the partial unique index uq_escalations_open_thread
refuses a second one.

Each worker is a thread with its own app, engine and session, released together by a
barrier. The database is the run's PostgreSQL schema when FORUM_KB_TEST_DATABASE_URL is set
(as in CI), else a SQLite file under tmp_path (an in-memory one cannot be shared).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from forum_kb.accounts.models import Role, User
from forum_kb.community.models import Category, Thread
from forum_kb.errors import Conflict
from forum_kb.escalation import services
from forum_kb.escalation.models import (
    DeliveryStatus,
    Escalation,
    EscalationStatus,
    WebhookAttempt,
    WebhookDelivery,
)
from forum_kb.escalation.services import core
from forum_kb.extensions import db
from tests.escalation.builders import ask, make_policy
from tests.escalation.receiver import Receiver
from tests.factories import make_category, make_user

WORKERS = 2
QUESTIONS = 12
TIMEOUT = 60


@pytest.fixture
def apps(make_app: Any, database_url: str, tmp_path: Any) -> list[Flask]:
    """Apps that each have their own engine on one database both can reach."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'shared.db'}"
    else:
        url = database_url
    return [make_app(SQLALCHEMY_DATABASE_URI=url) for _ in range(WORKERS)]


@pytest.fixture
def questions(apps: list[Flask]) -> list[int]:
    with apps[0].app_context():
        make_policy(unanswered_hours=48)
        category = make_category("Troubleshooting", slug="troubleshooting")
        alice = make_user("alice", reputation=500)  # past the new-account daily quota
        return [ask(alice, category).id for _ in range(QUESTIONS)]


def run_together(apps: list[Flask], work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in one thread per app, inside that app's context; return results."""
    results: list[Any] = [None] * len(apps)
    errors: list[BaseException] = []

    def target(index: int) -> None:
        try:
            with apps[index].app_context():
                results[index] = work(index)
        except BaseException as exc:  # reported by the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(len(apps))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    if errors:
        raise errors[0]
    return results


def gate_candidates(monkeypatch: pytest.MonkeyPatch, barrier: threading.Barrier) -> None:
    """Hold every sweep after it has chosen its candidates until all have: each then tries
    to escalate the very same threads."""
    original = core._candidates

    def candidates(moment: Any) -> list[Thread]:
        found = original(moment)
        barrier.wait(TIMEOUT)
        return found

    monkeypatch.setattr(core, "_candidates", candidates)


def assert_one_open_escalation_each(app: Flask, thread_ids: list[int]) -> None:
    with app.app_context():
        per_thread = dict(
            db.session.execute(
                select(Escalation.thread_id, func.count())
                .where(Escalation.status != EscalationStatus.RESOLVED)
                .group_by(Escalation.thread_id)
            ).all()
        )
        total = db.session.scalar(select(func.count()).select_from(Escalation))
    assert per_thread == dict.fromkeys(thread_ids, 1)
    assert total == len(thread_ids)


def sweep_at(app: Flask, thread_id: int) -> Callable[[int], list[int]]:
    with app.app_context():
        moment = db.session.get(Thread, thread_id).created_at + timedelta(hours=49)  # type: ignore[union-attr]

    def work(index: int) -> list[int]:
        return [escalation.thread_id for escalation in services.sweep(moment).escalated]

    return work


def test_concurrent_sweeps_escalate_each_thread_once(
    apps: list[Flask], questions: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    gate_candidates(monkeypatch, threading.Barrier(WORKERS))
    results = run_together(apps, sweep_at(apps[0], questions[-1]))
    escalated = [thread_id for result in results for thread_id in result]
    assert sorted(escalated) == sorted(questions)  # each once, by one sweep or the other
    assert_one_open_escalation_each(apps[0], questions)


def test_the_database_index_alone_keeps_one_open_escalation(
    apps: list[Flask], questions: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the service's own "already open?" check, only uq_escalations_open_thread
    # stands between two sweeps and a duplicate.
    gate_candidates(monkeypatch, threading.Barrier(WORKERS))
    monkeypatch.setattr(core, "open_escalation", lambda thread: None)
    results = run_together(apps, sweep_at(apps[0], questions[-1]))
    escalated = [thread_id for result in results for thread_id in result]
    assert sorted(escalated) == sorted(questions)
    assert_one_open_escalation_each(apps[0], questions)


def test_concurrent_escalations_of_one_thread_give_one_and_a_conflict(
    apps: list[Flask], questions: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    with apps[0].app_context():
        mods = [make_user(f"mod{i}", role=Role.MODERATOR).id for i in range(WORKERS)]
    barrier = threading.Barrier(WORKERS)
    monkeypatch.setattr(core, "open_escalation", lambda thread: None)
    target = questions[0]

    def work(index: int) -> str:
        actor = db.session.get(User, mods[index])
        thread = db.session.get(Thread, target)
        assert actor is not None and thread is not None
        barrier.wait(TIMEOUT)
        try:
            services.escalate_thread(actor, thread, f"Escalated by worker {index}")
        except Conflict:
            return "conflict"
        return "created"

    assert sorted(run_together(apps, work)) == ["conflict", "created"]
    assert_one_open_escalation_each(apps[0], [target])


def test_concurrent_deliveries_send_each_event_once(
    apps: list[Flask], questions: list[int]
) -> None:
    receiver = Receiver()
    receiver.start()
    try:
        with apps[0].app_context():
            staff = make_user("sam", role=Role.STAFF)
            services.create_webhook(staff, receiver.url, ["escalation.created"])
            category = db.session.scalar(select(Category))
            moderator = make_user("mia", role=Role.MODERATOR)
            for thread_id in questions:
                thread = db.session.get(Thread, thread_id)
                assert thread is not None
                services.escalate_thread(moderator, thread)
            assert category is not None
        barrier = threading.Barrier(WORKERS)

        def work(index: int) -> dict[str, int]:
            barrier.wait(TIMEOUT)
            return services.deliver_due()

        results = run_together(apps, work)
    finally:
        receiver.stop()
    assert sum(result["delivered"] for result in results) == QUESTIONS
    bodies = [request.body for request in receiver.requests]
    assert len(bodies) == len(set(bodies)) == QUESTIONS
    with apps[0].app_context():
        statuses = db.session.scalars(select(WebhookDelivery.status)).all()
        attempts = db.session.scalar(select(func.count()).select_from(WebhookAttempt))
    assert statuses == [DeliveryStatus.DELIVERED] * QUESTIONS
    assert attempts == QUESTIONS
