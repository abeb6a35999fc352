"""Knowledge-base journey in a real browser: staff write, review and publish an article; an
anonymous reader finds it from the KB home, sees it is official and finds it helpful."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from forum_kb import create_app
from forum_kb.accounts.models import Role
from forum_kb.extensions import db
from forum_kb.kb import services
from tests.conftest import test_config
from tests.factories import PASSWORD, make_user
from tests.smtp import SMTPServer

pytestmark = pytest.mark.browser

TITLE = "Reset a forgotten password"
BODY = """Locked out? You can set a new password yourself in a minute.

## Steps

1. On the sign-in page, choose **Forgot password**.
2. Enter the email address you sign in with.
3. Open the link in the email and choose a new password.

The link works for one hour."""


@pytest.fixture
def kb(browser_database_url: str, smtp_server: SMTPServer, tmp_path: Path) -> None:
    """A staff member and an empty KB section in the live server's database."""
    app = create_app(
        test_config(browser_database_url, smtp_server.port), instance_path=str(tmp_path / "seed")
    )
    with app.app_context():
        db.create_all()
        staff = make_user("sam", role=Role.STAFF, display_name="Sam Staff")
        services.create_section(staff, "Getting started", description="Your first steps.")
        db.session.remove()
        db.engine.dispose()


def sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username or email", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}.")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("navigation", name="Account").get_by_role("button", name="Sign out").click()


def test_staff_publish_then_reader_finds_official_article_and_votes_helpful(
    page: Page, kb: None, artifacts_dir: Path
) -> None:
    # Staff write a draft from the KB home.
    sign_in(page, "sam")
    page.goto("/kb/")
    page.get_by_role("navigation", name="Knowledge-base tools").get_by_role(
        "link", name="New article"
    ).click()
    page.get_by_label("Section").select_option(label="Getting started")
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Body").fill(BODY)
    page.get_by_label("Labels").fill("passwords, sign-in")
    page.get_by_label("Note about this version").fill("First version")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_text("Readers cannot see this article")).to_be_visible()

    # ... send it to review, and publish it.
    page.get_by_role("button", name="Send to review").click()
    expect(page.get_by_text("Sent to review.")).to_be_visible()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Published: readers see it now.")).to_be_visible()
    sign_out(page)

    # An anonymous reader browses to it: KB home, section, article.
    page.goto("/kb/")
    page.get_by_role("link", name="Getting started").click()
    expect(page.get_by_role("heading", name="Getting started", level=1)).to_be_visible()
    page.get_by_role("link", name=TITLE).click()
    article = page.get_by_role("article", name=TITLE)
    expect(article.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    # The badge reads "✓ Official"; the tick is decoration (aria-hidden).
    expect(article.get_by_text(re.compile(r"^\W*Official$"))).to_be_visible()
    expect(article.locator("strong", has_text="Forgot password")).to_be_visible()
    expect(page.get_by_role("button", name="Send to review")).to_have_count(0)

    # "Was this helpful?" Yes: thanks, and the answer is remembered.
    feedback = page.get_by_role("region", name="Was this article helpful?")
    feedback.get_by_role("button", name="Yes").click()
    expect(feedback.get_by_role("status")).to_contain_text("Thanks for your feedback!")
    expect(feedback.get_by_role("button", name="Yes")).to_have_attribute("aria-pressed", "true")
    expect(feedback).to_contain_text("1 out of 1 found this helpful")
    page.screenshot(path=artifacts_dir / "kb-article-helpful.png", full_page=True)
