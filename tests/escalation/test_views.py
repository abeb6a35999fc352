"""Staff pages through HTTP: permissions, the queue, an escalation's workflow, the thread
page's "Ask staff", service-level policies, staff groups and webhooks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from forum_kb.accounts.models import Role, User
from forum_kb.community.models import Thread
from forum_kb.db import utcnow
from forum_kb.escalation import services
from forum_kb.escalation.models import (
    CategoryPolicy,
    DeliveryStatus,
    Escalation,
    EscalationNote,
    EscalationSource,
    EscalationStatus,
    SlaPolicy,
    StaffGroup,
    Webhook,
    WebhookDelivery,
)
from forum_kb.extensions import db
from forum_kb.notifications.models import Notification
from tests.conftest import Auth
from tests.escalation.builders import ask, backdate, make_policy
from tests.factories import make_category, make_user

NOTE = "Customer is on firmware 2.1, see ticket 77 (internal)"


@dataclass(frozen=True)
class Site:
    category_id: int
    thread_id: int  # alice's question, escalated by a moderator
    escalation_id: int
    fresh_thread_id: int  # alice's question, asked just now
    old_thread_id: int  # alice's question, waiting for two days
    policy_id: int
    group_id: int
    webhook_id: int
    sam_id: int
    tina_id: int
    bob_id: int


def user(name: str) -> User:
    found = db.session.scalar(select(User).where(User.username_key == name))
    assert found is not None
    return found


def build_site() -> Site:
    for name in ("alice", "bob"):
        make_user(name, reputation=100)
    make_user("mia", role=Role.MODERATOR)
    sam = make_user("sam", role=Role.STAFF, display_name="Sam Support")
    tina = make_user("tina", role=Role.STAFF)
    make_user("ada", role=Role.ADMIN)
    category = make_category("Troubleshooting", slug="troubleshooting")
    policy = make_policy("Standard")
    thread = ask(user("alice"), category)
    escalation = services.escalate_thread(user("mia"), thread, "Customer is blocked")
    fresh = ask(user("alice"), category)
    old = backdate(ask(user("alice"), category), utcnow() - timedelta(days=2))
    group = services.create_group(sam, services.GroupFields("Printers", member_ids=[sam.id]))
    hook = services.create_webhook(sam, "https://hooks.example.com/in", ["thread.solved"])
    return Site(
        category.id, thread.id, escalation.id, fresh.id, old.id, policy.id, group.id, hook.id,
        sam.id, tina.id, user("bob").id,
    )  # fmt: skip


@pytest.fixture
def site(app: Flask) -> Site:
    with app.app_context():
        return build_site()


def sign_in(client, name: str) -> None:
    if name != "anonymous":
        assert Auth(client).login(name).status_code == 302
        flashes(client)


def text(response) -> str:
    return response.get_data(as_text=True)


def flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _, message in session.pop("_flashes", [])]


def count(app: Flask, model, *where) -> int:
    with app.app_context():
        stmt = select(func.count()).select_from(model)
        return db.session.scalar(stmt.where(*where) if where else stmt) or 0


def escalation(app: Flask, escalation_id: int) -> Escalation:
    with app.app_context():
        found = db.session.get(Escalation, escalation_id)
        assert found is not None
        db.session.expunge(found)
        return found


def assert_clean(page: str) -> None:
    assert "<script" not in page and "style=" not in page and '="None"' not in page


# --- permissions -------------------------------------------------------------------------------

PAGES = [
    "/staff/queue",
    "/staff/queue?assignee=mine&status=open&group={group_id}&breached=y",
    "/staff/queue?status=resolved&group=nonsense&page=2",
    "/staff/escalations/{escalation_id}",
    "/staff/policies",
    "/staff/policies/{policy_id}",
    "/staff/groups",
    "/staff/groups/{group_id}",
    "/staff/webhooks",
    "/staff/webhooks/{webhook_id}",
]
HOURS = {
    "unanswered_hours": "4",
    "unsolved_days": "1",
    "first_response_hours": "1",
    "resolution_hours": "8",
}
ACTIONS = [
    ("/staff/escalations/{escalation_id}/assign", {}),
    ("/staff/escalations/{escalation_id}/assign?from=queue", {}),
    ("/staff/escalations/{escalation_id}/notes", {"body": NOTE}),
    ("/staff/escalations/{escalation_id}/status", {"status": "waiting"}),
    ("/staff/escalations/{escalation_id}/reply", {"body": "Try a reset.", "waiting": "y"}),
    ("/staff/escalations/{escalation_id}/resolve", {"resolution": "Reset it.", "accept": "y"}),
    ("/staff/policies", HOURS | {"name": "Urgent"}),
    ("/staff/policies/{policy_id}", HOURS | {"name": "Renamed"}),
    ("/staff/policies/categories/{category_id}", {"policy_id": "{policy_id}"}),
    ("/staff/groups", {"name": "Billing"}),
    ("/staff/groups/{group_id}", {"name": "Renamed"}),
    ("/staff/webhooks", {"url": "https://example.com/x", "events": "thread.created"}),
    ("/staff/webhooks/{webhook_id}/delete", {}),
]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(("role", "expected"), [("anonymous", "login"), ("bob", 403), ("mia", 403)])
def test_pages_are_for_staff_only(client, site, path, role, expected):
    sign_in(client, role)
    response = client.get(path.format(**vars(site)))
    if expected == "login":
        assert response.status_code == 302
        assert response.location.startswith("/login")
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(("path", "data"), ACTIONS, ids=[a[0] for a in ACTIONS])
@pytest.mark.parametrize("role", ["anonymous", "bob", "mia"])
def test_actions_are_for_staff_only(app, client, site, path, data, role):
    before = (count(app, SlaPolicy), count(app, StaffGroup), count(app, Webhook))
    sign_in(client, role)
    form = {key: value.format(**vars(site)) for key, value in data.items()}
    response = client.post(path.format(**vars(site)), data=form)
    if role == "anonymous":
        assert response.status_code == 302
        assert response.location.startswith("/login")
    else:
        assert response.status_code == 403
    after = escalation(app, site.escalation_id)
    assert after.status is EscalationStatus.OPEN and after.assignee_id is None
    assert count(app, EscalationNote) == 0
    assert (count(app, SlaPolicy), count(app, StaffGroup), count(app, Webhook)) == before
    assert count(app, CategoryPolicy) == 0
    assert count(app, SlaPolicy, SlaPolicy.name == "Standard") == 1
    assert count(app, StaffGroup, StaffGroup.name == "Printers") == 1


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role", ["sam", "ada"])
def test_pages_render_for_staff_and_admins(client, site, path, role):
    sign_in(client, role)
    response = client.get(path.format(**vars(site)))
    assert response.status_code == 200
    assert_clean(text(response))


def test_missing_things_are_404(client, site):
    sign_in(client, "sam")
    for path in ("/staff/escalations/999", "/staff/policies/999", "/staff/groups/999",
                 "/staff/webhooks/999", "/staff/escalations/99999999999"):  # fmt: skip
        assert client.get(path).status_code == 404


def test_navigation_shows_the_staff_queue_with_a_count(client, site):
    sign_in(client, "sam")
    page = text(client.get("/"))
    assert "/staff/queue" in page and "Staff queue" in page
    assert '<span class="badge count">1<' in page
    for link in ("/staff/policies", "/staff/groups", "/staff/webhooks"):
        assert link in text(client.get("/staff/queue"))


@pytest.mark.parametrize("role", ["bob", "mia"])
def test_navigation_hides_the_staff_queue(client, site, role):
    sign_in(client, role)
    assert "/staff/queue" not in text(client.get("/"))


# --- the queue -----------------------------------------------------------------------------------


def test_queue_lists_escalations_with_their_clocks(client, site):
    sign_in(client, "sam")
    page = text(client.get("/staff/queue"))
    assert f'href="/staff/escalations/{site.escalation_id}"' in page
    assert "Troubleshooting" in page
    assert "Escalated by a moderator" in page
    assert "First response due in" in page
    assert "Assign to me" in page
    assert ">Breached<" not in page


def test_queue_shows_breaches(app, client, site):
    with app.app_context():
        services.mark_breaches(utcnow() + timedelta(days=30))
    sign_in(client, "sam")
    page = text(client.get("/staff/queue"))
    assert 'class="badge badge-breached"' in page and ">Breached<" in page
    assert f"/staff/escalations/{site.escalation_id}" in text(client.get("/staff/queue?breached=y"))


def test_queue_assign_to_me(app, client, site):
    sign_in(client, "sam")
    response = client.post(f"/staff/escalations/{site.escalation_id}/assign?from=queue")
    assert response.status_code == 302 and response.location == "/staff/queue"
    after = escalation(app, site.escalation_id)
    assert after.assignee_id == site.sam_id and after.status is EscalationStatus.ASSIGNED
    mine = text(client.get("/staff/queue?assignee=mine"))
    assert f"/staff/escalations/{site.escalation_id}" in mine
    unassigned = text(client.get("/staff/queue?assignee=unassigned"))
    assert f"/staff/escalations/{site.escalation_id}" not in unassigned


def test_queue_filters_by_status_and_group(client, site):
    sign_in(client, "sam")
    link = f"/staff/escalations/{site.escalation_id}"
    assert link in text(client.get("/staff/queue?status=open"))
    assert link not in text(client.get("/staff/queue?status=resolved"))
    assert link not in text(client.get(f"/staff/queue?group={site.group_id}"))


def test_queue_is_sorted_by_due_time_and_paginates(make_app):
    app = make_app(ESCALATION_QUEUE_PER_PAGE=1)
    with app.app_context():
        site = build_site()
        thread = db.session.get(Thread, site.fresh_thread_id)
        # Escalated later, but its first response is already overdue: it comes first.
        urgent = services.escalate_thread(user("mia"), thread, now=utcnow() - timedelta(days=3))
        urgent_id = urgent.id
    client = app.test_client()
    sign_in(client, "sam")
    page1, page2 = text(client.get("/staff/queue")), text(client.get("/staff/queue?page=2"))
    assert f"/staff/escalations/{urgent_id}" in page1 and "ago</span>" in page1
    assert f"/staff/escalations/{site.escalation_id}" in page2
    assert "Page 1 of 2" in page1


def test_queue_queries_do_not_grow_with_rows(app, client, site):
    statements: list[str] = []

    def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    sign_in(client, "sam")
    with app.app_context():
        engine = db.engine
        first = db.session.get(Escalation, site.escalation_id)
        assert first is not None
        services.assign(user("sam"), first)
    event.listen(engine, "before_cursor_execute", record)
    try:
        client.get("/staff/queue")
        one = len(statements)
        with app.app_context():
            for thread_id in (site.fresh_thread_id, site.old_thread_id):
                thread = db.session.get(Thread, thread_id)
                assert thread is not None
                services.escalate_thread(user("mia"), thread)
                services.assign(user("sam"), db.session.scalars(select(Escalation)).all()[-1])
        statements.clear()
        client.get("/staff/queue")
        assert len(statements) == one
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_queue_is_empty(make_app):
    app = make_app()
    with app.app_context():
        make_user("sam", role=Role.STAFF)
    client = app.test_client()
    sign_in(client, "sam")
    assert "No escalations are waiting." in text(client.get("/staff/queue"))


# --- one escalation ------------------------------------------------------------------------------


def test_detail_shows_the_case(client, site):
    sign_in(client, "sam")
    page = text(client.get(f"/staff/escalations/{site.escalation_id}"))
    assert f'href="/t/{site.thread_id}"' in page
    assert "/u/alice" in page or "alice" in page
    assert "Customer is blocked" in page
    assert "Escalated by a moderator" in page
    assert "First response due" in page and "Resolution due" in page
    assert "Internal — never shown to the customer" in page
    assert "created" in page  # the history


def test_assign_to_a_staff_member(app, client, site):
    sign_in(client, "sam")
    response = client.post(
        f"/staff/escalations/{site.escalation_id}/assign", data={"user": str(site.tina_id)}
    )
    assert response.status_code == 302
    assert escalation(app, site.escalation_id).assignee_id == site.tina_id


def test_assign_to_a_member_is_refused(app, client, site):
    sign_in(client, "sam")
    response = client.post(
        f"/staff/escalations/{site.escalation_id}/assign", data={"user": str(site.bob_id)}
    )
    assert response.status_code == 200
    assert "Choose someone on staff." in text(response)
    assert escalation(app, site.escalation_id).assignee_id is None


def test_notes_stay_internal(app, client, site):
    sign_in(client, "sam")
    response = client.post(f"/staff/escalations/{site.escalation_id}/notes", data={"body": NOTE})
    assert response.status_code == 302
    assert NOTE in text(client.get(response.location))
    assert NOTE not in text(client.get(f"/t/{site.thread_id}"))
    for viewer in ("alice", "bob"):
        other = app.test_client()
        sign_in(other, viewer)
        page = text(other.get(f"/t/{site.thread_id}"))
        assert "Staff are looking into this" in page
        assert NOTE not in page and "/staff/escalations/" not in page
    assert NOTE not in text(app.test_client().get(f"/t/{site.thread_id}"))


def test_empty_note_shows_the_error(app, client, site):
    sign_in(client, "sam")
    response = client.post(f"/staff/escalations/{site.escalation_id}/notes", data={"body": " "})
    assert response.status_code == 200
    assert "Write the note first." in text(response)
    assert count(app, EscalationNote) == 0


def test_status_change_and_a_forbidden_one(app, client, site):
    sign_in(client, "sam")
    url = f"/staff/escalations/{site.escalation_id}/status"
    assert client.post(url, data={"status": "waiting"}).status_code == 302
    assert escalation(app, site.escalation_id).status is EscalationStatus.WAITING
    # Nobody is assigned: the service's Conflict is a message, not an error page.
    response = client.post(url, data={"status": "assigned"})
    assert response.status_code == 302
    assert "Assign it to someone first." in flashes(client)
    response = client.post(url, data={"status": "resolved"})
    assert response.status_code == 200 and "Choose open, assigned or waiting." in text(response)


def test_reply_waits_on_the_customer_and_shows_the_staff_badge(app, client, site):
    sign_in(client, "sam")
    response = client.post(
        f"/staff/escalations/{site.escalation_id}/reply",
        data={"body": "Staff here: hold the reset button for ten seconds.", "waiting": "y"},
    )
    assert response.status_code == 302
    after = escalation(app, site.escalation_id)
    assert after.status is EscalationStatus.WAITING and after.first_response_at is not None
    page = text(app.test_client().get(f"/t/{site.thread_id}"))
    assert "hold the reset button" in page
    assert (
        "Sam Support" in page
        and '<span class="badge badge-staff" title="Staff">Staff</span>' in page
    )


def test_reply_without_waiting_keeps_the_status(app, client, site):
    sign_in(client, "sam")
    client.post(f"/staff/escalations/{site.escalation_id}/reply", data={"body": "Looking into it."})
    assert escalation(app, site.escalation_id).status is EscalationStatus.OPEN


def test_customer_reply_reopens_a_waiting_escalation(app, client, site):
    sign_in(client, "sam")
    client.post(
        f"/staff/escalations/{site.escalation_id}/reply",
        data={"body": "Which firmware version do you run?", "waiting": "y"},
    )
    customer = app.test_client()
    sign_in(customer, "alice")
    assert "They are waiting for your reply." in text(customer.get(f"/t/{site.thread_id}"))
    response = customer.post(
        f"/t/{site.thread_id}/reply", data={"body": "Firmware 2.1, bought last year."}
    )
    assert response.status_code == 302
    assert escalation(app, site.escalation_id).status is EscalationStatus.ASSIGNED


def test_resolve_solves_the_thread_and_tells_the_customer(app, client, site):
    sign_in(client, "sam")
    response = client.post(
        f"/staff/escalations/{site.escalation_id}/resolve",
        data={"resolution": "Update the driver to **version 3**.", "accept": "y"},
    )
    assert response.status_code == 302
    after = escalation(app, site.escalation_id)
    assert after.status is EscalationStatus.RESOLVED and after.resolution_post_id is not None
    with app.app_context():
        thread = db.session.get(Thread, site.thread_id)
        assert thread is not None and thread.accepted_post_id == after.resolution_post_id
        alice = user("alice")
    assert count(app, Notification, Notification.user_id == alice.id,
                 Notification.kind == "escalation_resolved") == 1  # fmt: skip
    page = text(client.get(response.location))
    assert "Make a KB article from this resolution" in page
    assert f"/moderation/posts/{after.resolution_post_id}/promote" in page
    thread_page = text(app.test_client().get(f"/t/{site.thread_id}"))
    assert "✓ Solved" in thread_page and "Staff are looking into this" not in thread_page
    # A second resolve is a message, never a 500.
    again = client.post(
        f"/staff/escalations/{site.escalation_id}/resolve", data={"resolution": "Again"}
    )
    assert again.status_code == 302
    assert "This escalation is already resolved." in flashes(client)


def test_resolve_needs_a_resolution(app, client, site):
    sign_in(client, "sam")
    response = client.post(
        f"/staff/escalations/{site.escalation_id}/resolve", data={"resolution": ""}
    )
    assert response.status_code == 200
    assert "Write the answer for the customer." in text(response)
    assert escalation(app, site.escalation_id).status is EscalationStatus.OPEN


def test_resolve_without_accepting(app, client, site):
    sign_in(client, "sam")
    client.post(f"/staff/escalations/{site.escalation_id}/resolve", data={"resolution": "Done."})
    with app.app_context():
        thread = db.session.get(Thread, site.thread_id)
        assert thread is not None and thread.accepted_post_id is None


# --- the thread page -----------------------------------------------------------------------------


def test_asker_sees_a_hint_before_the_wait(app, client, site):
    sign_in(client, "alice")
    page = text(client.get(f"/t/{site.fresh_thread_id}"))
    assert "If nobody solves this by" in page and "you can ask staff" in page
    assert f"/staff/threads/{site.fresh_thread_id}/escalate" not in page
    response = client.post(f"/staff/threads/{site.fresh_thread_id}/escalate")
    assert response.status_code == 403
    assert count(app, Escalation) == 1


def test_asker_asks_staff_after_the_wait(app, client, site):
    sign_in(client, "alice")
    page = text(client.get(f"/t/{site.old_thread_id}"))
    assert f'action="/staff/threads/{site.old_thread_id}/escalate"' in page
    assert ">Ask staff<" in page
    response = client.post(
        f"/staff/threads/{site.old_thread_id}/escalate", data={"reason": "Still broken"}
    )
    assert response.status_code == 302 and response.location == f"/t/{site.old_thread_id}"
    with app.app_context():
        created = db.session.scalar(
            select(Escalation).where(Escalation.thread_id == site.old_thread_id)
        )
        assert created is not None
        assert created.source is EscalationSource.CUSTOMER and created.reason == "Still broken"
    flashes(client)
    page = text(client.get(f"/t/{site.old_thread_id}"))
    assert "Staff are looking into this" in page and ">Ask staff<" not in page
    # A second one (another tab, a double click) is a message, not a 500.
    again = client.post(f"/staff/threads/{site.old_thread_id}/escalate")
    assert again.status_code == 302
    assert "This thread is already with staff." in flashes(client)
    assert count(app, Escalation, Escalation.thread_id == site.old_thread_id) == 1


def test_ask_staff_appears_at_once_without_a_wait(make_app):
    app = make_app(ESCALATION_ASK_STAFF_AFTER_HOURS=0)
    with app.app_context():
        site = build_site()
    client = app.test_client()
    sign_in(client, "alice")
    assert ">Ask staff<" in text(client.get(f"/t/{site.fresh_thread_id}"))


@pytest.mark.parametrize("viewer", ["anonymous", "bob"])
def test_others_see_no_ask_staff(client, site, viewer):
    sign_in(client, viewer)
    page = text(client.get(f"/t/{site.old_thread_id}"))
    assert "ask staff" not in page.lower() and "Escalate to staff" not in page


@pytest.mark.parametrize(("role", "expected"), [("anonymous", "login"), ("bob", 403)])
def test_only_the_asker_and_moderators_escalate(app, client, site, role, expected):
    sign_in(client, role)
    response = client.post(f"/staff/threads/{site.old_thread_id}/escalate")
    if expected == "login":
        assert response.status_code == 302 and response.location.startswith("/login")
    else:
        assert response.status_code == expected
    assert count(app, Escalation) == 1


def test_moderator_escalates_from_the_thread_tools(app, client, site):
    sign_in(client, "mia")
    page = text(client.get(f"/t/{site.fresh_thread_id}"))
    assert "Escalate to staff" in page
    response = client.post(
        f"/staff/threads/{site.fresh_thread_id}/escalate", data={"reason": "Legal question"}
    )
    assert response.status_code == 302
    with app.app_context():
        created = db.session.scalar(
            select(Escalation).where(Escalation.thread_id == site.fresh_thread_id)
        )
        assert created is not None and created.source is EscalationSource.MODERATOR
    flashes(client)
    page = text(client.get(f"/t/{site.fresh_thread_id}"))
    assert "With staff" in page and "Escalate to staff" not in page


def test_staff_reach_the_escalation_from_the_thread(client, site):
    sign_in(client, "sam")
    page = text(client.get(f"/t/{site.thread_id}"))
    assert "Staff are looking into this" in page
    assert f"/staff/escalations/{site.escalation_id}" in page


def test_escalate_reason_too_long_is_a_message(app, client, site):
    sign_in(client, "mia")
    response = client.post(
        f"/staff/threads/{site.fresh_thread_id}/escalate", data={"reason": "x" * 1001}
    )
    assert response.status_code == 302
    assert flashes(client)
    assert count(app, Escalation) == 1


# --- policies ------------------------------------------------------------------------------------

POLICY = {
    "name": "Urgent",
    "unanswered_hours": "4",
    "unsolved_days": "1",
    "first_response_hours": "1",
    "resolution_hours": "8",
    "business_start": "9",
    "business_end": "17",
}


def test_create_a_policy(app, client, site):
    sign_in(client, "sam")
    data = POLICY | {"business_hours": "y", "business_days": ["0", "2", "4"], "is_default": "y"}
    response = client.post("/staff/policies", data=data)
    assert response.status_code == 302
    with app.app_context():
        policy = db.session.scalar(select(SlaPolicy).where(SlaPolicy.name == "Urgent"))
        assert policy is not None and policy.business_days == "024" and policy.is_default
        standard = db.session.get(SlaPolicy, site.policy_id)
        assert standard is not None and not standard.is_default
    assert "Urgent" in text(client.get("/staff/policies"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Give the policy a name."),
        ({"name": "Standard"}, "is already taken"),
        ({"unanswered_hours": "0"}, "Number must be at least 1."),
        ({"resolution_hours": "0"}, "Number must be at least 1."),
        ({"first_response_hours": "10", "resolution_hours": "5"}, "Resolution cannot be due"),
        ({"business_hours": "y", "business_start": "17", "business_end": "9"}, "end after"),
        ({"business_hours": "y"}, "Choose at least one weekday."),
    ],
)
def test_policy_validation(app, client, site, changes, message):
    sign_in(client, "sam")
    response = client.post("/staff/policies", data=POLICY | changes)
    assert response.status_code == 200
    assert message in text(response)
    assert count(app, SlaPolicy) == 1


def test_edit_a_policy(app, client, site):
    sign_in(client, "sam")
    page = text(client.get(f"/staff/policies/{site.policy_id}"))
    assert 'value="Standard"' in page
    data = POLICY | {"name": "Standard plus", "business_days": ["0", "1"]}
    response = client.post(f"/staff/policies/{site.policy_id}", data=data)
    assert response.status_code == 302
    with app.app_context():
        policy = db.session.get(SlaPolicy, site.policy_id)
        assert policy is not None and policy.name == "Standard plus"
        assert policy.resolution_hours == 8
    bad = client.post(f"/staff/policies/{site.policy_id}", data=POLICY | {"unsolved_days": "x"})
    assert bad.status_code == 200 and "Not a valid integer value." in text(bad)


def test_choose_a_category_policy(app, client, site):
    sign_in(client, "sam")
    url = f"/staff/policies/categories/{site.category_id}"
    assert client.post(url, data={"policy_id": str(site.policy_id)}).status_code == 302
    assert count(app, CategoryPolicy, CategoryPolicy.policy_id == site.policy_id) == 1
    page = text(client.get("/staff/policies"))
    assert f'<option value="{site.policy_id}" selected>' in page
    assert client.post(url, data={"policy_id": ""}).status_code == 302
    assert count(app, CategoryPolicy) == 0
    assert client.post(url, data={"policy_id": "999"}).status_code == 302
    assert "Choose one of the policies." in flashes(client)


# --- groups --------------------------------------------------------------------------------------


def test_create_a_group(app, client, site):
    sign_in(client, "sam")
    page = text(client.get("/staff/groups"))
    assert "Sam Support" in page and "(@bob)" not in page  # members are chosen from staff
    response = client.post(
        "/staff/groups",
        data={
            "name": "Billing",
            "auto_assign": "y",
            "member_ids": [str(site.sam_id), str(site.tina_id)],
            "category_ids": [str(site.category_id)],
        },
    )
    assert response.status_code == 302
    with app.app_context():
        group = db.session.scalar(select(StaffGroup).where(StaffGroup.name == "Billing"))
        assert group is not None and group.auto_assign
        assert {m.username for m in group.members} == {"sam", "tina"}
        assert [c.id for c in group.categories] == [site.category_id]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "Give the group a name."),
        ({"name": "Printers"}, "is already taken"),
        ({"name": "Billing", "member_ids": "{bob_id}"}, "Members must be active staff."),
        ({"name": "Billing", "category_ids": "999"}, "Choose categories from the list."),
        ({"name": "Billing", "tag_ids": "999"}, "Choose tags from the list."),
    ],
)
def test_group_validation(app, client, site, data, message):
    sign_in(client, "sam")
    form = {key: value.format(**vars(site)) for key, value in data.items()}
    response = client.post("/staff/groups", data=form)
    assert response.status_code == 200
    assert message in text(response)
    assert count(app, StaffGroup) == 1


def test_edit_a_group(app, client, site):
    sign_in(client, "sam")
    page = text(client.get(f"/staff/groups/{site.group_id}"))
    assert re.search(rf'<input checked id="member_ids-\d+"[^>]* value="{site.sam_id}">', page)
    response = client.post(
        f"/staff/groups/{site.group_id}",
        data={"name": "Printers and scanners", "member_ids": [str(site.tina_id)]},
    )
    assert response.status_code == 302
    with app.app_context():
        group = db.session.get(StaffGroup, site.group_id)
        assert group is not None and group.name == "Printers and scanners"
        assert [m.username for m in group.members] == ["tina"]
    bad = client.post(f"/staff/groups/{site.group_id}", data={"name": ""})
    assert bad.status_code == 200 and "Give the group a name." in text(bad)


# --- webhooks ------------------------------------------------------------------------------------


def test_create_a_webhook_shows_the_secret_once(app, client, site):
    sign_in(client, "sam")
    response = client.post(
        "/staff/webhooks",
        data={"url": "https://crm.example.com/hook", "events": ["escalation.created",
              "escalation.resolved"], "secret": "s3cret-value-123"},
    )  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        hook = db.session.scalar(select(Webhook).where(Webhook.url.contains("crm")))
        assert hook is not None and hook.events == ["escalation.created", "escalation.resolved"]
        assert hook.secret == "s3cret-value-123"
    first = text(client.get(response.location))
    assert "s3cret-value-123" in first
    assert "s3cret-value-123" not in text(client.get(response.location))
    assert "s3cret-value-123" not in text(client.get("/staff/webhooks"))
    assert "https://crm.example.com/hook" in text(client.get("/staff/webhooks"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"url": "ftp://example.com/x", "events": "thread.created"}, "Give an http://"),
        ({"url": "https://example.com/x"}, "Choose at least one event."),
        ({"url": "https://example.com/x", "events": "nope"}, "Choose events from the list."),
        ({"url": "", "events": "thread.created"}, "Give the endpoint"),
    ],
)
def test_webhook_validation(app, client, site, data, message):
    sign_in(client, "sam")
    response = client.post("/staff/webhooks", data=data)
    assert response.status_code == 200
    assert message in text(response)
    assert count(app, Webhook) == 1


def test_delete_a_webhook(app, client, site):
    sign_in(client, "sam")
    response = client.post(f"/staff/webhooks/{site.webhook_id}/delete")
    assert response.status_code == 302 and response.location == "/staff/webhooks"
    assert count(app, Webhook) == 0
    assert "No webhooks yet." in text(client.get("/staff/webhooks"))


def test_delivery_log_shows_failed_attempts(app, client, site):
    with app.app_context():
        sam = db.session.get(User, site.sam_id)
        # Port 9 (discard) on loopback refuses the connection at once: no network involved.
        hook = services.create_webhook(sam, "http://127.0.0.1:9/hook", ["escalation.created"])
        thread = db.session.get(Thread, site.fresh_thread_id)
        services.escalate_thread(user("mia"), thread)
        services.deliver_due()
        hook_id = hook.id
    assert count(app, WebhookDelivery, WebhookDelivery.status == DeliveryStatus.PENDING) == 1
    sign_in(client, "sam")
    page = text(client.get(f"/staff/webhooks/{hook_id}"))
    assert "escalation.created" in page and "Pending" in page
    assert "1 attempt" in page and "Next attempt" in page and "Attempts (1)" in page
    assert "no response" in page
    assert_clean(page)
    listing = text(client.get("/staff/webhooks"))
    assert "1 pending" in listing
