"""Notification use cases against a real database and a real SMTP server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from forum_kb.db import unit_of_work, utcnow
from forum_kb.errors import NotFound, ValidationFailed
from forum_kb.extensions import db
from forum_kb.notifications import services
from forum_kb.notifications.models import EmailMode, Notification, NotificationSetting
from tests.factories import make_user

SITE_URL = "http://127.0.0.1:5000"


def notify(recipients, **overrides):
    values = {
        "kind": "reply",
        "title": "alice replied to “Printer error”",
        "body": "Try turning it off and on again.",
        "url": "/t/1/p/2",
        "email_flag": "replies",
    }
    values.update(overrides)
    return services.notify(recipients, **values)


def rows(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def set_mode(user, mode: EmailMode, *, replies: bool = True, mentions: bool = True) -> None:
    services.update_settings(user, mode, replies, mentions)


def mails_to(mailbox, user) -> list:
    return [m for m in mailbox.messages if m["To"] == user.email]


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args) -> None:
        self.count += 1


# --- notify -------------------------------------------------------------------------------------


def test_notify_creates_one_row_per_distinct_recipient_and_skips_actor(app_ctx, mailbox):
    actor, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    created = notify([bob, carol, bob, actor], actor=actor)
    assert sorted(n.user_id for n in created) == sorted([bob.id, carol.id])
    assert rows(actor) == []
    [stored] = rows(bob)
    assert (stored.kind, stored.url, stored.actor_id) == ("reply", "/t/1/p/2", actor.id)
    assert stored.read_at is None and stored.email_flag == "replies"


def test_notify_skips_inactive_users(app_ctx, mailbox):
    suspended = make_user("sam", is_active=False)
    assert notify([suspended]) == []
    assert rows(suspended) == [] and mailbox.messages == []


def test_notify_without_recipients_does_nothing(app_ctx, mailbox):
    assert notify([]) == []
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_notify_joins_the_callers_transaction(app_ctx, mailbox):
    bob = make_user("bob")
    with pytest.raises(RuntimeError), unit_of_work():
        notify([bob])
        raise RuntimeError("the caller's work failed")
    assert rows(bob) == []
    assert mailbox.messages == []


def test_notify_emails_only_after_the_outer_commit(app_ctx, mailbox):
    bob = make_user("bob")
    with unit_of_work():
        notify([bob])
        assert mailbox.messages == []
    assert len(mails_to(mailbox, bob)) == 1


def test_notify_clips_long_titles_to_the_column(app_ctx, mailbox):
    bob = make_user("bob")
    [created] = notify([bob], title="x" * 300 + "\nsecond line")
    db.session.expire_all()
    assert len(rows(bob)[0].title) == 200 and created.title.endswith("…")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"url": "https://evil.example/"}, "site-relative"),
        ({"url": "javascript:alert(1)"}, "site-relative"),
        ({"url": "//evil.example/"}, "site-relative"),
        ({"email_flag": "votes"}, "email_flag"),
        ({"kind": ""}, "kind"),
    ],
)
def test_notify_rejects_caller_bugs(app_ctx, overrides, message):
    with pytest.raises(ValueError, match=message):
        notify([make_user()], **overrides)


def test_notify_does_not_create_settings_rows(app_ctx, mailbox):
    notify([make_user("bob")])
    assert db.session.scalar(select(func.count()).select_from(NotificationSetting)) == 0


# --- immediate email ----------------------------------------------------------------------------


def test_immediate_email_has_link_settings_and_unsubscribe(app_ctx, mailbox):
    bob = make_user("bob", display_name="Bob B.")
    [created] = notify([bob])
    [message] = mails_to(mailbox, bob)
    token = services.unsubscribe_token(bob)
    unsubscribe_url = f"{SITE_URL}/notifications/unsubscribe/{token}"
    assert message["Subject"] == "[forum_kb] alice replied to “Printer error”"
    body = message.get_content()
    assert "Hello Bob B.," in body
    assert "Try turning it off and on again." in body
    assert f"{SITE_URL}/t/1/p/2" in body
    assert f"Change your email settings: {SITE_URL}/notifications/settings" in body
    assert unsubscribe_url in body
    assert message["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert db.session.get(Notification, created.id).emailed_at is not None


def test_email_links_use_site_url(make_app, mailbox):
    app = make_app(SITE_URL="https://forum.example.com/", SITE_NAME="Acme")
    with app.app_context():
        bob = make_user("bob")
        notify([bob])
    [message] = mailbox.messages
    assert message["Subject"].startswith("[Acme] ")
    assert "https://forum.example.com/t/1/p/2" in message.get_content()
    assert message["List-Unsubscribe"].startswith("<https://forum.example.com/notifications/")


@pytest.mark.parametrize(
    ("flag", "replies", "mentions", "emailed"),
    [
        ("replies", False, True, False),
        ("replies", True, False, True),
        ("mentions", True, False, False),
        ("mentions", False, True, True),
        (None, False, False, True),
    ],
)
def test_email_flags_gate_email_but_not_the_notification(
    app_ctx, mailbox, flag, replies, mentions, emailed
):
    bob = make_user("bob")
    set_mode(bob, EmailMode.IMMEDIATE, replies=replies, mentions=mentions)
    notify([bob], email_flag=flag)
    [stored] = rows(bob)
    assert len(mails_to(mailbox, bob)) == int(emailed)
    assert (stored.emailed_at is not None) == emailed


def test_never_mode_gets_no_email(app_ctx, mailbox):
    bob = make_user("bob")
    set_mode(bob, EmailMode.NEVER)
    notify([bob], email_flag=None)
    assert len(rows(bob)) == 1 and mailbox.messages == []


def test_one_email_per_recipient(app_ctx, mailbox):
    bob, carol = make_user("bob"), make_user("carol")
    set_mode(carol, EmailMode.DIGEST)
    notify([bob, carol])
    assert [m["To"] for m in mailbox.messages] == [bob.email]


def test_mail_server_down_does_not_undo_notify(make_app, mailbox):
    from tests.smtp import free_port

    app = make_app(MAIL_PORT=free_port())
    with app.app_context():
        bob = make_user("bob")
        notify([bob])
        assert len(rows(bob)) == 1
    assert mailbox.messages == []


# --- digests ------------------------------------------------------------------------------------


def test_digest_user_gets_nothing_immediately(app_ctx, mailbox):
    bob = make_user("bob")
    set_mode(bob, EmailMode.DIGEST)
    notify([bob])
    assert mailbox.messages == []
    assert rows(bob)[0].emailed_at is None


def test_send_digests_sends_one_email_listing_all_then_nothing(app_ctx, mailbox):
    bob, carol = make_user("bob"), make_user("carol")
    set_mode(bob, EmailMode.DIGEST)
    notify([bob], title="First thing", url="/t/1")
    notify([bob, carol], title="Second thing", url="/t/2", kind="mention", email_flag="mentions")
    mailbox.clear()  # carol is immediate

    assert services.send_digests() == 1
    [message] = mailbox.messages
    assert message["To"] == bob.email
    assert message["Subject"] == "[forum_kb] Your digest: 2 new notifications"
    body = message.get_content()
    assert "First thing" in body and "Second thing" in body
    assert f"{SITE_URL}/t/1" in body and f"{SITE_URL}/t/2" in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert all(n.emailed_at is not None for n in rows(bob))
    assert db.session.get(NotificationSetting, bob.id).last_digest_at is not None

    mailbox.clear()
    assert services.send_digests() == 0
    assert mailbox.messages == []


def test_send_digests_marks_flagged_off_notices_without_sending(app_ctx, mailbox):
    bob = make_user("bob")
    set_mode(bob, EmailMode.DIGEST, replies=False)
    notify([bob], title="A reply")
    assert services.send_digests() == 0
    assert mailbox.messages == []
    assert rows(bob)[0].emailed_at is not None


def test_send_digests_rechecks_flags_when_it_runs(app_ctx, mailbox):
    bob = make_user("bob")
    set_mode(bob, EmailMode.DIGEST)
    notify([bob], title="A reply")
    notify([bob], title="A mention", kind="mention", email_flag="mentions")
    set_mode(bob, EmailMode.DIGEST, replies=False)
    assert services.send_digests() == 1
    body = mailbox.messages[0].get_content()
    assert "A mention" in body and "A reply" not in body


def test_send_digests_ignores_notices_after_now_until_next_run(app_ctx, mailbox):
    bob = make_user("bob")
    set_mode(bob, EmailMode.DIGEST)
    notify([bob])
    earlier = utcnow() - timedelta(minutes=5)
    assert services.send_digests(earlier) == 0
    assert services.send_digests() == 1


def test_switching_to_digest_starts_from_now(app_ctx, mailbox):
    bob = make_user("bob")
    set_mode(bob, EmailMode.NEVER)
    notify([bob], title="While email was off")
    set_mode(bob, EmailMode.DIGEST)
    notify([bob], title="After switching")
    assert services.send_digests() == 1
    body = mailbox.messages[0].get_content()
    assert "After switching" in body and "While email was off" not in body


def test_send_digests_skips_other_modes_and_inactive_users(app_ctx, mailbox):
    bob, carol = make_user("bob"), make_user("carol")
    set_mode(carol, EmailMode.DIGEST)
    notify([bob, carol])
    carol.is_active = False
    db.session.commit()
    mailbox.clear()
    assert services.send_digests() == 0


def test_send_digests_needs_an_aware_datetime(app_ctx):
    with pytest.raises(ValueError, match="timezone-aware"):
        services.send_digests(utcnow().replace(tzinfo=None))


def _digest_queries(users: int, notices: int) -> int:
    people = [make_user() for _ in range(users)]
    for person in people:
        set_mode(person, EmailMode.DIGEST)
    for n in range(notices):
        notify(people, title=f"Notice {n}", email_flag="replies" if n % 2 else "mentions")
    counter = QueryCounter()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        assert services.send_digests() == users
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    return counter.count


def test_send_digests_query_count_does_not_grow_with_data(app_ctx, mailbox):
    small = _digest_queries(users=1, notices=1)
    large = _digest_queries(users=4, notices=6)
    assert large == small


# --- unsubscribe --------------------------------------------------------------------------------


def test_unsubscribe_turns_email_off(app_ctx, mailbox):
    bob = make_user("bob")
    assert services.unsubscribe(services.unsubscribe_token(bob)).id == bob.id
    assert db.session.get(NotificationSetting, bob.id).email_mode == EmailMode.NEVER
    notify([bob])
    assert mailbox.messages == []


@pytest.mark.parametrize("token", ["", "garbage", "MQ.tampered"])
def test_unsubscribe_rejects_bad_tokens(app_ctx, token):
    with pytest.raises(NotFound):
        services.unsubscribe(token)


def test_unsubscribe_token_from_another_salt_or_key_is_rejected(app_ctx):
    from itsdangerous import URLSafeSerializer

    bob = make_user("bob")
    for serializer in (
        URLSafeSerializer("test-secret-key", salt="something.else"),
        URLSafeSerializer("another-key", salt=services.UNSUBSCRIBE_SALT),
    ):
        with pytest.raises(NotFound):
            services.unsubscribe(serializer.dumps(bob.id))


def test_unsubscribe_token_of_deleted_user_is_rejected(app_ctx):
    bob = make_user("bob")
    token = services.unsubscribe_token(bob)
    db.session.delete(bob)
    db.session.commit()
    with pytest.raises(NotFound):
        services.unsubscribe(token)


# --- reading ------------------------------------------------------------------------------------


def test_unread_count_and_mark_read_all(app_ctx, mailbox):
    bob = make_user("bob")
    notify([bob])
    notify([bob])
    assert services.unread_count(bob) == 2
    assert services.mark_read(bob, None) == 2
    assert services.unread_count(bob) == 0
    assert services.mark_read(bob, None) == 0


def test_mark_read_only_affects_own_rows(app_ctx, mailbox):
    bob, carol = make_user("bob"), make_user("carol")
    [bobs] = notify([bob])
    [carols] = notify([carol])
    assert services.mark_read(bob, [carols.id]) == 0
    assert services.mark_read(bob, None) == 1
    assert services.unread_count(carol) == 1
    assert services.mark_read(carol, [carols.id, bobs.id]) == 1
    assert services.unread_count(carol) == 0


def test_mark_read_with_empty_list_marks_nothing(app_ctx, mailbox):
    bob = make_user("bob")
    notify([bob])
    assert services.mark_read(bob, []) == 0
    assert services.unread_count(bob) == 1


# --- settings -----------------------------------------------------------------------------------


def test_get_settings_creates_default_row_once(app_ctx):
    bob = make_user("bob")
    first = services.get_settings(bob)
    assert (first.email_mode, first.email_replies, first.email_mentions) == (
        EmailMode.IMMEDIATE,
        True,
        True,
    )
    assert services.get_settings(bob) is first
    assert db.session.scalar(select(func.count()).select_from(NotificationSetting)) == 1


def test_update_settings_saves_values(app_ctx):
    bob = make_user("bob")
    services.update_settings(bob, "digest", False, True)
    db.session.expire_all()
    saved = db.session.get(NotificationSetting, bob.id)
    assert (saved.email_mode, saved.email_replies, saved.email_mentions) == (
        EmailMode.DIGEST,
        False,
        True,
    )


def test_update_settings_rejects_bad_mode_and_saves_nothing(app_ctx):
    bob = make_user("bob")
    with pytest.raises(ValidationFailed) as exc:
        services.update_settings(bob, "weekly", False, False)
    assert [field for field, _ in exc.value.errors] == ["email_mode"]
    assert db.session.get(NotificationSetting, bob.id) is None
