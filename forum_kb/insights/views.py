"""The staff dashboard (``/staff/insights/``), its CSV export and the problem-thread drill-down.

Staff and admins only, like the other staff pages (moderators get 403). Every number comes
from ``queries.dashboard``; this module only chooses the period and turns tables into links.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from markupsafe import Markup

from forum_kb.accounts.auth import role_required
from forum_kb.accounts.models import Role
from forum_kb.errors import NotFound
from forum_kb.insights import charts, forms, queries
from forum_kb.insights.queries import MAX_DAYS, Dashboard, Figure, Period, Table

bp = Blueprint("insights", __name__, url_prefix="/staff/insights")
staff_only = role_required(Role.STAFF)

#: The headline figures, grouped as the page shows them (figures not named here go last).
FIGURE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Questions", (
        "questions", "answered_share", "solved_share", "escalated_share",
        "community_first_response_hours", "staff_first_response_hours", "solution_hours",
    )),
    ("Service levels", ("escalations", "sla_compliance")),
    ("Knowledge base", ("kb_views", "thread_views", "kb_helpful_ratio", "kb_feedback")),
    ("Deflection", (
        "searches", "searches_without_thread", "search_deflection", "kb_views_from_search",
        "suggestions_shown", "suggestion_deflection", "self_service_ratio",
    )),
)  # fmt: skip
#: Columns holding a share (0 to 1), shown as a percentage.
SHARE_COLUMNS = {"compliance", "helpful_ratio"}
#: Columns that only serve to build links (the CSV keeps them).
HIDDEN_COLUMNS = {"article_id", "category_slug"}
#: Moments in the tables are ISO 8601 strings; the page shows them to the minute (UTC).
ISO_MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")
HEADINGS = {
    "kb_views": "KB views",
    "last_searched": "Last searched",
    "review_by": "Review by",
    "days_overdue": "Days overdue",
}


# --- the period ----------------------------------------------------------------------------------


def _range_form() -> tuple[forms.RangeForm, forms.ChosenPeriod]:
    form = forms.RangeForm(formdata=request.args)
    form.validate()
    chosen = forms.chosen_period(form)
    if not chosen.fell_back:
        form.since.data, form.until.data = chosen.period.first, chosen.period.last
    return form, chosen


def _range_args(period: Period) -> dict[str, Any]:
    return {"from": period.first.isoformat(), "to": period.last.isoformat()}


def _notes(chosen: forms.ChosenPeriod) -> list[str]:
    if chosen.fell_back:
        return ["Those dates cannot be used, so the last 30 days are shown."]
    if chosen.capped:
        return [
            f"The dashboard covers at most {MAX_DAYS} days: showing the last {MAX_DAYS} days "
            "of the range you asked for."
        ]
    return []


# --- display helpers -----------------------------------------------------------------------------


def show_value(value: Any, unit: str = "") -> str:
    """A figure or cell as people read it: shares as percentages, hours with one decimal."""
    if value is None:
        return "—"
    if unit == "%":
        return f"{value * 100:.0f}%"
    if unit == "h":
        return f"{value:,.1f} h"
    if unit == "x":
        return f"{value:,.1f}\N{MULTIPLICATION SIGN}"
    if isinstance(value, str) and ISO_MOMENT.match(value):
        return f"{value[:10]} {value[11:16]}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None
    numeric: bool = False


@dataclass(frozen=True)
class DisplayTable:
    """A dashboard table as the page shows it, with its links and CSV address."""

    table: Table
    headings: list[str]
    rows: list[list[Cell]]
    csv_url: str


Linker = Callable[[dict[str, Any], Period], str]


def _threads_url(key: str) -> Linker:
    return lambda row, period: url_for(
        "insights.problem_threads", **{key: row[key]}, **_range_args(period)
    )


def _article_url(row: dict[str, Any], period: Period) -> str:
    return url_for("kb.article_detail", key=str(row["article_id"]))


LINKS: dict[tuple[str, str], Linker] = {
    ("zero_result_searches", "query"): lambda row, _: url_for("search.index", q=row["query"]),
    ("searches_then_thread", "query"): lambda row, _: url_for("search.index", q=row["query"]),
    ("problem_tags", "tag"): _threads_url("tag"),
    ("problem_terms", "term"): _threads_url("term"),
    ("stale_articles", "title"): _article_url,
    ("low_rated_articles", "title"): _article_url,
    ("most_viewed_articles", "title"): _article_url,
    ("top_helpers", "username"): lambda row, _: url_for(
        "accounts.profile", username=row["username"]
    ),
    ("unanswered_by_category", "category"): lambda row, _: url_for(
        "community.category_detail", slug=row["category_slug"], sort="unanswered", kind="question"
    ),
}
#: Tables whose queries are content gaps: each row offers "Write a KB article".
GAP_TABLES = {"zero_result_searches", "searches_then_thread"}


def _heading(column: str) -> str:
    return HEADINGS.get(column) or column.replace("_", " ").capitalize()


def _cell(table: str, column: str, row: dict[str, Any], period: Period) -> Cell:
    value = row[column]
    linker = LINKS.get((table, column))
    href = linker(row, period) if linker is not None and value not in (None, "") else None
    unit = "%" if column in SHARE_COLUMNS else ""
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return Cell(show_value(value, unit), href, numeric)


def present(table: Table, period: Period) -> DisplayTable:
    """The table's visible columns as cells with links, plus a "Write a KB article" column
    for content gaps."""
    columns = [c for c in table.columns if c not in HIDDEN_COLUMNS]
    headings = [_heading(c) for c in columns]
    rows = []
    for row in table.as_dicts():
        cells = [_cell(table.name, c, row, period) for c in columns]
        if table.name in GAP_TABLES:
            href = url_for("kb.article_create", title=row["query"])
            cells.append(Cell("Write a KB article", href))
        rows.append(cells)
    if table.name in GAP_TABLES:
        headings.append("Fill the gap")
    csv_url = url_for("insights.export_csv", name=table.name, **_range_args(period))
    return DisplayTable(table, headings, rows, csv_url)


def _figure_groups(report: Dashboard) -> list[tuple[str, list[Figure]]]:
    groups = [
        (title, [report.figures[n] for n in names if n in report.figures])
        for title, names in FIGURE_GROUPS
    ]
    named = {n for _, names in FIGURE_GROUPS for n in names}
    others = [f for name, f in report.figures.items() if name not in named]
    if others:
        groups.append(("Other figures", others))
    return [(title, figures) for title, figures in groups if figures]


def _column(table: Table, name: str) -> list[Any]:
    index = table.columns.index(name)
    return [row[index] for row in table.rows]


def build_charts(report: Dashboard) -> dict[str, Markup]:
    """The dashboard's SVG charts, by name."""
    daily = report.tables["daily"]
    days = [date.fromisoformat(day) for day in _column(daily, "day")]
    sla_rows = _sla_rows(report.tables["sla"])
    return {
        "questions": charts.bar_chart(
            "chart-questions", "Questions asked per day", days, _column(daily, "questions"),
            unit="questions",
        ),
        "outcomes": charts.share_bars(
            "chart-outcomes",
            "What happened to the questions",
            [
                ("Answered by the community", report.figure("answered_share")),
                ("Solved", report.figure("solved_share")),
                ("Escalated to staff", report.figure("escalated_share")),
            ],
        ),
        "sla": charts.sla_bars("chart-sla", "SLA compliance per policy", sla_rows),
        "views": charts.line_chart(
            "chart-views", "KB and thread views per day", days,
            [charts.Series("KB article views", _column(daily, "kb_views")),
             charts.Series("thread views", _column(daily, "thread_views"))],
        ),
        "searches": charts.bar_chart(
            "chart-searches", "Searches per day", days, _column(daily, "searches"),
            unit="searches",
        ),
        "escalations": charts.bar_chart(
            "chart-escalations", "Escalations per day", days, _column(daily, "escalations"),
            unit="escalations",
        ),
    }  # fmt: skip


