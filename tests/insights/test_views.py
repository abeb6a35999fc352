"""The staff dashboard through HTTP: who may see it, that every figure, chart and table is on
the page with its links, the CSV export of every table, bad dates and the drill-down.
(The numbers themselves are checked in test_queries.py.)"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forum_kb.db import utcnow
from forum_kb.insights import queries
from forum_kb.insights.queries import MAX_DAYS, clamp_period
from tests.conftest import Auth
from tests.insights.site import (
    ARTICLE,
    FORMULA,
    GAP,
    PRINTER_QUESTION,
    ROLES,
    SCANNER_QUESTION,
    SOLVED_QUESTION,
    USERNAMES,
    Site,
    build_site,
)

PAGES = ["/staff/insights/", "/staff/insights/threads", "/staff/insights/export/daily.csv"]
ALLOWED = {"anonymous": "login", "member": 403, "moderator": 403, "staff": 200, "admin": 200}


@pytest.fixture
def site(app: Flask) -> Site:
    with app.app_context():
        return build_site()


@pytest.fixture
def staff(client: FlaskClient, site: Site) -> FlaskClient:
    assert Auth(client).login("sam").status_code == 302
    return client


def sign_in(client: FlaskClient, role: str) -> None:
    if role != "anonymous":
        assert Auth(client).login(USERNAMES[role]).status_code == 302


def outcome(response: Any) -> int | str:
    if response.status_code == 302 and response.location.startswith("/login"):
        return "login"
    return int(response.status_code)


def page_text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.get_data(as_text=True))


def default_range(app: Flask) -> dict[str, str]:
    with app.app_context():
        period = clamp_period(None, None)
    return {"from": period.first.isoformat(), "to": period.last.isoformat()}


# --- who may see it ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_only_staff_and_admins_see_the_dashboard(
    client: FlaskClient, site: Site, role: str, path: str
) -> None:
    # Like the staff queue: moderators run the community, staff read the business figures.
    sign_in(client, role)
    assert outcome(client.get(path)) == ALLOWED[role]


def test_anonymous_visitors_return_to_the_dashboard_after_signing_in(
    client: FlaskClient, site: Site
) -> None:
    response = client.get("/staff/insights/?from=2025-01-01")
    assert response.status_code == 302
    assert response.location == "/login?next=%2Fstaff%2Finsights%2F%3Ffrom%3D2025-01-01"


@pytest.mark.parametrize(("role", "shown"), [("member", False), ("moderator", False),
                                             ("staff", True), ("admin", True)])  # fmt: skip
def test_navigation_links_staff_to_insights(
    client: FlaskClient, site: Site, role: str, shown: bool
) -> None:
    sign_in(client, role)
    page = page_text(client.get("/"))
    assert ('href="/staff/insights/"' in page) is shown


# --- the page ------------------------------------------------------------------------------------


def test_dashboard_shows_every_figure_with_its_definition(app: Flask, staff: FlaskClient) -> None:
    page = page_text(staff.get("/staff/insights/"))
    with app.app_context():
        report = queries.dashboard(clamp_period(None, None))
    assert report.figure("questions") == 3 and report.figure("escalations") == 1
    for figure in report.figures.values():
        card = re.search(rf'<div class="insights-card" id="figure-{figure.name}">(.*?)</div>',
                         page, re.S)  # fmt: skip
        assert card is not None, figure.name
        assert f"<dt>{_html(figure.label)}</dt>" in card.group(1)
        assert _html(figure.definition) in card.group(1)
    card = re.search(r'id="figure-questions">.*?insights-value">([^<]*)<', page, re.S)
    assert card is not None and card.group(1).strip() == "3"
    assert re.search(r'id="figure-escalated_share">.*?insights-value">33%<', page, re.S)


def test_dashboard_shows_the_charts_as_inline_svg(staff: FlaskClient) -> None:
    response = staff.get("/staff/insights/")
    page = page_text(response)
    svgs = re.findall(r"<svg .*?</svg>", page, re.S)
    assert len(svgs) == 6
    for name in ("questions", "outcomes", "sla", "views", "searches", "escalations"):
        assert f'id="chart-{name}"' in page
    assert all('role="img"' in svg and "<desc" in svg for svg in svgs)
    # The charts obey the Content Security Policy: no inline style, no script.
    csp = response.headers["Content-Security-Policy"]
    assert "style-src 'self'" in csp and "script-src 'self'" in csp
    assert not any("style=" in svg or "<script" in svg for svg in svgs)
    # A default period of 30 days: 30 bars in the questions chart.
    questions = next(svg for svg in svgs if 'id="chart-questions"' in svg)
    assert questions.count('class="chart-bar"') == 30


def test_dashboard_shows_every_table_with_a_csv_link(app: Flask, staff: FlaskClient) -> None:
    page = page_text(staff.get("/staff/insights/"))
    args = default_range(app)
    with app.app_context():
        report = queries.dashboard(clamp_period(None, None))
    for name in queries.table_names():
        link = f"/staff/insights/export/{name}.csv?from={args['from']}&amp;to={args['to']}"
        assert link in page, name
        if name != "figures":
            assert f'id="table-{name}"' in page and _html(report.tables[name].title) in page


def test_dashboard_links_gaps_problems_articles_helpers_and_categories(
    app: Flask, staff: FlaskClient, site: Site
) -> None:
    page = page_text(staff.get("/staff/insights/"))
    args = default_range(app)
    period = f"from={args['from']}&amp;to={args['to']}"
    # Content gaps: the search itself, and one click to a prefilled KB draft.
    assert '<a href="/search/?q=export+to+excel">export to excel</a>' in page
    assert '<a href="/kb/new?title=export+to+excel">Write a KB article</a>' in page
    assert '<a href="/search/?q=printer+e42">printer e42</a>' in page
    # Tags and title words of escalated and unsolved threads: the drill-down.
    assert f'href="/staff/insights/threads?tag=printers&amp;{period}"' in page
    assert f'href="/staff/insights/threads?term=printer&amp;{period}"' in page
    # Stale, unhelpful and most viewed articles; helpers; unanswered questions by category.
    assert page.count(f'<a href="/kb/articles/{site.article_id}">{ARTICLE}</a>') == 3
    assert '<a href="/u/bob">bob</a>' in page
    assert f'href="/c/{site.category_slug}?sort=unanswered&amp;kind=question"' in page


def test_dashboard_escapes_what_people_typed(staff: FlaskClient) -> None:
    page = page_text(staff.get("/staff/insights/"))
    assert _html(FORMULA) in page
    assert 'HYPERLINK("http' not in page


def test_write_article_link_opens_a_prefilled_draft(staff: FlaskClient) -> None:
    page = page_text(staff.get("/kb/new?title=export+to+excel"))
    assert re.search(r'<input[^>]*name="title"[^>]*value="export to excel"', page)


def test_search_insights_page_links_to_the_dashboard(staff: FlaskClient) -> None:
    page = page_text(staff.get("/search/insights?since=2025-03-01&until=2025-03-09"))
    assert 'href="/staff/insights/?from=2025-03-01&amp;to=2025-03-09"' in page


# --- the date range ------------------------------------------------------------------------------


def test_chosen_range_is_used_and_shown(staff: FlaskClient) -> None:
    page = page_text(staff.get("/staff/insights/?from=2025-03-03&to=2025-03-09"))
    assert "2025-03-03 to 2025-03-09: 7 days" in page
    assert 'name="from" type="date" value="2025-03-03"' in page
    assert 'name="to" type="date" value="2025-03-09"' in page
    svg = re.search(r'<svg [^>]*id="chart-questions".*?</svg>', page, re.S)
    assert svg is not None and svg.group(0).count('class="chart-bar"') == 7
    # Nothing happened in that week: the charts say so rather than draw nothing.
    assert "Nothing in this period" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=yesterday", "Use a date like"),
        ("from=2025-02-30", "Use a date like"),
        ("to=2025-03-01&from=2025-03-09", "The end date is before the start date."),
        ("from=1899-12-31", "Choose a date between"),
        ("to=9999-12-31", "Choose a date between"),
        ("from=0001-01-01&to=0001-01-02", "Choose a date between"),
    ],
)
def test_bad_dates_are_a_message_and_the_default_period(
    app: Flask, staff: FlaskClient, query: str, message: str
) -> None:
    page = page_text(staff.get(f"/staff/insights/?{query}"))
    assert message in page
    assert "Those dates cannot be used, so the last 30 days are shown." in page
    args = default_range(app)
    assert f"{args['from']} to {args['to']}: 30 days" in page


def test_long_ranges_are_capped_and_the_page_says_so(staff: FlaskClient) -> None:
    page = page_text(staff.get("/staff/insights/?from=2020-01-01&to=2024-12-31"))
    assert f"at most {MAX_DAYS} days" in page
    first = utcnow().date().replace(year=2024, month=12, day=31) - timedelta(days=MAX_DAYS - 1)
    assert f"{first.isoformat()} to 2024-12-31: {MAX_DAYS} days" in page


# --- CSV export ----------------------------------------------------------------------------------


def read_csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize("name", list(queries.table_names()))
def test_every_table_exports_as_csv_with_its_columns(
    app: Flask, staff: FlaskClient, name: str
) -> None:
    args = default_range(app)
    response = staff.get(f"/staff/insights/export/{name}.csv", query_string=args)
    rows = read_csv(response)
    with app.app_context():
        table = queries.dashboard(clamp_period(None, None)).tables[name]
    assert rows[0] == list(table.columns)
    assert len(rows) == len(table.rows) + 1
    disposition = response.headers["Content-Disposition"]
    assert disposition == f"attachment; filename=insights-{name}-{args['from']}-{args['to']}.csv"


@pytest.mark.parametrize(
    ("name", "row"),
    [
        ("zero_result_searches", [GAP, "2", None]),
        ("searches_then_thread", ["printer e42", "1", "1"]),
        ("problem_tags", ["printers", "1"]),
        ("stale_articles", [None, ARTICLE, "sam", None, "3"]),
        ("low_rated_articles", [None, ARTICLE, "sam", "1", "5", "0.1667"]),
        ("most_viewed_articles", [None, ARTICLE, "1", "0.1667"]),
        ("top_helpers", ["bob", "1", "0"]),
        ("unanswered_by_category", ["printers", "Printers", "2", None]),
        ("sla", ["Standard", "1", "0", "0", "0", "1", "1.0"]),
        ("figures", ["questions", "Questions asked", "3", "", None]),
    ],
)
def test_csv_export_has_the_known_rows(
    staff: FlaskClient, name: str, row: list[str | None]
) -> None:
    rows = read_csv(staff.get(f"/staff/insights/export/{name}.csv"))
    # None: a value that depends on ids or the clock; compare the others.
    found = [
        r for r in rows[1:]
        if all(want is None or got == want for want, got in zip(row, r, strict=True))
    ]  # fmt: skip
    assert found, rows


def test_csv_export_counts_every_day_of_the_period(staff: FlaskClient) -> None:
    rows = read_csv(staff.get("/staff/insights/export/daily.csv?from=2025-03-01&to=2025-03-31"))
    assert [r[0] for r in rows[1:]] == [f"2025-03-{day:02d}" for day in range(1, 32)]
    today = read_csv(staff.get("/staff/insights/export/daily.csv"))[-1]
    assert today[0] == utcnow().date().isoformat()
    assert today[1] == "3" and today[5] == "1"  # three questions, one escalation


def test_csv_export_defuses_formulas(staff: FlaskClient) -> None:
    rows = read_csv(staff.get("/staff/insights/export/zero_result_searches.csv"))
    queries_ = [r[0] for r in rows[1:]]
    assert "'" + FORMULA in queries_ and FORMULA not in queries_


def test_unknown_table_is_404(staff: FlaskClient) -> None:
    assert staff.get("/staff/insights/export/passwords.csv").status_code == 404
    assert staff.get("/staff/insights/export/..%2Fdaily.csv").status_code == 404


def test_csv_export_with_bad_dates_uses_the_default_period(app: Flask, staff: FlaskClient) -> None:
    response = staff.get("/staff/insights/export/figures.csv?from=nonsense&to=9999-99-99")
    read_csv(response)
    args = default_range(app)
    disposition = response.headers["Content-Disposition"]
    assert disposition.endswith(f"filename=insights-figures-{args['from']}-{args['to']}.csv")


# --- drill-down ----------------------------------------------------------------------------------


def test_drill_down_by_tag_lists_the_matching_problem_threads(
    staff: FlaskClient, site: Site
) -> None:
    page = page_text(staff.get("/staff/insights/threads?tag=printers"))
    assert f'<a href="/t/{site.printer_thread_id}">{PRINTER_QUESTION}</a>' in page
    assert SCANNER_QUESTION not in page and SOLVED_QUESTION not in page
    assert "tagged “printers”" in page


def test_drill_down_by_word_lists_the_matching_problem_threads(
    staff: FlaskClient, site: Site
) -> None:
    page = page_text(staff.get("/staff/insights/threads?term=Scanner"))
    assert f'<a href="/t/{site.scanner_thread_id}">{SCANNER_QUESTION}</a>' in page
    assert PRINTER_QUESTION not in page and SOLVED_QUESTION not in page


def test_drill_down_without_a_filter_lists_every_problem_thread(staff: FlaskClient) -> None:
    page = page_text(staff.get("/staff/insights/threads"))
    assert PRINTER_QUESTION in page and SCANNER_QUESTION in page
    assert SOLVED_QUESTION not in page  # solved and never escalated


def test_drill_down_outside_the_period_is_empty(staff: FlaskClient) -> None:
    page = page_text(
        staff.get("/staff/insights/threads?tag=printers&from=2025-01-01&to=2025-01-31")
    )
    assert PRINTER_QUESTION not in page
    assert "No escalated or unsolved threads match in this period." in page


def test_drill_down_bad_input_is_a_message(staff: FlaskClient) -> None:
    page = page_text(staff.get("/staff/insights/threads?tag=" + "x" * 41 + "&from=junk"))
    assert "Field cannot be longer than 40 characters." in page
    assert "Those dates cannot be used" in page
    assert PRINTER_QUESTION in page  # every problem thread of the default period


def _html(text: str) -> str:
    """``text`` as Jinja escapes it."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace('"', "&#34;").replace("'", "&#39;")
    )  # fmt: skip


# --- the demo ------------------------------------------------------------------------------------


def test_demo_dashboard_is_alive(app: Flask, runner: Any, client: FlaskClient) -> None:
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        report = queries.dashboard(clamp_period(None, None))
    daily = report.tables["daily"].as_dicts()
    # Searches and views on most days of the last month, not only on the day of the load.
    assert sum(1 for day in daily if day["searches"]) >= 20
    assert all(day["kb_views"] and day["thread_views"] for day in daily)
    gaps = [row[0] for row in report.tables["zero_result_searches"].rows]
    assert gaps[:2] == ["export to excel", "ical sync"]
    assert report.tables["searches_then_thread"].rows
    assert report.tables["most_viewed_articles"].rows and report.tables["top_helpers"].rows
    for name in ("kb_views_from_search", "suggestions_shown", "suggestion_deflection"):
        assert report.figure(name), name
    assert report.figure("self_service_ratio") is not None
    Auth(client).login("sam.staff", "staff-demo-pass")
    page = page_text(client.get("/staff/insights/"))
    assert '<a href="/kb/new?title=ical+sync">Write a KB article</a>' in page
