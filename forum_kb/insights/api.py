"""``GET /api/v1/insights?from=&to=``: the staff dashboard's figures and tables as JSON.

Staff and admins only (401 without a token, 403 below staff). Bad dates are a 422 naming the
``from``/``to`` parameter; a range longer than ``MAX_DAYS`` is cut to its last days, and the
answer's ``from``/``to``/``days`` say which period was used.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from forum_kb.accounts.auth import token_required
from forum_kb.accounts.models import Role
from forum_kb.errors import ValidationFailed
from forum_kb.insights import forms, queries
from forum_kb.insights.queries import Dashboard

api_bp = Blueprint("insights_api", __name__)


def dashboard_json(report: Dashboard) -> dict[str, Any]:
    """The figures by name, and every table but ``figures`` (which repeats them) as rows of
    ``{column: value}``."""
    period = report.period
    return {
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "days": period.days,
        "figures": {
            name: {
                "label": figure.label,
                "value": figure.value,
                "unit": figure.unit,
                "definition": figure.definition,
            }
            for name, figure in report.figures.items()
        },
        "tables": {
            name: {
                "title": table.title,
                "definition": table.definition,
                "columns": list(table.columns),
                "rows": table.as_dicts(),
            }
            for name, table in report.tables.items()
            if name != "figures"
        },
    }


@api_bp.get("/insights")
@token_required(Role.STAFF)
def insights():
    form = forms.RangeForm(formdata=request.args)
    if not form.validate():
        errors = form.field_errors()
        raise ValidationFailed(
            [(name, msg) for name, messages in errors.items() for msg in messages]
        )
    return dashboard_json(queries.dashboard(forms.chosen_period(form).period))
