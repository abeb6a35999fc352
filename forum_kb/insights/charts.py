"""Server-rendered SVG charts for the staff dashboard: small pure functions returning Markup.

No script and no ``style`` attribute (the Content Security Policy refuses both): colours come
from presentation attributes, which the ``.chart-*`` classes of ``static/css/app.css`` override
for the dark theme. Every label passes through ``escape``. Each chart is ``role="img"`` with a
``<title>`` and a ``<desc>`` summarising it for screen readers, and each bar or point has its
own ``<title>``, which browsers show on hover.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

__all__ = ["Series", "bar_chart", "line_chart", "share_bars", "sla_bars"]

WIDTH = 640
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 14, 34
#: At most this many dates under the x axis (the rest are in the points' titles).
MAX_X_LABELS = 7
#: Fallback colours (the stylesheet's classes take precedence).
COLOURS = ("#1a5fb4", "#c2410c", "#2f8a4f", "#7c3aed")
MET_COLOUR, BREACHED_COLOUR = "#2f8a4f", "#c8372b"
GRID_COLOUR, TEXT_COLOUR = "#d8dde4", "#535d6c"


@dataclass(frozen=True)
class Series:
    """One line of a line chart: a value per day (None when unknown)."""

    label: str
    values: Sequence[int | float | None]


# --- formatting --------------------------------------------------------------------------------


def _num(value: float) -> str:
    """A coordinate with at most one decimal (short, stable output)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _count(value: int | float | None) -> str:
    if value is None:
        return "no data"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _percent(share: float | None) -> str:
    return "no data" if share is None else f"{share * 100:.0f}%"


def _day_label(day: date) -> str:
    return f"{day.day} {day:%b}"


def _nice_ceiling(value: float) -> tuple[float, float]:
    """An axis top at or above ``value`` and its gridline step (1, 2 or 5 times a power of 10)."""
    if value <= 0:
        return 4.0, 1.0
    raw_step = value / 4
    power = 10 ** math.floor(math.log10(raw_step))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw_step)
    if step < 1:
        step = 1.0  # the charts count things: no gridline at 0.25 questions
    return step * math.ceil(value / step), step


def _svg(chart_id: str, title: str, desc: str, height: int, body: list[str]) -> Markup:
    chart_id = str(escape(chart_id))
    # Every label and the id were escaped; the rest is markup this module wrote.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _label(x: float, y: float, content: str, *, anchor: str = "start", css: str = "") -> str:
    classes = f"chart-label {css}".strip()
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" font-size="12" '
        f'fill="{TEXT_COLOUR}" class="{classes}">{escape(content)}</text>'
    )


# --- daily charts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """The plot area of a daily chart and its scales."""

    days: Sequence[date]
    top_value: float
    step: float

    @property
    def width(self) -> float:
        return WIDTH - LEFT - RIGHT

    @property
    def height(self) -> float:
        return HEIGHT - TOP - BOTTOM

    def slot(self) -> float:
        return self.width / max(len(self.days), 1)

    def x(self, index: int) -> float:
        return LEFT + self.slot() * (index + 0.5)

    def y(self, value: float) -> float:
        return TOP + self.height * (1 - value / self.top_value)


def _frame(days: Sequence[date], values: Sequence[int | float | None]) -> _Frame:
    peak = max((v for v in values if v is not None), default=0)
    top_value, step = _nice_ceiling(float(peak))
    return _Frame(days, top_value, step)


def _axes(frame: _Frame) -> list[str]:
    parts = []
    ticks = round(frame.top_value / frame.step)
    for n in range(ticks + 1):
        value = frame.step * n
        y = frame.y(value)
        css = "chart-axis" if n == 0 else "chart-grid"
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_num(y)}" y2="{_num(y)}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1" class="{css}"/>'
        )
        parts.append(_label(LEFT - 6, y + 4, _count(value), anchor="end"))
    count = len(frame.days)
    every = max(1, math.ceil(count / MAX_X_LABELS))
    for index in range(0, count, every):
        parts.append(_label(frame.x(index), HEIGHT - BOTTOM + 18, _day_label(frame.days[index]),
                            anchor="middle"))  # fmt: skip
    return parts


