"""`flask notify ...` commands: the daily digest, run from cron."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from forum_kb.notifications import services

notify_cli = AppGroup("notify", help="Notification email.")


def _parse_now(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use ISO 8601, e.g. 2025-01-31T06:00:00+00:00") from None
    # A time without a zone is read as UTC, like every time the site stores.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@notify_cli.command("digest")
@click.option(
    "--now",
    metavar="ISO8601",
    callback=_parse_now,
    help="Send the digests as of this instant instead of the current time.",
)
def digest(now: datetime | None) -> None:
    """Email every digest user their notifications since their last digest."""
    sent = services.send_digests(now)
    click.echo(f"Sent {sent} digest email{'' if sent == 1 else 's'}.")
