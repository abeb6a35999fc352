"""Moderation forms: input shape only (STYLE 4.2); the rules live in the services."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from forum_kb.forms import optional_int
from forum_kb.kb.forms import LABELS_HELP, LabelListField
from forum_kb.moderation.models import FlagReason, SanctionKind, WatchedWordAction
from forum_kb.moderation.services import FlagAction, PendingAction, PostAction, ThreadAction

#: Largest id a form accepts: beyond it the database would overflow rather than find nothing.
MAX_ID = 2**31 - 1
#: Sanction lengths offered in the select; 0 means "the number of days typed below".
SANCTION_DAYS = [(1, "1 day"), (3, "3 days"), (7, "1 week"), (30, "30 days"), (365, "1 year")]
CUSTOM = 0
#: What the audit log records actions on (ModerationAction.target_type).
TARGET_TYPES = ("post", "thread", "user", "category", "word", "article")
MAX_DAYS = 3650
#: "123", "#123", "/t/123", "https://example.com/t/123/p/9?page=2" all name thread 123.
_THREAD_REF = re.compile(r"^\s*(?:#?(\d+)|(?:\S*?)/t/(\d+)(?:[/?#]\S*)?)\s*$")


def _reason_field(label: str = "Reason (optional)", max_length: int = 500) -> StringField:
    return StringField(
        label,
        validators=[Optional(), Length(max=max_length)],
        description="Kept in the audit log.",
        render_kw={"maxlength": max_length},
    )


def _days_choices() -> list[SelectChoice]:
    return [SelectChoice(str(days), label) for days, label in SANCTION_DAYS] + [
        SelectChoice(str(CUSTOM), "Another number of days…")
    ]


class ThreadRefField(StringField):
    """A thread named by its number or by a link to it; ``data`` is the thread id."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        self.raw = valuelist[0] if valuelist else ""
        if not self.raw.strip():
            return
        match = _THREAD_REF.match(self.raw)
        thread_id = int(match.group(1) or match.group(2)) if match else 0
        if not 1 <= thread_id <= MAX_ID:
            raise ValueError("Give a thread number, e.g. 42, or a link to the thread.")
        self.data = thread_id

    def _value(self) -> str:
        return str(getattr(self, "raw", "") or (self.data or ""))


class ConfirmForm(FlaskForm):
    """An empty form: CSRF protection for one-click actions (lift, remove, reopen)."""


class ReasonForm(FlaskForm):
    reason = _reason_field()


class ThreadActionForm(ReasonForm):
    action = StringField(validators=[InputRequired(), AnyOf([a.value for a in ThreadAction])])


class PostActionForm(ReasonForm):
    action = StringField(validators=[InputRequired(), AnyOf([a.value for a in PostAction])])


class MoveForm(ReasonForm):
    # The view fills the choices from the categories (forms do not query the database).
    category_id = SelectField(
        "Move to category",
        coerce=optional_int,
        validators=[DataRequired(message="Choose a category.")],
        invalid_value_message="Choose one of the categories.",
        invalid_choice_message="Choose one of the categories.",
    )

    def set_categories(self, categories: list[Any]) -> None:
        self.category_id.choices = [SelectChoice("", "Choose a category…")] + [
            SelectChoice(str(category.id), category.name) for category in categories
        ]


class CloseForm(ReasonForm):
    """Close as a duplicate of a thread or of a KB article (the service wants exactly one)."""

    thread = ThreadRefField("Duplicate of thread", description="Its number or a link to it.")
    article_id = IntegerField(
        "or of knowledge-base article number",
        validators=[Optional(), NumberRange(min=1, max=MAX_ID)],
    )


class MergeForm(ReasonForm):
    target = ThreadRefField(
        "Merge into thread",
        validators=[InputRequired(message="Give the thread to merge into.")],
        description="Its number or a link to it. This thread's posts move there for good.",
    )


class FlagForm(FlaskForm):
    reason = RadioField(
        "What is wrong with this post?",
        choices=[SelectChoice(reason.value, reason.label) for reason in FlagReason],
        validators=[InputRequired(message="Choose a reason.")],
        invalid_choice_message="Choose one of the reasons.",
    )
    note = TextAreaField(
        "Note for the moderators",
        validators=[Optional(), Length(max=1000)],
        description="Optional, except for “Something else”: say what is wrong.",
        render_kw={"rows": 3, "maxlength": 1000},
    )


class BatchForm(FlaskForm):
    """The queue's checkboxes: the ids of the selected posts."""

    post_ids = SelectMultipleField(
        coerce=int, validate_choice=False, invalid_value_message="Select posts from the list."
    )


