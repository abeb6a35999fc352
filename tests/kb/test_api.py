"""Knowledge-base API (API.md): sections, articles, lifecycle, revisions, feedback, reports."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from forum_kb.accounts.models import Role
from forum_kb.db import utcnow
from forum_kb.extensions import db
from forum_kb.kb.models import Feedback, InaccuracyReport, Revision, Section
from tests.factories import PASSWORD, make_user

BODY = "To reset your password, open **Settings → Security** and choose *Reset*."
ROLES = [None, Role.MEMBER, Role.MODERATOR, Role.STAFF, Role.ADMIN]
ARTICLE_KEYS = {
    "id", "slug", "title", "status", "section", "labels", "owner", "review_by", "official",
    "url", "body", "body_html", "has_pending_draft", "helpful_count", "not_helpful_count",
    "view_count", "created_at", "updated_at", "published_at",
}  # fmt: skip
_numbers = itertools.count(1)


@pytest.fixture
def app(make_app):
    # Most tests post feedback and reports many times; the limit itself is tested below.
    return make_app(RATELIMIT_POSTING="1000 per minute")


def sign_in(client, app, role: Role | None) -> dict[str, str]:
    """Headers of a new user with ``role`` (no headers for an anonymous caller)."""
    if role is None:
        return {}
    with app.app_context():
        username = make_user(role=role).username
    response = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    return error


def assert_iso_utc(value: str) -> None:
    assert value.endswith("Z")
    assert datetime.fromisoformat(value).utcoffset() == timedelta(0)


def write(client, headers, **overrides) -> dict:
    data = {
        "section": "accounts",
        "title": f"Reset your password {next(_numbers)}",
        "body": BODY,
    } | overrides
    response = client.post("/api/v1/articles", json=data, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def act(client, headers, article_id: int, action: str, **data) -> dict:
    response = client.post(f"/api/v1/articles/{article_id}/{action}", json=data, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def section(app) -> int:
    with app.app_context():
        section = Section(name="Accounts", slug="accounts", description="Sign-in matters")
        db.session.add(section)
        db.session.commit()
        return section.id


@pytest.fixture
def staff(client, app, section) -> dict[str, str]:
    return sign_in(client, app, Role.STAFF)


@pytest.fixture
def mod(client, app, section) -> dict[str, str]:
    return sign_in(client, app, Role.MODERATOR)


@pytest.fixture
def member(client, app) -> dict[str, str]:
    return sign_in(client, app, Role.MEMBER)


@pytest.fixture
def draft(client, mod) -> dict:
    return write(client, mod, title="Unreleased feature guide")


@pytest.fixture
def published(client, staff) -> dict:
    article = write(client, staff, title="Reset your password", labels=["Passwords"])
    return act(client, staff, article["id"], "publish")


# --- sections -----------------------------------------------------------------------------------


def test_sections_list_with_published_counts(client, app, staff, published, draft):
    with app.app_context():
        db.session.add(Section(name="Billing", slug="billing", position=1))
        db.session.commit()
    body = client.get("/api/v1/kb/sections").get_json()
    assert (body["page"], body["per_page"], body["total"]) == (1, 20, 2)
    assert [(s["slug"], s["published_count"]) for s in body["items"]] == [
        ("accounts", 1),
        ("billing", 0),
    ]
    assert_iso_utc(body["items"][0]["created_at"])


def test_staff_creates_section_and_duplicate_slug_is_409(client, staff):
    response = client.post(
        "/api/v1/kb/sections",
        json={"name": "Mobile Apps!", "description": "iOS and Android"},
        headers=staff,
    )
    assert response.status_code == 201
    section = response.get_json()
    assert (section["slug"], section["name"], section["published_count"]) == (
        "mobile-apps",
        "Mobile Apps!",
        0,
    )
    duplicate = client.post(
        "/api/v1/kb/sections", json={"name": "Other", "slug": "Mobile Apps"}, headers=staff
    )
    assert_error(duplicate, 409, "conflict")


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 401), (Role.MEMBER, 403), (Role.MODERATOR, 403), (Role.STAFF, 201), (Role.ADMIN, 201)],
)
def test_create_section_permissions(client, app, role, status):
    response = client.post(
        "/api/v1/kb/sections", json={"name": "Billing"}, headers=sign_in(client, app, role)
    )
    assert response.status_code == status, response.get_json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"name": "!!!"}, "slug"),
        ({"name": 5}, "name"),
        ({"name": "Billing", "slug": ["billing"]}, "slug"),
        ({"name": "Billing", "description": "x" * 1001}, "description"),
    ],
)
def test_invalid_section_is_422(client, staff, body, field):
    error = assert_error(
        client.post("/api/v1/kb/sections", json=body, headers=staff), 422, "validation_failed"
    )
    assert field in error["fields"]


def test_section_body_must_be_a_json_object(client, staff):
    response = client.post("/api/v1/kb/sections", data="name=x", headers=staff)
    assert_error(response, 400, "bad_request")
    assert_error(client.post("/api/v1/kb/sections", json=[1], headers=staff), 400, "bad_request")


# --- creating and reading articles -------------------------------------------------------------


def test_create_article_returns_the_draft(client, app, mod, section):
    with app.app_context():
        owner_id = make_user(role=Role.STAFF).id
    response = client.post(
        "/api/v1/articles",
        json={"section": section, "title": "  Reset   your password ", "body": BODY,
              "labels": ["Passwords", "#security", "passwords"], "owner_id": owner_id,
              "note": "First cut"},
        headers=mod,
    )  # fmt: skip
    assert response.status_code == 201
    article = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/articles/{article['id']}")
    assert article.keys() >= ARTICLE_KEYS
    assert (article["title"], article["slug"], article["status"]) == (
        "Reset your password",
        "reset-your-password",
        "draft",
    )
    assert article["section"] == {"id": section, "slug": "accounts", "name": "Accounts"}
    assert article["labels"] == ["passwords", "security"]
    assert article["owner"]["id"] == owner_id
    assert article["official"] is False and article["published_at"] is None
    assert article["url"] == "/kb/articles/reset-your-password"
    # Never published: writers read the draft as the body.
    assert article["body"] == BODY and "<strong>Settings" in article["body_html"]
    assert article["draft"]["revision"] == 1 and article["draft"]["body"] == BODY
    assert article["has_pending_draft"] is True
    assert_iso_utc(article["created_at"])
    assert_iso_utc(article["updated_at"])


def test_create_article_sanitizes_body_html(client, mod, section):
    article = write(client, mod, body=BODY + "\n\n<script>alert(1)</script><b onclick=x>hi</b>")
    assert "<script" not in article["body_html"] and "onclick" not in article["body_html"]


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 401), (Role.MEMBER, 403), (Role.MODERATOR, 201), (Role.STAFF, 201), (Role.ADMIN, 201)],
)
def test_create_article_permissions(client, app, section, role, status):
    response = client.post(
        "/api/v1/articles",
        json={"section": "accounts", "title": "Reset your password", "body": BODY},
        headers=sign_in(client, app, role),
    )
    assert response.status_code == status, response.get_json()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"section": None}, "section"),
        ({"section": "nope"}, "section"),
        ({"section": 999}, "section"),
        ({"section": 2**63}, "section"),
        ({"section": True}, "section"),
        ({"section": "%C2%B2"}, "section"),
        ({"title": "Hi"}, "title"),
        ({"title": None}, "title"),
        ({"title": 12345}, "title"),
        ({"body": "short"}, "body"),
        ({"labels": "passwords"}, "labels"),
        ({"labels": [1]}, "labels"),
        ({"labels": [f"label{n}" for n in range(11)]}, "labels"),
        ({"owner_id": "1"}, "owner_id"),
        ({"owner_id": 2**63}, "owner_id"),
        ({"owner_id": 999}, "owner_id"),
        ({"note": "x" * 201}, "note"),
    ],
)
def test_invalid_article_is_422(client, mod, section, overrides, field):
    data = {"section": "accounts", "title": "Reset your password", "body": BODY} | overrides
    response = client.post("/api/v1/articles", json=data, headers=mod)
    error = assert_error(response, 422, "validation_failed")
    assert field in error["fields"]


def test_member_cannot_own_an_article(client, app, mod, section):
    with app.app_context():
        member_id = make_user().id
    response = client.post(
        "/api/v1/articles",
        json={"section": "accounts", "title": "Reset your password", "body": BODY,
              "owner_id": member_id},
        headers=mod,
    )  # fmt: skip
    assert "owner_id" in assert_error(response, 422, "validation_failed")["fields"]


def test_published_article_detail_for_anyone(client, published):
    for key in (published["id"], published["slug"]):
        response = client.get(f"/api/v1/articles/{key}")
        assert response.status_code == 200
        article = response.get_json()
        assert article.keys() >= ARTICLE_KEYS
        assert (article["status"], article["official"], article["body"]) == (
            "published",
            True,
            BODY,
        )
        assert "draft" not in article
        assert article["labels"] == ["passwords"]
        assert article["owner"]["username"]
        assert date.fromisoformat(article["review_by"]) > utcnow().date()
        for name in ("created_at", "updated_at", "published_at"):
            assert_iso_utc(article[name])
        assert response.headers["Content-Location"] == "/api/v1/articles/reset-your-password"


@pytest.mark.parametrize("role", [None, Role.MEMBER])
def test_drafts_are_404_for_readers_by_id_and_slug(client, app, draft, role):
    headers = sign_in(client, app, role)
    for key in (draft["id"], draft["slug"]):
        assert_error(client.get(f"/api/v1/articles/{key}", headers=headers), 404, "not_found")


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.STAFF, Role.ADMIN])
def test_writers_read_drafts(client, app, draft, role):
    response = client.get(f"/api/v1/articles/{draft['slug']}", headers=sign_in(client, app, role))
    assert response.status_code == 200
    assert response.get_json()["draft"]["title"] == "Unreleased feature guide"


def test_old_slug_answers_with_the_current_slug(client, staff, published):
    patch = client.patch(
        f"/api/v1/articles/{published['id']}", json={"title": "Recover a lost password"},
        headers=staff,
    )  # fmt: skip
    assert patch.status_code == 200
    act(client, staff, published["id"], "publish")
    article = client.get("/api/v1/articles/reset-your-password").get_json()
    assert (article["id"], article["slug"]) == (published["id"], "recover-a-lost-password")
    assert article["title"] == "Recover a lost password"


@pytest.mark.parametrize("role", [None, Role.MEMBER])
def test_archived_article_is_hidden_by_id_slug_and_old_slug(client, app, staff, published, role):
    client.patch(
        f"/api/v1/articles/{published['id']}", json={"title": "Recover a lost password"},
        headers=staff,
    )  # fmt: skip
    act(client, staff, published["id"], "publish")
    act(client, staff, published["id"], "archive")
    headers = sign_in(client, app, role)
    for key in (published["id"], "recover-a-lost-password", "reset-your-password"):
        assert_error(client.get(f"/api/v1/articles/{key}", headers=headers), 404, "not_found")
    assert client.get("/api/v1/articles", headers=headers).get_json()["total"] == 0


@pytest.mark.parametrize("key", ["999", "no-such-article", "%C2%B2", str(2**63), "x" * 300])
def test_unknown_article_is_404(client, staff, key):
    assert_error(client.get(f"/api/v1/articles/{key}", headers=staff), 404, "not_found")


def test_nul_in_article_key_is_400(client, staff):
    # Refused for every request before routing (PostgreSQL rejects NUL in strings).
    assert_error(client.get("/api/v1/articles/1%002", headers=staff), 400, "bad_request")


def test_invalid_token_is_401_even_on_public_reads(client, published):
    headers = {"Authorization": "Bearer nope"}
    assert_error(client.get("/api/v1/articles", headers=headers), 401, "unauthorized")
    assert_error(client.get(f"/api/v1/articles/{published['id']}", headers=headers), 401,
                 "unauthorized")  # fmt: skip


# --- listing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, Role.MEMBER])
def test_readers_list_published_articles_only(client, app, staff, published, draft, role):
    in_review = write(client, staff)
    act(client, staff, in_review["id"], "submit")
    body = client.get("/api/v1/articles", headers=sign_in(client, app, role)).get_json()
    assert [a["id"] for a in body["items"]] == [published["id"]]
    assert (body["page"], body["per_page"], body["total"]) == (1, 20, 1)
    assert "body" not in body["items"][0] and body["items"][0]["status"] == "published"
    only = client.get("/api/v1/articles?status=published", headers=sign_in(client, app, role))
    assert only.get_json()["total"] == 1


@pytest.mark.parametrize("role", [None, Role.MEMBER])
@pytest.mark.parametrize("status", ["draft", "in_review", "archived"])
def test_readers_asking_for_unpublished_get_403(client, app, draft, role, status):
    response = client.get(f"/api/v1/articles?status={status}", headers=sign_in(client, app, role))
    assert_error(response, 403, "forbidden")


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.STAFF, Role.ADMIN])
def test_writers_list_everything_and_filter_by_status(client, app, staff, published, draft, role):
    headers = sign_in(client, app, role)
    assert client.get("/api/v1/articles", headers=headers).get_json()["total"] == 2
    drafts = client.get("/api/v1/articles?status=draft", headers=headers).get_json()
    assert [a["id"] for a in drafts["items"]] == [draft["id"]]
    assert client.get("/api/v1/articles?status=archived", headers=headers).get_json()["total"] == 0


def test_list_filters_by_section_slug_or_id(client, app, staff, published):
    with app.app_context():
        other = Section(name="Billing", slug="billing", position=1)
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    elsewhere = write(client, staff, section="billing")
    act(client, staff, elsewhere["id"], "publish")
    items = client.get("/api/v1/articles?section=billing").get_json()["items"]
    assert [a["id"] for a in items] == [elsewhere["id"]]
    assert items[0]["section"]["slug"] == "billing"
    by_id = client.get(f"/api/v1/articles?section={other_id}").get_json()["items"]
    assert [a["id"] for a in by_id] == [elsewhere["id"]]


def test_list_pages(client, staff, section):
    ids = [act(client, staff, write(client, staff)["id"], "publish")["id"] for _ in range(3)]
    body = client.get("/api/v1/articles?per_page=2&page=2").get_json()
    assert (body["page"], body["per_page"], body["total"]) == (2, 2, 3)
    assert len(body["items"]) == 1 and body["items"][0]["id"] in ids


@pytest.mark.parametrize(
    "query",
    ["status=secret", "section=nope", f"section={2**63}", "section=%C2%B2", "per_page=101",
     "per_page=0", "page=x", f"page={2**63}", "status=a%00b"],
)  # fmt: skip
def test_bad_list_arguments_are_400(client, section, query):
    assert_error(client.get(f"/api/v1/articles?{query}"), 400, "bad_request")


# --- editing ------------------------------------------------------------------------------------


def test_edit_published_article_keeps_readers_on_the_published_version(client, app, mod, published):
    with app.app_context():
        db.session.add(Section(name="Billing", slug="billing", position=1))
        db.session.commit()
    response = client.patch(
        f"/api/v1/articles/{published['id']}",
        json={"title": "Recover a lost password", "body": BODY + "\n\nNew step.",
              "kb_category": "billing", "labels": ["Security"], "note": "Clearer"},
        headers=mod,
    )  # fmt: skip
    assert response.status_code == 200
    article = response.get_json()
    assert (article["title"], article["body"]) == ("Reset your password", BODY)
    assert article["draft"]["title"] == "Recover a lost password"
    assert article["draft"]["revision"] == 2
    assert article["has_pending_draft"] is True
    assert article["section"]["slug"] == "billing" and article["labels"] == ["security"]
    public = client.get(f"/api/v1/articles/{published['id']}").get_json()
    assert public["body"] == BODY and public["title"] == "Reset your password"
    with app.app_context():
        revision = db.session.scalar(select(Revision).where(Revision.number == 2))
        assert revision is not None and revision.note == "Clearer"


def test_empty_patch_changes_nothing(client, mod, published):
    response = client.patch(f"/api/v1/articles/{published['id']}", json={}, headers=mod)
    assert response.status_code == 200
    assert response.get_json()["has_pending_draft"] is False


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 401), (Role.MEMBER, 403), (Role.MODERATOR, 200), (Role.STAFF, 200), (Role.ADMIN, 200)],
)
def test_edit_permissions(client, app, published, role, status):
    response = client.patch(
        f"/api/v1/articles/{published['id']}", json={"body": BODY + " More."},
        headers=sign_in(client, app, role),
    )  # fmt: skip
    assert response.status_code == status, response.get_json()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "Hi"}, "title"),
        ({"title": 5}, "title"),
        ({"body": ""}, "body"),
        ({"kb_category": "nope"}, "kb_category"),
        ({"kb_category": 2**63}, "kb_category"),
        ({"section": []}, "section"),
        ({"labels": {"a": 1}}, "labels"),
        ({"note": ["x"]}, "note"),
    ],
)
def test_invalid_edit_is_422(client, mod, draft, data, field):
    response = client.patch(f"/api/v1/articles/{draft['id']}", json=data, headers=mod)
    assert field in assert_error(response, 422, "validation_failed")["fields"]


def test_edit_unknown_article_is_404_and_bad_body_400(client, mod, draft):
    assert_error(client.patch("/api/v1/articles/999", json={}, headers=mod), 404, "not_found")
    response = client.patch(f"/api/v1/articles/{draft['id']}", data="x", headers=mod)
    assert_error(response, 400, "bad_request")


def test_moderator_cannot_edit_archived_article(client, staff, mod, published):
    act(client, staff, published["id"], "archive")
    response = client.patch(
        f"/api/v1/articles/{published['id']}", json={"body": BODY + " Revived."}, headers=mod
    )
    assert_error(response, 403, "forbidden")
    revived = client.patch(
        f"/api/v1/articles/{published['id']}", json={"body": BODY + " Revived."}, headers=staff
    )
    assert revived.get_json()["status"] == "draft"


# --- lifecycle ----------------------------------------------------------------------------------


def test_whole_lifecycle(client, app, staff, mod, member, section):
    article = write(client, mod, title="Set up two-factor sign-in")
    article_id = article["id"]
    assert act(client, mod, article_id, "submit", note="Ready")["status"] == "in_review"
    assert act(client, staff, article_id, "return", note="Add screenshots")["status"] == "draft"
    client.patch(
        f"/api/v1/articles/{article_id}", json={"body": BODY + " With screenshots."}, headers=mod
    )
    act(client, mod, article_id, "submit")
    assert client.get(f"/api/v1/articles/{article_id}", headers=member).status_code == 404
    live = act(client, staff, article_id, "publish", note="Thanks")
    assert (live["status"], live["official"], live["has_pending_draft"]) == (
        "published",
        True,
        False,
    )
    assert live["body"].endswith("With screenshots.")
    assert_iso_utc(live["published_at"])
    assert client.get(f"/api/v1/articles/{article_id}", headers=member).status_code == 200
    # Changes to a published article go through review too, invisible to readers meanwhile.
    client.patch(
        f"/api/v1/articles/{article_id}", json={"title": "Set up two-factor authentication"},
        headers=mod,
    )  # fmt: skip
    pending = act(client, mod, article_id, "submit")
    assert (pending["status"], pending["draft_in_review"]) == ("published", True)
    assert client.get(f"/api/v1/articles/{article_id}").get_json()["title"] == (
        "Set up two-factor sign-in"
    )
    republished = act(client, staff, article_id, "publish")
    assert republished["slug"] == "set-up-two-factor-authentication"
    assert republished["draft"] is None
    archived = act(client, staff, article_id, "archive")
    assert (archived["status"], archived["official"]) == ("archived", False)
    assert client.get(f"/api/v1/articles/{article_id}").status_code == 404
    brought_back = act(client, staff, article_id, "publish")
    assert brought_back["status"] == "published"


@pytest.mark.parametrize(
    ("action", "role", "status"),
    [
        ("submit", None, 401), ("submit", Role.MEMBER, 403), ("submit", Role.MODERATOR, 200),
        ("submit", Role.STAFF, 200), ("submit", Role.ADMIN, 200),
        ("publish", None, 401), ("publish", Role.MEMBER, 403), ("publish", Role.MODERATOR, 403),
        ("publish", Role.STAFF, 200), ("publish", Role.ADMIN, 200),
        ("archive", None, 401), ("archive", Role.MEMBER, 403), ("archive", Role.MODERATOR, 403),
        ("archive", Role.STAFF, 200), ("archive", Role.ADMIN, 200),
    ],
)  # fmt: skip
def test_lifecycle_permissions_on_a_draft(client, app, draft, action, role, status):
    response = client.post(
        f"/api/v1/articles/{draft['id']}/{action}", headers=sign_in(client, app, role)
    )
    assert response.status_code == status, response.get_json()


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 401), (Role.MEMBER, 403), (Role.MODERATOR, 403), (Role.STAFF, 200), (Role.ADMIN, 200)],
)
def test_return_permissions(client, app, mod, draft, role, status):
    act(client, mod, draft["id"], "submit")
    response = client.post(
        f"/api/v1/articles/{draft['id']}/return", json={}, headers=sign_in(client, app, role)
    )
    assert response.status_code == status, response.get_json()


@pytest.mark.parametrize(
    ("action", "setup"),
    [
        ("submit", []),  # published, nothing pending
        ("return", []),  # not in review
        ("publish", []),  # already published, nothing pending
        ("archive", ["archive"]),
    ],
)
def test_impossible_transitions_are_409(client, staff, published, action, setup):
    for step in setup:
        act(client, staff, published["id"], step)
    response = client.post(f"/api/v1/articles/{published['id']}/{action}", headers=staff)
    assert_error(response, 409, "conflict")


def test_transition_errors(client, staff, draft):
    assert_error(client.post("/api/v1/articles/999/publish", headers=staff), 404, "not_found")
    response = client.post(
        f"/api/v1/articles/{draft['id']}/publish", data="[", headers=staff,
        content_type="application/json",
    )  # fmt: skip
    assert_error(response, 400, "bad_request")
    response = client.post(
        f"/api/v1/articles/{draft['id']}/publish", json={"note": 5}, headers=staff
    )
    assert "note" in assert_error(response, 422, "validation_failed")["fields"]


def test_lifecycle_on_a_draft_by_a_reader_never_reveals_it(client, app, draft):
    # Too low a role is refused before the article is looked up: 403 either way.
    member = sign_in(client, app, Role.MEMBER)
    for path in (f"/api/v1/articles/{draft['id']}/publish", "/api/v1/articles/999/publish"):
        assert_error(client.post(path, headers=member), 403, "forbidden")


# --- revisions ----------------------------------------------------------------------------------


def test_revisions_and_restore(client, mod, draft):
    path = f"/api/v1/articles/{draft['id']}"
    client.patch(path, json={"body": BODY + " Second."}, headers=mod)
    client.patch(path, json={"body": BODY + " Third."}, headers=mod)
    body = client.get(f"{path}/revisions", headers=mod).get_json()
    assert body["total"] == 3 and [r["number"] for r in body["items"]] == [3, 2, 1]
    assert body["items"][0]["is_draft"] is True and body["items"][0]["editor"]["username"]
    assert_iso_utc(body["items"][0]["created_at"])
    restored = client.post(f"{path}/revisions/1/restore", headers=mod)
    assert restored.status_code == 200
    assert restored.get_json()["draft"] == {
        "title": draft["title"],
        "body": BODY,
        "body_html": draft["body_html"],
        "revision": 4,
    }
    page = client.get(f"{path}/revisions?per_page=2&page=2", headers=mod).get_json()
    assert [r["number"] for r in page["items"]] == [2, 1] and page["total"] == 4


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 401), (Role.MEMBER, 403), (Role.MODERATOR, 200), (Role.STAFF, 200), (Role.ADMIN, 200)],
)
def test_revision_permissions(client, app, published, role, status):
    headers = sign_in(client, app, role)
    listing = client.get(f"/api/v1/articles/{published['id']}/revisions", headers=headers)
    assert listing.status_code == status
    restore = client.post(
        f"/api/v1/articles/{published['id']}/revisions/1/restore", headers=headers
    )
    assert restore.status_code == status


def test_unknown_revision_is_404(client, mod, draft):
    for number in ("9", "0", str(2**63)):
        response = client.post(
            f"/api/v1/articles/{draft['id']}/revisions/{number}/restore", headers=mod
        )
        assert_error(response, 404, "not_found")
    assert_error(client.get("/api/v1/articles/999/revisions", headers=mod), 404, "not_found")


# --- feedback and reports ----------------------------------------------------------------------


def feedback(client, article_id, headers=None, **data):
    return client.post(f"/api/v1/articles/{article_id}/feedback", json=data, headers=headers or {})


def test_feedback_counts_once_per_user_and_can_change(client, member, published):
    first = feedback(client, published["id"], member, helpful=True, comment="Great")
    assert first.status_code == 200
    assert first.get_json() == {"helpful": True, "helpful_count": 1, "not_helpful_count": 0}
    again = feedback(client, published["id"], member, helpful=True)
    assert again.get_json()["helpful_count"] == 1
    changed = feedback(client, published["id"], member, helpful=False)
    assert changed.get_json() == {"helpful": False, "helpful_count": 0, "not_helpful_count": 1}
    article = client.get(f"/api/v1/articles/{published['id']}").get_json()
    assert (article["helpful_count"], article["not_helpful_count"]) == (0, 1)


def test_anonymous_feedback_counts_once_per_key(client, app, published):
    key_a = {"X-Feedback-Key": "reader-a-0123456789"}
    assert feedback(client, published["id"], key_a, helpful=True).status_code == 200
    assert feedback(client, published["id"], key_a, helpful=True).get_json()["helpful_count"] == 1
    by_body = feedback(client, published["id"], helpful=True, session_key="reader-b-0123456789")
    assert by_body.get_json()["helpful_count"] == 2
    changed = feedback(client, published["id"], key_a, helpful=False)
    assert changed.get_json() == {"helpful": False, "helpful_count": 1, "not_helpful_count": 1}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Feedback)) == 2


@pytest.mark.parametrize("role", ROLES)
def test_anyone_gives_feedback(client, app, published, role):
    headers = sign_in(client, app, role) | {"X-Feedback-Key": "stable-key-123456"}
    assert feedback(client, published["id"], headers, helpful=True).status_code == 200


@pytest.mark.parametrize(
    ("data", "headers", "field"),
    [
        ({"helpful": True}, {}, "session_key"),
        ({"helpful": True, "session_key": "short"}, {}, "session_key"),
        ({"helpful": True, "session_key": 12345678}, {}, "session_key"),
        ({"helpful": True}, {"X-Feedback-Key": "k" * 61}, "session_key"),
        ({"helpful": True}, {"X-Feedback-Key": "has spaces in it"}, "session_key"),
        ({"helpful": 1}, {"X-Feedback-Key": "stable-key-123456"}, "helpful"),
        ({"helpful": "yes"}, {"X-Feedback-Key": "stable-key-123456"}, "helpful"),
        ({}, {"X-Feedback-Key": "stable-key-123456"}, "helpful"),
        ({"helpful": True, "comment": 5}, {"X-Feedback-Key": "stable-key-123456"}, "comment"),
        ({"helpful": True, "comment": "x" * 2001}, {"X-Feedback-Key": "stable-key-1"}, "comment"),
    ],
)
def test_invalid_feedback_is_422(client, published, data, headers, field):
    response = feedback(client, published["id"], headers, **data)
    error = assert_error(response, 422, "validation_failed")
    assert field in error["fields"]
    if field == "session_key" and "session_key" not in data:
        assert "X-Feedback-Key" in error["message"]


@pytest.mark.parametrize("role", [None, Role.MEMBER])
def test_feedback_and_reports_on_drafts_are_404_for_readers(client, app, draft, role):
    headers = sign_in(client, app, role) | {"X-Feedback-Key": "stable-key-123456"}
    assert_error(feedback(client, draft["id"], headers, helpful=True), 404, "not_found")
    response = client.post(
        f"/api/v1/articles/{draft['id']}/report", json={"comment": "This is wrong"},
        headers=headers,
    )  # fmt: skip
    assert_error(response, 404, "not_found")


def test_writers_cannot_give_feedback_on_drafts(client, mod, draft):
    assert_error(feedback(client, draft["id"], mod, helpful=True), 403, "forbidden")


@pytest.mark.parametrize("role", ROLES)
def test_anyone_reports_an_inaccurate_article(client, app, published, role):
    response = client.post(
        f"/api/v1/articles/{published['id']}/report",
        json={"comment": "Step 2 moved to the Privacy tab."},
        headers=sign_in(client, app, role),
    )
    assert response.status_code == 201
    report = response.get_json()
    assert report["article_id"] == published["id"] and report["comment"].startswith("Step 2")
    assert_iso_utc(report["created_at"])
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(InaccuracyReport)) == 1


@pytest.mark.parametrize("data", [{}, {"comment": "bad"}, {"comment": 5}, {"comment": "x" * 2001}])
def test_invalid_report_is_422(client, published, data):
    response = client.post(f"/api/v1/articles/{published['id']}/report", json=data)
    assert "comment" in assert_error(response, 422, "validation_failed")["fields"]


def test_reader_posting_rate_limit_is_429_json(make_app):
    app = make_app(RATELIMIT_POSTING="2 per minute")
    client = app.test_client()
    with app.app_context():
        db.session.add(Section(name="Accounts", slug="accounts"))
        db.session.commit()
    staff = sign_in(client, app, Role.STAFF)
    article = act(client, staff, write(client, staff)["id"], "publish")
    path = f"/api/v1/articles/{article['id']}/report"
    for _ in range(2):
        assert client.post(path, json={"comment": "Out of date now"}).status_code == 201
    response = client.post(path, json={"comment": "Out of date now"})
    assert_error(response, 429, "rate_limited")
    assert "Retry-After" in response.headers
