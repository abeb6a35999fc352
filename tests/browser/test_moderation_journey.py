"""Moderation journeys in a real browser: a member flags spam and a moderator hides it from
the review queue; a moderator promotes an accepted answer, staff publish it, and the thread
then points to the official article."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from forum_kb import create_app
from forum_kb.accounts.models import Role
from forum_kb.community import services as community
from forum_kb.extensions import db
from forum_kb.kb import services as kb
from tests.conftest import test_config
from tests.factories import PASSWORD, make_category, make_user
from tests.smtp import SMTPServer

pytestmark = pytest.mark.browser

QUESTION = "Invoices show the wrong VAT number"
ANSWER = "Open Billing, then Company details, fix the VAT number and save: new invoices use it."
SPAM = "Cheap followers and likes!!! Visit my shop for a crypto bonus today."


@dataclass(frozen=True)
class Forum:
    thread_id: int


@pytest.fixture
def forum(browser_database_url: str, smtp_server: SMTPServer, tmp_path: Path) -> Forum:
    """A question with an accepted answer and a spam reply; every role; a KB section."""
    app = create_app(
        test_config(browser_database_url, smtp_server.port), instance_path=str(tmp_path / "seed")
    )
    with app.app_context():
        db.create_all()
        make_user("mia", role=Role.MODERATOR, display_name="Mia Moderator")
        staff = make_user("sam", role=Role.STAFF, display_name="Sam Staff")
        alice, bob = make_user("alice"), make_user("bob", display_name="Bob Builder")
        spammer = make_user("spammer")
        make_user("carol")
        category = make_category("Billing")
        kb.create_section(staff, "Billing help", description="Invoices and payments.")
        thread = community.create_thread(
            alice,
            community.NewThread(
                category.id, "question", QUESTION, "Since last month the VAT number is old."
            ),
        )
        answer = community.reply_to_thread(bob, thread, ANSWER)
        community.accept_answer(alice, thread, answer)
        community.reply_to_thread(spammer, thread, SPAM)
        thread_id = thread.id
        db.session.remove()
        db.engine.dispose()
    return Forum(thread_id)


def sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username or email", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}.")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("navigation", name="Account").get_by_role("button", name="Sign out").click()


def test_member_flags_spam_and_moderator_hides_it_from_the_queue(
    page: Page, forum: Forum, artifacts_dir: Path
) -> None:
    sign_in(page, "carol")
    page.goto(f"/t/{forum.thread_id}")
    spam = page.locator("article", has_text="Cheap followers")
    spam.get_by_role("link", name="Flag").click()
    expect(page.get_by_role("heading", name="Flag a post for the moderators")).to_be_visible()
    page.get_by_label("Spam").check()
    page.get_by_role("button", name="Send to the moderators").click()
    expect(page.get_by_text("Thanks, a moderator will review it.")).to_be_visible()
    sign_out(page)

    sign_in(page, "mia")
    page.goto("/moderation/")
    expect(page.get_by_text("Cheap followers").first).to_be_visible()
    page.get_by_label("Select the post by spammer").check()
    page.get_by_role("button", name="Hide", exact=True).click()
    expect(page.locator(".flash, [role=status], [role=alert]").first).to_be_visible()
    page.screenshot(path=artifacts_dir / "moderation-queue-after-hide.png", full_page=True)
    sign_out(page)

    # Readers no longer see what the spammer wrote.
    page.goto(f"/t/{forum.thread_id}")
    expect(page.get_by_role("heading", name=QUESTION, level=1)).to_be_visible()
    expect(page.get_by_text("Cheap followers")).to_have_count(0)


def test_moderator_promotes_accepted_answer_staff_publish_thread_shows_banner(
    page: Page, forum: Forum, artifacts_dir: Path
) -> None:
    sign_in(page, "mia")
    page.goto(f"/t/{forum.thread_id}")
    answer = page.locator("article", has_text="Company details").first
    answer.get_by_role("link", name="Promote to KB").click()
    expect(page.get_by_label("Title", exact=True)).to_have_value(QUESTION)
    expect(page.get_by_text("Based on a community answer by @bob").first).to_be_visible()
    page.get_by_label("Section").select_option(label="Billing help")
    page.get_by_label("Title", exact=True).fill("Fix the VAT number on your invoices")
    page.get_by_role("button", name="Create the draft article").click()
    expect(page.get_by_text("Draft article created.")).to_be_visible()
    article_url = page.url
    sign_out(page)

    sign_in(page, "sam")
    page.goto(article_url)
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Published: readers see it now.")).to_be_visible()
    expect(page.get_by_text("community answer").first).to_be_visible()
    sign_out(page)

    # Anyone reading the thread is pointed to the official article, and it credits Bob.
    page.goto(f"/t/{forum.thread_id}")
    banner = page.locator(".banner-official")
    expect(banner).to_contain_text("Official answer in the knowledge base")
    page.screenshot(path=artifacts_dir / "thread-official-banner.png", full_page=True)
    banner.get_by_role("link", name="Fix the VAT number on your invoices").click()
    expect(
        page.get_by_role("heading", name="Fix the VAT number on your invoices", level=1)
    ).to_be_visible()
    expect(page.get_by_role("link", name="See the original discussion")).to_be_visible()
