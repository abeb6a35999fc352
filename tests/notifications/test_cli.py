"""`flask notify digest`."""

from __future__ import annotations

from datetime import timedelta

from forum_kb.db import utcnow
from forum_kb.notifications import services
from forum_kb.notifications.models import EmailMode
from tests.factories import make_user


def make_digest_users(app, *usernames: str) -> None:
    with app.app_context():
        users = [make_user(name) for name in usernames]
        for user in users:
            services.update_settings(user, EmailMode.DIGEST, True, True)
        services.notify(users, kind="reply", title="A reply", body="", url="/t/1")


def test_digest_prints_how_many_emails_it_sent(app, runner, mailbox):
    make_digest_users(app, "bob", "carol")
    result = runner.invoke(args=["notify", "digest"])
    assert result.exit_code == 0, result.output
    assert result.output == "Sent 2 digest emails.\n"
    assert len(mailbox.messages) == 2
    again = runner.invoke(args=["notify", "digest"])
    assert again.output == "Sent 0 digest emails.\n"
    assert len(mailbox.messages) == 2


def test_digest_singular(app, runner, mailbox):
    make_digest_users(app, "bob")
    assert runner.invoke(args=["notify", "digest"]).output == "Sent 1 digest email.\n"


def test_digest_now_option_sets_the_cutoff(app, runner, mailbox):
    make_digest_users(app, "bob")
    past = runner.invoke(args=["notify", "digest", "--now", "2000-01-01T00:00:00"])
    assert past.exit_code == 0, past.output
    assert past.output == "Sent 0 digest emails.\n"
    later = (utcnow() + timedelta(minutes=1)).isoformat()
    assert runner.invoke(args=["notify", "digest", "--now", later]).output == (
        "Sent 1 digest email.\n"
    )
    assert len(mailbox.messages) == 1


def test_digest_rejects_a_bad_now(runner):
    result = runner.invoke(args=["notify", "digest", "--now", "yesterday"])
    assert result.exit_code == 2
    assert "ISO 8601" in result.output
