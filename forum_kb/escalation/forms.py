"""Escalation forms: input shape only (STYLE 4.2); the rules live in the services."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from forum_kb.escalation.models import EscalationStatus
from forum_kb.escalation.services import WEBHOOK_EVENTS
from forum_kb.escalation.services.core import NOTE_MAX, REASON_MAX
from forum_kb.forms import optional_int

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WORKING = [EscalationStatus.OPEN, EscalationStatus.ASSIGNED, EscalationStatus.WAITING]


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes (templates render it as a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ConfirmForm(FlaskForm):
    """An empty form: CSRF protection for one-click actions (assign to me, delete)."""


class QueueFilterForm(FlaskForm):
    """The queue's GET filters (no CSRF: reading only)."""

    class Meta:
        csrf = False

    assignee = SelectField(
        "Assigned to",
        choices=[
            SelectChoice("", "Anyone"),
            SelectChoice("mine", "Me"),
            SelectChoice("unassigned", "Nobody yet"),
        ],
        validate_choice=False,
    )
    status = SelectField(
        "Status",
        choices=[SelectChoice("", "Not resolved")]
        + [SelectChoice(s.value, s.label) for s in EscalationStatus],
        validate_choice=False,
    )
    # The view fills the choices from the staff groups.
    group = SelectField("Group", coerce=optional_int, validate_choice=False)
    breached = BooleanField("Breached only")

    def set_groups(self, groups: list[Any]) -> None:
        self.group.choices = [SelectChoice("", "Any group")] + [
            SelectChoice(str(group.id), group.name) for group in groups
        ]


class EscalateForm(FlaskForm):
    reason = TextAreaField(
        "What do staff need to know? (optional)",
        validators=[Optional(), Length(max=REASON_MAX)],
        render_kw={"rows": 2, "maxlength": REASON_MAX},
    )


class AssignForm(FlaskForm):
    # The view fills the choices from the staff; empty means the person submitting.
    user = SelectField(
        "Assign to",
        coerce=optional_int,
        invalid_value_message="Choose someone on staff.",
        invalid_choice_message="Choose someone on staff.",
    )

    def set_staff(self, people: list[Any]) -> None:
        self.user.choices = [SelectChoice("", "Me")] + [
            SelectChoice(str(person.id), f"{person.name} (@{person.username})") for person in people
        ]


class NoteForm(FlaskForm):
    # Distinct ids: the reply form on the same page also has a "body" field.
    body = TextAreaField(
        "Internal note",
        id="note-body",
        validators=[DataRequired(message="Write the note first."), Length(max=NOTE_MAX)],
        description="Internal — never shown to the customer.",
        render_kw={"rows": 3, "maxlength": NOTE_MAX},
    )


class StatusForm(FlaskForm):
    status = SelectField(
        "Status",
        choices=[SelectChoice(s.value, s.label) for s in WORKING],
        validators=[InputRequired()],
        invalid_choice_message="Choose open, assigned or waiting.",
    )


class ReplyForm(FlaskForm):
    body = TextAreaField(
        "Reply in the thread",
        validators=[DataRequired(message="Write the reply first.")],
        description="Markdown. The customer and every reader see it, with a Staff badge.",
        render_kw={"rows": 5},
    )
    waiting = BooleanField("Wait on the customer", default=True)


class ResolveForm(FlaskForm):
    resolution = TextAreaField(
        "Resolution",
        id="resolution-text",  # the page's section is #resolution
        validators=[DataRequired(message="Write the answer for the customer.")],
        description="Markdown, posted in the thread as the staff answer.",
        render_kw={"rows": 6},
    )
    accept = BooleanField("Mark it as the accepted answer", default=True)


class PolicyForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[DataRequired(message="Give the policy a name."), Length(max=80)],
        render_kw={"maxlength": 80},
    )
    unanswered_hours = IntegerField(
        "Escalate unanswered questions after (hours)",
        default=48,
        validators=[InputRequired(message="Give a number of hours."), NumberRange(min=1)],
    )
    unsolved_days = IntegerField(
        "Escalate answered but unsolved questions after (days)",
        default=7,
        validators=[InputRequired(message="Give a number of days."), NumberRange(min=1)],
    )
    first_response_hours = IntegerField(
        "First response target (hours)",
        default=8,
        validators=[InputRequired(message="Give a number of hours."), NumberRange(min=1)],
    )
    resolution_hours = IntegerField(
        "Resolution target (hours)",
        default=48,
        validators=[InputRequired(message="Give a number of hours."), NumberRange(min=1)],
    )
    is_default = BooleanField("Default policy (for categories without their own)")
    business_hours = BooleanField("Count only business hours")
    business_start = IntegerField(
        "Business hours start (UTC hour)",
        default=9,
        validators=[InputRequired(), NumberRange(min=0, max=23)],
    )
    business_end = IntegerField(
        "Business hours end (UTC hour)",
        default=17,
        validators=[InputRequired(), NumberRange(min=1, max=24)],
    )
    business_days = CheckboxesField(
        "Business days",
        choices=[SelectChoice(str(n), day) for n, day in enumerate(WEEKDAYS)],
        default=["0", "1", "2", "3", "4"],
        invalid_choice_message="Choose days of the week.",
    )


class CategoryPolicyForm(FlaskForm):
    # The view fills the choices from the policies; empty means the default policy.
    policy_id = SelectField(
        "Policy",
        coerce=optional_int,
        invalid_value_message="Choose one of the policies.",
        invalid_choice_message="Choose one of the policies.",
    )

    def set_policies(self, found: list[Any]) -> None:
        self.policy_id.choices = [SelectChoice("", "Default policy")] + [
            SelectChoice(str(policy.id), policy.name) for policy in found
        ]


class GroupForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[DataRequired(message="Give the group a name."), Length(max=80)],
        render_kw={"maxlength": 80},
    )
    auto_assign = BooleanField(
        "Assign new escalations automatically",
        description="To the member with the fewest open escalations.",
    )
    # The view fills the choices (staff, categories, tags).
    member_ids = CheckboxesField("Members", coerce=int, validate_choice=False)
    category_ids = CheckboxesField("Categories", coerce=int, validate_choice=False)
    tag_ids = CheckboxesField("Tags", coerce=int, validate_choice=False)

    def set_choices(self, people: list[Any], categories: list[Any], tags: list[Any]) -> None:
        self.member_ids.choices = [
            SelectChoice(str(person.id), f"{person.name} (@{person.username})") for person in people
        ]
        self.category_ids.choices = [SelectChoice(str(c.id), c.name) for c in categories]
        self.tag_ids.choices = [SelectChoice(str(tag.id), tag.name) for tag in tags]


class WebhookForm(FlaskForm):
    url = StringField(
        "Endpoint URL",
        validators=[DataRequired(message="Give the endpoint's address."), Length(max=500)],
        render_kw={"maxlength": 500, "inputmode": "url", "spellcheck": "false"},
    )
    events = CheckboxesField(
        "Events",
        choices=[SelectChoice(event, event) for event in WEBHOOK_EVENTS],
        validators=[DataRequired(message="Choose at least one event.")],
        invalid_choice_message="Choose events from the list.",
    )
    secret = StringField(
        "Secret (optional)",
        validators=[Optional(), Length(max=200)],
        description="Signs each delivery (X-Forum-KB-Signature). Left empty, one is generated.",
        render_kw={"maxlength": 200, "autocomplete": "off", "spellcheck": "false"},
    )
    description = StringField(
        "Description (optional)",
        validators=[Optional(), Length(max=200)],
        render_kw={"maxlength": 200},
    )
