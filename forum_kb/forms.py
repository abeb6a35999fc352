"""Form helpers shared by every feature's views."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.widgets import TextInput

from forum_kb.errors import ValidationFailed


def optional_int(value: Any) -> int | None:
    """Coerce for selects with an empty placeholder option (a bad value raises ValueError)."""
    if value is None or value == "":
        return None
    return int(value)


class NameListField(Field):
    """Names typed on one line (tags, labels); ``data`` is the list of names."""

    widget = TextInput()
    separator = re.compile(r",")

    def _value(self) -> str:
        return ", ".join(self.data or [])

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            self.data = [n.strip() for n in self.separator.split(valuelist[0]) if n.strip()]


def apply_errors(form: FlaskForm, error: ValidationFailed) -> None:
    """Attach a service's ``ValidationFailed`` messages to the form's fields.

    Messages for fields the form does not have go to ``form.form_errors`` so they still show.
    """
    for field_name, message in error.errors:
        field = getattr(form, field_name, None)
        if field is not None and hasattr(field, "errors"):
            errors = list(field.errors)
            errors.append(message)
            field.errors = errors
        else:
            form.form_errors.append(message)