class FlagBatchForm(BatchForm):
    action = StringField(validators=[InputRequired(), AnyOf([a.value for a in FlagAction])])
    reason = _reason_field()
    silence_days = SelectField(
        "Silence for",
        coerce=int,
        choices=_days_choices()[:-1],
        default=SANCTION_DAYS[2][0],
        description="Only for “Hide and silence the author”.",
    )


class PendingBatchForm(BatchForm):
    action = StringField(validators=[InputRequired(), AnyOf([a.value for a in PendingAction])])


class SanctionForm(FlaskForm):
    kind = RadioField(
        "Sanction",
        choices=[
            SelectChoice(SanctionKind.SILENCE.value, "Silence: can read and sign in, cannot post"),
            SelectChoice(SanctionKind.SUSPEND.value, "Suspend: cannot sign in at all"),
        ],
        default=SanctionKind.SILENCE.value,
        validators=[InputRequired(message="Choose silence or suspend.")],
        invalid_choice_message="Choose silence or suspend.",
    )
    reason = StringField(
        "Reason",
        validators=[DataRequired(message="Give a reason: the person is told it."), Length(max=500)],
        description="The person sees it.",
        render_kw={"maxlength": 500},
    )
    days = SelectField("For", coerce=int, choices=_days_choices(), default=SANCTION_DAYS[2][0])
    custom_days = IntegerField(
        "Number of days",
        validators=[Optional(), NumberRange(min=1, max=MAX_DAYS)],
        description=f"Only for “Another number of days”: 1 to {MAX_DAYS}.",
    )

    def duration(self) -> int | None:
        """The chosen length in days (None when "another number" was left empty)."""
        return self.custom_days.data if self.days.data == CUSTOM else self.days.data


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Private note",
        validators=[DataRequired(message="Write the note first."), Length(max=5000)],
        description="Only moderators and staff read notes.",
        render_kw={"rows": 3, "maxlength": 5000},
    )


class PromoteForm(FlaskForm):
    # The view fills the choices from the KB sections.
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
        render_kw={"maxlength": 200},
    )
    body = TextAreaField(
        "Body",
        validators=[DataRequired(message="The article needs a body.")],
        description="Markdown, starting from the post's text: tidy it into an official answer.",
        render_kw={"rows": 18},
    )
    labels = LabelListField("Labels", default=list, description=LABELS_HELP)
    note = StringField(
        "Note about this version",
        validators=[Optional(), Length(max=200)],
        description="Optional, shown in the article's history.",
        render_kw={"maxlength": 200},
    )

    def set_sections(self, sections: list[Any]) -> None:
        self.section_id.choices = [SelectChoice("", "Choose a section…")] + [
            SelectChoice(str(section.id), section.name) for section in sections
        ]


class WatchedWordForm(FlaskForm):
    word = StringField(
        "Word or phrase",
        validators=[DataRequired(message="Give a word or phrase."), Length(max=100)],
        description="Matched as whole words, ignoring case.",
        render_kw={"maxlength": 100},
    )
    action = RadioField(
        "When a new post contains it",
        choices=[
            SelectChoice(WatchedWordAction.BLOCK.value, "Block the post"),
            SelectChoice(WatchedWordAction.QUEUE.value, "Send it to the review queue"),
        ],
        default=WatchedWordAction.QUEUE.value,
        validators=[InputRequired(message="Choose block or queue.")],
        invalid_choice_message="Choose block or queue.",
    )


class PremoderationForm(FlaskForm):
    """``enabled`` is 1 to turn pre-moderation on, 0 to turn it off."""

    enabled = IntegerField(validators=[InputRequired(), AnyOf([0, 1])])


class AuditFilterForm(FlaskForm):
    """The audit log's GET filters (no CSRF: reading only)."""

    class Meta:
        csrf = False

    actor = StringField(
        "Who",
        validators=[Optional(), Length(max=32)],
        description="A username, or “system” for automatic actions.",
        render_kw={"maxlength": 32, "autocapitalize": "none", "spellcheck": "false"},
    )
    # The view fills the choices from the action names in the log.
    action = SelectField("Action", validate_choice=False)
    target_type = SelectField(
        "Target",
        choices=[SelectChoice("", "Anything")]
        + [SelectChoice(kind, kind.capitalize()) for kind in TARGET_TYPES],
        validate_choice=False,
    )
    target_id = IntegerField(
        "Target number", validators=[Optional(), NumberRange(min=1, max=MAX_ID)]
    )
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()], description="Inclusive.")

    def set_actions(self, names: list[str]) -> None:
        prefixes = sorted({name.split(".", 1)[0] for name in names})
        self.action.choices = [
            SelectChoice("", "Any action"),
            *(SelectChoice(prefix, f"{prefix}.* (all)") for prefix in prefixes),
            *(SelectChoice(name, name) for name in names if name not in prefixes),
        ]
