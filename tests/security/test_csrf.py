"""CSRF on every state-changing page route, introspected from the URL map so that a new route
is covered the day it is added. The requests come from an admin, so that permissions are not
what refuses them, and carry plausible form data, so that validation is not either."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.security.matrix import SNAPSHOT_IGNORE, build_url, fill, rules_by_key
from tests.security.routes import PAGE_DATA
from tests.security.world import World, csrf_token, diff, sign_in, snapshot

WORLD_CONFIG = {"WTF_CSRF_ENABLED": True}
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
#: Page routes that take no CSRF token, and why.
EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail clients POST without a session; the signed token
    # in the URL is the credential, and the request can only turn email off.
    "POST notifications.unsubscribe",
}
Worlds = tuple[Flask, World]


def unsafe_page_routes(app: Flask) -> list[str]:
    return sorted(
        key
        for key, rule in rules_by_key(app).items()
        if key.split()[0] in UNSAFE and not rule.rule.startswith("/api/")
    )


@pytest.fixture(scope="module")
def admin(world_app: Worlds) -> FlaskClient:
    app, _ = world_app
    return sign_in(app, "admin")


def test_the_inventory_is_not_empty(world_app: Worlds) -> None:
    app, _ = world_app
    keys = unsafe_page_routes(app)
    assert len(keys) > 60
    assert set(keys) >= EXEMPT, "an exemption names a route that no longer exists"


def test_every_unsafe_page_route_refuses_a_request_without_a_token(
    world_app: Worlds, admin: FlaskClient
) -> None:
    app, world = world_app
    problems: list[str] = []
    with app.app_context():
        before = snapshot(SNAPSHOT_IGNORE)
    for key in unsafe_page_routes(app):
        if key in EXEMPT:
            continue
        method, endpoint = key.split()
        url = build_url(app, world, rules_by_key(app)[key], "")
        data = fill(PAGE_DATA.get(endpoint, {}), world)
        response = admin.open(url, method=method, data=data)
        page = response.get_data(as_text=True)
        if response.status_code != 400 or "Your form expired" not in page:
            problems.append(f"{key} {url}: {response.status_code}")
        with app.app_context():
            after = snapshot(SNAPSHOT_IGNORE)
        if diff(before, after):
            problems.append(f"{key} {url}: changed {', '.join(diff(before, after))}")
            before = after
    assert problems == []


def test_a_token_from_another_session_is_refused(world_app: Worlds, admin: FlaskClient) -> None:
    app, world = world_app
    other = sign_in(app, "member")
    stolen = csrf_token(other.get("/notifications/").get_data(as_text=True))
    assert stolen
    response = admin.post(
        f"/t/{world.thread_id}/reply", data={"body": "x" * 30, "csrf_token": stolen}
    )
    assert response.status_code == 400


def test_a_valid_token_is_accepted(world_app: Worlds, admin: FlaskClient) -> None:
    # The refusals above must be about the token, not about the requests themselves.
    _, world = world_app
    token = csrf_token(admin.get("/notifications/").get_data(as_text=True))
    response = admin.post(f"/t/{world.thread_id}/watch", data={"watch": "1", "csrf_token": token})
    assert response.status_code == 302


def test_the_exempt_unsubscribe_only_accepts_a_signed_token(world_app: Worlds) -> None:
    app, _ = world_app
    with app.app_context():
        before = snapshot(SNAPSHOT_IGNORE)
    response = app.test_client().post("/notifications/unsubscribe/forged.token")
    assert response.status_code == 404
    with app.app_context():
        assert diff(before, snapshot(SNAPSHOT_IGNORE)) == []


def test_the_api_is_exempt_because_it_reads_no_cookie(
    world_app: Worlds, admin: FlaskClient
) -> None:
    # The API skips CSRF (it authenticates by bearer token). The signed-in admin's cookie
    # must therefore buy nothing there, and the endpoints that read the session user
    # (search, to count a caller's searches) must be reads.
    app, world = world_app
    assert app.config["WTF_CSRF_ENABLED"]
    response = admin.post(f"/api/v1/threads/{world.thread_id}/posts", json={"body": "x" * 30})
    assert response.status_code == 401
    assert admin.delete(f"/api/v1/posts/{world.reply_id}").status_code == 401
    rules = rules_by_key(app)
    for endpoint in ("search_api.search", "search_api.similar"):
        assert {key.split()[0] for key in rules if key.endswith(" " + endpoint)} == {"GET"}
