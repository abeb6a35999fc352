"""Notification pages through HTTP: sign-in, ownership, forms, and the unsubscribe link."""

from __future__ import annotations

import re

import pytest
from flask import url_for
from sqlalchemy import select

from forum_kb.extensions import db
from forum_kb.notifications import services
from forum_kb.notifications.models import EmailMode, Notification, NotificationSetting
from tests.factories import make_user

SITE_URL = "http://127.0.0.1:5000"


@pytest.fixture
def bob(app):
    return make_user_in(app, "bob")


def notify(app, user, **overrides) -> int:
    values = {"kind": "reply", "title": "alice replied to “Printer error”",
              "body": "Try turning it off and on again.", "url": "/t/1/p/2",
              "email_flag": "replies"}  # fmt: skip
    values.update(overrides)
    with app.app_context():
        recipient = db.session.get(type(user), user.id)
        [notification] = services.notify([recipient], **values)
        return notification.id


def read_at(app, notification_id: int):
    with app.app_context():
        return db.session.get(Notification, notification_id).read_at


def mode_of(app, user) -> EmailMode | None:
    with app.app_context():
        return db.session.scalar(
            select(NotificationSetting.email_mode).where(NotificationSetting.user_id == user.id)
        )


# --- sign-in ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/notifications/"), ("post", "/notifications/read"),
     ("get", "/notifications/settings"), ("post", "/notifications/settings")],
)  # fmt: skip
def test_pages_require_sign_in(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_service_paths_match_the_url_rules(app):
    with app.test_request_context():
        assert url_for("notifications.settings") == services.SETTINGS_PATH
        assert url_for("notifications.unsubscribe", token="t") == services.UNSUBSCRIBE_PATH + "t"


# --- list and header ----------------------------------------------------------------------------


def test_list_shows_notifications_newest_first_with_unread_marked(app, client, auth, bob):
    notify(app, bob, title="Older one", url="/t/1")
    newer = notify(app, bob, title="Newer one", url="/t/2")
    notify(app, make_user_in(app, "carol"), title="Someone else's")
    auth.login(bob)
    client.post("/notifications/read", data={"notification_id": newer})
    page = client.get("/notifications/").get_data(as_text=True)
    assert page.index("Newer one") < page.index("Older one")
    assert "Someone else" not in page
    assert '<a href="/t/1">' in page and '<a href="/t/2">' in page
    assert page.count(">New</span>") == 1


def test_list_empty_state(client, auth, bob):
    auth.login(bob)
    assert b"No notifications yet." in client.get("/notifications/").data


def test_header_shows_unread_count(app, client, auth, bob):
    auth.login(bob)
    assert b'class="badge count"' not in client.get("/").data
    notify(app, bob)
    notify(app, bob)
    page = client.get("/").get_data(as_text=True)
    assert re.search(
        r'Notifications <span class="badge count">2<span class="visually-hidden"> unread</span>',
        page,
    )


def test_header_has_no_notifications_link_for_visitors(client):
    assert b"/notifications/" not in client.get("/").data


# --- marking read -------------------------------------------------------------------------------


def test_mark_all_read(app, client, auth, bob):
    ids = [notify(app, bob), notify(app, bob)]
    auth.login(bob)
    response = client.post("/notifications/read")
    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications/"
    assert all(read_at(app, i) is not None for i in ids)


def test_mark_one_read_and_return_to_the_page(app, client, auth, bob):
    first, second = notify(app, bob), notify(app, bob)
    auth.login(bob)
    response = client.post(
        "/notifications/read", data={"notification_id": first, "next": "/notifications/?page=1"}
    )
    assert response.headers["Location"] == "/notifications/?page=1"
    assert read_at(app, first) is not None and read_at(app, second) is None


def test_mark_read_ignores_unsafe_next(app, client, auth, bob):
    auth.login(bob)
    response = client.post("/notifications/read", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/notifications/"


def test_cannot_mark_another_users_notification_read(app, client, auth, bob):
    carols = notify(app, make_user_in(app, "carol"))
    auth.login(bob)
    client.post("/notifications/read", data={"notification_id": carols})
    assert read_at(app, carols) is None


def test_mark_read_rejects_a_malformed_id(app, client, auth, bob):
    mine = notify(app, bob)
    auth.login(bob)
    response = client.post("/notifications/read", data={"notification_id": "all"})
    assert response.status_code == 302
    assert read_at(app, mine) is None


def test_mark_read_still_needs_csrf(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    bob = make_user_in(app, "bob")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = bob.get_id()
    assert client.get("/notifications/").status_code == 200  # signed in
    assert client.post("/notifications/read").status_code == 400


# --- settings -----------------------------------------------------------------------------------


def test_settings_page_shows_current_values(client, auth, bob):
    auth.login(bob)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert '<option selected value="immediate">' in page
    assert 'checked id="email_replies"' in page


def test_settings_saved_with_prg(app, client, auth, bob):
    auth.login(bob)
    response = client.post(
        "/notifications/settings", data={"email_mode": "digest", "email_mentions": "y"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications/settings"
    with app.app_context():
        saved = db.session.get(NotificationSetting, bob.id)
        assert (saved.email_mode, saved.email_replies, saved.email_mentions) == (
            EmailMode.DIGEST,
            False,
            True,
        )


def test_settings_bad_mode_is_a_form_error_and_nothing_saved(app, client, auth, bob):
    auth.login(bob)
    response = client.post("/notifications/settings", data={"email_mode": "weekly"})
    assert response.status_code == 200
    assert b"Not a valid choice" in response.data
    assert mode_of(app, bob) is None


# --- unsubscribe --------------------------------------------------------------------------------


def unsubscribe_path(app, user) -> str:
    with app.app_context():
        return services.UNSUBSCRIBE_PATH + services.unsubscribe_token(user)


def test_unsubscribe_get_only_asks_for_confirmation(app, client, bob):
    response = client.get(unsubscribe_path(app, bob))
    assert response.status_code == 200
    assert b"Unsubscribe</button>" in response.data
    assert mode_of(app, bob) is None


def test_unsubscribe_post_works_without_sign_in(app, client, bob):
    response = client.post(unsubscribe_path(app, bob))
    assert response.status_code == 200
    assert b"You are unsubscribed" in response.data
    assert mode_of(app, bob) == EmailMode.NEVER
    page = client.get(unsubscribe_path(app, bob))
    assert b"already gets no notification email" in page.data


def test_unsubscribe_bad_token_is_404(client):
    assert client.get("/notifications/unsubscribe/nonsense").status_code == 404
    assert client.post("/notifications/unsubscribe/nonsense").status_code == 404


def test_one_click_unsubscribe_without_csrf_token_or_cookie(make_app):
    """RFC 8058: the mail provider POSTs the header's URL with just this body."""
    app = make_app(WTF_CSRF_ENABLED=True)
    bob = make_user_in(app, "bob")
    response = app.test_client().post(
        unsubscribe_path(app, bob), data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert mode_of(app, bob) == EmailMode.NEVER


def test_emailed_unsubscribe_link_works_and_stops_email(app, client, mailbox, bob):
    notify(app, bob)
    [message] = mailbox.messages
    header_url = message["List-Unsubscribe"].strip("<>")
    assert header_url in message.get_content()
    assert header_url.startswith(SITE_URL)

    response = client.post(header_url.removeprefix(SITE_URL))
    assert response.status_code == 200
    assert mode_of(app, bob) == EmailMode.NEVER

    mailbox.clear()
    notify(app, bob)
    notify(app, bob, kind="mention", email_flag=None)
    assert mailbox.messages == []


def make_user_in(app, username: str):
    """A user row, detached with its attributes loaded, for use across app contexts."""
    with app.app_context():
        user = make_user(username)
        db.session.refresh(user)
        db.session.expunge(user)
        return user