def _empty_note(frame: _Frame, message: str) -> str:
    return _label(LEFT + frame.width / 2, TOP + frame.height / 2, message, anchor="middle",
                  css="chart-empty")  # fmt: skip


def _summary(label: str, days: Sequence[date], values: Sequence[int | float | None]) -> str:
    known = [v for v in values if v is not None]
    if not days:
        return f"{label}: no days in the period."
    span = f"from {days[0].isoformat()} to {days[-1].isoformat()} ({len(days)} days)"
    if not known or not any(known):
        return f"{label} {span}: none."
    total = sum(known)
    peak = max(known)
    peak_day = days[list(values).index(peak)]
    return (
        f"{label} {span}: {_count(total)} in total, {_count(total / len(days))} a day on "
        f"average, at most {_count(peak)} on {peak_day.isoformat()}."
    )


def bar_chart(
    chart_id: str,
    title: str,
    days: Sequence[date],
    values: Sequence[int | float | None],
    *,
    unit: str = "",
) -> Markup:
    """One bar per day; ``unit`` names what is counted ("questions") in the hover titles."""
    frame = _frame(days, values)
    parts = _axes(frame)
    slot = frame.slot()
    gap = min(2.0, slot * 0.2)
    for index, (day, value) in enumerate(zip(days, values, strict=True)):
        height = 0.0 if value is None else frame.height * value / frame.top_value
        x = LEFT + slot * index + gap / 2
        parts.append(
            f'<rect class="chart-bar" x="{_num(x)}" y="{_num(TOP + frame.height - height)}" '
            f'width="{_num(max(slot - gap, 0.5))}" height="{_num(height)}" fill="{COLOURS[0]}">'
            f"<title>{escape(day.isoformat())}: {escape(_count(value))} {escape(unit)}</title>"
            "</rect>"
        )
    if not any(values):
        parts.append(_empty_note(frame, "Nothing in this period"))
    return _svg(chart_id, title, _summary(title, days, values), HEIGHT, parts)


def line_chart(chart_id: str, title: str, days: Sequence[date], series: Sequence[Series]) -> Markup:
    """One line per series with a point per day, and a legend when there are several."""
    everything = [v for s in series for v in s.values]
    frame = _frame(days, everything)
    parts = _axes(frame)
    for number, line in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        css = f"chart-series-{number % len(COLOURS) + 1}"
        coords = [(frame.x(i), frame.y(v)) for i, v in enumerate(line.values) if v is not None]
        if len(coords) > 1:
            points = " ".join(f"{_num(x)},{_num(y)}" for x, y in coords)
            parts.append(
                f'<polyline class="chart-line {css}" points="{points}" fill="none" '
                f'stroke="{colour}" stroke-width="2" stroke-linejoin="round"/>'
            )
        radius = 3 if len(days) <= 62 else 1.5
        for index, (day, value) in enumerate(zip(days, line.values, strict=True)):
            y = frame.y(0 if value is None else value)
            parts.append(
                f'<circle class="chart-point {css}" cx="{_num(frame.x(index))}" cy="{_num(y)}" '
                f'r="{radius}" fill="{colour}"><title>{escape(day.isoformat())}: '
                f"{escape(_count(value))} {escape(line.label)}</title></circle>"
            )
    if len(series) > 1:
        x = LEFT
        for number, line in enumerate(series):
            css = f"chart-series-{number % len(COLOURS) + 1}"
            parts.append(
                f'<rect class="chart-swatch {css}" x="{_num(x)}" y="0" width="10" height="10" '
                f'fill="{COLOURS[number % len(COLOURS)]}"/>'
            )
            parts.append(_label(x + 14, 9, line.label))
            x += 24 + 7 * len(line.label)
    if not any(v for v in everything if v):
        parts.append(_empty_note(frame, "Nothing in this period"))
    desc = " ".join(_summary(s.label.capitalize(), days, s.values) for s in series)
    return _svg(chart_id, title, desc, HEIGHT, parts)


# --- horizontal bars ---------------------------------------------------------------------------

