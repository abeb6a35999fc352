"""Knowledge-base forms: input shape only (STYLE 4.2); the rules live in the services."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from forum_kb.forms import NameListField, optional_int

BODY_HELP = (
    "Markdown: ## and ### headings (three or more make a table of contents), **bold**, "
    "*italic*, `code`, - lists, 1. steps, [text](https://…) and fenced ``` code blocks."
)
LABELS_HELP = "Up to 10 labels, separated by commas, e.g. “billing, passwords”."
NOTE_HELP = "Optional, shown in the history, e.g. “updated for version 2.1”."


class LabelListField(NameListField):
    """Labels separated by commas (spaces inside a label become hyphens)."""


def _note_field(label: str = "Note", description: str = NOTE_HELP) -> StringField:
    return StringField(
        label,
        validators=[Optional(), Length(max=200)],
        description=description,
        render_kw={"maxlength": 200},
    )


class ArticleForm(FlaskForm):
    # The view fills the choices from the sections (forms do not query the database).
    section_id = SelectField(
        "Section",
        coerce=optional_int,
        validators=[DataRequired(message="Choose a section.")],
        invalid_value_message="Choose one of the sections.",
        invalid_choice_message="Choose one of the sections.",
    )
    title = StringField(
        "Title",
        validators=[DataRequired(message="Give the article a title."), Length(max=200)],
        description="Say what the reader will be able to do, e.g. “Reset your password”.",
        render_kw={"maxlength": 200},
    )
    body = TextAreaField(
        "Body",
        validators=[DataRequired(message="Write the article first.")],
        description=BODY_HELP,
        render_kw={"rows": 18},
    )
    labels = LabelListField(
        "Labels",
        default=list,
        description=LABELS_HELP,
        render_kw={"autocapitalize": "none", "spellcheck": "false", "maxlength": 400},
    )
    note = _note_field("Note about this version")

    def set_sections(self, sections: list[Any]) -> None:
        self.section_id.choices = [SelectChoice("", "Choose a section…")] + [
            SelectChoice(str(section.id), section.name) for section in sections
        ]


class NoteForm(FlaskForm):
    """Lifecycle actions (submit, return, publish, archive): a button and an optional note."""

    note = _note_field("Note (optional)", "Shown in the article's log, e.g. why it was returned.")


class ConfirmForm(FlaskForm):
    """An empty form: CSRF protection for one-click actions (restore a revision)."""


class FeedbackForm(FlaskForm):
    """ "Was this helpful?": the Yes/No buttons send ``helpful``; the comment is optional."""

    helpful = StringField(
        validators=[InputRequired(), AnyOf(["yes", "no"], message="Answer yes or no.")]
    )
    comment = TextAreaField(
        "Anything we should add or fix? (optional)",
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3, "maxlength": 2000},
    )


class ReportForm(FlaskForm):
    comment = TextAreaField(
        "What is wrong or out of date?",
        validators=[DataRequired(message="Say what is wrong."), Length(min=5, max=2000)],
        description="The article's owner is notified and will check it.",
        render_kw={"rows": 3, "maxlength": 2000},
    )


class OwnerForm(FlaskForm):
    owner_id = SelectField(
        "Owner",
        coerce=optional_int,
        validators=[DataRequired(message="Choose an owner.")],
        invalid_value_message="Choose one of the listed people.",
        invalid_choice_message="Choose one of the listed people.",
        description="Staff and moderators only; the owner keeps the article correct.",
    )
    review_by = DateField(
        "Review by",
        validators=[Optional()],
        description="The owner is reminded by email when this date passes. Leave empty for none.",
    )

    def set_owners(self, users: list[Any]) -> None:
        self.owner_id.choices = [
            SelectChoice(str(user.id), f"{user.name} (@{user.username}, {user.role.label})")
            for user in users
        ]


class SectionForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[DataRequired(message="Give the section a name."), Length(max=80)],
        render_kw={"maxlength": 80},
    )
    slug = StringField(
        "Slug",
        validators=[Optional(), Length(max=80)],
        description="The address: /kb/sections/<slug>. Leave empty to make one from the name.",
        render_kw={"maxlength": 80},
    )
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=1000)],
        description="One or two sentences: what readers find here.",
        render_kw={"rows": 3},
    )


class MoveForm(FlaskForm):
    offset = IntegerField(validators=[InputRequired(), AnyOf([-1, 1])])
