"""Community API (API.md): categories, threads, posts, votes, accepted answers, tags."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from forum_kb.accounts.models import Role
from forum_kb.community.models import Post, Thread, ThreadWatch
from forum_kb.extensions import db
from tests.factories import PASSWORD, make_category, make_user


def token_for(client, app, role: Role) -> str:
    with app.app_context():
        username = make_user(role=role).username
    response = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    return response.get_json()["token"]


def test_anyone_lists_categories_in_order(client, app):
    with app.app_context():
        make_category("Billing", slug="billing")
        make_category("Apps", slug="apps")
    items = client.get("/api/v1/categories").get_json()["items"]
    assert [c["slug"] for c in items] == ["apps", "billing"]  # same position: by name


def test_admin_creates_category(client, app):
    token = token_for(client, app, Role.ADMIN)
    response = client.post(
        "/api/v1/categories",
        json={"name": "Mobile Apps!", "description": "iOS and Android"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201
    assert response.get_json()["slug"] == "mobile-apps"
    duplicate = client.post(
        "/api/v1/categories",
        json={"name": "Other", "slug": "mobile-apps"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert duplicate.status_code == 409
    assert duplicate.get_json()["error"]["code"] == "conflict"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.MODERATOR, Role.STAFF])
def test_non_admin_cannot_create_category(client, app, role):
    token = token_for(client, app, role)
    response = client.post(
        "/api/v1/categories", json={"name": "X"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403


def test_anonymous_create_category_is_401(client):
    assert client.post("/api/v1/categories", json={"name": "X"}).status_code == 401


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "!!!"}, {"name": "x" * 81}])
def test_invalid_category_is_422(client, app, body):
    token = token_for(client, app, Role.ADMIN)
    response = client.post(
        "/api/v1/categories", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]


def test_category_page(client, app):
    with app.app_context():
        make_category("Billing", slug="billing")
    assert b"Billing" in client.get("/c/billing").data
    assert client.get("/c/nope").status_code == 404


# --- threads and posts -------------------------------------------------------------------------

BODY = "My printer shows error E42 after the update. What does it mean?"
THREAD_KEYS = {
    "id", "title", "kind", "status", "category", "tags", "author", "reply_count", "score",
    "view_count", "created_at", "last_activity_at", "accepted_post_id", "url",
}  # fmt: skip
POST_KEYS = {
    "id", "thread_id", "author", "body", "body_html", "score", "is_opening", "is_accepted",
    "created_at", "edited_at", "deleted", "url",
}  # fmt: skip
_bodies = itertools.count(1)


@dataclass(frozen=True)
class Caller:
    id: int
    username: str
    headers: dict[str, str]


def sign_in(client, app, role: Role = Role.MEMBER, **fields) -> Caller:
    with app.app_context():
        user = make_user(role=role, **fields)
        user_id, username = user.id, user.username
    response = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    token = response.get_json()["token"]
    return Caller(user_id, username, {"Authorization": f"Bearer {token}"})


def new_body() -> str:
    # The services refuse a post that repeats its author's previous one.
    return f"Answer number {next(_bodies)}: try turning it off and on again."


def start_thread(client, caller: Caller, **overrides) -> dict:
    data = {
        "category": "troubleshooting",
        "kind": "question",
        "title": "Printer shows error E42",
        "body": f"{BODY} Case {next(_bodies)}.",
        "tags": ["printing"],
    } | overrides
    response = client.post("/api/v1/threads", json=data, headers=caller.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def reply(client, caller: Caller, thread_id: int, body: str | None = None) -> dict:
    response = client.post(
        f"/api/v1/threads/{thread_id}/posts", json={"body": body or new_body()},
        headers=caller.headers,
    )  # fmt: skip
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    return error


def assert_iso_utc(value: str) -> None:
    assert value.endswith("Z")
    assert datetime.fromisoformat(value).utcoffset() == timedelta(0)


@pytest.fixture
def category(app):
    with app.app_context():
        return make_category("Troubleshooting", slug="troubleshooting").id


@pytest.fixture
def alice(client, app, category):
    return sign_in(client, app, username="alice")


@pytest.fixture
def bob(client, app, category):
    return sign_in(client, app, username="bob")


@pytest.fixture
def mod(client, app, category):
    return sign_in(client, app, Role.MODERATOR, username="mod")


@pytest.fixture
def question(client, alice) -> dict:
    return start_thread(client, alice, body=BODY)


def test_create_thread_returns_the_full_thread(client, alice, category):
    response = client.post(
        "/api/v1/threads",
        json={"category": "troubleshooting", "kind": "question", "title": "  Printer  error E42 ",
              "body": "Hello **world**, <script>alert(1)</script> what now?",
              "tags": ["Printing", "#e42", "printing"]},
        headers=alice.headers,
    )  # fmt: skip
    assert response.status_code == 201
    thread = response.get_json()
    assert thread.keys() >= THREAD_KEYS
    assert response.headers["Location"].endswith(f"/api/v1/threads/{thread['id']}")
    assert thread["title"] == "Printer error E42"
    assert thread["tags"] == ["e42", "printing"]
    assert thread["category"] == {
        "id": category,
        "slug": "troubleshooting",
        "name": "Troubleshooting",
    }
    assert thread["author"]["username"] == "alice"
    assert (thread["status"], thread["accepted_post_id"], thread["article_id"]) == (
        "open",
        None,
        None,
    )
    assert thread["url"] == f"/t/{thread['id']}"
    assert_iso_utc(thread["created_at"])
    assert_iso_utc(thread["last_activity_at"])
    assert (thread["page"], thread["total"]) == (1, 0)
    [opening] = thread["posts"]
    assert opening.keys() >= POST_KEYS
    assert opening["is_opening"] and not opening["is_accepted"] and not opening["deleted"]
    assert opening["body"].startswith("Hello **world**")
    assert "<strong>world</strong>" in opening["body_html"]
    assert "<script" not in opening["body_html"]
    assert opening["edited_at"] is None
    assert_iso_utc(opening["created_at"])


def test_create_thread_takes_a_category_id(client, alice, category):
    thread = start_thread(client, alice, category=category, kind="discussion", tags=[])
    assert thread["category"]["id"] == category
    assert (thread["kind"], thread["tags"]) == ("discussion", [])


def test_create_thread_anonymously_is_401(client, category):
    response = client.post("/api/v1/threads", json={"title": "Printer shows error E42"})
    assert_error(response, 401, "unauthorized")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "Short"}, "title"),
        ({"title": 42}, "title"),
        ({"body": "too short"}, "body"),
        ({"body": None}, "body"),
        ({"kind": "rant"}, "kind"),
        ({"kind": ["question"]}, "kind"),
        ({"category": "nope"}, "category"),
        ({"category": 9999}, "category"),
        ({"category": True}, "category"),
        ({"category": None}, "category"),
        ({"tags": "printing"}, "tags"),
        ({"tags": ["printing", 5]}, "tags"),
        ({"tags": ["no spaces allowed"]}, "tags"),
        ({"tags": ["a", "b2", "c3", "d4", "e5", "f6"]}, "tags"),
    ],
)
def test_create_thread_invalid_is_422_with_fields(client, alice, overrides, field):
    data = {"category": "troubleshooting", "kind": "question", "title": "Printer error E42",
            "body": BODY} | overrides  # fmt: skip
    response = client.post("/api/v1/threads", json=data, headers=alice.headers)
    error = assert_error(response, 422, "validation_failed")
    assert field in error["fields"]
    assert client.get("/api/v1/threads").get_json()["total"] == 0


@pytest.mark.parametrize("data", ["not json", "[1, 2]", '"text"'])
def test_create_thread_malformed_body_is_400(client, alice, data):
    response = client.post(
        "/api/v1/threads", data=data, content_type="application/json", headers=alice.headers
    )
    assert_error(response, 400, "bad_request")


def test_new_accounts_are_limited_in_links(client, alice):
    body = "See https://a.example, https://b.example and https://c.example for details."
    response = client.post(
        "/api/v1/threads",
        json={"category": "troubleshooting", "kind": "question", "title": "Printer error E42",
              "body": body},
        headers=alice.headers,
    )  # fmt: skip
    assert "body" in assert_error(response, 422, "validation_failed")["fields"]


def test_list_threads_shape_and_pagination(client, alice, bob):
    ids = [start_thread(client, alice, title=f"Printer problem {n:02}")["id"] for n in range(3)]
    reply(client, bob, ids[0])  # latest activity first
    body = client.get("/api/v1/threads?per_page=2").get_json()
    assert (body["page"], body["per_page"], body["total"]) == (1, 2, 3)
    assert [t["id"] for t in body["items"]] == [ids[0], ids[2]]
    summary = body["items"][0]
    assert summary.keys() >= THREAD_KEYS and "posts" not in summary
    assert summary["reply_count"] == 1
    assert summary["category"]["slug"] == "troubleshooting"
    assert summary["author"]["username"] == "alice"
    assert_iso_utc(summary["last_activity_at"])
    second = client.get("/api/v1/threads?per_page=2&page=2").get_json()
    assert [t["id"] for t in second["items"]] == [ids[1]]
    assert client.get("/api/v1/threads?page=9").get_json()["items"] == []


def test_list_threads_filters_and_sorts(client, app, alice, bob):
    with app.app_context():
        make_category("Apps", slug="apps")
    question = start_thread(client, alice, tags=["printing", "e42"])
    answered = start_thread(client, alice, title="Scanner jams on page two", tags=["scanning"])
    story = start_thread(client, alice, kind="story", category="apps", title="How we fixed it all")
    answer = reply(client, bob, answered["id"])
    client.post(
        f"/api/v1/threads/{answered['id']}/accept", json={"post_id": answer["id"]},
        headers=alice.headers,
    )  # fmt: skip
    client.post(
        f"/api/v1/posts/{story['posts'][0]['id']}/vote", json={"value": 1}, headers=bob.headers
    )

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/threads?{query}")
        assert response.status_code == 200, response.get_json()
        return [t["id"] for t in response.get_json()["items"]]

    assert ids("category=apps") == [story["id"]]
    assert set(ids("category=troubleshooting")) == {question["id"], answered["id"]}
    assert ids("kind=story") == [story["id"]]
    assert ids("tag=E42") == [question["id"]]
    assert ids("tag=unused") == []
    assert ids("status=solved") == [answered["id"]]
    assert set(ids("status=open")) == {question["id"], story["id"]}
    assert set(ids("status=unanswered")) == {question["id"], story["id"]}
    assert ids("sort=top")[0] == story["id"]
    assert ids("sort=newest") == [story["id"], answered["id"], question["id"]]
    assert ids("sort=unsolved") == [question["id"]]
    assert ids("sort=solved&category=troubleshooting") == [answered["id"]]


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("sort=hot", "sort"),
        ("kind=rant", "kind"),
        ("status=closed", "status"),
        ("category=nope", "category"),
        ("per_page=101", "per_page"),
        ("page=0", "page"),
        ("page=abc", "page"),
    ],
)
def test_list_threads_bad_arguments_are_400(client, category, query, word):
    error = assert_error(client.get(f"/api/v1/threads?{query}"), 400, "bad_request")
    assert word in error["message"]


def test_thread_detail_pages_replies_after_the_opening_post(client, alice, bob):
    thread = start_thread(client, alice)
    replies = [reply(client, bob, thread["id"])["id"] for _ in range(3)]
    first = client.get(f"/api/v1/threads/{thread['id']}?per_page=2").get_json()
    assert (first["page"], first["per_page"], first["total"]) == (1, 2, 3)
    assert [p["id"] for p in first["posts"]] == [thread["posts"][0]["id"], *replies[:2]]
    assert first["reply_count"] == 3 and first["article_id"] is None
    second = client.get(f"/api/v1/threads/{thread['id']}?per_page=2&page=2").get_json()
    assert [p["id"] for p in second["posts"]] == replies[2:]
    assert second["posts"][0]["url"] == f"/t/{thread['id']}/p/{replies[2]}"


def test_thread_detail_of_unknown_thread_is_404(client, category):
    assert_error(client.get("/api/v1/threads/999"), 404, "not_found")


def test_thread_detail_bad_page_is_400(client, question):
    assert_error(client.get(f"/api/v1/threads/{question['id']}?per_page=0"), 400, "bad_request")


def test_deleted_thread_is_404_except_for_moderators(client, alice, bob, mod, question):
    opening_id = question["posts"][0]["id"]
    assert client.delete(f"/api/v1/posts/{opening_id}", headers=alice.headers).status_code == 204
    path = f"/api/v1/threads/{question['id']}"
    assert_error(client.get(path), 404, "not_found")
    assert_error(client.get(path, headers=bob.headers), 404, "not_found")
    assert_error(client.get(path, headers=alice.headers), 404, "not_found")
    assert client.get("/api/v1/threads").get_json()["total"] == 0
    seen = client.get(path, headers=mod.headers).get_json()
    assert seen["posts"][0]["deleted"] and seen["posts"][0]["body"] == BODY
    assert_error(client.get(f"/api/v1/posts/{opening_id}/revisions"), 404, "not_found")


def test_deleted_reply_keeps_its_place_without_its_body(client, alice, bob, mod, question):
    answer = reply(client, bob, question["id"])
    assert client.delete(f"/api/v1/posts/{answer['id']}", headers=bob.headers).status_code == 204
    path = f"/api/v1/threads/{question['id']}"
    for viewer in ({}, alice.headers, bob.headers):
        post = client.get(path, headers=viewer).get_json()["posts"][1]
        assert post["id"] == answer["id"] and post["deleted"]
        assert (post["body"], post["body_html"]) == (None, None)
    as_mod = client.get(path, headers=mod.headers).get_json()["posts"][1]
    assert as_mod["body"] == answer["body"] and as_mod["body_html"]
    assert_error(client.get(f"/api/v1/posts/{answer['id']}/revisions"), 404, "not_found")


def test_hidden_reply_is_listed_for_moderators_only(client, app, alice, bob, mod, question):
    answer = reply(client, bob, question["id"])
    with app.app_context():
        db.session.get(Post, answer["id"]).is_hidden = True
        db.session.commit()
    path = f"/api/v1/threads/{question['id']}"
    assert [p["id"] for p in client.get(path).get_json()["posts"]][1:] == []
    as_mod = client.get(path, headers=mod.headers).get_json()["posts"][1]
    assert as_mod["id"] == answer["id"] and as_mod["body"] and as_mod["hidden"]


def test_reply_returns_the_post(client, alice, bob, question):
    response = client.post(
        f"/api/v1/threads/{question['id']}/posts", json={"body": "Try **this** firmware."},
        headers=bob.headers,
    )  # fmt: skip
    assert response.status_code == 201
    post = response.get_json()
    assert post.keys() >= POST_KEYS
    assert post["thread_id"] == question["id"] and not post["is_opening"]
    assert post["author"]["username"] == "bob"
    assert "<strong>this</strong>" in post["body_html"]
    assert post["url"] == f"/t/{question['id']}/p/{post['id']}"
    assert_iso_utc(post["created_at"])
    thread = client.get(f"/api/v1/threads/{question['id']}").get_json()
    assert thread["reply_count"] == 1 and thread["posts"][1]["id"] == post["id"]


def test_reply_errors(client, alice, bob, question):
    path = f"/api/v1/threads/{question['id']}/posts"
    assert_error(client.post(path, json={"body": new_body()}), 401, "unauthorized")
    missing = client.post(
        "/api/v1/threads/999/posts", json={"body": new_body()}, headers=bob.headers
    )
    assert_error(missing, 404, "not_found")
    short = client.post(path, json={"body": "short"}, headers=bob.headers)
    assert "body" in assert_error(short, 422, "validation_failed")["fields"]
    assert_error(client.post(path, json={}, headers=bob.headers), 422, "validation_failed")
    assert_error(client.post(path, json={"body": 5}, headers=bob.headers), 422, "validation_failed")


def test_reply_to_locked_thread_is_409(client, app, bob, question):
    with app.app_context():
        db.session.get(Thread, question["id"]).is_locked = True
        db.session.commit()
    response = client.post(
        f"/api/v1/threads/{question['id']}/posts", json={"body": new_body()}, headers=bob.headers
    )
    assert_error(response, 409, "conflict")
    assert client.get(f"/api/v1/threads/{question['id']}").get_json()["status"] == "locked"


def test_author_edits_post_and_keeps_revisions(client, alice, question):
    opening_id = question["posts"][0]["id"]
    response = client.patch(
        f"/api/v1/posts/{opening_id}",
        json={"body": BODY + " Model X100.", "title": "Printer X100 shows E42", "reason": "model"},
        headers=alice.headers,
    )
    assert response.status_code == 200
    post = response.get_json()
    assert post["body"] == BODY + " Model X100." and "X100" in post["body_html"]
    assert_iso_utc(post["edited_at"])
    assert client.get(f"/api/v1/threads/{question['id']}").get_json()["title"] == (
        "Printer X100 shows E42"
    )
    revisions = client.get(f"/api/v1/posts/{opening_id}/revisions").get_json()
    assert (revisions["page"], revisions["total"]) == (1, 2)
    newest, original = revisions["items"]
    assert (newest["number"], newest["title"], newest["reason"]) == (2, "Printer X100 shows E42",
                                                                     "model")  # fmt: skip
    assert newest["editor"]["username"] == "alice"
    assert (original["number"], original["body"]) == (1, BODY)
    assert_iso_utc(original["created_at"])
    paged = client.get(f"/api/v1/posts/{opening_id}/revisions?per_page=1&page=2").get_json()
    assert [r["number"] for r in paged["items"]] == [1]


def test_title_only_edit_keeps_the_body(client, alice, question):
    response = client.patch(
        f"/api/v1/posts/{question['posts'][0]['id']}", json={"title": "Printer shows error E43"},
        headers=alice.headers,
    )  # fmt: skip
    assert response.status_code == 200 and response.get_json()["body"] == BODY


def test_moderator_edits_any_post(client, mod, question):
    response = client.patch(
        f"/api/v1/posts/{question['posts'][0]['id']}", json={"body": BODY + " (tidied)"},
        headers=mod.headers,
    )  # fmt: skip
    assert response.status_code == 200
    assert response.get_json()["edited_by"]["username"] == "mod"


def test_edit_errors(client, alice, bob, question):
    path = f"/api/v1/posts/{question['posts'][0]['id']}"
    assert_error(client.patch(path, json={"body": new_body()}), 401, "unauthorized")
    assert_error(
        client.patch(path, json={"body": new_body()}, headers=bob.headers), 403, "forbidden"
    )
    missing = client.patch("/api/v1/posts/999", json={"body": new_body()}, headers=alice.headers)
    assert_error(missing, 404, "not_found")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"body": "short"}, "body"),
        ({}, "body"),
        ({"body": 1}, "body"),
        ({"body": BODY, "title": "x"}, "title"),
        ({"body": BODY, "title": None}, "title"),
        ({"body": BODY + " Edited.", "reason": ["x"]}, "reason"),
    ],
)
def test_invalid_edit_is_422(client, alice, question, data, field):
    response = client.patch(
        f"/api/v1/posts/{question['posts'][0]['id']}", json=data, headers=alice.headers
    )
    assert field in assert_error(response, 422, "validation_failed")["fields"]


def test_delete_errors(client, alice, bob, question):
    opening = f"/api/v1/posts/{question['posts'][0]['id']}"
    assert_error(client.delete(opening), 401, "unauthorized")
    assert_error(client.delete(opening, headers=bob.headers), 403, "forbidden")
    assert_error(client.delete("/api/v1/posts/999", headers=bob.headers), 404, "not_found")
    reply(client, bob, question["id"])
    assert_error(client.delete(opening, headers=alice.headers), 409, "conflict")


def test_vote_updates_score_and_author_reputation(client, alice, bob, question):
    opening = question["posts"][0]["id"]
    path = f"/api/v1/posts/{opening}/vote"
    response = client.post(path, json={"value": 1}, headers=bob.headers)
    assert response.status_code == 200
    assert response.get_json() == {"score": 1, "value": 1}
    assert client.get("/api/v1/users/alice").get_json()["reputation"] == 10
    thread = client.get(f"/api/v1/threads/{question['id']}").get_json()
    assert thread["score"] == 1 and thread["posts"][0]["score"] == 1
    assert client.post(path, json={"value": -1}, headers=bob.headers).get_json() == {
        "score": -1, "value": -1,
    }  # fmt: skip
    assert client.get("/api/v1/users/alice").get_json()["reputation"] == -2
    assert client.post(path, json={"value": 0}, headers=bob.headers).get_json()["score"] == 0
    assert client.get("/api/v1/users/alice").get_json()["reputation"] == 0


@pytest.mark.parametrize("value", [True, False, "1", 2, -2, 1.0, None, [1]])
def test_vote_with_a_bad_value_is_422(client, bob, question, value):
    response = client.post(
        f"/api/v1/posts/{question['posts'][0]['id']}/vote", json={"value": value},
        headers=bob.headers,
    )  # fmt: skip
    assert "value" in assert_error(response, 422, "validation_failed")["fields"]


def test_vote_errors(client, alice, question):
    path = f"/api/v1/posts/{question['posts'][0]['id']}/vote"
    assert_error(client.post(path, json={"value": 1}), 401, "unauthorized")
    assert_error(client.post(path, json={"value": 1}, headers=alice.headers), 403, "forbidden")
    missing = client.post("/api/v1/posts/999/vote", json={"value": 1}, headers=alice.headers)
    assert_error(missing, 404, "not_found")


def test_accept_marks_the_thread_solved(client, alice, bob, question):
    answer = reply(client, bob, question["id"])
    path = f"/api/v1/threads/{question['id']}/accept"
    response = client.post(path, json={"post_id": answer["id"]}, headers=alice.headers)
    assert response.status_code == 200
    thread = response.get_json()
    assert (thread["status"], thread["accepted_post_id"]) == ("solved", answer["id"])
    assert_iso_utc(thread["solved_at"])
    assert [p["is_accepted"] for p in thread["posts"]] == [False, True]
    assert client.get("/api/v1/users/bob").get_json()["reputation"] == 15
    listed = client.get("/api/v1/threads?status=solved").get_json()["items"]
    assert [t["id"] for t in listed] == [question["id"]]

    reopened = client.post(path, json={"post_id": None}, headers=alice.headers).get_json()
    assert (reopened["status"], reopened["accepted_post_id"]) == ("open", None)
    assert client.get("/api/v1/users/bob").get_json()["reputation"] == 0


def test_moderator_accepts_for_the_asker(client, bob, mod, question):
    answer = reply(client, bob, question["id"])
    response = client.post(
        f"/api/v1/threads/{question['id']}/accept", json={"post_id": answer["id"]},
        headers=mod.headers,
    )  # fmt: skip
    assert response.get_json()["status"] == "solved"


def test_accept_errors(client, alice, bob, question):
    answer = reply(client, bob, question["id"])
    other = start_thread(client, alice, title="Scanner jams on page two")
    other_answer = reply(client, bob, other["id"])
    path = f"/api/v1/threads/{question['id']}/accept"
    assert_error(client.post(path, json={"post_id": answer["id"]}), 401, "unauthorized")
    not_asker = client.post(path, json={"post_id": answer["id"]}, headers=bob.headers)
    assert_error(not_asker, 403, "forbidden")
    missing = client.post(
        "/api/v1/threads/999/accept", json={"post_id": answer["id"]}, headers=alice.headers
    )
    assert_error(missing, 404, "not_found")
    for data in [{}, {"post_id": "x"}, {"post_id": True}, {"post_id": other_answer["id"]},
                 {"post_id": 999}, {"post_id": question["posts"][0]["id"]}]:  # fmt: skip
        error = assert_error(client.post(path, json=data, headers=alice.headers), 422,
                             "validation_failed")  # fmt: skip
        assert "post_id" in error["fields"]


def test_only_questions_have_accepted_answers(client, alice, bob):
    thread = start_thread(client, alice, kind="discussion")
    answer = reply(client, bob, thread["id"])
    response = client.post(
        f"/api/v1/threads/{thread['id']}/accept", json={"post_id": answer["id"]},
        headers=alice.headers,
    )  # fmt: skip
    assert_error(response, 403, "forbidden")


def test_watch_and_unwatch(client, app, alice, bob, question):
    path = f"/api/v1/threads/{question['id']}/watch"
    response = client.post(path, json={"watching": True}, headers=bob.headers)
    assert response.status_code == 200 and response.get_json() == {"watching": True}
    with app.app_context():
        assert db.session.get(ThreadWatch, (bob.id, question["id"])) is not None
    assert client.post(path, json={"watching": False}, headers=bob.headers).get_json() == {
        "watching": False
    }
    with app.app_context():
        assert db.session.get(ThreadWatch, (bob.id, question["id"])) is None


def test_watch_errors(client, bob, question):
    path = f"/api/v1/threads/{question['id']}/watch"
    assert_error(client.post(path, json={"watching": True}), 401, "unauthorized")
    for data in [{}, {"watching": "yes"}, {"watching": 1}]:
        error = assert_error(client.post(path, json=data, headers=bob.headers), 422,
                             "validation_failed")  # fmt: skip
        assert "watching" in error["fields"]
    missing = client.post("/api/v1/threads/999/watch", json={"watching": True}, headers=bob.headers)
    assert_error(missing, 404, "not_found")


# queries.list_tags still calls Result.tuples(), deprecated in SQLAlchemy 2.1.
@pytest.mark.filterwarnings("ignore:The Result.tuples:DeprecationWarning")
def test_tags_with_counts(client, alice):
    start_thread(client, alice, tags=["printing", "e42"])
    start_thread(client, alice, title="Printer is offline again", tags=["printing"])
    body = client.get("/api/v1/tags").get_json()
    assert body["items"] == [{"name": "printing", "count": 2}, {"name": "e42", "count": 1}]
    assert (body["page"], body["total"]) == (1, 2)
    assert client.get("/api/v1/tags?per_page=1&page=2").get_json()["items"] == [
        {"name": "e42", "count": 1}
    ]


def test_posting_rate_limit_is_429_json(make_app):
    app = make_app(RATELIMIT_POSTING="2 per minute")
    client = app.test_client()
    with app.app_context():
        make_category("Troubleshooting", slug="troubleshooting")
    alice = sign_in(client, app, username="alice")
    thread = start_thread(client, alice)
    reply(client, alice, thread["id"])
    response = client.post(
        f"/api/v1/threads/{thread['id']}/posts", json={"body": new_body()}, headers=alice.headers
    )
    assert_error(response, 429, "rate_limited")
    assert "Retry-After" in response.headers


def test_new_accounts_daily_quota_is_429_json(make_app):
    app = make_app(RATELIMIT_POSTING="100 per minute")
    client = app.test_client()
    with app.app_context():
        make_category("Troubleshooting", slug="troubleshooting")
    alice = sign_in(client, app, username="alice")
    thread = start_thread(client, alice)
    for _ in range(9):
        reply(client, alice, thread["id"])
    response = client.post(
        f"/api/v1/threads/{thread['id']}/posts", json={"body": new_body()}, headers=alice.headers
    )
    assert "a day" in assert_error(response, 429, "rate_limited")["message"]


@pytest.mark.parametrize(
    ("method", "path", "data", "status"),
    [
        ("get", f"/api/v1/threads/{2**63}", None, 404),
        ("post", f"/api/v1/posts/{2**40}/vote", {"value": 1}, 404),
        ("get", f"/api/v1/threads?category={2**63}", None, 400),
        ("get", f"/api/v1/threads?page={2**63}", None, 400),
        ("get", "/api/v1/threads?category=a%00b", None, 400),
        ("get", "/api/v1/threads?tag=a%00b", None, 400),
        ("get", "/api/v1/threads?category=%C2%B2", None, 400),
        ("post", "/api/v1/threads", {"category": 2**63}, 422),
        ("post", "/api/v1/threads", {"category": "trouble\x00shooting"}, 400),
        ("post", "/api/v1/threads", {"title": "Printer shows \x00 error"}, 400),
        ("post", "/api/v1/threads", {"tags": ["ab\x00c"]}, 400),
        ("post", "/api/v1/threads/{thread}/posts", {"body": BODY + " and \x00"}, 400),
        ("patch", "/api/v1/posts/{post}", {"body": BODY, "reason": "a\x00"}, 400),
        ("post", "/api/v1/threads/{thread}/accept", {"post_id": 2**63}, 422),
    ],
)
def test_out_of_range_and_nul_input_is_a_client_error(
    client, alice, question, method, path, data, status
):
    # Both would reach the database as driver errors (500s) on PostgreSQL.
    path = path.format(thread=question["id"], post=question["posts"][0]["id"])
    if method == "post" and path == "/api/v1/threads":
        data = {"category": "troubleshooting", "kind": "question", "title": "Printer error E42",
                "body": BODY + " Again."} | data  # fmt: skip
    response = getattr(client, method)(path, json=data, headers=alice.headers)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["message"]