def _sla_rows(sla: Table) -> list[tuple[str, int, int]]:
    """(policy, met, breached) per policy."""
    return [
        (str(row["policy"]), int(row["met"]), int(row["escalations"]) - int(row["met"]))
        for row in sla.as_dicts()
    ]


# --- pages ---------------------------------------------------------------------------------------


@bp.get("/")
@staff_only
def dashboard():
    form, chosen = _range_form()
    report = queries.dashboard(chosen.period)
    tables = {
        name: present(report.tables[name], chosen.period)
        for name in queries.table_names()
        if name in report.tables
    }
    return render_template(
        "insights/dashboard.html",
        form=form,
        period=chosen.period,
        notes=_notes(chosen),
        report=report,
        figure_groups=_figure_groups(report),
        charts=build_charts(report),
        tables=tables,
        show_value=show_value,
        range_args=_range_args(chosen.period),
        max_days=MAX_DAYS,
    )


@bp.get("/threads")
@staff_only
def problem_threads():
    form = forms.DrillDownForm(formdata=request.args)
    form.validate()
    chosen = forms.chosen_period(form)
    tag = "" if form.tag.errors else form.tag.data or ""
    term = "" if form.term.errors else (form.term.data or "").lower()
    threads = queries.problem_threads(chosen.period, tag=tag or None, term=term or None)
    if not chosen.fell_back:
        form.since.data, form.until.data = chosen.period.first, chosen.period.last
    return render_template(
        "insights/problem_threads.html",
        form=form,
        period=chosen.period,
        notes=_notes(chosen),
        tag=tag,
        term=term,
        threads=threads,
        range_args=_range_args(chosen.period),
    )


def _csv_safe(value: Any) -> Any:
    """Cells a spreadsheet would run as a formula get a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return "" if value is None else value


def table_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """The rows as CSV text with a header line."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_safe(value) for value in row])
    return out.getvalue()


@bp.get("/export/<name>.csv")
@staff_only
def export_csv(name: str):
    if name not in queries.table_names():
        raise NotFound("The dashboard has no such table.")
    _form, chosen = _range_form()
    period = chosen.period
    table = queries.dashboard(period).tables[name]
    filename = f"insights-{name}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    return Response(
        table_csv(table.columns, table.rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )
