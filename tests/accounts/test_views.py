"""Account pages through HTTP: status codes, redirects, sessions, permissions, throttling."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum_kb.accounts.models import Role, User
from forum_kb.extensions import db
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "a brand new passphrase"


def user_row(app, username: str) -> User | None:
    with app.app_context():
        return db.session.scalar(select(User).where(User.username_key == username.lower()))


def is_signed_in(client) -> bool:
    return b"Sign out" in client.get("/").data


# --- registration and sign-in --------------------------------------------------------------


def test_register_signs_in_and_redirects_home(client, app):
    response = client.post(
        "/register",
        data={"username": "dana", "email": "dana@example.com", "password": NEW_PASSWORD,
              "confirm": NEW_PASSWORD},
    )  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert user_row(app, "dana") is not None
    assert is_signed_in(client)


def test_register_errors_shown_on_form_and_nothing_saved(client, app):
    with app.app_context():
        make_user("dana")
    response = client.post(
        "/register",
        data={
            "username": "DANA",
            "email": "x@example.com",
            "password": "short",
            "confirm": "short",
        },
    )
    assert response.status_code == 200
    assert b"That username is taken." in response.data
    assert b"Use at least 10 characters." in response.data
    assert user_row(app, "x") is None


def test_register_mismatched_confirmation(client, app):
    response = client.post(
        "/register",
        data={"username": "dana", "email": "d@example.com", "password": NEW_PASSWORD,
              "confirm": "something else"},
    )  # fmt: skip
    assert b"The passwords do not match." in response.data
    assert user_row(app, "dana") is None


def test_login_and_logout(client, app, auth):
    with app.app_context():
        make_user("bob")
    assert auth.login("bob").status_code == 302
    assert is_signed_in(client)
    assert auth.logout().status_code == 302
    assert not is_signed_in(client)


def test_login_wrong_password_shows_clear_message(client, app, auth):
    with app.app_context():
        make_user("bob")
    response = auth.login("bob", "not the password")
    assert response.status_code == 200
    assert b"Wrong username or password." in response.data
    assert b'aria-invalid="true"' in response.data


def test_login_with_empty_fields_is_a_form_error(client):
    response = client.post("/login", data={"login": "", "password": ""})
    assert response.status_code == 200
    assert b"This field is required." in response.data


def test_logout_is_post_only(client, app, auth):
    with app.app_context():
        make_user("bob")
    auth.login("bob")
    assert client.get("/logout").status_code == 405
    assert is_signed_in(client)


# --- open redirects --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/u/bob", "/u/bob"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_login_next_is_same_site_only(client, app, next_url, expected):
    with app.app_context():
        make_user("bob")
    response = client.post(
        "/login", query_string={"next": next_url}, data={"login": "bob", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_protected_page_redirects_to_login_with_next(client):
    response = client.get("/account/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


# --- ending sessions -------------------------------------------------------------------------


def test_logout_ends_every_session_including_remember_me(app, auth):
    with app.app_context():
        make_user("bob")
    laptop, phone = app.test_client(), app.test_client()
    type(auth)(laptop).login("bob")
    type(auth)(phone).login("bob", remember=True)
    assert is_signed_in(laptop) and is_signed_in(phone)
    type(auth)(laptop).logout()
    assert not is_signed_in(phone)
    # Even the remember-me cookie alone no longer signs the phone back in.
    with phone.session_transaction() as session:
        session.clear()
    assert phone.get_cookie("remember_token") is not None
    assert not is_signed_in(phone)


def test_password_change_keeps_this_session_and_ends_others(app):
    from tests.conftest import Auth

    with app.app_context():
        make_user("bob")
    laptop, phone = app.test_client(), app.test_client()
    Auth(laptop).login("bob")
    Auth(phone).login("bob", remember=True)
    response = laptop.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)


def test_password_change_wrong_current_password(client, app, auth):
    with app.app_context():
        make_user("bob")
    auth.login("bob")
    response = client.post(
        "/account/password",
        data={"current_password": "nope nope nope", "new_password": NEW_PASSWORD,
              "confirm": NEW_PASSWORD},
    )  # fmt: skip
    assert response.status_code == 200
    assert b"That is not your current password." in response.data


def test_password_reset_flow_through_email(client, app, mailbox):
    with app.app_context():
        make_user("bob")
    response = client.post("/account/reset", data={"email": "bob@example.com"})
    assert response.status_code == 302
    body = mailbox.messages[0].get_content()
    link = re.search(r"http://localhost(/account/reset/\S+)", body)
    assert link, body
    path = link.group(1)
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    # Single use: the same link now explains it no longer works.
    again = client.get(path)
    assert again.status_code == 404
    assert b"does not work" in again.data
    assert client.post("/login", data={"login": "bob", "password": NEW_PASSWORD}).status_code == 302


def test_password_reset_request_does_not_reveal_accounts(client, app, mailbox):
    known = client.post("/account/reset", data={"email": "nobody@example.com"})
    assert known.status_code == 302
    assert mailbox.messages == []


def test_password_reset_bad_token_is_404(client):
    assert client.get("/account/reset/not-a-token").status_code == 404


# --- profiles --------------------------------------------------------------------------------


def test_profile_shows_public_details_not_email(client, app):
    with app.app_context():
        make_user("bob", display_name="Bob Okafor", bio="Home-lab tinkerer.")
    response = client.get("/u/BOB")
    assert response.status_code == 200
    page = response.data.decode()
    assert "Bob Okafor" in page and "Home-lab tinkerer." in page and "Joined" in page
    assert 'class="avatar' in page and ">BO<" in page
    assert "bob@example.com" not in page


def test_profile_escapes_user_text(client, app):
    with app.app_context():
        make_user("bob", display_name="<script>x</script>", bio="<img src=x onerror=alert(1)>")
    page = client.get("/u/bob").data.decode()
    assert "<script>x" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_unknown_profile_is_404(client):
    assert client.get("/u/nobody").status_code == 404


def test_profile_edit_saves(client, app, auth):
    with app.app_context():
        make_user("bob")
    auth.login("bob")
    response = client.post("/account/profile", data={"display_name": "Bobby", "bio": "Hi"})
    assert response.status_code == 302
    assert user_row(app, "bob").display_name == "Bobby"


def test_profile_edit_rejects_overlong_bio(client, app, auth):
    with app.app_context():
        make_user("bob")
    auth.login("bob")
    response = client.post("/account/profile", data={"display_name": "", "bio": "x" * 2001})
    assert response.status_code == 200
    assert user_row(app, "bob").bio == ""


# --- admin -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 302), (Role.MEMBER, 403), (Role.MODERATOR, 403), (Role.STAFF, 403), (Role.ADMIN, 200)],
)
def test_admin_users_page_permissions(client, app, auth, role, status):
    if role is not None:
        with app.app_context():
            make_user("someone", role=role)
        auth.login("someone")
    assert client.get("/admin/users").status_code == status


@pytest.mark.parametrize(
    ("path", "role", "status"),
    [
        ("/moderation/", Role.MEMBER, 403),
        ("/moderation/", Role.MODERATOR, 200),
        ("/staff/queue", Role.MODERATOR, 403),
        ("/staff/queue", Role.STAFF, 200),
        ("/staff/queue", Role.ADMIN, 200),
    ],
)
def test_role_pages(client, app, auth, path, role, status):
    with app.app_context():
        make_user("someone", role=role)
    auth.login("someone")
    assert client.get(path).status_code == status


def test_navigation_shows_links_by_role(client, app, auth):
    with app.app_context():
        make_user("mod", role=Role.MODERATOR)
    assert b"Moderation" not in client.get("/").data
    auth.login("mod")
    page = client.get("/").data
    assert b"Moderation" in page and b"Staff queue" not in page and b">Admin<" not in page


def test_admin_changes_role(client, app, auth):
    with app.app_context():
        make_user("root1", role=Role.ADMIN)
        bob = make_user("bob")
        bob_id = bob.id
    auth.login("root1")
    listing = client.get("/admin/users?q=bo").data
    assert b'href="/u/bob">bob</a>' in listing
    assert b'href="/u/root1">root1</a>' not in listing
    response = client.post(f"/admin/users/{bob_id}/role", data={"role": "staff"})
    assert response.status_code == 302
    assert user_row(app, "bob").role == Role.STAFF


def test_admin_role_change_rejects_unknown_role(client, app, auth):
    with app.app_context():
        make_user("root1", role=Role.ADMIN)
        bob_id = make_user("bob").id
    auth.login("root1")
    response = client.post(f"/admin/users/{bob_id}/role", data={"role": "overlord"})
    assert response.status_code == 302
    assert user_row(app, "bob").role == Role.MEMBER


def test_member_cannot_post_role_change(client, app, auth):
    with app.app_context():
        make_user("eve")
        bob_id = make_user("bob").id
    auth.login("eve")
    assert client.post(f"/admin/users/{bob_id}/role", data={"role": "admin"}).status_code == 403
    assert user_row(app, "bob").role == Role.MEMBER


def test_role_change_for_missing_user_is_404(client, app, auth):
    with app.app_context():
        make_user("root1", role=Role.ADMIN)
    auth.login("root1")
    assert client.post("/admin/users/9999/role", data={"role": "staff"}).status_code == 404


# --- throttling ------------------------------------------------------------------------------


def test_login_throttled_per_account_across_ips(make_app):
    app = make_app(
        RATELIMIT_LOGIN_PER_ACCOUNT="3 per minute", RATELIMIT_LOGIN_PER_IP="100 per minute"
    )
    with app.app_context():
        make_user("bob")
    client = app.test_client()
    for n in range(3):
        response = client.post(
            "/login",
            data={"login": "bob", "password": "wrong guess"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
        )
        assert response.status_code == 200
    blocked = client.post(
        "/login",
        data={"login": "bob", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert blocked.status_code == 429
    assert b"Slow down" in blocked.data
    assert "Retry-After" in blocked.headers
    # Another account is not affected.
    with app.app_context():
        make_user("carol")
    assert client.post("/login", data={"login": "carol", "password": PASSWORD}).status_code == 302


def test_successful_logins_do_not_use_up_the_account_limit(make_app):
    app = make_app(RATELIMIT_LOGIN_PER_ACCOUNT="2 per minute")
    with app.app_context():
        make_user("bob")
    for _ in range(4):
        client = app.test_client()
        assert client.post("/login", data={"login": "bob", "password": PASSWORD}).status_code == 302


def test_login_throttled_per_ip(make_app):
    app = make_app(RATELIMIT_LOGIN_PER_IP="3 per minute")
    client = app.test_client()
    for n in range(3):
        client.post("/login", data={"login": f"user{n}", "password": "x" * 10})
    assert client.post("/login", data={"login": "other", "password": "x" * 10}).status_code == 429
    # The same limit covers the token API: one budget for both ways in.
    response = client.post("/api/v1/tokens", json={"username": "other", "password": "x" * 10})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "rate_limited"


def test_registration_throttled_per_ip(make_app):
    app = make_app(RATELIMIT_SIGNUP_PER_IP="2 per hour")
    client = app.test_client()
    for n in range(2):
        client.post("/register", data={"username": f"u{n}xx"})
    assert client.post("/register", data={"username": "u9xx"}).status_code == 429
