"""Community forms: input shape only (STYLE 4.2); the rules live in the services."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from forum_kb.community.models import ThreadKind
from forum_kb.forms import NameListField, optional_int

#: Largest id a form accepts: beyond it the database would overflow rather than find nothing.
MAX_ID = 2**31 - 1
BODY_HELP = (
    "Markdown works: **bold**, *italic*, `code`, > quotes, - lists, [text](https://…), "
    "code blocks fenced with ```, and @username to mention someone."
)
TAGS_HELP = "Up to 5 tags, separated by commas: lower-case letters, digits and hyphens."
KIND_HELP = {
    ThreadKind.QUESTION: "You need help; answers are voted on and you can accept the one "
    "that solved it.",
    ThreadKind.HOWTO: "Step-by-step instructions for a task you know how to do.",
    ThreadKind.STORY: "Share how you solved a problem or what worked well for you.",
    ThreadKind.DISCUSSION: "Open conversation: ideas, feedback, opinions.",
}


class TagListField(NameListField):
    """Tags separated by commas or spaces."""

    separator = re.compile(r"[,\s]+")


def _body_field(label: str = "Body") -> TextAreaField:
    return TextAreaField(
        label,
        validators=[DataRequired(message="Write something first.")],
        description=BODY_HELP,
        render_kw={"rows": 10},
    )


def _tags_field() -> TagListField:
    return TagListField(
        "Tags",
        default=list,
        description=TAGS_HELP,
        render_kw={"autocapitalize": "none", "spellcheck": "false", "maxlength": 200},
    )


class ThreadForm(FlaskForm):
    # The view fills the choices from the categories (forms do not query the database).
    category = SelectField(
        "Category",
        coerce=optional_int,
        validators=[DataRequired(message="Choose a category.")],
        invalid_value_message="Choose one of the categories.",
        invalid_choice_message="Choose one of the categories.",
    )
    kind = RadioField(
        "Kind of thread",
        choices=[SelectChoice(kind.value, kind.label) for kind in ThreadKind],
        default=ThreadKind.QUESTION.value,
        invalid_choice_message="Choose question, how-to, success story or discussion.",
    )
    title = StringField(
        "Title",
        validators=[DataRequired(message="Give your thread a title."), Length(max=200)],
        description="Be specific, e.g. “Printer shows error E42 after the 2.1 update”.",
        render_kw={"maxlength": 200},
    )
    body = _body_field()
    tags = _tags_field()

    kind_help = KIND_HELP

    def set_categories(self, categories: list[Any]) -> None:
        self.category.choices = [SelectChoice("", "Choose a category…")] + [
            SelectChoice(str(category.id), category.name) for category in categories
        ]


class ReplyForm(FlaskForm):
    body = _body_field("Your reply")


class PostEditForm(FlaskForm):
    """Edit a post; the view removes ``title`` and ``tags`` for replies."""

    title = StringField(
        "Title",
        validators=[DataRequired(message="Give your thread a title."), Length(max=200)],
        render_kw={"maxlength": 200},
    )
    body = _body_field()
    tags = _tags_field()
    reason = StringField(
        "Reason for edit",
        validators=[Optional(), Length(max=200)],
        description="Optional, shown in the revision history, e.g. “fixed the command”.",
        render_kw={"maxlength": 200},
    )


class ConfirmForm(FlaskForm):
    """An empty form: CSRF protection for one-click actions (delete, unaccept)."""


class VoteForm(FlaskForm):
    value = IntegerField(validators=[InputRequired(), AnyOf([1, -1, 0])])


class AcceptForm(FlaskForm):
    post_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])


class WatchForm(FlaskForm):
    """``watch`` is 1 to start watching, 0 to stop."""

    watch = BooleanField(false_values=("0", "false", ""))


class CategoryForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(message="Give the category a name."), Length(max=80)]
    )
    slug = StringField(
        "Slug",
        validators=[Optional(), Length(max=80)],
        description="The address: /c/<slug>. Leave empty to make one from the name.",
    )
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=1000)],
        description="One or two sentences: what belongs here.",
        render_kw={"rows": 3},
    )


class MoveForm(FlaskForm):
    offset = IntegerField(validators=[InputRequired(), AnyOf([-1, 1])])
