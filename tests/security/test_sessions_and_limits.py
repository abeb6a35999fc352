"""Sessions end when they should (sign-out, password change, suspension: cookies, remember-me
cookies and API tokens alike), cookies carry their flags, and oversized requests are a 413
(a page, or the API's JSON error) that saved nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forum_kb.accounts.models import Role
from forum_kb.community import services as community
from forum_kb.community.models import Post
from forum_kb.community.services import NewThread
from forum_kb.extensions import db
from tests.factories import PASSWORD, make_category, make_user

NEW_PASSWORD = "a much longer new secret"
BODY = "Have you tried cleaning the paper sensor? It fixed error E42 for me."


@pytest.fixture
def people(app: Flask) -> Flask:
    with app.app_context():
        make_user("bob", reputation=100)
        make_user("mia", role=Role.MODERATOR)
    return app


def browser(app: Flask, name: str, *, remember: bool = False) -> FlaskClient:
    client = app.test_client()
    data = {"login": name, "password": PASSWORD} | ({"remember": "y"} if remember else {})
    assert client.post("/login", data=data).status_code == 302
    return client


def only_remember_cookie(client: FlaskClient) -> FlaskClient:
    """The browser after a restart: the session cookie is gone, the remember-me one stays."""
    client.delete_cookie("session")
    return client


def signed_in(client: FlaskClient) -> bool:
    return client.get("/account/profile").status_code == 200


def token_for(app: Flask, name: str) -> dict[str, str]:
    response = app.test_client().post(
        "/api/v1/tokens", json={"username": name, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def token_works(app: Flask, headers: dict[str, str]) -> bool:
    return app.test_client().get("/api/v1/me", headers=headers).status_code == 200


# --- ending sessions -------------------------------------------------------------------------


def test_signing_out_ends_every_session_of_the_user(people):
    here, there = browser(people, "bob"), browser(people, "bob", remember=True)
    assert here.post("/logout").status_code == 302
    assert not signed_in(here)
    assert not signed_in(there)
    assert not signed_in(only_remember_cookie(there))


def test_changing_the_password_ends_the_other_sessions_and_tokens(people):
    here, there = browser(people, "bob"), browser(people, "bob", remember=True)
    later = only_remember_cookie(browser(people, "bob", remember=True))
    headers = token_for(people, "bob")
    response = here.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert signed_in(here)  # the device that changed it stays signed in
    assert not signed_in(there)
    assert not signed_in(later)
    assert not token_works(people, headers)


def test_a_suspension_ends_sessions_and_tokens_and_refuses_sign_in(people):
    bob, later = browser(people, "bob"), only_remember_cookie(browser(people, "bob", remember=True))
    headers = token_for(people, "bob")
    assert signed_in(bob) and token_works(people, headers)
    mia = browser(people, "mia")
    response = mia.post(
        "/moderation/users/bob/sanction", data={"kind": "suspend", "days": "3", "reason": "spam"}
    )
    assert response.status_code == 302
    assert not signed_in(bob)
    assert not signed_in(later)
    assert not token_works(people, headers)
    again = people.test_client().post("/login", data={"login": "bob", "password": PASSWORD})
    assert again.status_code == 200 and b"suspended" in again.data
    tokens = people.test_client().post(
        "/api/v1/tokens", json={"username": "bob", "password": PASSWORD}
    )
    assert tokens.status_code in (401, 403)


# --- cookies ---------------------------------------------------------------------------------


def cookie(response: Any, name: str) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "="))


def test_every_cookie_is_httponly_and_samesite_lax(people):
    response = people.test_client().post(
        "/login", data={"login": "bob", "password": PASSWORD, "remember": "y"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    assert {c.split("=", 1)[0] for c in cookies} == {"session", "remember_token"}
    for value in cookies:
        assert "HttpOnly" in value and "SameSite=Lax" in value


def test_signing_out_clears_the_remember_cookie(people):
    client = browser(people, "bob", remember=True)
    removed = cookie(client.post("/logout"), "remember_token")
    assert "Expires=Thu, 01 Jan 1970" in removed or "Max-Age=0" in removed


def test_cookies_are_secure_over_https(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    with app.app_context():
        make_user("bob")
    response = app.test_client().post(
        "/login",
        data={"login": "bob", "password": PASSWORD, "remember": "y"},
        base_url="https://localhost",
    )
    for name in ("session", "remember_token"):
        value = cookie(response, name)
        assert "Secure" in value and "HttpOnly" in value and "SameSite=Lax" in value


# --- request size ----------------------------------------------------------------------------


@pytest.fixture
def small(make_app: Any) -> tuple[Flask, int]:
    app = make_app(MAX_CONTENT_LENGTH=4096)
    with app.app_context():
        bob = make_user("bob", reputation=100)
        category = make_category("Printing", slug="printing")
        thread = community.create_thread(
            bob, NewThread(category.id, "question", "Printer shows error E42", BODY)
        )
        return app, thread.id


def posts(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Post)) or 0)


def test_an_oversized_reply_form_is_a_413_page(small):
    app, thread_id = small
    client = browser(app, "bob")
    before = posts(app)
    response = client.post(f"/t/{thread_id}/reply", data={"body": "x" * 10_000})
    assert response.status_code == 413
    assert b"too large" in response.data and b"<nav" in response.data
    assert posts(app) == before


def test_an_oversized_upload_is_a_413_page(small):
    app, thread_id = small
    client = browser(app, "bob")
    response = client.post(
        f"/t/{thread_id}/reply",
        data={"body": BODY, "file": (io.BytesIO(b"x" * 10_000), "big.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413


def test_an_oversized_api_post_is_a_413_json_error(small):
    app, thread_id = small
    before = posts(app)
    response = app.test_client().post(
        f"/api/v1/threads/{thread_id}/posts", json={"body": "x" * 10_000},
        headers=token_for(app, "bob"),
    )  # fmt: skip
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert posts(app) == before
