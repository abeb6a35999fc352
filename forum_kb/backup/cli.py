"""`flask backup create PATH`, `flask backup restore PATH` and `flask backup verify PATH`."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import AppGroup

from forum_kb.backup import services
from forum_kb.backup.archive import BackupError

backup_cli = AppGroup("backup", help="Back up and restore the database and instance settings.")

PATH = click.argument("path", type=click.Path(dir_okay=False, path_type=Path))


def _fail(exc: BackupError) -> None:
    click.echo(f"error: {exc.message}", err=True)
    raise SystemExit(1)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value = size / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _table_counts(tables: dict[str, int]) -> None:
    width = max((len(name) for name in tables), default=0)
    for name, rows in tables.items():
        click.echo(f"  {name:<{width}}  {rows}")


@backup_cli.command("create")
@PATH
@click.option("--overwrite", is_flag=True, help="Replace PATH if it exists.")
def create(path: Path, overwrite: bool) -> None:
    """Write one .tar.gz archive of every table and the instance settings (safe while the
    site runs: everything is read from one snapshot)."""
    started = time.monotonic()
    try:
        result = services.create_backup(path, overwrite=overwrite)
    except BackupError as exc:
        _fail(exc)
        return
    rows = sum(result.tables.values())
    click.echo(
        f"Wrote {result.path} ({_size(result.size)}) in {time.monotonic() - started:.1f} s: "
        f"{rows} rows in {len(result.tables)} tables, {len(result.files)} files "
        f"({', '.join(result.files) or 'none'}); migration {result.alembic_revision or 'none'}."
    )


@backup_cli.command("restore")
@PATH
@click.option(
    "--force-settings",
    is_flag=True,
    help="Overwrite the instance's config.py and secret_key with the archive's.",
)
def restore(path: Path, force_settings: bool) -> None:
    """Restore an archive into an empty database (the schema is created when missing), then
    rebuild the search index."""
    started = time.monotonic()
    try:
        result = services.restore_backup(path, force_settings=force_settings)
    except BackupError as exc:
        _fail(exc)
        return
    click.echo(f"Restored {path} (schema: {result.schema}):")
    _table_counts(result.tables)
    for name in result.settings_restored:
        click.echo(f"Restored {name}.")
    for name in result.settings_kept:
        click.echo(f"Kept the existing {name} (use --force-settings to replace it).")
    click.echo(
        f"Indexed {result.documents} documents; {sum(result.tables.values())} rows in "
        f"{time.monotonic() - started:.1f} s."
    )
    if result.settings_restored:
        click.echo("Restart the site so it reads the restored settings.")


@backup_cli.command("verify")
@PATH
def verify(path: Path) -> None:
    """Check an archive's checksums and show what it holds."""
    try:
        manifest = services.read_manifest(path)
    except BackupError as exc:
        _fail(exc)
        return
    click.echo(
        f"{path}: forum_kb {manifest['app_version']}, made {manifest['created_at']} on "
        f"{manifest['dialect']}, migration {manifest['alembic_revision'] or 'none'}."
    )
    _table_counts({entry["name"]: entry["rows"] for entry in manifest["tables"]})
    for entry in manifest["files"]:
        click.echo(f"File {entry['name']} ({_size(entry['size'])})")
    click.echo("Checksums OK.")
