"""Rate limits on signing in (per address and per account), password-reset requests, posting,
searching and flagging: past the limit the answer is a 429 with a clear message (a page, or
the API's JSON error), and the refused request saved nothing."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from forum_kb.accounts.models import ApiToken, PasswordResetToken, User
from forum_kb.community import services as community
from forum_kb.community.models import Post
from forum_kb.community.services import NewThread
from forum_kb.extensions import db
from forum_kb.moderation.models import Flag
from forum_kb.search.models import SearchLog
from tests.factories import PASSWORD, make_category, make_user

BODY = "Have you tried cleaning the paper sensor? It fixed error E42 for me."


def count(app: Flask, model: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def from_ip(address: str) -> dict[str, Any]:
    return {"environ_base": {"REMOTE_ADDR": address}}


def assert_limited_page(response: Any) -> None:
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Slow down a little" in page and "Too many attempts" in page
    assert "Retry-After" in response.headers


def assert_limited_json(response: Any) -> None:
    assert response.status_code == 429
    error = response.get_json()["error"]
    assert error["code"] == "rate_limited" and error["message"]


def site(app: Flask) -> dict[str, int]:
    """Two trusted members and a question by alice with an answer by bob."""
    with app.app_context():
        alice = make_user("alice", reputation=100)
        bob = make_user("bob", reputation=100)
        category = make_category("Printing", slug="printing")
        thread = community.create_thread(
            alice, NewThread(category.id, "question", "Printer shows error E42", BODY)
        )
        answer = community.reply_to_thread(bob, thread, BODY + " Then restart.")
        opening = community.opening_post(thread).id
        return {"thread": thread.id, "answer": answer.id, "opening": opening}


def sign_in(app: Flask, name: str) -> Any:
    client = app.test_client()
    assert client.post("/login", data={"login": name, "password": PASSWORD}).status_code == 302
    return client


# --- signing in ----------------------------------------------------------------------------


def test_login_attempts_from_one_address_are_limited(make_app):
    app = make_app(RATELIMIT_LOGIN_PER_IP="3 per minute")
    with app.app_context():
        make_user("bob")
    client = app.test_client()
    for n in range(3):
        assert (
            client.post("/login", data={"login": f"nobody{n}", "password": "x"}).status_code == 200
        )
    # Past the limit even the right password is refused, and nobody is signed in.
    assert_limited_page(client.post("/login", data={"login": "bob", "password": PASSWORD}))
    assert client.get("/account/profile").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.last_login_at).where(User.username == "bob")) is None


def test_failed_logins_against_one_account_are_limited_from_any_address(make_app):
    app = make_app(RATELIMIT_LOGIN_PER_ACCOUNT="2 per minute")
    with app.app_context():
        make_user("bob")
        make_user("carol")
    client = app.test_client()
    for address in ("10.0.0.1", "10.0.0.2"):
        response = client.post(
            "/login", data={"login": "bob", "password": "guess"}, **from_ip(address)
        )
        assert response.status_code == 200
    response = client.post(
        "/login", data={"login": "bob", "password": PASSWORD}, **from_ip("10.0.0.3")
    )
    assert_limited_page(response)
    # Another account is not locked out by bob's attacker.
    response = client.post(
        "/login", data={"login": "carol", "password": PASSWORD}, **from_ip("10.0.0.3")
    )
    assert response.status_code == 302


def test_token_requests_share_the_account_limit_and_issue_nothing_past_it(make_app):
    app = make_app(RATELIMIT_LOGIN_PER_ACCOUNT="2 per minute")
    with app.app_context():
        make_user("bob")
    client = app.test_client()
    for _ in range(2):
        response = client.post("/api/v1/tokens", json={"username": "bob", "password": "guess"})
        assert response.status_code in (401, 422)
    response = client.post("/api/v1/tokens", json={"username": "bob", "password": PASSWORD})
    assert_limited_json(response)
    assert count(app, ApiToken) == 0


def test_password_reset_requests_are_limited(make_app, mailbox):
    app = make_app(RATELIMIT_SIGNUP_PER_IP="2 per hour")
    with app.app_context():
        make_user("bob")
    client = app.test_client()
    for _ in range(2):
        response = client.post("/account/reset", data={"email": "bob@example.com"})
        assert response.status_code == 302
    assert_limited_page(client.post("/account/reset", data={"email": "bob@example.com"}))
    assert count(app, PasswordResetToken) == 2


# --- posting, searching, flagging ---------------------------------------------------------------


def test_posting_is_limited_per_member_across_pages_and_api(make_app):
    app = make_app(RATELIMIT_POSTING="2 per minute")
    ids = site(app)
    browser = sign_in(app, "bob")
    for n in range(2):
        response = browser.post(f"/t/{ids['thread']}/reply", data={"body": f"{BODY} ({n})"})
        assert response.status_code == 302
    before = count(app, Post)
    assert_limited_page(browser.post(f"/t/{ids['thread']}/reply", data={"body": BODY + "!"}))
    # The same member through the API (another address, same account) is limited too.
    token = app.test_client().post("/api/v1/tokens", json={"username": "bob", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    response = app.test_client().post(
        f"/api/v1/threads/{ids['thread']}/posts", json={"body": BODY + "?"}, headers=headers,
        **from_ip("10.0.0.9"),
    )  # fmt: skip
    assert_limited_json(response)
    assert count(app, Post) == before


def test_searching_is_limited_per_address_on_the_page_and_the_api(make_app):
    app = make_app(RATELIMIT_SEARCH="2 per minute")
    site(app)
    client = app.test_client()
    assert client.get("/search/?q=printer").status_code == 200
    assert client.get("/api/v1/search?q=printer").status_code == 200
    logged = count(app, SearchLog)
    assert_limited_page(client.get("/search/?q=printer"))
    assert_limited_json(client.get("/api/v1/search?q=printer"))
    # Suggestions while composing share the same budget.
    assert_limited_json(client.get("/api/v1/search/similar?title=printer+jams+again"))
    assert count(app, SearchLog) == logged
    # Someone else is not affected.
    assert client.get("/search/?q=printer", **from_ip("10.0.0.7")).status_code == 200


def test_flags_are_limited_per_member(make_app):
    app = make_app(RATELIMIT_FLAGS="1 per day")
    ids = site(app)
    with app.app_context():
        carol = make_user("carol", reputation=100)
        thread = community.create_thread(
            carol, NewThread(1, "discussion", "Another printer question", BODY)
        )
        carol_post = community.opening_post(thread).id
    browser = sign_in(app, "bob")
    assert browser.post(f"/posts/{ids['opening']}/flag", data={"reason": "spam"}).status_code == 302
    assert_limited_page(browser.post(f"/posts/{carol_post}/flag", data={"reason": "spam"}))
    assert count(app, Flag) == 1
