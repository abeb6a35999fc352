"""`flask kb ...` commands: review reminders, run daily from cron."""

from __future__ import annotations

import re
from datetime import date

import click
from flask.cli import AppGroup

from forum_kb.kb import services

kb_cli = AppGroup("kb", help="Knowledge-base maintenance.")


def _parse_today(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    message = "use a date as YYYY-MM-DD, e.g. 2025-01-31"
    # fromisoformat alone would also take "20250131" and week dates such as "2025-W05-1".
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise click.BadParameter(message)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(message) from None


@kb_cli.command("remind")
@click.option(
    "--today",
    metavar="YYYY-MM-DD",
    callback=_parse_today,
    help="Find overdue articles as of this date (to test, or to catch up a missed cron run).",
)
def remind(today: date | None) -> None:
    """Email each owner the published articles that are past their review-by date."""
    sent = services.send_review_reminders(today)
    click.echo(f"Sent {sent} reminder email{'' if sent == 1 else 's'}.")
