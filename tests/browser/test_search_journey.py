"""Deflection in a real browser: a customer types a title on the new-thread form, sees a
matching KB article suggested while typing, and opens it instead of asking."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from forum_kb import create_app
from forum_kb.accounts.models import Role
from forum_kb.extensions import db
from forum_kb.kb import services as kb
from tests.browser.conftest import search_index_dir
from tests.conftest import test_config
from tests.factories import PASSWORD, make_category, make_user
from tests.smtp import SMTPServer

pytestmark = pytest.mark.browser

ARTICLE = "Export your invoices as CSV"


@pytest.fixture
def help_centre(browser_database_url: str, smtp_server: SMTPServer, tmp_path: Path) -> None:
    """A member, a category and a published KB article, indexed in the live server's folder."""
    config = test_config(
        browser_database_url, smtp_server.port, SEARCH_INDEX_DIR=search_index_dir(tmp_path)
    )
    app = create_app(config, instance_path=str(tmp_path / "seed"))
    with app.app_context():
        db.create_all()
        staff = make_user("sam", role=Role.STAFF)
        make_user("alice")
        make_category("Billing")
        section = kb.create_section(staff, "Billing help")
        article = kb.create_article(
            staff,
            kb.ArticleDraft(
                section.id,
                ARTICLE,
                "Open Billing, choose Invoices, then Export. The CSV file has one row per "
                "invoice with its number, date, amount and VAT.",
            ),
        )
        kb.publish_article(staff, article)
        db.session.remove()
        db.engine.dispose()


def test_typing_a_title_suggests_the_matching_article(
    page: Page, help_centre: None, live_server: str, artifacts_dir: Path
) -> None:
    page.goto("/login")
    page.get_by_label("Username or email", exact=True).fill("alice")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as alice.")).to_be_visible()

    page.goto("/new")
    suggestions = page.get_by_role("region", name="Already answered? These look similar:")
    expect(suggestions).to_be_hidden()
    page.get_by_label("Title").press_sequentially("How do I export invoices to CSV", delay=20)
    expect(suggestions).to_be_visible()
    expect(suggestions.get_by_text("Official KB article")).to_be_visible()
    page.screenshot(path=artifacts_dir / "new-thread-similar.png", full_page=True)
    suggestions.get_by_role("link", name=ARTICLE).click()
    expect(page.get_by_role("heading", name=ARTICLE, level=1)).to_be_visible()
