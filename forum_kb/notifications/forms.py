"""Notification forms: input shape only (STYLE 4.2); rules live in the services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import HiddenInput

from forum_kb.notifications.models import EmailMode

MODE_LABELS = {
    EmailMode.IMMEDIATE: "Right away: one email per notification",
    EmailMode.DIGEST: "Once a day: one digest email",
    EmailMode.NEVER: "Never",
}


class SettingsForm(FlaskForm):
    email_mode = SelectField(
        "How often to email you",
        choices=[SelectChoice(mode.value, MODE_LABELS[mode]) for mode in EmailMode],
        description="You always see your notifications on the site.",
    )
    email_replies = BooleanField(
        "Email me about replies, accepted answers and new threads in what I watch"
    )
    email_mentions = BooleanField("Email me when someone mentions me")


class MarkReadForm(FlaskForm):
    """Mark one notification read, or all of them when ``notification_id`` is empty."""

    notification_id = IntegerField(
        widget=HiddenInput(), validators=[Optional(), NumberRange(min=1)]
    )


class UnsubscribeForm(FlaskForm):
    """An empty confirm form for the unsubscribe link.

    No CSRF token: the signed token in the URL is the credential, and RFC 8058 one-click
    POSTs come from the mail provider, without our session cookie or form token.
    """

    class Meta:
        csrf = False
