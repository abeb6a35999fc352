"""The authorization matrix of the JSON API: every ``/api/v1`` endpoint, each role with its own
bearer token, owned, not owned, invisible and missing objects (expectations in ``routes.py``).
Refusals carry the uniform error body with the code of their status; 401s say ``Bearer``."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from tests.security.matrix import RowCheck, rules_by_key
from tests.security.routes import API
from tests.security.world import ROLE_USERS, World, api_token

Worlds = tuple[Flask, World]


@pytest.fixture(scope="module")
def tokens(world_app: Worlds) -> dict[str, str]:
    app, _ = world_app
    return {role: api_token(app.test_client(), name) for role, name in ROLE_USERS.items()}


@pytest.mark.parametrize("key", sorted(API))
def test_api_endpoint_answers_each_role_as_classified(
    world_app: Worlds, tokens: dict[str, str], key: str
) -> None:
    app, world = world_app
    client = app.test_client()  # no cookies: the API authenticates by token only

    def send(role: str, method: str, url: str, data: Any) -> TestResponse:
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role in tokens else {}
        if method in ("GET", "DELETE"):
            return client.open(url, method=method, headers=headers)
        return client.open(url, method=method, headers=headers, json=data)

    check = RowCheck(app, world, key, rules_by_key(app)[key], send, is_api=True)
    assert check.run(API[key]) == []


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer not-a-token", "invalid"),
        ("Basic Ym9iOnNlY3JldA==", "Bearer"),
        ("Bearer ", "Bearer"),
    ],
)
def test_a_bad_token_is_401_even_on_public_endpoints(
    world_app: Worlds, header: str, message: str
) -> None:
    app, _ = world_app
    response = app.test_client().get("/api/v1/threads", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert message in response.get_json()["error"]["message"]


def test_the_api_ignores_the_session_cookie(world_app: Worlds) -> None:
    # A signed-in browser carries its cookie to /api/v1 too; it must not act as the user, or
    # any site could make the browser post through the (CSRF-exempt) API.
    app, world = world_app
    from tests.security.world import sign_in

    browser = sign_in(app, "admin")
    assert browser.get("/api/v1/me").status_code == 401
    response = browser.post(f"/api/v1/threads/{world.thread_id}/posts", json={"body": "x" * 20})
    assert response.status_code == 401
    assert browser.get(f"/api/v1/threads/{world.hidden_thread_id}").status_code == 404
