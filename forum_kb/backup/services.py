"""Backup and restore (issue 9): one portable archive of every table and the instance
settings, made while the site runs; restored into an empty database, search included.

Backup reads every table of ``db.metadata`` inside one read-only transaction with a single
snapshot, so the archive is one point in time even while people post. Restore checks the
archive (checksums), creates the schema when the database has none (the migrations up to the
archive's revision), refuses a database that holds any row, inserts in dependency order,
fills the foreign keys that form cycles afterwards, resets PostgreSQL's sequences, puts back
missing settings files and rebuilds the search index (the search outbox is not restored: the
rebuild covers every change that was waiting in it).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path, PurePosixPath
from typing import Any

import flask_migrate
from flask import current_app
from sqlalchemy import (
    Column,
    Connection,
    Enum,
    MetaData,
    String,
    Table,
    bindparam,
    func,
    insert,
    inspect,
    literal,
    select,
    type_coerce,
    update,
)
from sqlalchemy.exc import StatementError

from forum_kb.backup.archive import (
    FORMAT,
    FORMAT_VERSION,
    INSTANCE_DIR,
    SETTINGS_FILES,
    UPLOADS_DIR,
    Archive,
    BackupError,
    TableDump,
    column_kind,
    decode_value,
    file_entry,
    open_archive,
    table_columns,
    write_archive,
)
from forum_kb.db import unit_of_work, utcnow
from forum_kb.extensions import db
from forum_kb.search import services as search
from forum_kb.search.models import OutboxEntry

#: Rows fetched per round trip while dumping, and inserted per executemany while restoring.
BATCH_SIZE = 1000

Progress = Callable[[str, int], None]


def _tables() -> list[Table]:
    return list(db.metadata.sorted_tables)


# --- backup ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    path: Path
    tables: dict[str, int]
    files: list[str]
    size: int
    alembic_revision: str | None


def create_backup(
    destination: Path, *, overwrite: bool = False, progress: Progress | None = None
) -> BackupResult:
    """Write one archive of the database and the instance settings (safe while the site runs).

    ``progress(table, rows)`` is called after each table is read.

    Raises:
        BackupError: the destination exists (without ``overwrite``) or its folder does not.
    """
    destination = Path(destination)
    if destination.exists() and not overwrite:
        raise BackupError(f"{destination} already exists; choose another name or overwrite it.")
    if not destination.parent.is_dir():
        raise BackupError(f"The folder {destination.parent} does not exist.")
    with tempfile.TemporaryDirectory(prefix=".forum_kb-backup-", dir=destination.parent) as work:
        created_at = utcnow()
        dumps: list[TableDump] = []
        with _snapshot() as conn:
            revision = _alembic_revision(conn)
            for table in _tables():
                dump = TableDump(table, Path(work) / f"{table.name}.jsonl")
                dump.write(_read_rows(conn, table))
                dumps.append(dump)
                if progress is not None:
                    progress(table.name, dump.rows)
        files = _stored_files()
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": _app_version(),
            "alembic_revision": revision,
            "created_at": created_at.isoformat(),
            "dialect": db.engine.dialect.name,
            "tables": [dump.entry() for dump in dumps],
            "files": [file_entry(name, path) for name, path in files],
        }
        write_archive(destination, manifest, dumps, files)
    return BackupResult(
        path=destination,
        tables={dump.table.name: dump.rows for dump in dumps},
        files=[name for name, _ in files],
        size=destination.stat().st_size,
        alembic_revision=revision,
    )


@contextmanager
def _snapshot() -> Iterator[Connection]:
    """A connection whose reads all see one consistent point in time."""
    engine = db.engine
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            # pysqlite only opens transactions before writes: open one explicitly so every
            # SELECT reads the same snapshot (WAL) or under one shared lock (rollback journal).
            # An in-memory test database shares its one connection, maybe mid-transaction.
            driver = conn.connection.driver_connection
            began = not getattr(driver, "in_transaction", False)
            if began:
                conn.exec_driver_sql("BEGIN")
            try:
                yield conn
            finally:
                if began:
                    conn.rollback()
            return
        conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin() as transaction:
            yield conn
            transaction.rollback()


def _alembic_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    heads = sorted(conn.scalars(select(_VERSION.c.version_num)))
    return ",".join(heads) or None


# Alembic's own table, outside the models' metadata (never dumped as a table).
_VERSION = Table("alembic_version", MetaData(), Column("version_num", String(32)))


def _read_rows(conn: Connection, table: Table) -> Iterator[dict[str, Any]]:
    # Enums are read as the strings the database stores: portable, and accepted back on insert.
    columns = [
        type_coerce(c, String()).label(c.name) if isinstance(c.type, Enum) else c
        for c in table.columns
    ]
    order = list(table.primary_key.columns) or list(table.columns)
    stmt = select(*columns).order_by(*order).execution_options(yield_per=BATCH_SIZE)
    for row in conn.execute(stmt).mappings():
        yield dict(row)


def _uploads_dir() -> Path:
    """Where uploaded files live, if the deployment has any: ``UPLOADS_DIR`` or
    ``<instance>/uploads``."""
    configured = current_app.config.get("UPLOADS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / UPLOADS_DIR


def _stored_files() -> list[tuple[str, Path]]:
    """The settings files of the instance folder, then every uploaded file."""
    instance = Path(current_app.instance_path)
    found = [
        (f"{INSTANCE_DIR}/{name}", instance / name)
        for name in SETTINGS_FILES
        if (instance / name).is_file()
    ]
    uploads = _uploads_dir()
    if uploads.is_dir():
        found += [
            (f"{UPLOADS_DIR}/{path.relative_to(uploads).as_posix()}", path)
            for path in sorted(uploads.rglob("*"))
            if path.is_file() and not path.is_symlink()
        ]
    return found


def _app_version() -> str:
    try:
        return importlib_metadata.version("forum_kb")
    except importlib_metadata.PackageNotFoundError:
        return "unknown"


# --- restore -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    tables: dict[str, int]
    documents: int
    #: "created" (create_all), "migrated" (to the archive's revision) or "existing".
    schema: str
    settings_restored: list[str] = field(default_factory=list)
    settings_kept: list[str] = field(default_factory=list)


def read_manifest(source: Path) -> dict[str, Any]:
    """An archive's manifest, after checking every checksum.

    Raises:
        BackupError: the archive is missing, not a forum_kb backup, or damaged.
    """
    with open_archive(Path(source)) as archive:
        return archive.manifest


def restore_backup(
    source: Path, *, force_settings: bool = False, progress: Progress | None = None
) -> RestoreResult:
    """Restore an archive into an empty database, then rebuild the search index.

    Settings files (``config.py``, ``secret_key``) are written only where missing unless
    ``force_settings``; uploads only where missing.

    Raises:
        BackupError: the archive is damaged or from another schema, the database is not
            empty, or a row cannot be inserted (the restore is then rolled back).
    """
    with open_archive(Path(source)) as archive:
        _check_same_schema(archive)
        schema = _prepare_schema(archive.manifest)
        _check_empty()
        counts = _load_tables(archive, progress)
        restored, kept = _restore_files(archive, force_settings)
    documents = search.reindex()
    return RestoreResult(counts, documents, schema, restored, kept)


def _check_same_schema(archive: Archive) -> None:
    """The archive's tables and columns must be this version's models."""
    archived = {entry["name"]: entry["columns"] for entry in archive.tables}
    current = {table.name: table_columns(table) for table in _tables()}
    differences = sorted(archived.keys() ^ current.keys()) + sorted(
        name for name in archived.keys() & current.keys() if archived[name] != current[name]
    )
    if differences:
        revision = archive.manifest.get("alembic_revision") or "unknown"
        raise BackupError(
            f"The archive's schema (revision {revision}) differs from this version of forum_kb "
            f"({', '.join(differences)}). Restore it with the version that made it "
            f"(app {archive.manifest.get('app_version')}), then upgrade with flask db upgrade."
        )


def _prepare_schema(manifest: dict[str, Any]) -> str:
    """Create the schema in a database that has none; refuse a half-built or other one."""
    existing = set(inspect(db.engine).get_table_names())
    wanted = {table.name for table in _tables()}
    revision = manifest.get("alembic_revision")
    if not existing & wanted:
        if revision:
            flask_migrate.upgrade(revision=revision)
            return "migrated"
        db.create_all()  # the archive came from a database built without migrations
        return "created"
    if missing := sorted(wanted - existing):
        raise BackupError(
            f"The database has only part of the schema (missing {', '.join(missing)}): "
            "restore into an empty database, or run flask db upgrade first."
        )
    with db.engine.connect() as conn:
        current = _alembic_revision(conn)
    if current and revision and current != revision:
        raise BackupError(
            f"The database is at migration {current} but the archive was made at {revision}: "
            f"restore into an empty database, or migrate it to {revision} first."
        )
    return "existing"


def _check_empty() -> None:
    busy: dict[str, int] = {}
    for table in _tables():
        if db.session.scalar(select(literal(1)).select_from(table).limit(1)) is not None:
            busy[table.name] = db.session.scalar(select(func.count()).select_from(table)) or 0
    db.session.commit()
    if busy:
        listed = ", ".join(f"{name}: {count}" for name, count in busy.items())
        raise BackupError(
            f"The database is not empty ({listed} rows); restore only into an empty database."
        )


def deferred_columns(tables: Sequence[Table]) -> dict[str, list[str]]:
    """Foreign-key columns that point at their own table or at one inserted later (the
    cycles threads <-> posts and kb_articles <-> kb_revisions): inserted as NULL, then set."""
    seen: set[str] = set()
    found: dict[str, list[str]] = {}
    for table in tables:
        names = sorted(
            {fk.parent.name for fk in table.foreign_keys if fk.column.table.name not in seen}
        )
        if names:
            found[table.name] = names
        seen.add(table.name)
    return found


def _load_tables(archive: Archive, progress: Progress | None) -> dict[str, int]:
    entries = {entry["name"]: entry for entry in archive.tables}
    deferred = deferred_columns(_tables())
    counts: dict[str, int] = {}
    later: list[tuple[Table, list[str], list[dict[str, Any]]]] = []
    with unit_of_work():
        for table in _tables():
            if table.name == OutboxEntry.__tablename__:
                # Changes that were waiting for the indexer: the rebuild after the restore
                # indexes everything anyway (draining them too would index it all twice).
                counts[table.name] = 0
                continue
            columns = deferred.get(table.name, [])
            counts[table.name], updates = _insert_rows(archive, entries[table.name], table, columns)
            later.append((table, columns, updates))
            if progress is not None:
                progress(table.name, counts[table.name])
        for table, columns, updates in later:
            _set_deferred(table, columns, updates)
        if db.session.get_bind().dialect.name == "postgresql":
            _reset_sequences()
    return counts


def _insert_rows(
    archive: Archive, entry: dict[str, Any], table: Table, deferred: list[str]
) -> tuple[int, list[dict[str, Any]]]:
    kinds = {c.name: column_kind(c) for c in table.columns}
    keys = [c.name for c in table.primary_key.columns]
    updates: list[dict[str, Any]] = []
    batch: list[dict[str, Any]] = []
    count = 0
    for number, raw in enumerate(archive.rows(entry), start=1):
        row = _decode_row(table.name, number, raw, kinds)
        if any(row[name] is not None for name in deferred):
            updates.append({name: row[name] for name in keys + deferred})
            row.update(dict.fromkeys(deferred))
        batch.append(row)
        count += 1
        if len(batch) >= BATCH_SIZE:
            _execute(table, insert(table), batch)
            batch = []
    if batch:
        _execute(table, insert(table), batch)
    return count, updates


def _decode_row(table: str, number: int, raw: Any, kinds: dict[str, str]) -> dict[str, Any]:
    if not isinstance(raw, dict) or raw.keys() != kinds.keys():
        raise BackupError(f"Row {number} of table {table} does not have the table's columns.")
    try:
        return {name: decode_value(kind, raw[name]) for name, kind in kinds.items()}
    except ValueError as exc:
        raise BackupError(f"Row {number} of table {table}: {exc}.") from exc


def _set_deferred(table: Table, columns: list[str], updates: list[dict[str, Any]]) -> None:
    if not updates:
        return
    keys = list(table.primary_key.columns)
    # Columns with an onupdate default (updated_at) keep their restored value.
    unchanged = {c.name: c for c in table.columns if c.onupdate is not None}
    stmt = (
        update(table)
        .where(*[key == bindparam(f"k_{key.name}") for key in keys])
        .values(unchanged | {name: bindparam(f"v_{name}") for name in columns})
    )
    params = [
        {f"k_{key.name}": row[key.name] for key in keys}
        | {f"v_{name}": row[name] for name in columns}
        for row in updates
    ]
    for start in range(0, len(params), BATCH_SIZE):
        _execute(table, stmt, params[start : start + BATCH_SIZE])


def _execute(table: Table, stmt: Any, params: list[dict[str, Any]]) -> None:
    try:
        db.session.execute(stmt, params)
    except StatementError as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise BackupError(f"Could not restore table {table.name}: {detail}") from exc


def _reset_sequences() -> None:
    """New rows must get ids after the restored ones (PostgreSQL keeps a counter per table)."""
    for table in _tables():
        column = table.autoincrement_column
        if column is None:
            continue
        highest = db.session.scalar(select(func.max(column)))
        db.session.execute(
            select(
                func.setval(
                    func.pg_get_serial_sequence(table.name, column.name),
                    (highest or 0) + 1,
                    False,
                )
            )
        )


def _restore_files(archive: Archive, force_settings: bool) -> tuple[list[str], list[str]]:
    restored: list[str] = []
    kept: list[str] = []
    instance = Path(current_app.instance_path)
    uploads = _uploads_dir()
    for entry in archive.files:
        parts = PurePosixPath(entry["name"]).parts
        if parts[0] == INSTANCE_DIR:
            target, overwrite = instance / parts[1], force_settings
        else:
            target, overwrite = uploads.joinpath(*parts[1:]), False
            if not target.resolve().is_relative_to(uploads.resolve()):
                raise BackupError(f"The archive names a file outside the uploads: {entry['name']}")
        if target.exists() and not overwrite:
            if file_entry(entry["name"], target)["sha256"] != entry["sha256"]:
                kept.append(entry["name"])
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_private(target, archive, entry["name"])
        restored.append(entry["name"])
    return restored, kept


def _write_private(target: Path, archive: Archive, name: str) -> None:
    partial = target.with_name(target.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        archive.copy_file(name, out)
    os.replace(partial, target)
