"""The dashboard's SVG charts as pure functions: well-formed XML, one mark per day or row,
escaped labels, accessible names, nothing the Content Security Policy would refuse."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from markupsafe import Markup

from forum_kb.insights import charts

SVG = "{http://www.w3.org/2000/svg}"
NASTY = '<script>alert("x")</script> & "quotes"'


def days(count: int, first: date = date(2025, 3, 1)) -> list[date]:
    return [first + timedelta(days=n) for n in range(count)]


def parse(svg: Markup) -> ET.Element:
    assert isinstance(svg, Markup)
    return ET.fromstring(str(svg))  # noqa: S314 - our own output


def marks(root: ET.Element, tag: str, css: str) -> list[ET.Element]:
    return [e for e in root.iter(SVG + tag) if css in (e.get("class") or "").split()]


def assert_csp_clean(svg: Markup) -> None:
    text = str(svg)
    assert "<script" not in text and "style=" not in text and "javascript:" not in text
    assert not re.search(r"\son[a-z]+=", text)  # no event handler attributes


def assert_accessible(root: ET.Element, title: str) -> None:
    assert root.get("role") == "img" and root.get("aria-label") == title
    chart_id = root.get("id")
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert root.find(SVG + "title").text == title  # type: ignore[union-attr]
    assert (root.find(SVG + "desc").text or "").strip()  # type: ignore[union-attr]


@pytest.mark.parametrize("count", [1, 7, 30, 366])
def test_bar_chart_has_one_bar_per_day(count: int) -> None:
    values = [n % 5 for n in range(count)]
    svg = charts.bar_chart("c", "Questions asked per day", days(count), values, unit="questions")
    root = parse(svg)
    bars = marks(root, "rect", "chart-bar")
    assert len(bars) == count
    assert_accessible(root, "Questions asked per day")
    assert_csp_clean(svg)
    # Taller bars for larger values, all inside the plot area.
    heights = [float(b.get("height", "0")) for b in bars]
    assert all(h >= 0 for h in heights)
    if count > 4:
        assert heights[4] > heights[1] > heights[0] == 0


def test_bar_chart_points_have_hover_titles_with_date_and_value() -> None:
    root = parse(charts.bar_chart("c", "Searches", days(3), [2, 0, 1234], unit="searches"))
    titles = [b.find(SVG + "title").text for b in marks(root, "rect", "chart-bar")]  # type: ignore[union-attr]
    assert titles == [
        "2025-03-01: 2 searches",
        "2025-03-02: 0 searches",
        "2025-03-03: 1,234 searches",
    ]
    desc = root.find(SVG + "desc").text or ""  # type: ignore[union-attr]
    assert "1,236 in total" in desc and "at most 1,234 on 2025-03-03" in desc


def test_bar_chart_axis_has_gridlines_and_date_labels() -> None:
    root = parse(charts.bar_chart("c", "Questions", days(30), [10] * 30))
    assert len(marks(root, "line", "chart-grid")) >= 2
    assert len(marks(root, "line", "chart-axis")) == 1
    labels = [t.text for t in marks(root, "text", "chart-label")]
    assert "1 Mar" in labels and "0" in labels and "10" in labels
    # A year of days keeps the axis readable: a handful of dates, not 366.
    year = parse(charts.bar_chart("c", "Questions", days(366), [1] * 366))
    dates = [t for t in marks(year, "text", "chart-label") if re.match(r"\d+ [A-Z]", t.text or "")]
    assert 2 <= len(dates) <= charts.MAX_X_LABELS


def test_empty_charts_say_so_instead_of_failing() -> None:
    root = parse(charts.bar_chart("c", "Questions", days(30), [0] * 30))
    assert [t.text for t in marks(root, "text", "chart-empty")] == ["Nothing in this period"]
    assert "none" in (root.find(SVG + "desc").text or "")  # type: ignore[union-attr]
    no_days = parse(charts.bar_chart("c", "Questions", [], []))
    assert marks(no_days, "rect", "chart-bar") == []
    line = parse(charts.line_chart("l", "Views", days(1), [charts.Series("views", [0])]))
    assert len(marks(line, "circle", "chart-point")) == 1
    assert marks(line, "text", "chart-empty")
    assert parse(charts.share_bars("s", "Outcomes", [])).find(SVG + "desc") is not None
    sla = parse(charts.sla_bars("p", "SLA", []))
    assert [t.text for t in marks(sla, "text", "chart-empty")] == ["No escalations in this period"]


def test_line_chart_has_a_point_per_day_and_series_and_a_legend() -> None:
    series = [charts.Series("KB views", [1, 5, 3, 0]), charts.Series("thread views", [2, 2, 9, 4])]
    svg = charts.line_chart("v", "Views per day", days(4), series)
    root = parse(svg)
    assert len(marks(root, "circle", "chart-point")) == 8
    lines = marks(root, "polyline", "chart-line")
    assert len(lines) == 2 and all(len(line.get("points", "").split()) == 4 for line in lines)
    assert {t.text for t in marks(root, "text", "chart-label")} >= {"KB views", "thread views"}
    assert_accessible(root, "Views per day")
    assert_csp_clean(svg)


def test_line_chart_of_a_single_day_has_one_point_and_no_line() -> None:
    root = parse(charts.line_chart("v", "Views", days(1), [charts.Series("views", [7])]))
    assert len(marks(root, "circle", "chart-point")) == 1
    assert marks(root, "polyline", "chart-line") == []


def test_share_bars_show_percentages_and_no_data() -> None:
    svg = charts.share_bars(
        "s", "What happened", [("Answered", 0.75), ("Solved", 0.5), ("Escalated", None)]
    )
    root = parse(svg)
    bars = marks(root, "rect", "chart-bar")
    assert len(bars) == 3
    widths = [float(b.get("width", "0")) for b in bars]
    assert widths[0] == pytest.approx(1.5 * widths[1]) and widths[2] == 0
    values = [t.text for t in marks(root, "text", "chart-value")]
    assert values == ["75%", "50%", "no data"]
    assert_accessible(root, "What happened")
    assert_csp_clean(svg)


def test_sla_bars_split_met_and_breached_per_policy() -> None:
    svg = charts.sla_bars("p", "SLA compliance", [("Standard", 6, 2), ("Priority", 0, 0)])
    root = parse(svg)
    met = [b for b in marks(root, "rect", "chart-met") if b.find(SVG + "title") is not None]
    breached = [
        b for b in marks(root, "rect", "chart-breached") if b.find(SVG + "title") is not None
    ]
    assert len(met) == len(breached) == 2
    assert float(met[0].get("width", "0")) == pytest.approx(
        3 * float(breached[0].get("width", "0"))
    )
    assert float(met[1].get("width", "0")) == float(breached[1].get("width", "0")) == 0
    assert [t.text for t in marks(root, "text", "chart-value")] == ["75% (6/8)", "no data (0/0)"]
    desc = root.find(SVG + "desc").text or ""  # type: ignore[union-attr]
    assert "Standard: 6 of 8 met their targets, 2 breached" in desc
    assert_csp_clean(svg)


def test_every_label_is_escaped() -> None:
    produced = [
        charts.bar_chart(NASTY, NASTY, days(2), [1, 2], unit=NASTY),
        charts.line_chart(NASTY, NASTY, days(2), [charts.Series(NASTY, [1, 2])] * 2),
        charts.share_bars(NASTY, NASTY, [(NASTY, 0.5)]),
        charts.sla_bars(NASTY, NASTY, [(NASTY, 1, 1)]),
    ]
    for svg in produced:
        root = parse(svg)  # still well-formed XML
        assert "<script>" not in str(svg) and "&lt;script&gt;" in str(svg)
        assert root.find(SVG + "title").text == NASTY  # type: ignore[union-attr]
        assert_csp_clean(svg)


def test_axis_scale_is_a_round_number_above_the_peak() -> None:
    assert charts._nice_ceiling(0) == (4.0, 1.0)
    assert charts._nice_ceiling(3) == (3.0, 1.0)
    assert charts._nice_ceiling(9) == (10.0, 5.0)
    top, step = charts._nice_ceiling(1234)
    assert top >= 1234 and top / step <= 5
