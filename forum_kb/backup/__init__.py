"""Backup and restore: ``flask backup create PATH`` and ``flask backup restore PATH``.

A layer above every feature: it reads every table through ``db.metadata`` and rebuilds the
search index after a restore. No other package imports it.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the ``flask backup`` commands."""
    from forum_kb.backup.cli import backup_cli

    app.cli.add_command(backup_cli)
