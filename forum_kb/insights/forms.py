"""Dashboard inputs: the date range (``?from=&to=``, both ends inclusive) and the drill-down's
tag or title word. GET forms without CSRF (reading only, STYLE 4.6); the JSON API validates
with the same form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, Field, StringField
from wtforms.validators import Length, Optional, ValidationError

from forum_kb.insights.queries import MAX_DAYS, Period, clamp_period, report_period

#: Dates outside this range are typing mistakes (and would overflow date arithmetic).
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def _plausible(form: FlaskForm, field: Field) -> None:
    if field.data is not None and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(
            f"Choose a date between {EARLIEST.isoformat()} and {LATEST.isoformat()}."
        )


def _strip(value: str | None) -> str:
    return (value or "").strip()


class RangeForm(FlaskForm):
    """``?from=YYYY-MM-DD&to=YYYY-MM-DD``; either may be left out."""

    class Meta:
        csrf = False

    since = DateField(
        "From", name="from", validators=[Optional(), _plausible],
        invalid_value_message="Use a date like 2025-03-31.",
    )  # fmt: skip
    until = DateField(
        "To", name="to", validators=[Optional(), _plausible],
        invalid_value_message="Use a date like 2025-03-31.",
    )  # fmt: skip

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own checks, then: the end is not before the start."""
        if not super().validate(extra_validators):
            return False
        if self.since.data and self.until.data and self.until.data < self.since.data:
            self.until.errors = [*self.until.errors, "The end date is before the start date."]
            return False
        return True

    def field_errors(self) -> dict[str, list[str]]:
        """Messages by query-string name (``from``, ``to``), for the JSON API."""
        return {f.name: list(f.errors) for f in (self.since, self.until) if f.errors}


class DrillDownForm(RangeForm):
    """The range, plus the tag or the title word whose problem threads to list."""

    tag = StringField("Tag", filters=[_strip], validators=[Length(max=40)])
    term = StringField("Word", filters=[_strip], validators=[Length(max=60)])


@dataclass(frozen=True)
class ChosenPeriod:
    """The period to show, and whether it is not quite what was asked for."""

    period: Period
    #: The dates were invalid: the default period is shown instead.
    fell_back: bool = False
    #: The range was longer than MAX_DAYS and was cut to its last MAX_DAYS days.
    capped: bool = False


def chosen_period(form: RangeForm) -> ChosenPeriod:
    """The period of a validated form: the default one when its dates are invalid."""
    if form.since.errors or form.until.errors:
        return ChosenPeriod(clamp_period(None, None), fell_back=True)
    since, until = form.since.data, form.until.data
    asked = report_period(since, until)
    return ChosenPeriod(clamp_period(since, until), capped=asked.days > MAX_DAYS)
