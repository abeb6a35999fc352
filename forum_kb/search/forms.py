"""Search inputs: the search box with its filters, and the insights date range. Both are GET
forms without CSRF (reading only, STYLE 4.6); the JSON API validates with the same rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional, Regexp

from forum_kb.search.index import QUERY_MAX_LENGTH

TYPE_LABELS = {"": "Everything", "thread": "Threads", "post": "Answers", "article": "KB articles"}
SOLVED_LABELS = {"": "Any", "true": "Solved", "false": "Unsolved"}
SORT_LABELS = {"relevance": "Best match", "date": "Newest"}
#: Category and section slugs, and tag names: lower-case words joined by hyphens.
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


def _choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


def _lower(value: str | None) -> str:
    return (value or "").strip().lower().lstrip("#")


def _strip(value: str | None) -> str:
    return (value or "").strip()


class SearchForm(FlaskForm):
    """``?q=&type=&category=&tag=&solved=&sort=``; an empty ``q`` means "no search yet"."""

    class Meta:
        csrf = False

    q = StringField(
        "Search threads, answers and articles",
        filters=[_strip],
        validators=[
            Length(
                max=QUERY_MAX_LENGTH,
                message=f"Search for at most {QUERY_MAX_LENGTH} characters: "
                "a few distinctive words work best.",
            )
        ],
        render_kw={"maxlength": QUERY_MAX_LENGTH},
    )
    type = SelectField(
        "Show", choices=_choices(TYPE_LABELS), default="", validate_choice=True,
        invalid_choice_message="Choose thread, post or article.",
    )  # fmt: skip
    category = StringField(
        "Category",
        filters=[_lower],
        validators=[Optional(), Length(max=80), Regexp(SLUG_PATTERN, message="Not a category.")],
    )
    tag = StringField(
        "Tag",
        filters=[_lower],
        validators=[Optional(), Length(max=40), Regexp(SLUG_PATTERN, message="Not a tag.")],
    )
    solved = SelectField(
        "Solved", choices=_choices(SOLVED_LABELS), default="", validate_choice=True,
        invalid_choice_message="Use true or false.",
    )  # fmt: skip
    sort = SelectField(
        "Sort by", choices=_choices(SORT_LABELS), default="relevance", validate_choice=True,
        invalid_choice_message="Sort by relevance or date.",
    )  # fmt: skip

    def value(self, name: str) -> str:
        """A field's value, or its default when the value is invalid (pages ignore bad
        filters rather than refuse the search)."""
        field = self[name]
        if field.errors or field.data is None:
            return str(field.default or "")
        return str(field.data)


class InsightsForm(FlaskForm):
    """The date range of the content-gap report (both ends inclusive)."""

    class Meta:
        csrf = False

    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])
