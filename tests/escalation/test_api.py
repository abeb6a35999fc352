"""Escalation JSON API: asking staff, the queue, assign/notes/status/reply/resolve, webhooks;
the permission matrix and bad input (never a 500)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forum_kb.accounts.models import Role, User
from forum_kb.community.models import Category, Post, Thread
from forum_kb.community.paths import thread_path
from forum_kb.db import utcnow
from forum_kb.escalation import services
from forum_kb.escalation.models import (
    Escalation,
    EscalationNote,
    EscalationSource,
    EscalationStatus,
    Webhook,
    WebhookDelivery,
)
from forum_kb.extensions import db
from tests.escalation.builders import ask, make_policy
from tests.factories import PASSWORD, make_category, make_user

NOTE = "Internal: the customer is on the legacy contract"


@dataclass(frozen=True)
class Caller:
    id: int
    username: str
    headers: dict[str, str]


@pytest.fixture
def app(make_app: Any) -> Flask:
    return make_app(RATELIMIT_POSTING="1000 per minute")


def sign_in(client: FlaskClient, app: Flask, role: Role = Role.MEMBER, **fields: Any) -> Caller:
    with app.app_context():
        user = make_user(role=role, **fields)
        user_id, username = user.id, user.username
    response = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return Caller(user_id, username, {"Authorization": f"Bearer {response.get_json()['token']}"})


def call(client: FlaskClient, caller: Caller | None, method: str, path: str, **kwargs: Any) -> Any:
    headers = caller.headers if caller is not None else {}
    return client.open(path, method=method, headers=headers, **kwargs)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    return error


@pytest.fixture
def category(app: Flask) -> int:
    with app.app_context():
        make_policy("Standard", first_response_hours=8, resolution_hours=48)
        return make_category("Troubleshooting", slug="troubleshooting").id


@pytest.fixture
def alice(client: FlaskClient, app: Flask, category: int) -> Caller:
    return sign_in(client, app, username="alice")


@pytest.fixture
def bob(client: FlaskClient, app: Flask, category: int) -> Caller:
    return sign_in(client, app, username="bob")


@pytest.fixture
def mod(client: FlaskClient, app: Flask, category: int) -> Caller:
    return sign_in(client, app, Role.MODERATOR, username="mia")


@pytest.fixture
def staff(client: FlaskClient, app: Flask, category: int) -> Caller:
    return sign_in(client, app, Role.STAFF, username="sam")


@pytest.fixture
def zoe(client: FlaskClient, app: Flask, category: int) -> Caller:
    return sign_in(client, app, Role.STAFF, username="zoe")


def new_thread(app: Flask, author: Caller, *, age_hours: float = 0, **overrides: Any) -> int:
    with app.app_context():
        user = db.session.get(User, author.id)
        category = db.session.scalar(select(Category))
        assert user is not None and category is not None
        thread = ask(user, category, **overrides)
        if age_hours:
            thread.created_at = utcnow() - timedelta(hours=age_hours)
            db.session.commit()
        return thread.id


@pytest.fixture
def thread_id(app: Flask, alice: Caller) -> int:
    return new_thread(app, alice)


@pytest.fixture
def escalation_id(client: FlaskClient, mod: Caller, thread_id: int) -> int:
    response = call(
        client, mod, "POST", f"/api/v1/threads/{thread_id}/escalate", json={"reason": "Vendor"}
    )
    return ok(response, 201)["id"]


def load(app: Flask, escalation_id: int) -> Escalation:
    with app.app_context():
        escalation = db.session.get(Escalation, escalation_id)
        assert escalation is not None
        db.session.expunge(escalation)
        return escalation


# --- POST /threads/<id>/escalate -----------------------------------------------------------------


def test_escalate_by_moderator_creates_an_escalation(
    client: FlaskClient, app: Flask, mod: Caller, thread_id: int
) -> None:
    data = ok(
        call(client, mod, "POST", f"/api/v1/threads/{thread_id}/escalate", json={"reason": "Hm"}),
        201,
    )
    assert data["status"] == "open" and data["source"] == "moderator"
    assert data["reason"] == "Hm" and data["breached"] is False
    assert data["thread"]["id"] == thread_id
    assert data["due_at"].endswith("Z") and data["first_response_due_at"].endswith("Z")
    assert data["first_response_due_at"] < data["due_at"]
    assert "notes" not in data
    escalation = load(app, data["id"])
    assert escalation.thread_id == thread_id and escalation.requested_by_id == mod.id


def test_escalate_twice_is_a_conflict(
    client: FlaskClient, mod: Caller, thread_id: int, escalation_id: int
) -> None:
    response = call(client, mod, "POST", f"/api/v1/threads/{thread_id}/escalate", json={})
    assert_error(response, 409, "conflict")


def test_escalate_by_asker_only_after_the_wait(
    client: FlaskClient, app: Flask, alice: Caller
) -> None:
    fresh = new_thread(app, alice)
    response = call(client, alice, "POST", f"/api/v1/threads/{fresh}/escalate", json={})
    assert_error(response, 403, "forbidden")
    waited = new_thread(app, alice, age_hours=25)
    data = ok(
        call(client, alice, "POST", f"/api/v1/threads/{waited}/escalate", json={"reason": "?"}),
        201,
    )
    assert data["source"] == EscalationSource.CUSTOMER.value
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Escalation))
    assert count == 1


def test_escalate_by_another_member_is_forbidden(
    client: FlaskClient, app: Flask, alice: Caller, bob: Caller
) -> None:
    waited = new_thread(app, alice, age_hours=25)
    response = call(client, bob, "POST", f"/api/v1/threads/{waited}/escalate")
    assert_error(response, 403, "forbidden")


def test_escalate_needs_a_token(client: FlaskClient, thread_id: int) -> None:
    response = call(client, None, "POST", f"/api/v1/threads/{thread_id}/escalate", json={})
    assert_error(response, 401, "unauthorized")


@pytest.mark.parametrize("path_id", [0, 999_999, 99_999_999_999_999])
def test_escalate_missing_thread_is_404(client: FlaskClient, mod: Caller, path_id: int) -> None:
    response = call(client, mod, "POST", f"/api/v1/threads/{path_id}/escalate", json={})
    assert_error(response, 404, "not_found")


def test_escalate_invisible_thread_is_404(
    client: FlaskClient, app: Flask, alice: Caller, bob: Caller
) -> None:
    hidden = new_thread(app, alice, age_hours=25)
    with app.app_context():
        thread = db.session.get(Thread, hidden)
        assert thread is not None
        thread.is_pending = True  # waiting for review: only its author and moderators see it
        db.session.commit()
    response = call(client, bob, "POST", f"/api/v1/threads/{hidden}/escalate", json={})
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"json": [1, 2]}, 400),
        ({"json": "reason"}, 400),
        ({"data": "{not json", "content_type": "application/json"}, 400),
        ({"json": {"reason": 42}}, 422),
        ({"json": {"reason": ["a"]}}, 422),
        ({"json": {"reason": "x" * 1001}}, 422),
        ({"json": {"reason": "nul\x00"}}, 400),  # the app refuses NUL anywhere
    ],
)
def test_escalate_rejects_bad_bodies(
    client: FlaskClient, app: Flask, mod: Caller, thread_id: int, kwargs: Any, status: int
) -> None:
    response = call(client, mod, "POST", f"/api/v1/threads/{thread_id}/escalate", **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    assert "error" in response.get_json()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Escalation)) == 0


# --- the permission matrix of the staff endpoints ------------------------------------------------

STAFF_ENDPOINTS = [
    ("GET", "/api/v1/escalations", None),
    ("GET", "/api/v1/escalations/{e}", None),
    ("POST", "/api/v1/escalations/{e}/assign", {}),
    ("POST", "/api/v1/escalations/{e}/notes", {"body": NOTE}),
    ("POST", "/api/v1/escalations/{e}/status", {"status": "waiting"}),
    ("POST", "/api/v1/escalations/{e}/reply", {"body": "Try a reset."}),
    ("POST", "/api/v1/escalations/{e}/resolve", {"resolution": "Replace the fuser."}),
    ("GET", "/api/v1/webhooks", None),
    ("POST", "/api/v1/webhooks", {"url": "https://hd.example.com/h", "events": ["thread.created"]}),
    ("DELETE", "/api/v1/webhooks/{w}", None),
    ("GET", "/api/v1/webhooks/{w}/deliveries", None),
]


@pytest.fixture
def webhook_id(app: Flask, staff: Caller) -> int:
    with app.app_context():
        user = db.session.get(User, staff.id)
        assert user is not None
        return services.create_webhook(user, "http://127.0.0.1:9/h", ["thread.solved"]).id


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ENDPOINTS)
@pytest.mark.parametrize("who", ["anonymous", "member", "asker", "moderator"])
def test_staff_endpoints_refuse_non_staff(
    request: pytest.FixtureRequest,
    client: FlaskClient,
    app: Flask,
    escalation_id: int,
    webhook_id: int,
    who: str,
    method: str,
    path: str,
    body: Any,
) -> None:
    caller = {
        "anonymous": None,
        "member": request.getfixturevalue("bob"),
        "asker": request.getfixturevalue("alice"),
        "moderator": request.getfixturevalue("mod"),
    }[who]
    url = path.format(e=escalation_id, w=webhook_id)
    kwargs = {"json": body} if body is not None else {}
    response = call(client, caller, method, url, **kwargs)
    if caller is None:
        assert_error(response, 401, "unauthorized")
    else:
        assert_error(response, 403, "forbidden")
    assert NOTE not in response.get_data(as_text=True)
    with app.app_context():
        escalation = db.session.get(Escalation, escalation_id)
        assert escalation is not None and escalation.status is EscalationStatus.OPEN
        assert escalation.assignee_id is None
        assert db.session.scalar(select(func.count()).select_from(EscalationNote)) == 0
        assert db.session.scalar(select(func.count()).select_from(Webhook)) == 1


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ENDPOINTS)
def test_staff_endpoints_work_for_staff_and_admins(
    client: FlaskClient,
    app: Flask,
    escalation_id: int,
    webhook_id: int,
    method: str,
    path: str,
    body: Any,
) -> None:
    admin = sign_in(client, app, Role.ADMIN, username="ada")
    url = path.format(e=escalation_id, w=webhook_id)
    kwargs = {"json": body} if body is not None else {}
    response = call(client, admin, method, url, **kwargs)
    assert response.status_code in (200, 201, 204), response.get_data(as_text=True)


@pytest.mark.parametrize(("method", "path", "body"), [e for e in STAFF_ENDPOINTS if "{" in e[1]])
@pytest.mark.parametrize("missing", [999_999, 99_999_999_999_999])
def test_staff_endpoints_404_for_missing_ids(
    client: FlaskClient, staff: Caller, method: str, path: str, body: Any, missing: int
) -> None:
    url = path.format(e=missing, w=missing)
    kwargs = {"json": body} if body is not None else {}
    assert_error(call(client, staff, method, url, **kwargs), 404, "not_found")


def test_missing_ids_still_need_staff(client: FlaskClient, bob: Caller) -> None:
    url = "/api/v1/escalations/999999"
    assert_error(call(client, None, "GET", url), 401, "unauthorized")
    assert_error(call(client, bob, "GET", url), 403, "forbidden")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/escalations/{e}/assign",
        "/api/v1/escalations/{e}/notes",
        "/api/v1/escalations/{e}/status",
        "/api/v1/escalations/{e}/reply",
        "/api/v1/escalations/{e}/resolve",
        "/api/v1/webhooks",
    ],
)
@pytest.mark.parametrize("payload", ["[1]", '"text"', "42", "null", "{oops"])
def test_non_object_bodies_are_400(
    client: FlaskClient, staff: Caller, escalation_id: int, path: str, payload: str
) -> None:
    response = call(
        client,
        staff,
        "POST",
        path.format(e=escalation_id),
        data=payload,
        content_type="application/json",
    )
    assert_error(response, 400, "bad_request")


# --- GET /escalations ----------------------------------------------------------------------------


def test_queue_lists_open_escalations_by_due_time(
    client: FlaskClient, app: Flask, alice: Caller, staff: Caller
) -> None:
    start = utcnow()
    with app.app_context():
        moderator = make_user("mod2", role=Role.MODERATOR)
        threads = [db.session.get(Thread, new_thread(app, alice)) for _ in range(3)]
        # Escalated at different instants: the latest is due last.
        ids = [
            services.escalate_thread(moderator, thread, now=start - timedelta(hours=h)).id
            for thread, h in zip(threads, (1, 5, 3), strict=True)
            if thread is not None
        ]
        done = db.session.get(Escalation, ids[2])
        assert done is not None
        user = db.session.get(User, staff.id)
        assert user is not None
        services.resolve(user, done, "Solved by phone.")
    data = ok(call(client, staff, "GET", "/api/v1/escalations"))
    assert [item["id"] for item in data["items"]] == [ids[1], ids[0]]
    assert data["total"] == 2 and data["page"] == 1 and data["per_page"] == 20
    item = data["items"][0]
    for key in ("due_at", "first_response_due_at", "breached", "status", "thread", "assignee"):
        assert key in item
    assert "notes" not in item
    resolved = ok(call(client, staff, "GET", "/api/v1/escalations?status=resolved"))
    assert [item["id"] for item in resolved["items"]] == [ids[2]]
    paged = ok(call(client, staff, "GET", "/api/v1/escalations?per_page=1&page=2"))
    assert [item["id"] for item in paged["items"]] == [ids[0]] and paged["total"] == 2


def test_queue_shows_breaches(
    client: FlaskClient, app: Flask, staff: Caller, escalation_id: int
) -> None:
    with app.app_context():
        services.sweep(utcnow() + timedelta(hours=9))
    [item] = ok(call(client, staff, "GET", "/api/v1/escalations"))["items"]
    assert item["breached"] is True and item["first_response_breached"] is True
    assert item["resolution_breached"] is False


def test_queue_filters_by_status_and_assignee(
    client: FlaskClient,
    app: Flask,
    alice: Caller,
    mod: Caller,
    staff: Caller,
    zoe: Caller,
) -> None:
    ids = []
    for _ in range(3):
        thread = new_thread(app, alice)
        ids.append(
            ok(call(client, mod, "POST", f"/api/v1/threads/{thread}/escalate", json={}), 201)["id"]
        )
    ok(call(client, staff, "POST", f"/api/v1/escalations/{ids[0]}/assign"))
    ok(call(client, staff, "POST", f"/api/v1/escalations/{ids[1]}/assign", json={"user": "zoe"}))

    def listed(query: str) -> list[int]:
        return [
            i["id"] for i in ok(call(client, staff, "GET", "/api/v1/escalations" + query))["items"]
        ]

    assert listed("?assignee=me") == [ids[0]]
    assert listed("?assignee=zoe") == [ids[1]]
    assert listed("?assignee=ZOE&status=assigned") == [ids[1]]
    assert listed("?assignee=none") == [ids[2]]
    assert listed("?status=open") == [ids[2]]
    assert sorted(listed("?status=assigned")) == sorted(ids[:2])
    assert listed("?status=waiting") == []


@pytest.mark.parametrize(
    "query",
    ["?status=closed", "?assignee=nobody", "?page=0", "?per_page=101", "?page=x", "?status=%00"],
)
def test_queue_rejects_bad_arguments(client: FlaskClient, staff: Caller, query: str) -> None:
    assert_error(call(client, staff, "GET", "/api/v1/escalations" + query), 400, "bad_request")


# --- GET /escalations/<id> -----------------------------------------------------------------------


def test_detail_has_notes_and_events(
    client: FlaskClient, staff: Caller, escalation_id: int
) -> None:
    ok(
        call(
            client, staff, "POST", f"/api/v1/escalations/{escalation_id}/notes", json={"body": NOTE}
        ),
        201,
    )
    data = ok(call(client, staff, "GET", f"/api/v1/escalations/{escalation_id}"))
    assert [note["body"] for note in data["notes"]] == [NOTE]
    assert data["notes"][0]["author"]["username"] == "sam"
    assert [event["action"] for event in data["events"]] == ["created", "note"]


# --- POST /escalations/<id>/assign ---------------------------------------------------------------


def test_assign_defaults_to_me(
    client: FlaskClient, app: Flask, staff: Caller, escalation_id: int
) -> None:
    data = ok(call(client, staff, "POST", f"/api/v1/escalations/{escalation_id}/assign"))
    assert data["assignee"]["username"] == "sam" and data["status"] == "assigned"
    assert load(app, escalation_id).assignee_id == staff.id


@pytest.mark.parametrize("by", ["username", "id"])
def test_assign_to_another_staff_member(
    client: FlaskClient, app: Flask, staff: Caller, zoe: Caller, escalation_id: int, by: str
) -> None:
    user = zoe.username if by == "username" else zoe.id
    url = f"/api/v1/escalations/{escalation_id}/assign"
    ok(call(client, staff, "POST", url, json={"user": user}))
    assert load(app, escalation_id).assignee_id == zoe.id


@pytest.mark.parametrize("user", ["bob", "mia", "ghost", 999_999, 2**40, True, ["sam"], ""])
def test_assign_refuses_non_staff_or_unknown_users(
    client: FlaskClient,
    app: Flask,
    staff: Caller,
    bob: Caller,
    mod: Caller,
    escalation_id: int,
    user: Any,
) -> None:
    response = call(
        client, staff, "POST", f"/api/v1/escalations/{escalation_id}/assign", json={"user": user}
    )
    error = assert_error(response, 422, "validation_failed")
    assert "user" in error["fields"]
    assert load(app, escalation_id).assignee_id is None


def test_assign_a_resolved_escalation_is_a_conflict(
    client: FlaskClient, staff: Caller, escalation_id: int
) -> None:
    url = f"/api/v1/escalations/{escalation_id}"
    ok(call(client, staff, "POST", url + "/resolve", json={"resolution": "Done by phone call."}))
    assert_error(call(client, staff, "POST", url + "/assign"), 409, "conflict")


# --- POST /escalations/<id>/notes ----------------------------------------------------------------


def test_note_is_stored_and_never_shown_to_customers(
    client: FlaskClient,
    app: Flask,
    alice: Caller,
    staff: Caller,
    thread_id: int,
    escalation_id: int,
) -> None:
    data = ok(
        call(
            client, staff, "POST", f"/api/v1/escalations/{escalation_id}/notes", json={"body": NOTE}
        ),
        201,
    )
    assert data["body"] == NOTE and data["escalation_id"] == escalation_id
    with app.app_context():
        assert db.session.scalars(select(EscalationNote.body)).all() == [NOTE]
    for caller in (alice, None):
        for url in (
            f"/api/v1/threads/{thread_id}",
            "/api/v1/threads?category=troubleshooting",
            thread_path(thread_id),
        ):
            response = call(client, caller, "GET", url)
            assert response.status_code == 200, url
            assert NOTE not in response.get_data(as_text=True)
    # A customer who escalates again later does not get notes back either.
    ok(
        call(
            client,
            staff,
            "POST",
            f"/api/v1/escalations/{escalation_id}/resolve",
            json={"resolution": "Done by phone call.", "accept": False},
        )
    )
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        assert thread is not None
        thread.created_at = utcnow() - timedelta(days=2)
        db.session.commit()
    again = call(client, alice, "POST", f"/api/v1/threads/{thread_id}/escalate", json={})
    assert again.status_code == 201
    assert NOTE not in again.get_data(as_text=True)


@pytest.mark.parametrize(
    "body", [{}, {"body": ""}, {"body": "   "}, {"body": 5}, {"body": "x" * 10_001}]
)
def test_note_validation(
    client: FlaskClient, app: Flask, staff: Caller, escalation_id: int, body: Any
) -> None:
    response = call(client, staff, "POST", f"/api/v1/escalations/{escalation_id}/notes", json=body)
    assert_error(response, 422, "validation_failed")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EscalationNote)) == 0


# --- POST /escalations/<id>/status ---------------------------------------------------------------


def test_status_changes_and_conflicts(
    client: FlaskClient, app: Flask, staff: Caller, escalation_id: int
) -> None:
    url = f"/api/v1/escalations/{escalation_id}/status"
    assert ok(call(client, staff, "POST", url, json={"status": "waiting"}))["status"] == "waiting"
    assert load(app, escalation_id).status is EscalationStatus.WAITING
    assert_error(call(client, staff, "POST", url, json={"status": "assigned"}), 409, "conflict")
    for bad in ("resolved", "closed", 3, None):
        assert_error(
            call(client, staff, "POST", url, json={"status": bad}), 422, "validation_failed"
        )
    ok(
        call(
            client,
            staff,
            "POST",
            f"/api/v1/escalations/{escalation_id}/resolve",
            json={"resolution": "Done by phone call."},
        )
    )
    assert_error(call(client, staff, "POST", url, json={"status": "open"}), 409, "conflict")


# --- POST /escalations/<id>/reply ----------------------------------------------------------------


def test_reply_posts_in_the_thread_and_waits(
    client: FlaskClient, app: Flask, staff: Caller, thread_id: int, escalation_id: int
) -> None:
    url = f"/api/v1/escalations/{escalation_id}/reply"
    data = ok(call(client, staff, "POST", url, json={"body": "Which firmware do you run?"}), 201)
    assert data["escalation"]["status"] == "waiting"
    assert data["escalation"]["first_response_at"] is not None
    with app.app_context():
        post = db.session.get(Post, data["post"]["id"])
        assert post is not None and post.thread_id == thread_id and post.author_id == staff.id
    data = ok(
        call(client, staff, "POST", url, json={"body": "And the model?", "waiting": False}), 201
    )
    assert data["escalation"]["status"] == "waiting"  # unchanged
    for bad in ({"body": "Hm?", "waiting": "yes"}, {"body": ""}, {}, {"body": 1}):
        response = call(client, staff, "POST", url, json=bad)
        assert_error(response, 422, "validation_failed")


# --- POST /escalations/<id>/resolve --------------------------------------------------------------


def test_resolve_posts_and_accepts_the_answer(
    client: FlaskClient, app: Flask, staff: Caller, thread_id: int, escalation_id: int
) -> None:
    url = f"/api/v1/escalations/{escalation_id}/resolve"
    data = ok(call(client, staff, "POST", url, json={"resolution": "Update to firmware 2.1."}))
    assert data["status"] == "resolved" and data["resolved_by"]["username"] == "sam"
    assert data["resolution"] == "Update to firmware 2.1."
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        assert thread is not None and thread.accepted_post_id == data["resolution_post_id"]
    thread_json = ok(call(client, None, "GET", f"/api/v1/threads/{thread_id}"))
    assert thread_json["accepted_post_id"] == data["resolution_post_id"]
    assert_error(call(client, staff, "POST", url, json={"resolution": "Again"}), 409, "conflict")


def test_resolve_without_accepting(
    client: FlaskClient, app: Flask, staff: Caller, thread_id: int, escalation_id: int
) -> None:
    url = f"/api/v1/escalations/{escalation_id}/resolve"
    ok(call(client, staff, "POST", url, json={"resolution": "Ask your dealer.", "accept": False}))
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        assert thread is not None and thread.accepted_post_id is None
    assert load(app, escalation_id).status is EscalationStatus.RESOLVED


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"resolution": ""},
        {"resolution": 3},
        {"resolution": "Ok", "accept": "no"},
        {"resolution": "Too short"},
        {"resolution": "Ok", "accept": 1},
    ],
)
def test_resolve_validation(
    client: FlaskClient, app: Flask, staff: Caller, escalation_id: int, body: Any
) -> None:
    url = f"/api/v1/escalations/{escalation_id}/resolve"
    error = assert_error(call(client, staff, "POST", url, json=body), 422, "validation_failed")
    assert set(error["fields"]) <= {"resolution", "accept"}
    assert load(app, escalation_id).status is EscalationStatus.OPEN


# --- webhooks ------------------------------------------------------------------------------------


def test_webhook_secret_is_returned_only_on_creation(
    client: FlaskClient, app: Flask, staff: Caller
) -> None:
    created = ok(
        call(
            client,
            staff,
            "POST",
            "/api/v1/webhooks",
            json={
                "url": "https://hd.example.com/in",
                "events": ["escalation.created"],
                "secret": "abc",
            },
        ),
        201,
    )
    assert created["secret"] == "abc" and created["events"] == ["escalation.created"]
    generated = ok(
        call(
            client,
            staff,
            "POST",
            "/api/v1/webhooks",
            json={"url": "https://x.example/h", "events": ["thread.solved"]},
        ),
        201,
    )
    assert len(generated["secret"]) >= 24
    listed = ok(call(client, staff, "GET", "/api/v1/webhooks"))
    assert listed["total"] == 2
    assert all("secret" not in item for item in listed["items"])
    assert "abc" not in str(listed)
    with app.app_context():
        hook = db.session.get(Webhook, created["id"])
        assert hook is not None and hook.secret == "abc"


@pytest.mark.parametrize(
    "body",
    [
        {"events": ["thread.created"]},
        {"url": "ftp://x.example", "events": ["thread.created"]},
        {"url": "https://x.example/h"},
        {"url": "https://x.example/h", "events": "thread.created"},
        {"url": "https://x.example/h", "events": [1]},
        {"url": "https://x.example/h", "events": ["nope"]},
        {"url": "https://x.example/h", "events": []},
        {"url": 5, "events": ["thread.created"]},
        {"url": "https://x.example/h", "events": ["thread.created"], "secret": 5},
        {"url": "https://x.example/h", "events": ["thread.created"], "secret": "s" * 201},
    ],
)
def test_webhook_validation(client: FlaskClient, app: Flask, staff: Caller, body: Any) -> None:
    assert_error(
        call(client, staff, "POST", "/api/v1/webhooks", json=body), 422, "validation_failed"
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Webhook)) == 0


def test_webhook_delete(client: FlaskClient, app: Flask, staff: Caller, webhook_id: int) -> None:
    response = call(client, staff, "DELETE", f"/api/v1/webhooks/{webhook_id}")
    assert response.status_code == 204
    with app.app_context():
        assert db.session.get(Webhook, webhook_id) is None
    assert_error(call(client, staff, "DELETE", f"/api/v1/webhooks/{webhook_id}"), 404, "not_found")


def test_webhook_deliveries_show_the_attempt_log(
    client: FlaskClient, app: Flask, alice: Caller, staff: Caller, webhook_id: int
) -> None:
    thread_id = new_thread(app, alice)
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        user = db.session.get(User, staff.id)
        assert thread is not None and user is not None
        services.resolve(
            user, services.escalate_thread(user, thread), "Fixed by the firmware update."
        )
        services.deliver_due()  # port 9 refuses: logged, retried later
        assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 1
    data = ok(call(client, staff, "GET", f"/api/v1/webhooks/{webhook_id}/deliveries"))
    [delivery] = data["items"]
    assert delivery["event"] == "thread.solved" and delivery["status"] == "pending"
    assert delivery["attempts"] == 1
    [attempt] = delivery["log"]
    assert attempt["status_code"] is None and attempt["error"]


# --- POST /categories with an SLA policy (API.md) --------------------------------------------


def test_create_category_with_an_sla_policy_by_name_or_id(client: FlaskClient, app: Flask) -> None:
    from forum_kb.escalation.models import CategoryPolicy

    admin = sign_in(client, app, Role.ADMIN)
    with app.app_context():
        policy = make_policy(name="Priority")
        policy_id = policy.id
    by_name = call(client, admin, "POST", "/api/v1/categories",
                   json={"name": "Enterprise", "sla_policy": "Priority"})  # fmt: skip
    by_id = call(client, admin, "POST", "/api/v1/categories",
                 json={"name": "Partners", "sla_policy": policy_id})  # fmt: skip
    assert by_name.status_code == 201 and by_id.status_code == 201
    with app.app_context():
        rows = {r.category_id: r.policy_id for r in db.session.scalars(select(CategoryPolicy))}
        assert rows == {by_name.get_json()["id"]: policy_id, by_id.get_json()["id"]: policy_id}


@pytest.mark.parametrize("value", ["No such policy", 999_999, True, ["Priority"]])
def test_create_category_with_an_unknown_sla_policy_is_refused_and_saves_nothing(
    client: FlaskClient, app: Flask, value: Any
) -> None:
    admin = sign_in(client, app, Role.ADMIN)
    with app.app_context():
        make_policy(name="Priority")
        before = db.session.scalar(select(func.count()).select_from(Category))
    response = call(client, admin, "POST", "/api/v1/categories",
                    json={"name": "Enterprise", "sla_policy": value})  # fmt: skip
    assert response.status_code == 422
    assert "sla_policy" in response.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Category)) == before
