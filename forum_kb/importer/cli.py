"""`flask import mbox PATH --category SLUG` and `flask import kb DIR --section SLUG`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from forum_kb.importer import kb as kb_import
from forum_kb.importer import services
from forum_kb.importer.messages import ImportFailed
from forum_kb.importer.services import Note
from forum_kb.search import services as search

import_cli = AppGroup(
    "import", help="Import content: mailing-list archives and folders of Markdown files."
)

#: How many notes of one kind are printed (the counts are always complete).
SHOWN = 50


def _fail(exc: ImportFailed) -> None:
    click.echo(f"error: {exc.message}", err=True)
    raise SystemExit(1)


def _plural(count: int, word: str, plural: str = "") -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _notes(title: str, notes: list[Note]) -> None:
    if not notes:
        return
    click.echo(f"{title} ({len(notes)}):")
    for note in notes[:SHOWN]:
        click.echo(f"  {note.where}: {note.detail}")
    if len(notes) > SHOWN:
        click.echo(f"  ... and {len(notes) - SHOWN} more")


def _index() -> None:
    """Apply the queued search changes now, unless a separate indexer process does that."""
    if current_app.config["SEARCH_INDEXER"] == "off":
        click.echo("Search: changes queued for `flask search indexer`.")
        return
    applied = search.drain()
    click.echo(f"Search: applied {_plural(applied, 'queued change')}.")


@import_cli.command("mbox")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--category", "category", required=True, help="Slug of the category to fill.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="Messages per transaction.",
)
def mbox(path: Path, category: str, batch_size: int) -> None:
    """Import a mailing-list archive (an mbox file or a Maildir folder) as threads and
    replies. Re-running it adds nothing twice."""
    try:
        report = services.import_mail(path, category, batch_size=batch_size)
    except ImportFailed as exc:
        _fail(exc)
        return
    click.echo(
        f"Read {_plural(report.messages, 'message')} in {report.seconds:.1f} s: "
        f"{_plural(report.threads, 'new thread')}, {_plural(report.replies, 'reply', 'replies')}, "
        f"{_plural(report.accounts, 'new account')}, "
        f"{_plural(len(report.duplicates), 'duplicate')} skipped, "
        f"{_plural(len(report.skipped), 'message')} not imported."
    )
    if report.adopted:
        click.echo(f"Moved {_plural(report.adopted, 'earlier thread')} under replies' parents.")
    _notes("Not imported", report.skipped)
    _notes("Duplicates", report.duplicates)
    _notes("Attachments left out", report.attachments)
    _notes("Dates", report.dates)
    _index()


@import_cli.command("kb")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--section", "section", required=True, help="Slug of the KB section to fill.")
@click.option(
    "--owner",
    default=None,
    help="Username of the staff member who owns the articles (default: the first admin).",
)
@click.option("--draft", is_flag=True, help="Leave new articles and changes as drafts.")
def kb(directory: Path, section: str, owner: str | None, draft: bool) -> None:
    """Import every *.md file under DIRECTORY as a KB article (title from the front matter,
    else the first heading, else the file name). Unchanged files are skipped on re-import;
    changed ones become a new revision."""
    try:
        report = kb_import.import_kb(directory, section, owner_username=owner, draft=draft)
    except ImportFailed as exc:
        _fail(exc)
        return
    state = "as drafts" if draft else "published"
    click.echo(
        f"Read {_plural(report.files, 'file')} in {report.seconds:.1f} s: "
        f"{report.created} created, {report.updated} updated ({state}), "
        f"{report.unchanged} unchanged, {len(report.skipped)} not imported."
    )
    _notes("Not imported", report.skipped)
    _notes("Notes", report.notes)
    _index()
