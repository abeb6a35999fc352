"""Imports: ``flask import mbox PATH --category SLUG`` turns a mailing-list archive (an mbox
file or a Maildir folder) into threads and replies; ``flask import kb DIR --section SLUG``
turns a folder of Markdown files into KB articles. Both are idempotent.

A layer above every feature it writes into (community, kb, accounts, search); nothing
imports it.
"""

from __future__ import annotations

from flask import Flask

from forum_kb.importer import models as models


def init_app(app: Flask) -> None:
    """Register the ``flask import`` commands."""
    from forum_kb.importer.cli import import_cli

    app.cli.add_command(import_cli)
