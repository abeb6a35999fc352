"""`flask users ...` commands (API.md)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from forum_kb.accounts import services
from forum_kb.accounts.models import Role
from forum_kb.errors import ValidationFailed

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.argument("name")
@click.option("--email", required=True, help="Email address.")
@click.option("--password", required=True, help="Password (at least the configured minimum).")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.MEMBER.value,
    show_default=True,
)
def users_create(name: str, email: str, password: str, role: str) -> None:
    """Create a user NAME."""
    try:
        user = services.create_user(name, email, password, Role(role))
    except ValidationFailed as exc:
        for field, message in exc.errors:
            click.echo(f"error: {field}: {message}", err=True)
        raise SystemExit(1) from None
    click.echo(f"Created {user.role.value} '{user.username}' (id {user.id}).")
