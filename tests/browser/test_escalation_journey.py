"""Escalation in a real browser: a customer asks for staff; staff take it from the queue,
write an internal note, reply, resolve; the customer sees the staff answer and the solved
badge, and never the note."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from forum_kb import create_app
from forum_kb.accounts.models import Role
from forum_kb.community import services as community
from forum_kb.db import utcnow
from forum_kb.extensions import db
from tests.browser.conftest import search_index_dir
from tests.conftest import test_config
from tests.factories import PASSWORD, make_category, make_user
from tests.smtp import SMTPServer

pytestmark = pytest.mark.browser

QUESTION = "Refund for a double charge in March"
NOTE = "Checked the payment provider: two captures on 3 March."
ANSWER = "We refunded the second charge today; it reaches your card in 3 to 5 days."


@dataclass(frozen=True)
class Case:
    thread_id: int


@pytest.fixture
def case(browser_database_url: str, smtp_server: SMTPServer, tmp_path: Path) -> Case:
    """A question that has waited two days without an answer, and a staff member."""
    config = test_config(
        browser_database_url, smtp_server.port, SEARCH_INDEX_DIR=search_index_dir(tmp_path)
    )
    app = create_app(config, instance_path=str(tmp_path / "seed"))
    with app.app_context():
        db.create_all()
        make_user("sam", role=Role.STAFF, display_name="Sam Staff")
        alice = make_user("alice")
        billing = make_category("Billing")
        thread = community.create_thread(
            alice,
            community.NewThread(
                billing.id, "question", QUESTION, "I was charged twice for my March plan."
            ),
        )
        thread.created_at = utcnow() - timedelta(days=2)
        db.session.commit()
        thread_id = thread.id
        db.session.remove()
        db.engine.dispose()
    return Case(thread_id)


def sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username or email", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}.")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("navigation", name="Account").get_by_role("button", name="Sign out").click()


def test_customer_asks_staff_and_sees_the_staff_answer_solve_the_thread(
    page: Page, case: Case, artifacts_dir: Path
) -> None:
    sign_in(page, "alice")
    page.goto(f"/t/{case.thread_id}")
    page.get_by_label("What should staff know? (optional)").fill("It is urgent for our audit.")
    page.get_by_role("button", name="Ask staff").click()
    expect(page.get_by_text("Sent to staff: they will look into it")).to_be_visible()
    sign_out(page)

    sign_in(page, "sam")
    page.goto("/staff/queue")
    row = page.locator("tr", has_text=QUESTION)
    expect(row).to_contain_text("Customer asked for staff")
    row.get_by_role("button", name="Assign to me").click()
    page.goto("/staff/queue")
    page.get_by_role("link", name=QUESTION).click()
    expect(page.get_by_role("heading", name=QUESTION, level=1)).to_be_visible()
    page.get_by_role("textbox", name="Internal note").fill(NOTE)
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text(NOTE)).to_be_visible()
    reply = page.get_by_role("textbox", name="Reply in the thread")
    reply.fill("Thanks, we are checking with our bank.")
    page.get_by_role("button", name="Post reply").click()
    page.get_by_role("textbox", name="Resolution").fill(ANSWER)
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("link", name="Make a KB article from this resolution")).to_be_visible()
    page.screenshot(path=artifacts_dir / "escalation-resolved.png", full_page=True)
    sign_out(page)

    # The customer reads the staff answer, marked Staff and accepted; the note stays internal.
    sign_in(page, "alice")
    page.goto(f"/t/{case.thread_id}")
    expect(page.get_by_text("Solved", exact=False).first).to_be_visible()
    answer = page.locator("article", has_text="We refunded the second charge")
    expect(answer).to_contain_text("Sam Staff")
    expect(answer.locator(".badge-staff")).to_have_text("Staff")
    expect(page.get_by_text(NOTE)).to_have_count(0)
