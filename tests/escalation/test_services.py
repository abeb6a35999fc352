"""Escalation use cases against a real database: clocks, the sweep, routing, the staff
workflow, the community signals, breaches, who may escalate, urgent flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from forum_kb.accounts.models import Role, User
from forum_kb.community import services as community
from forum_kb.community.models import Category, Tag, Thread
from forum_kb.db import utcnow
from forum_kb.errors import Conflict, PermissionDenied, ValidationFailed
from forum_kb.escalation import services
from forum_kb.escalation.models import (
    Escalation,
    EscalationEvent,
    EscalationSource,
    EscalationStatus,
    SlaPolicy,
    StaffGroup,
    Webhook,
    WebhookDelivery,
)
from forum_kb.escalation.services import clock
from forum_kb.extensions import db
from forum_kb.moderation import services as moderation
from forum_kb.notifications.models import Notification
from tests.escalation.builders import MONDAY, ask, backdate, make_policy, reply
from tests.factories import make_category, make_user

HOUR = timedelta(hours=1)


def business_policy(**fields: Any) -> SlaPolicy:
    """A transient policy: Monday to Friday, 09:00 to 17:00 UTC."""
    values: dict[str, Any] = {
        "name": "Business",
        "business_hours": True,
        "business_start": 9,
        "business_end": 17,
        "business_days": "01234",
    } | fields
    return SlaPolicy(**values)


@pytest.fixture
def category(app_ctx: Flask) -> Category:
    return make_category("Troubleshooting", slug="troubleshooting")


@pytest.fixture
def policy(app_ctx: Flask) -> SlaPolicy:
    return make_policy("Standard", unanswered_hours=48, unsolved_days=7)


@pytest.fixture
def alice(app_ctx: Flask) -> User:
    return make_user("alice")


@pytest.fixture
def bob(app_ctx: Flask) -> User:
    return make_user("bob")


@pytest.fixture
def mod(app_ctx: Flask) -> User:
    return make_user("mia", role=Role.MODERATOR)


@pytest.fixture
def staff(app_ctx: Flask) -> User:
    return make_user("sam", role=Role.STAFF)


@pytest.fixture
def hook(staff: User) -> Webhook:
    # Port 9 (discard) on loopback refuses at once: deliveries stay queued for retry.
    return services.create_webhook(staff, "http://127.0.0.1:9/hook", services.WEBHOOK_EVENTS)


def open_escalations(thread: Thread) -> list[Escalation]:
    return list(
        db.session.scalars(
            select(Escalation).where(
                Escalation.thread_id == thread.id,
                Escalation.status != EscalationStatus.RESOLVED,
            )
        )
    )


def deliveries(event: str) -> int | None:
    return db.session.scalar(
        select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.event == event)
    )


def events(escalation: Escalation, action: str) -> int | None:
    return db.session.scalar(
        select(func.count())
        .select_from(EscalationEvent)
        .where(EscalationEvent.escalation_id == escalation.id, EscalationEvent.action == action)
    )


def reloaded(escalation: Escalation) -> Escalation:
    db.session.expire(escalation)
    found = db.session.get(Escalation, escalation.id)
    assert found is not None
    return found


def escalate(mod: User, thread: Thread, now: datetime | None = None) -> Escalation:
    return services.escalate_thread(mod, thread, "Needs the vendor", now=now)


# --- clocks --------------------------------------------------------------------------------------


def test_clock_without_business_hours_counts_every_hour() -> None:
    start = datetime(2030, 1, 11, 16, 0, tzinfo=UTC)  # a Friday
    assert clock.add_hours(None, start, 30) == start + timedelta(hours=30)
    plain = business_policy(business_hours=False)
    assert clock.add_hours(plain, start, 2.5) == start + timedelta(hours=2.5)
    assert clock.elapsed_hours(plain, start, start + timedelta(days=3)) == 72


def test_clock_elapsed_is_zero_when_end_is_before_start() -> None:
    assert clock.elapsed_hours(business_policy(), MONDAY, MONDAY - HOUR) == 0
    assert clock.elapsed_hours(None, MONDAY, MONDAY - HOUR) == 0


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        # Monday 10:00 + 3 h stays inside the day.
        (MONDAY, 3, datetime(2030, 1, 7, 13, 0, tzinfo=UTC)),
        # Monday 10:00 + 8 h: 7 h on Monday, the last hour on Tuesday morning.
        (MONDAY, 8, datetime(2030, 1, 8, 10, 0, tzinfo=UTC)),
        # Monday 20:00 (after hours) + 1 h: overnight, the clock restarts at 09:00.
        (datetime(2030, 1, 7, 20, 0, tzinfo=UTC), 1, datetime(2030, 1, 8, 10, 0, tzinfo=UTC)),
        # Friday 16:00 + 2 h skips the weekend.
        (datetime(2030, 1, 11, 16, 0, tzinfo=UTC), 2, datetime(2030, 1, 14, 10, 0, tzinfo=UTC)),
        # Saturday: nothing runs until Monday 09:00.
        (datetime(2030, 1, 12, 12, 0, tzinfo=UTC), 1, datetime(2030, 1, 14, 10, 0, tzinfo=UTC)),
        # Early Monday: the clock starts at 09:00; two full days end on Tuesday's close.
        (datetime(2030, 1, 7, 6, 0, tzinfo=UTC), 16, datetime(2030, 1, 8, 17, 0, tzinfo=UTC)),
    ],
)
def test_clock_add_hours_counts_business_hours_only(
    start: datetime, hours: float, expected: datetime
) -> None:
    assert clock.add_hours(business_policy(), start, hours) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (MONDAY, MONDAY + 3 * HOUR, 3),
        # Friday 16:00 to Monday 10:00: one hour on Friday, one on Monday.
        (datetime(2030, 1, 11, 16, 0, tzinfo=UTC), datetime(2030, 1, 14, 10, 0, tzinfo=UTC), 2),
        # Overnight, Monday 16:30 to Tuesday 09:30.
        (datetime(2030, 1, 7, 16, 30, tzinfo=UTC), datetime(2030, 1, 8, 9, 30, tzinfo=UTC), 1),
        # A whole weekend counts nothing.
        (datetime(2030, 1, 12, 0, 0, tzinfo=UTC), datetime(2030, 1, 14, 0, 0, tzinfo=UTC), 0),
        # A full week: five days of eight hours.
        (MONDAY, MONDAY + timedelta(days=7), 40),
    ],
)
def test_clock_elapsed_hours_counts_business_hours_only(
    start: datetime, end: datetime, expected: float
) -> None:
    assert clock.elapsed_hours(business_policy(), start, end) == expected


def test_clock_add_and_elapsed_agree() -> None:
    policy = business_policy(business_days="0123456", business_start=8, business_end=20)
    start = datetime(2030, 1, 10, 19, 15, tzinfo=UTC)
    for hours in (0.5, 1, 12, 13, 40):
        assert clock.elapsed_hours(policy, start, clock.add_hours(policy, start, hours)) == hours


# --- the sweep -----------------------------------------------------------------------------------


def test_sweep_escalates_unanswered_question_after_unanswered_hours(
    alice: User, category: Category, policy: SlaPolicy
) -> None:
    thread = ask(alice, category)
    assert services.sweep(thread.created_at + 47 * HOUR).escalated == []
    result = services.sweep(thread.created_at + 49 * HOUR)
    [escalation] = result.escalated
    assert escalation.thread_id == thread.id
    assert escalation.source is EscalationSource.UNANSWERED
    assert escalation.policy_id == policy.id
    assert escalation.status is EscalationStatus.OPEN
    assert open_escalations(thread) == [escalation]


def test_sweep_escalates_answered_question_after_unsolved_days(
    alice: User, bob: User, category: Category, policy: SlaPolicy
) -> None:
    thread = ask(alice, category)
    reply(bob, thread)
    assert services.sweep(thread.created_at + 49 * HOUR).escalated == []
    assert services.sweep(thread.created_at + timedelta(days=6, hours=23)).escalated == []
    [escalation] = services.sweep(thread.created_at + timedelta(days=7, hours=1)).escalated
    assert escalation.source is EscalationSource.UNSOLVED


def test_sweep_counts_business_hours_of_the_policy(
    alice: User, category: Category, app_ctx: Flask
) -> None:
    make_policy(
        unanswered_hours=2,
        business_hours=True,
        business_start=9,
        business_end=17,
        business_days="01234",
    )
    friday = datetime(2030, 1, 11, 16, 0, tzinfo=UTC)
    thread = backdate(ask(alice, category), friday)
    assert services.sweep(datetime(2030, 1, 13, 12, 0, tzinfo=UTC)).escalated == []
    assert services.sweep(datetime(2030, 1, 14, 9, 30, tzinfo=UTC)).escalated == []
    [escalation] = services.sweep(datetime(2030, 1, 14, 10, 0, tzinfo=UTC)).escalated
    assert escalation.thread_id == thread.id


def _solved(thread: Thread, alice: User, bob: User, mod: User) -> None:
    community.accept_answer(alice, thread, reply(bob, thread))


def _locked(thread: Thread, alice: User, bob: User, mod: User) -> None:
    community.set_thread_locked(mod, thread, True)


def _hidden(thread: Thread, alice: User, bob: User, mod: User) -> None:
    community.set_thread_hidden(mod, thread, True)


def _pending(thread: Thread, alice: User, bob: User, mod: User) -> None:
    thread.is_pending = True
    db.session.commit()


@pytest.mark.parametrize("make_ineligible", [_solved, _locked, _hidden, _pending])
def test_sweep_never_escalates_solved_locked_hidden_or_pending_threads(
    make_ineligible: Any,
    alice: User,
    bob: User,
    mod: User,
    category: Category,
    policy: SlaPolicy,
) -> None:
    thread = ask(alice, category)
    make_ineligible(thread, alice, bob, mod)
    assert services.sweep(thread.created_at + timedelta(days=30)).escalated == []
    assert open_escalations(thread) == []


@pytest.mark.parametrize("kind", ["howto", "story", "discussion"])
def test_sweep_never_escalates_non_questions(
    kind: str, alice: User, category: Category, policy: SlaPolicy
) -> None:
    thread = ask(alice, category, kind=kind)
    assert services.sweep(thread.created_at + timedelta(days=30)).escalated == []


def test_sweep_does_nothing_without_a_policy(alice: User, category: Category) -> None:
    thread = ask(alice, category)
    assert services.sweep(thread.created_at + timedelta(days=30)).escalated == []


def test_sweep_does_not_re_escalate_a_thread_staff_resolved(
    alice: User, mod: User, staff: User, category: Category, policy: SlaPolicy
) -> None:
    thread = ask(alice, category)
    escalation = escalate(mod, thread)
    services.resolve(staff, escalation, "Update the firmware to 2.1.", accept=False)
    assert not thread.is_solved
    assert services.sweep(thread.created_at + timedelta(days=30)).escalated == []
    assert open_escalations(thread) == []


def test_sweep_twice_makes_nothing_new(
    alice: User, bob: User, category: Category, policy: SlaPolicy
) -> None:
    first, second = ask(alice, category), ask(bob, category)
    later = first.created_at + timedelta(days=3)
    assert len(services.sweep(later).escalated) == 2
    again = services.sweep(later + HOUR)
    assert again.escalated == []
    assert len(open_escalations(first)) == len(open_escalations(second)) == 1
    assert db.session.scalar(select(func.count()).select_from(Escalation)) == 2


# --- routing -------------------------------------------------------------------------------------


def _group(name: str, **fields: Any) -> StaffGroup:
    group = StaffGroup(name=name, **fields)
    db.session.add(group)
    db.session.commit()
    return group


def test_routing_prefers_the_category_group_then_the_tag_group(
    alice: User, mod: User, staff: User, category: Category, policy: SlaPolicy
) -> None:
    other = make_category("Printers", slug="printers")
    first = ask(alice, category, tags=["firmware"])
    tag = db.session.scalar(select(Tag).where(Tag.name == "firmware"))
    by_tag = _group("Firmware team", tags=[tag], members=[staff])
    by_category = _group("Troubleshooting team", categories=[category], members=[staff])
    assert escalate(mod, first).group_id == by_category.id
    second = ask(alice, other, tags=["firmware"])
    assert escalate(mod, second).group_id == by_tag.id
    third = ask(alice, other)
    assert escalate(mod, third).group_id is None


def test_routing_notifies_the_group_staff(
    alice: User, mod: User, staff: User, category: Category, policy: SlaPolicy
) -> None:
    _group("Team", categories=[category], members=[staff, mod])
    escalation = escalate(mod, ask(alice, category))
    recipients = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "escalation")
    ).all()
    assert recipients == [staff.id]  # the moderator member is not staff
    assert escalation.assignee_id is None


def test_auto_assign_picks_the_least_loaded_member(
    alice: User, mod: User, staff: User, category: Category, policy: SlaPolicy
) -> None:
    busy, idle = staff, make_user("zoe", role=Role.STAFF)
    _group("Team", categories=[category], members=[busy, idle], auto_assign=True)
    busy_work = escalate(mod, ask(alice, category))
    assert busy_work.assignee_id == busy.id  # both free: the lowest id
    assert busy_work.status is EscalationStatus.ASSIGNED
    nxt = escalate(mod, ask(alice, category))
    assert nxt.assignee_id == idle.id
    assert events(nxt, "assigned") == 1


# --- the staff workflow --------------------------------------------------------------------------


@pytest.fixture
def escalation(alice: User, mod: User, category: Category, policy: SlaPolicy) -> Escalation:
    return escalate(mod, ask(alice, category))


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("open", "waiting"),
        ("assigned", "open"),
        ("assigned", "waiting"),
        ("waiting", "open"),
        ("waiting", "assigned"),
    ],
)
def test_set_status_allows_the_transitions(
    before: str, after: str, escalation: Escalation, staff: User
) -> None:
    escalation.assignee_id = staff.id
    escalation.status = EscalationStatus(before)
    db.session.commit()
    services.set_status(staff, escalation, after)
    assert reloaded(escalation).status is EscalationStatus(after)
    assert events(escalation, "status") == 1


def test_set_status_refuses_assigned_without_an_assignee(
    escalation: Escalation, staff: User
) -> None:
    with pytest.raises(Conflict):
        services.set_status(staff, escalation, "assigned")


@pytest.mark.parametrize("target", ["open", "assigned", "waiting"])
def test_set_status_refuses_leaving_resolved(
    target: str, escalation: Escalation, staff: User
) -> None:
    services.resolve(staff, escalation, "Replace the fuser unit.")
    with pytest.raises(Conflict):
        services.set_status(staff, escalation, target)
    assert escalation.status is EscalationStatus.RESOLVED


@pytest.mark.parametrize("target", ["resolved", "closed", ""])
def test_set_status_rejects_unknown_or_resolved(
    target: str, escalation: Escalation, staff: User
) -> None:
    with pytest.raises(ValidationFailed):
        services.set_status(staff, escalation, target)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.MODERATOR])
def test_staff_workflow_is_staff_only(role: Role, escalation: Escalation) -> None:
    user = make_user(role=role)
    with pytest.raises(PermissionDenied):
        services.set_status(user, escalation, "waiting")
    with pytest.raises(PermissionDenied):
        services.assign(user, escalation)
    with pytest.raises(PermissionDenied):
        services.add_note(user, escalation, "Call the customer")
    with pytest.raises(PermissionDenied):
        services.staff_reply(user, escalation, "Try this.")
    with pytest.raises(PermissionDenied):
        services.resolve(user, escalation, "Done.")


def test_assign_defaults_to_the_actor_and_refuses_non_staff(
    escalation: Escalation, staff: User, bob: User
) -> None:
    services.assign(staff, escalation)
    assert escalation.assignee_id == staff.id
    assert escalation.status is EscalationStatus.ASSIGNED
    with pytest.raises(ValidationFailed) as exc:
        services.assign(staff, escalation, bob)
    assert exc.value.errors[0][0] == "user"
    assert reloaded(escalation).assignee_id == staff.id


def test_assign_to_someone_else_notifies_them(escalation: Escalation, staff: User) -> None:
    other = make_user("zoe", role=Role.STAFF)
    services.assign(staff, escalation, other)
    assert escalation.assignee_id == other.id
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == other.id)
    ).all()
    assert "escalation_assigned" in kinds


def test_add_note_validates_the_body(escalation: Escalation, staff: User) -> None:
    with pytest.raises(ValidationFailed):
        services.add_note(staff, escalation, "   ")
    note = services.add_note(staff, escalation, " Customer is on firmware 1.9 ")
    assert note.body == "Customer is on firmware 1.9"
    assert events(escalation, "note") == 1


def test_staff_reply_records_first_response_and_waits_on_customer(
    escalation: Escalation, staff: User
) -> None:
    post = services.staff_reply(staff, escalation, "Which firmware do you run?")
    assert post.thread_id == escalation.thread_id and post.author_id == staff.id
    assert escalation.first_response_at is not None
    assert escalation.status is EscalationStatus.WAITING
    assert escalation.assignee_id == staff.id
    first = escalation.first_response_at
    services.staff_reply(staff, escalation, "Also: which model?", waiting=False)
    assert escalation.first_response_at == first
    assert events(escalation, "first_response") == 1


def test_customer_reply_reopens_a_waiting_escalation(
    escalation: Escalation, staff: User, alice: User, bob: User
) -> None:
    services.staff_reply(staff, escalation, "Which firmware do you run?")
    reply(bob, escalation.thread, "Not the asker: me too!")
    assert escalation.status is EscalationStatus.WAITING
    reply(alice, escalation.thread, "Firmware 1.9, model P-100.")
    assert reloaded(escalation).status is EscalationStatus.ASSIGNED
    assert events(escalation, "customer_replied") == 1


def test_resolve_posts_accepts_notifies_and_emits(
    escalation: Escalation, staff: User, alice: User, hook: Webhook
) -> None:
    services.resolve(staff, escalation, "Update the firmware to 2.1.")
    thread = escalation.thread
    post = escalation.resolution_post
    assert post is not None and post.author_id == staff.id
    assert post.body_source == "Update the firmware to 2.1."
    assert thread.accepted_post_id == post.id
    assert escalation.status is EscalationStatus.RESOLVED
    assert escalation.resolved_by_id == staff.id and escalation.resolved_at is not None
    assert escalation.first_response_at is not None
    notice = db.session.scalar(
        select(Notification).where(
            Notification.user_id == alice.id, Notification.kind == "escalation_resolved"
        )
    )
    assert notice is not None
    assert deliveries("escalation.resolved") == 1
    assert deliveries("thread.solved") == 1
    with pytest.raises(Conflict):
        services.resolve(staff, escalation, "Again.")


def test_resolve_without_accept_leaves_thread_unsolved(escalation: Escalation, staff: User) -> None:
    services.resolve(staff, escalation, "Contact your dealer.", accept=False)
    assert escalation.status is EscalationStatus.RESOLVED
    assert escalation.thread.accepted_post_id is None


def test_resolve_needs_a_resolution(escalation: Escalation, staff: User) -> None:
    with pytest.raises(ValidationFailed):
        services.resolve(staff, escalation, "  ")
    assert escalation.status is EscalationStatus.OPEN


def test_community_answer_accepted_while_escalated_resolves_it(
    escalation: Escalation, alice: User, bob: User, hook: Webhook
) -> None:
    answer = reply(bob, escalation.thread)
    community.accept_answer(alice, escalation.thread, answer)
    escalation = reloaded(escalation)
    assert escalation.status is EscalationStatus.RESOLVED
    assert escalation.resolution_post_id == answer.id
    assert escalation.resolved_by_id == alice.id
    assert deliveries("escalation.resolved") == 1


# --- breaches ------------------------------------------------------------------------------------


def test_sweep_marks_breaches_once_and_emits_them_once(
    alice: User, mod: User, category: Category, policy: SlaPolicy, hook: Webhook
) -> None:
    start = utcnow()
    escalation = escalate(mod, ask(alice, category), now=start)
    assert escalation.first_response_due_at == start + 8 * HOUR
    assert escalation.resolution_due_at == start + 48 * HOUR
    assert services.sweep(start + 7 * HOUR).breached == []
    [breached] = services.sweep(start + 9 * HOUR).breached
    assert breached.id == escalation.id
    assert escalation.first_response_breached and not escalation.resolution_breached
    assert services.sweep(start + 10 * HOUR).breached == []
    assert deliveries("escalation.breached") == 1
    [late] = services.sweep(start + 49 * HOUR).breached
    assert late.resolution_breached and late.breached
    assert services.sweep(start + 50 * HOUR).breached == []
    assert events(escalation, "breached") == 2
    assert deliveries("escalation.breached") == 2


def test_first_response_in_time_is_not_breached(
    escalation: Escalation, staff: User, policy: SlaPolicy
) -> None:
    services.staff_reply(staff, escalation, "Looking into it.")
    services.sweep(escalation.created_at + 9 * HOUR)
    assert not escalation.first_response_breached


# --- who may escalate ----------------------------------------------------------------------------


def test_asker_may_escalate_only_after_the_wait(
    alice: User, category: Category, policy: SlaPolicy, app_ctx: Flask
) -> None:
    thread = ask(alice, category)
    with pytest.raises(PermissionDenied):
        services.escalate_thread(alice, thread, "Please help")
    wait = app_ctx.config["ESCALATION_ASK_STAFF_AFTER_HOURS"]
    later = thread.created_at + timedelta(hours=wait, minutes=1)
    escalation = services.escalate_thread(alice, thread, "Please help", now=later)
    assert escalation.source is EscalationSource.CUSTOMER
    assert escalation.requested_by_id == alice.id
    with pytest.raises(Conflict):
        services.escalate_thread(alice, thread, "Again", now=later)


def test_other_member_may_not_escalate(
    alice: User, bob: User, category: Category, policy: SlaPolicy
) -> None:
    thread = ask(alice, category)
    with pytest.raises(PermissionDenied):
        services.escalate_thread(bob, thread, now=thread.created_at + timedelta(days=5))
    assert open_escalations(thread) == []


def test_asker_may_not_escalate_a_solved_question(
    alice: User, bob: User, category: Category, policy: SlaPolicy
) -> None:
    thread = ask(alice, category)
    community.accept_answer(alice, thread, reply(bob, thread))
    with pytest.raises(PermissionDenied):
        services.escalate_thread(alice, thread, now=thread.created_at + timedelta(days=5))


def test_moderator_may_escalate_at_once(
    alice: User, mod: User, category: Category, policy: SlaPolicy, hook: Webhook
) -> None:
    thread = ask(alice, category, kind="discussion")
    escalation = services.escalate_thread(mod, thread, "Legal question")
    assert escalation.source is EscalationSource.MODERATOR
    assert escalation.reason == "Legal question"
    assert events(escalation, "created") == 1
    assert deliveries("escalation.created") == 1


def test_escalate_rejects_a_too_long_reason(
    alice: User, mod: User, category: Category, policy: SlaPolicy
) -> None:
    with pytest.raises(ValidationFailed):
        services.escalate_thread(mod, ask(alice, category), "x" * 1001)


def test_urgent_flag_escalates_the_thread(
    alice: User, bob: User, category: Category, policy: SlaPolicy
) -> None:
    thread = ask(alice, category)
    quiet = ask(alice, category)
    moderation.flag_post(bob, community.opening_post(quiet), "offensive", "rude")
    assert open_escalations(quiet) == []
    moderation.flag_post(bob, community.opening_post(thread), "other", "Data leak!", urgent=True)
    [escalation] = open_escalations(thread)
    assert escalation.source is EscalationSource.FLAG
    assert escalation.requested_by_id == bob.id
    assert "Data leak!" in escalation.reason


def test_priority_does_not_depend_on_reputation(
    mod: User, category: Category, policy: SlaPolicy
) -> None:
    newcomer = make_user("newcomer", reputation=0)
    veteran = make_user("veteran", reputation=50_000)
    moment = utcnow()
    plain = escalate(mod, ask(newcomer, category), now=moment)
    famous = escalate(mod, ask(veteran, category), now=moment)
    assert plain.first_response_due_at == famous.first_response_due_at
    assert plain.resolution_due_at == famous.resolution_due_at
    # The customers' own "Ask staff" gives them the same clock too.
    later = moment + timedelta(days=2)
    own = [
        services.escalate_thread(user, ask(user, category), now=later)
        for user in (newcomer, veteran)
    ]
    assert own[0].first_response_due_at == own[1].first_response_due_at
    assert own[0].resolution_due_at == own[1].resolution_due_at
