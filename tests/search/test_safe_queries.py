"""Hostile or odd search input is never an error: advanced syntax is searched as words (or
dropped), and the page and the API answer with results, an empty page or a 4xx, never a 500."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from forum_kb.search import services
from tests.search.builders import answer, article, ask, find, make_people

ODD_QUERIES = [
    "body:[a TO z]",
    "title:[* TO *]",
    "created:>2020",
    "*e*",
    "title:x",
    "re*",
    "?",
    "a~2",
    "password~",
    "/regex/",
    "/.*/",
    '"unbalanced quote',
    'one "two',
    "(unbalanced",
    "unbalanced)",
    "((((((((((a))",
    "a AND",
    "OR",
    "NOT NOT NOT",
    "+ - ! && ||",
    "password^100",
    "{a TO b}",
    "\\",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "%",
    "title:",
    ":::",
    "!!!???...",
    "----",
    "ünïcödé ⁂ 漢字",
    "password " * 100,
    "x" * 10_000,
]
#: NUL characters never get past the request guard (400); the services never see them.
HTTP_ONLY = ["a\x00b", "\x00"]


@pytest.fixture
def content(app):
    with app.app_context():
        people = make_people()
        thread = ask(people.alice, people.category, "Reset my password", "Password reset fails.")
        answer(people.bob, thread, "Use the reset password link on the sign-in page.")
        article(people.sam, people.section, "Reset your password", "Open security, then reset.")
    return app


@pytest.mark.parametrize("q", ODD_QUERIES)
def test_services_never_fail_on_odd_input(content, q):
    with content.app_context():
        results = find(q)
        assert results.total >= len(results.items) >= 0
        find(q, sort="date", type="thread", tag="x", category="y", solved="true")
        services.similar(q)
        services.related(1, q)


def test_field_syntax_is_searched_as_words(content):
    with content.app_context():
        # "title:reset" would search only titles; here it finds the word "reset" anywhere.
        assert {hit.type for hit in find("title:reset").items} == {"thread", "post", "article"}
        assert find("body:[a TO z]").items == []


@pytest.mark.parametrize("q", ODD_QUERIES + HTTP_ONLY)
def test_page_and_api_answer_every_query(content, client, q):
    response = client.get(f"/search/?q={quote(q)}")
    assert response.status_code == (400 if "\x00" in q else 200)
    assert "<script>alert" not in response.get_data(as_text=True)
    for path in (f"/api/v1/search?q={quote(q)}", f"/api/v1/search/similar?title={quote(q)}"):
        response = client.get(path)
        assert response.status_code in (200, 400, 422), path
        assert response.is_json
        if response.status_code != 200:
            assert response.get_json()["error"]["message"]


def test_page_explains_a_query_that_is_too_long(content, client):
    page = client.get(f"/search/?q={'x' * 201}").get_data(as_text=True)
    assert "Search for at most 200 characters" in page
    assert 'class="search-result-list"' not in page


def test_api_refuses_a_query_that_is_too_long(content, client):
    response = client.get(f"/api/v1/search?q={'x' * 201}")
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["q"]


@pytest.mark.parametrize(
    ("args", "status", "field"),
    [
        ("type=user", 422, "type"),
        ("sort=score", 422, "sort"),
        ("solved=maybe", 422, "solved"),
        ("category=Not%20a%20slug", 422, "category"),
        ("tag=" + "t" * 41, 422, "tag"),
        ("page=0", 400, None),
        ("page=abc", 400, None),
        ("page=99999999999999999999", 400, None),
        ("per_page=101", 400, None),
        ("per_page=-1", 400, None),
    ],
)
def test_api_refuses_bad_parameters(content, client, args, status, field):
    response = client.get(f"/api/v1/search?q=password&{args}")
    assert response.status_code == status
    error = response.get_json()["error"]
    if field:
        assert field in error["fields"]


@pytest.mark.parametrize(
    "args",
    ["type=user", "sort=score", "solved=maybe", "page=abc", "page=-3", "category=%3Cb%3E",
     "tag=%23%23%23"],
)  # fmt: skip
def test_page_ignores_bad_filters(content, client, args):
    response = client.get(f"/search/?q=password&{args}")
    assert response.status_code == 200
    assert 'class="search-result-list"' in response.get_data(as_text=True)


def test_page_past_the_end_offers_the_first_page(content, client):
    page = client.get("/search/?q=password&page=99999999999999").get_data(as_text=True)
    assert "No more results" in page and 'href="/search/?q=password"' in page
