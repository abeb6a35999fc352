"""`flask escalation sweep` and `flask webhooks deliver`: run from cron."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from forum_kb.escalation import services

escalation_cli = AppGroup("escalation", help="Escalation of threads to staff.")
webhooks_cli = AppGroup("webhooks", help="Outgoing webhooks.")


def _parse_now(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """An ISO 8601 instant; without a zone it is UTC."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter("use an ISO 8601 instant, e.g. 2026-03-01T12:00:00Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


NOW_OPTION = click.option(
    "--now",
    metavar="ISO8601",
    callback=_parse_now,
    help="Act as of this instant instead of now (to test, or to catch up a missed run).",
)


def _counts(deliveries: dict[str, int]) -> str:
    return ", ".join(f"{count} {name}" for name, count in deliveries.items())


@escalation_cli.command("sweep")
@NOW_OPTION
def sweep(now: datetime | None) -> None:
    """Escalate questions that waited too long, mark breached targets, deliver webhooks."""
    result = services.sweep(now)
    for escalation in result.escalated:
        thread = escalation.thread
        click.echo(
            f"Escalated thread {thread.id} “{thread.title}” "
            f"(escalation {escalation.id}, {escalation.source.value})"
        )
    for escalation in result.breached:
        targets = [
            name
            for name, hit in (
                ("first response", escalation.first_response_breached),
                ("resolution", escalation.resolution_breached),
            )
            if hit
        ]
        click.echo(
            f"Breached escalation {escalation.id} on thread {escalation.thread_id}: "
            + " and ".join(targets)
        )
    n = len(result.escalated)
    click.echo(
        f"Escalated {n} thread{'' if n == 1 else 's'}, {len(result.breached)} breached; "
        f"webhooks: {_counts(result.deliveries)}."
    )


@webhooks_cli.command("deliver")
@NOW_OPTION
def deliver(now: datetime | None) -> None:
    """Attempt every webhook delivery that is due (retries included)."""
    counts = services.deliver_due(now)
    click.echo(f"Webhooks: {_counts(counts)}.")
