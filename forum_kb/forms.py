"""Form helpers shared by every feature's views."""

from __future__ import annotations

from flask_wtf import FlaskForm

from forum_kb.errors import ValidationFailed


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
