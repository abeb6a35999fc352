"""`flask demo load` (API.md)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from forum_kb.demo import services
from forum_kb.errors import Conflict

demo_cli = AppGroup("demo", help="The demo community.")


def _print_logins(logins: list[services.DemoLogin]) -> None:
    click.echo("Demo logins (username / password):")
    for login in logins:
        click.echo(f"  {login.role.value:<10} {login.username:<12} {login.password}")


@demo_cli.command("load")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing (and exit 0) when the database already has content.",
)
def demo_load(if_empty: bool) -> None:
    """Load the demo community into an empty database (refuses a non-empty one)."""
    try:
        logins = services.load_demo()
    except Conflict as exc:
        if not if_empty:
            click.echo(f"error: {exc.message}", err=True)
            raise SystemExit(1) from None
        click.echo("The database already has content; demo not loaded.")
        _print_logins(services.demo_logins())
        click.echo("(These work unless someone changed them.)")
        return
    click.echo("Loaded the demo community.")
    _print_logins(logins)