ROW = 34
LABEL_WIDTH = 190
VALUE_WIDTH = 150


def share_bars(chart_id: str, title: str, shares: Sequence[tuple[str, float | None]]) -> Markup:
    """One horizontal bar per share (0 to 1), labelled with its percentage."""
    height = TOP + ROW * max(len(shares), 1) + 6
    track = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = []
    for index, (label, share) in enumerate(shares):
        y = TOP + ROW * index
        width = track * min(max(share or 0.0, 0.0), 1.0)
        parts.append(_label(LABEL_WIDTH - 8, y + 16, label, anchor="end"))
        parts.append(
            f'<rect class="chart-track" x="{LABEL_WIDTH}" y="{y + 4}" width="{track}" '
            f'height="18" fill="{GRID_COLOUR}"/>'
        )
        parts.append(
            f'<rect class="chart-bar chart-series-{index % len(COLOURS) + 1}" '
            f'x="{LABEL_WIDTH}" y="{y + 4}" width="{_num(width)}" height="18" '
            f'fill="{COLOURS[index % len(COLOURS)]}"><title>{escape(label)}: '
            f"{escape(_percent(share))}</title></rect>"
        )
        parts.append(_label(LABEL_WIDTH + track + 8, y + 17, _percent(share), css="chart-value"))
    if not shares:
        parts.append(_label(WIDTH / 2, TOP + 16, "Nothing in this period", anchor="middle",
                            css="chart-empty"))  # fmt: skip
    desc = "; ".join(f"{label}: {_percent(share)}" for label, share in shares) or "No data."
    return _svg(chart_id, title, desc + ".", height, parts)


def sla_bars(chart_id: str, title: str, rows: Sequence[tuple[str, int, int]]) -> Markup:
    """Per policy, a bar split into escalations that met their targets and those that breached.

    ``rows`` are (policy, met, breached).
    """
    height = TOP + 18 + ROW * max(len(rows), 1) + 6
    track = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = [
        f'<rect class="chart-met" x="{LABEL_WIDTH}" y="0" width="10" height="10" '
        f'fill="{MET_COLOUR}"/>',
        _label(LABEL_WIDTH + 14, 9, "met"),
        f'<rect class="chart-breached" x="{LABEL_WIDTH + 60}" y="0" width="10" height="10" '
        f'fill="{BREACHED_COLOUR}"/>',
        _label(LABEL_WIDTH + 74, 9, "breached"),
    ]
    summaries = []
    for index, (policy, met, breached) in enumerate(rows):
        y = TOP + 18 + ROW * index
        total = met + breached
        met_width = track * met / total if total else 0.0
        compliance = met / total if total else None
        parts.append(_label(LABEL_WIDTH - 8, y + 16, policy, anchor="end"))
        parts.append(
            f'<rect class="chart-track" x="{LABEL_WIDTH}" y="{y + 4}" width="{track}" '
            f'height="18" fill="{GRID_COLOUR}"/>'
        )
        parts.append(
            f'<rect class="chart-met" x="{LABEL_WIDTH}" y="{y + 4}" width="{_num(met_width)}" '
            f'height="18" fill="{MET_COLOUR}"><title>{escape(policy)}: {met} met</title></rect>'
        )
        parts.append(
            f'<rect class="chart-breached" x="{_num(LABEL_WIDTH + met_width)}" y="{y + 4}" '
            f'width="{_num(track - met_width if total else 0)}" height="18" '
            f'fill="{BREACHED_COLOUR}"><title>{escape(policy)}: {breached} breached</title></rect>'
        )
        value = f"{_percent(compliance)} ({met}/{total})"
        parts.append(_label(LABEL_WIDTH + track + 8, y + 17, value, css="chart-value"))
        summaries.append(f"{policy}: {met} of {total} met their targets, {breached} breached")
    if not rows:
        parts.append(_label(WIDTH / 2, TOP + 34, "No escalations in this period",
                            anchor="middle", css="chart-empty"))  # fmt: skip
    desc = "; ".join(summaries) or "No escalations in this period"
    return _svg(chart_id, title, desc + ".", height, parts)
