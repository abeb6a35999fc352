"""Reading changes nothing: every GET route of the URL map (pages and API, each object the
authorization table names) is requested by an admin and by an anonymous visitor, and every
row of every table is compared before and after. Every response also carries the security
headers, whatever its kind (page, JSON, redirect, error, static file)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.security.matrix import build_url, rules_by_key
from tests.security.routes import API, PAGES
from tests.security.world import ROLE_USERS, World, api_token, diff, sign_in, snapshot

Worlds = tuple[Flask, World]
#: What a read may change, and why. Everything else must stay as it was.
ALLOWED_WRITES: dict[str, set[str]] = {
    # View counters (threads and articles, in total and per day) for popularity and insights.
    "threads": {"view_count"},
    "thread_daily_views": {"*"},
    "kb_articles": {"view_count"},
    "kb_article_daily_views": {"*"},
    # The search log (queries, result clicks, deflection while composing) feeds insights.
    "search_log": {"*"},
    # A token's "last used" time, so that its owner can spot a leaked one.
    "api_tokens": {"last_used_at"},
}
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def get_routes() -> list[tuple[str, str]]:
    rows = {**PAGES, **API}
    return [
        (key, variant) for key in sorted(rows) if key.startswith("GET ") for variant in rows[key]
    ]


def header_problems(response: TestResponse) -> list[str]:
    problems = [
        f"{name}: {response.headers.get(name)!r}"
        for name, value in HEADERS.items()
        if response.headers.get(name) != value
    ]
    csp = response.headers.get("Content-Security-Policy", "")
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'",
                      "object-src 'none'", "base-uri 'none'"):  # fmt: skip
        if directive not in csp:
            problems.append(f"CSP without {directive}")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append("CSP allows inline script")
    return problems


@pytest.fixture(scope="module")
def visitors(world_app: Worlds) -> dict[str, tuple[FlaskClient, dict[str, str]]]:
    app, _ = world_app
    token = api_token(app.test_client(), ROLE_USERS["admin"])
    return {
        "admin": (sign_in(app, "admin"), {"Authorization": f"Bearer {token}"}),
        "anonymous": (app.test_client(), {}),
    }


@pytest.mark.parametrize("who", ["admin", "anonymous"])
def test_no_get_route_changes_state(
    world_app: Worlds, visitors: dict[str, tuple[FlaskClient, dict[str, str]]], who: str
) -> None:
    app, world = world_app
    client, headers = visitors[who]
    rules = rules_by_key(app)
    problems: list[str] = []
    with app.app_context():
        before = snapshot(ALLOWED_WRITES)
    for key, variant in get_routes():
        url = build_url(app, world, rules[key], variant)
        with client.get(url, headers=headers if url.startswith("/api/") else {}) as response:
            problems += [f"{key} {url}: {p}" for p in header_problems(response)]
            if response.status_code >= 500:
                problems.append(f"{key} {url}: {response.status_code}")
        with app.app_context():
            after = snapshot(ALLOWED_WRITES)
        changed = diff(before, after)
        if changed:
            problems.append(f"{key} {url}: changed {', '.join(changed)}")
            before = after
    assert problems == []


def test_the_allowed_writes_do_happen(world_app: Worlds) -> None:
    # The exceptions above are real (a renamed column would make them silently broad).
    app, world = world_app
    with app.app_context():
        before = snapshot()
    client = app.test_client()
    client.get(f"/t/{world.thread_id}")
    client.get(f"/kb/articles/{world.published_slug}")
    client.get("/search/?q=printer")
    with app.app_context():
        changed = set(diff(before, snapshot()))
    assert {"threads", "kb_articles", "search_log"} <= changed
    assert changed <= set(ALLOWED_WRITES)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/no/such/page", 404),
        ("GET", "/api/v1/no-such-endpoint", 404),
        ("PUT", "/api/v1/tokens", 405),
        ("POST", "/search/", 405),
        ("GET", "/admin/users", 302),
        ("GET", "/api/v1/me", 401),
        ("GET", "/static/css/app.css", 200),
    ],
)
def test_error_and_static_responses_carry_the_headers(
    world_app: Worlds, method: str, path: str, status: int
) -> None:
    app, _ = world_app
    with app.test_client().open(path, method=method) as response:
        assert response.status_code == status
        assert header_problems(response) == []
