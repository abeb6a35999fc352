"""`flask community ...` commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from forum_kb.community import services

community_cli = AppGroup("community", help="Community maintenance.")


@community_cli.command("rerender")
def community_rerender() -> None:
    """Re-render posts whose HTML came from an older Markdown renderer."""
    count = services.rerender_stale_posts()
    click.echo(f"Re-rendered {count} post{'' if count == 1 else 's'}.")
