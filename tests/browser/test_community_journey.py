"""Community journey in a real browser: ask, answer as someone else, vote, accept, solved."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from forum_kb import create_app
from forum_kb.extensions import db
from tests.conftest import test_config
from tests.factories import PASSWORD, make_category, make_user
from tests.smtp import SMTPServer

pytestmark = pytest.mark.browser

TITLE = "Calendar sync stops after changing my password"
QUESTION = "Since I changed my password yesterday, **no new events** arrive from Outlook."
ANSWER = "Reconnect the calendar under *Settings → Integrations*: the old token was revoked."


@pytest.fixture
def community(browser_database_url: str, smtp_server: SMTPServer, tmp_path: Path) -> None:
    """Two members and a category in the live server's database."""
    app = create_app(
        test_config(browser_database_url, smtp_server.port), instance_path=str(tmp_path / "seed")
    )
    with app.app_context():
        db.create_all()
        make_category("Integrations", slug="integrations")
        make_user("asker", display_name="Alice Asker")
        make_user("helper", display_name="Hal Helper")
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


def test_ask_answer_vote_accept_shows_solved(
    page: Page, community: None, artifacts_dir: Path
) -> None:
    # The asker starts a question.
    sign_in(page, "asker")
    page.get_by_role("link", name="New thread").first.click()
    page.get_by_label("Category").select_option(label="Integrations")
    page.get_by_label(re.compile(r"^Question")).check()
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Body").fill(QUESTION)
    page.get_by_label("Tags").fill("calendar, outlook")
    page.get_by_role("button", name="Post thread").click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.locator("strong", has_text="no new events")).to_be_visible()
    thread_url = page.url
    sign_out(page)

    # Someone else answers and votes the question up.
    sign_in(page, "helper")
    page.goto(thread_url)
    page.get_by_label("Your reply").fill(ANSWER)
    page.get_by_role("button", name="Post your answer").click()
    answer = page.get_by_role("article", name="Reply by Hal Helper")
    expect(answer).to_contain_text("the old token was revoked")
    question = page.get_by_role("article", name="Opening post by Alice Asker")
    question.get_by_role("button", name="Vote up").click()
    expect(question.get_by_role("button", name="Vote up")).to_have_attribute("aria-pressed", "true")
    sign_out(page)

    # The asker accepts the answer: the thread shows as solved, here and in the list.
    sign_in(page, "asker")
    page.goto(thread_url)
    page.get_by_role("article", name="Reply by Hal Helper").get_by_role(
        "button", name="Accept answer"
    ).click()
    accepted = page.get_by_role("article", name="Accepted answer by Hal Helper")
    expect(accepted).to_be_visible()
    expect(page.locator(".badge-solved").first).to_be_visible()
    page.screenshot(path=artifacts_dir / "thread-solved.png", full_page=True)
    page.goto("/")
    row = page.get_by_role("link", name=TITLE).locator(
        "xpath=ancestor::*[self::li or self::article][1]"
    )
    expect(row.locator(".badge-solved")).to_be_visible()
