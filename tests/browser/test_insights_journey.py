"""Staff insights in a real browser: staff open the dashboard from the navigation, see the
SVG charts drawn (under the Content Security Policy: no inline style or script), narrow the
date range, follow a content gap to the drill-down and download a table as CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from forum_kb import create_app
from forum_kb.extensions import db
from forum_kb.search import services as search
from tests.browser.conftest import search_index_dir
from tests.conftest import test_config
from tests.factories import PASSWORD
from tests.insights.site import GAP, PRINTER_QUESTION, build_site
from tests.smtp import SMTPServer

pytestmark = pytest.mark.browser

CHARTS = ("questions", "outcomes", "sla", "views", "searches", "escalations")


@pytest.fixture
def forum(browser_database_url: str, smtp_server: SMTPServer, tmp_path: Path) -> None:
    """Questions, an escalation, searches, views and KB feedback, all of today."""
    config = test_config(
        browser_database_url, smtp_server.port, SEARCH_INDEX_DIR=search_index_dir(tmp_path)
    )
    app = create_app(config, instance_path=str(tmp_path / "seed"))
    with app.app_context():
        db.create_all()
        # Create the on-disk index first: a rebuild in the middle of the seeding would run in
        # its session (inline indexing) and expunge the objects the builder still holds.
        search.drain()
        build_site()
        db.session.remove()
        db.engine.dispose()


def sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username or email", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}.")).to_be_visible()


def assert_charts_drawn(page: Page) -> None:
    for name in CHARTS:
        chart = page.locator(f"svg#chart-{name}")
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 50, name
    # The bars were drawn with their theme colour (a stylesheet class, not an inline style).
    bar = page.locator("svg#chart-questions rect.chart-bar").last
    fill = bar.evaluate("element => getComputedStyle(element).fill")
    assert fill not in ("", "none", "rgb(0, 0, 0)")


def test_staff_read_the_dashboard_narrow_the_range_and_download_a_table(
    page: Page, forum: None, artifacts_dir: Path, tmp_path: Path
) -> None:
    sign_in(page, "sam")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", name="Staff insights", level=1)).to_be_visible()
    assert_charts_drawn(page)
    questions = page.locator("#figure-questions .insights-value")
    expect(questions).to_have_text("3")
    expect(page.locator("#figure-questions")).to_contain_text("Visible questions created")
    gaps = page.locator("#table-zero_result_searches")
    expect(gaps.get_by_role("link", name=GAP)).to_be_visible()
    expect(gaps.get_by_role("link", name="Write a KB article").first).to_have_attribute(
        "href", "/kb/new?title=export+to+excel"
    )
    page.screenshot(path=artifacts_dir / "insights-dashboard.png", full_page=True)

    # A CSV of one table, named after it and the period.
    with page.expect_download() as download_info:
        gaps.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("insights-zero_result_searches-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with saved.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["query", "searches", "last_searched"]
    assert rows[1][:2] == [GAP, "2"]

    # From a recurring tag to the threads behind it.
    page.locator("#table-problem_tags").get_by_role("link", name="printers").click()
    expect(page.get_by_role("link", name=PRINTER_QUESTION)).to_be_visible()
    page.get_by_role("link", name="Back to the dashboard").click()

    # A week long ago: the charts still draw, and say there is nothing to show.
    page.get_by_label("From", exact=True).fill("2025-03-03")
    page.get_by_label("To", exact=True).fill("2025-03-09")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("2025-03-03 to 2025-03-09: 7 days")).to_be_visible()
    assert_charts_drawn(page)
    expect(page.locator("svg#chart-questions rect.chart-bar")).to_have_count(7)
    expect(page.locator("svg#chart-questions .chart-empty")).to_have_text("Nothing in this period")

    # Bad dates are a message, not an error page.
    page.get_by_label("To", exact=True).fill("2025-03-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("The end date is before the start date.")).to_be_visible()
    expect(page.get_by_text("the last 30 days are shown")).to_be_visible()
