"""Search JSON API (API.md): GET /api/v1/search and /api/v1/search/similar."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from forum_kb.community import services as community
from forum_kb.extensions import db
from forum_kb.search.models import SearchLog
from tests.factories import PASSWORD
from tests.search.builders import answer, article, ask, make_people, user

ITEM_KEYS = {
    "type", "id", "doc_id", "title", "url", "snippet_html", "score", "thread_id", "category",
    "category_name", "tags", "kind", "solved", "accepted", "official", "author", "created_at",
}  # fmt: skip


@dataclass(frozen=True)
class Site:
    thread_id: int
    answer_id: int
    article_id: int


@pytest.fixture
def site(app) -> Site:
    with app.app_context():
        people = make_people()
        thread = ask(people.alice, people.category, "Forgot my password",
                     "I cannot sign in any more.", tags=["login"])  # fmt: skip
        reply = answer(people.bob, thread, "Use the reset password link on the sign-in page.")
        community.accept_answer(people.alice, thread, reply)
        for n in range(3):
            ask(people.carol, people.category, f"Password rules, part {n}", f"Rules ({n})?")
        official = article(people.sam, people.section, "Reset your password",
                           "Open security settings, then choose reset password.")  # fmt: skip
        return Site(thread.id, reply.id, official.id)


def token_headers(client, username: str) -> dict[str, str]:
    response = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def logs(app) -> list[tuple[str, int | None, str]]:
    with app.app_context():
        return [
            (entry.origin, entry.user_id, entry.query)
            for entry in db.session.scalars(select(SearchLog).order_by(SearchLog.id))
        ]


def test_search_returns_items_facets_and_paging(client, site):
    response = client.get("/api/v1/search?q=password")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"items", "facets", "suggestion", "total", "page", "per_page"}
    assert (body["total"], body["page"], body["per_page"], body["suggestion"]) == (6, 1, 20, None)
    assert set(body["facets"]) == {"type", "category", "tag", "solved"}
    assert body["facets"]["type"] == {"thread": 4, "post": 1, "article": 1}
    assert body["facets"]["tag"] == {"login": 2}
    first = body["items"][0]
    assert set(first) == ITEM_KEYS
    assert (first["type"], first["id"], first["official"]) == ("article", site.article_id, True)
    assert first["url"] == "/kb/articles/reset-your-password"
    assert "<mark>password</mark>" in first["snippet_html"]
    assert first["created_at"].endswith("Z")
    accepted = next(item for item in body["items"] if item["type"] == "post")
    assert (accepted["id"], accepted["thread_id"], accepted["accepted"], accepted["solved"]) == (
        site.answer_id, site.thread_id, True, True
    )  # fmt: skip
    assert accepted["url"] == f"/t/{site.thread_id}/p/{site.answer_id}"


@pytest.mark.parametrize(
    ("args", "types"),
    [
        ("type=article", {"article"}),
        ("type=post", {"post"}),
        ("type=thread&solved=false", {"thread"}),
        ("tag=LOGIN", {"thread", "post"}),
        ("category=account-help", {"article"}),
    ],
)
def test_search_filters(client, site, args, types):
    body = client.get(f"/api/v1/search?q=password&{args}").get_json()
    assert {item["type"] for item in body["items"]} == types
    assert body["total"] == len(body["items"])


def test_search_pages(client, site):
    pages = [
        client.get(f"/api/v1/search?q=password&per_page=4&page={n}").get_json() for n in (1, 2)
    ]
    assert [len(p["items"]) for p in pages] == [4, 2]
    assert {item["doc_id"] for item in pages[0]["items"]}.isdisjoint(
        item["doc_id"] for item in pages[1]["items"]
    )


def test_search_reports_the_page_size_it_used(client, site):
    body = client.get("/api/v1/search?q=password&per_page=100").get_json()
    assert body["per_page"] == 50


def test_search_sorts_by_date(client, site):
    items = client.get("/api/v1/search?q=password&sort=date").get_json()["items"]
    dates = [item["created_at"] for item in items]
    assert dates == sorted(dates, reverse=True)


def test_empty_query_finds_nothing_and_logs_nothing(app, client, site):
    body = client.get("/api/v1/search").get_json()
    assert (body["items"], body["total"]) == ([], 0)
    assert logs(app) == []


def test_search_is_logged_with_origin_api_and_the_token_user(app, client, site):
    client.get("/api/v1/search?q=Password")
    client.get("/api/v1/search?q=password", headers=token_headers(client, "carol"))
    with app.app_context():
        carol_id = user("carol").id
    assert logs(app) == [("api", None, "password"), ("api", carol_id, "password")]


def test_search_refuses_a_bad_token(client, site):
    response = client.get("/api/v1/search?q=x", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_suggestion_for_a_misspelling(client, site):
    body = client.get("/api/v1/search?q=pasword").get_json()
    assert (body["total"], body["suggestion"]) == (0, "password")


def test_similar_returns_up_to_five_threads_and_articles(client, site):
    response = client.get("/api/v1/search/similar?title=How+do+I+reset+my+password")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert 0 < len(items) <= 5
    assert {item["type"] for item in items} <= {"thread", "article"}
    assert items[0]["doc_id"] == f"article:{site.article_id}"


def test_similar_logs_only_signed_in_callers(app, client, site):
    client.get("/api/v1/search/similar?title=reset+password")
    assert logs(app) == []
    client.get("/api/v1/search/similar?title=reset+password", headers=token_headers(client, "bob"))
    assert [(origin, query) for origin, _, query in logs(app)] == [("similar", "reset password")]


@pytest.mark.parametrize(("query", "status"), [("", 422), ("?title=" + "x" * 201, 422)])
def test_similar_refuses_a_missing_or_long_title(client, query, status):
    response = client.get(f"/api/v1/search/similar{query}")
    assert response.status_code == status
    assert "title" in response.get_json()["error"]["fields"]


def test_similar_with_an_empty_title_finds_nothing(client, site):
    assert client.get("/api/v1/search/similar?title=").get_json() == {"items": []}
