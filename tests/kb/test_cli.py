"""`flask kb remind`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum_kb.accounts.models import Role
from forum_kb.db import utcnow
from forum_kb.extensions import db
from forum_kb.kb import services
from forum_kb.kb.services import ArticleDraft
from tests.factories import make_user

BODY = "Open **Settings → Billing** and follow the steps on the page."


@pytest.fixture
def stale(app) -> None:
    """Sam owns two overdue articles and Mia one; a fourth article is not due yet."""
    with app.app_context():
        sam = make_user("sam", role=Role.STAFF, email="sam@example.com")
        mia = make_user("mia", role=Role.MODERATOR, email="mia@example.com")
        section = services.create_section(sam, "Accounts and billing")
        overdue = utcnow().date() - timedelta(days=3)
        for title, owner, review_by in [
            ("Add your VAT ID to invoices", sam, overdue),
            ("Pay by bank transfer", sam, overdue - timedelta(days=30)),
            ("Transfer workspace ownership", mia, overdue),
            ("Change your plan", sam, None),
        ]:
            article = services.create_article(
                sam, ArticleDraft(section.id, title, BODY, owner_id=owner.id)
            )
            services.publish_article(sam, article)
            if review_by is not None:
                article.review_by = review_by
        db.session.commit()


def test_remind_emails_each_owner_their_stale_articles(runner, stale, mailbox):
    result = runner.invoke(args=["kb", "remind"])
    assert result.exit_code == 0, result.output
    assert result.output == "Sent 2 reminder emails.\n"
    by_recipient = {message["To"]: message.get_content() for message in mailbox.messages}
    assert set(by_recipient) == {"sam@example.com", "mia@example.com"}
    assert "Add your VAT ID to invoices" in by_recipient["sam@example.com"]
    assert "Pay by bank transfer" in by_recipient["sam@example.com"]
    assert "Change your plan" not in by_recipient["sam@example.com"]
    assert "Transfer workspace ownership" in by_recipient["mia@example.com"]
    assert "Add your VAT ID" not in by_recipient["mia@example.com"]


def test_remind_twice_the_same_day_sends_nothing_more(runner, stale, mailbox):
    assert runner.invoke(args=["kb", "remind"]).exit_code == 0
    again = runner.invoke(args=["kb", "remind"])
    assert again.exit_code == 0, again.output
    assert again.output == "Sent 0 reminder emails.\n"
    assert len(mailbox.messages) == 2


def test_remind_today_in_the_past_sends_nothing(runner, stale, mailbox):
    result = runner.invoke(args=["kb", "remind", "--today", "2000-01-01"])
    assert result.exit_code == 0, result.output
    assert result.output == "Sent 0 reminder emails.\n"
    assert mailbox.messages == []


def test_remind_today_in_the_future_includes_articles_due_by_then(runner, stale, mailbox):
    later = utcnow().date() + timedelta(days=400)
    result = runner.invoke(args=["kb", "remind", "--today", later.isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output == "Sent 2 reminder emails.\n"
    sam = next(m for m in mailbox.messages if m["To"] == "sam@example.com")
    assert sam["Subject"] == "3 KB article(s) due for review"
    assert "Change your plan" in sam.get_content()


def test_remind_singular(app, runner, mailbox):
    with app.app_context():
        sam = make_user("sam", role=Role.STAFF)
        section = services.create_section(sam, "Integrations")
        article = services.create_article(sam, ArticleDraft(section.id, "Verify webhooks", BODY))
        services.publish_article(sam, article)
        article.review_by = utcnow().date() - timedelta(days=1)
        db.session.commit()
    assert runner.invoke(args=["kb", "remind"]).output == "Sent 1 reminder email.\n"
    assert len(mailbox.messages) == 1


@pytest.mark.parametrize("value", ["yesterday", "2025-02-30", "31/01/2025", "20250131"])
def test_remind_rejects_a_bad_date(runner, mailbox, value):
    result = runner.invoke(args=["kb", "remind", "--today", value])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output
    assert mailbox.messages == []
