"""The backup archive: a ``.tar.gz`` holding ``manifest.json``, one JSON Lines file per table
and the instance's settings files (plus uploads, if a deployment keeps any).

Values are written portably so an archive made on SQLite restores into PostgreSQL and back:
datetimes and dates as ISO 8601 (with their UTC offset), enums as the strings the database
stores, JSON columns as JSON, bytes as base64, decimals as strings.
"""

from __future__ import annotations

import base64
import decimal
import hashlib
import io
import json
import os
import shutil
import tarfile
import uuid
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy import Column, Table
from sqlalchemy.types import TypeDecorator

from forum_kb.errors import ForumKBError

FORMAT = "forum_kb-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLES_DIR = "tables"
INSTANCE_DIR = "instance"
UPLOADS_DIR = "uploads"
#: Files of the instance folder that hold settings (never the database or the search index).
SETTINGS_FILES = ("config.py", "secret_key")
_CHUNK = 1 << 16


class BackupError(ForumKBError):
    """The backup or restore cannot go ahead."""

    code = "backup_error"


# --- values ------------------------------------------------------------------------------------


def column_kind(column: Column[Any]) -> str:
    """How a column's values are encoded: datetime, date, time, interval, bytes, decimal, uuid,
    or plain (numbers, strings, booleans, enums read as their stored string, JSON)."""
    column_type: Any = column.type
    while isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    try:
        python_type = column_type.python_type
    except NotImplementedError:
        return "plain"
    for kind, types in _KINDS:
        if issubclass(python_type, types):
            return kind
    return "plain"


# datetime is a subclass of date: it must be tested first.
_KINDS: tuple[tuple[str, type | tuple[type, ...]], ...] = (
    ("datetime", datetime),
    ("date", date),
    ("time", time),
    ("interval", timedelta),
    ("bytes", (bytes, bytearray, memoryview)),
    ("decimal", decimal.Decimal),
    ("uuid", uuid.UUID),
)


def encode_value(kind: str, value: Any) -> Any:
    """A JSON-ready form of a value read from the database."""
    if value is None or kind == "plain":
        return value
    if kind in ("datetime", "date", "time"):
        return value.isoformat()
    if kind == "interval":
        return value.total_seconds()
    if kind == "bytes":
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)  # decimal, uuid


def decode_value(kind: str, value: Any) -> Any:
    """The Python value to insert for an encoded one.

    Raises:
        ValueError: the text is not a valid value of that kind.
    """
    if value is None or kind == "plain":
        return value
    decoders: dict[str, Any] = {
        "datetime": datetime.fromisoformat,
        "date": date.fromisoformat,
        "time": time.fromisoformat,
        "interval": lambda seconds: timedelta(seconds=seconds),
        "bytes": lambda text: base64.b64decode(text, validate=True),
        "decimal": decimal.Decimal,
        "uuid": uuid.UUID,
    }
    try:
        return decoders[kind](value)
    except (TypeError, ArithmeticError, ValueError) as exc:
        raise ValueError(f"{value!r} is not a valid {kind}") from exc


def table_columns(table: Table) -> list[dict[str, str]]:
    """A table's columns as the manifest lists them."""
    return [{"name": c.name, "kind": column_kind(c)} for c in table.columns]


# --- writing -----------------------------------------------------------------------------------


@dataclass
class TableDump:
    """One table's JSON Lines file, written to a work folder before it goes into the archive."""

    table: Table
    path: Path
    rows: int = 0
    sha256: str = ""

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        kinds = {c.name: column_kind(c) for c in self.table.columns}
        digest = hashlib.sha256()
        with open(self.path, "wb") as out:
            for row in rows:
                line = json.dumps(
                    {name: encode_value(kinds[name], value) for name, value in row.items()},
                    ensure_ascii=False,
                    separators=(",", ":"),
                ).encode("utf-8")
                out.write(line + b"\n")
                digest.update(line + b"\n")
                self.rows += 1
        self.sha256 = digest.hexdigest()

    def entry(self) -> dict[str, Any]:
        return {
            "name": self.table.name,
            "file": f"{TABLES_DIR}/{self.table.name}.jsonl",
            "rows": self.rows,
            "sha256": self.sha256,
            "columns": table_columns(self.table),
        }


def file_entry(name: str, path: Path) -> dict[str, Any]:
    """The manifest entry of a settings or upload file stored under ``name``."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return {"name": name, "size": path.stat().st_size, "sha256": digest.hexdigest()}


def manifest_checksum(manifest: Mapping[str, Any]) -> str:
    """The checksum over the manifest's table and file entries (each names its own sha256)."""
    body = json.dumps(
        {"tables": manifest["tables"], "files": manifest["files"]},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def write_archive(
    destination: Path,
    manifest: dict[str, Any],
    dumps: list[TableDump],
    files: list[tuple[str, Path]],
) -> None:
    """Write the archive beside ``destination`` and rename it into place (readable by the
    owner only: it holds password hashes, webhook secrets and the secret key)."""
    manifest["checksum"] = manifest_checksum(manifest)
    partial = destination.with_name(destination.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            body = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode = len(body), 0o600
            tar.addfile(info, io.BytesIO(body))
            for dump in dumps:
                tar.add(dump.path, arcname=dump.entry()["file"], recursive=False)
            for name, path in files:
                tar.add(path, arcname=name, recursive=False)
        os.replace(partial, destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


# --- reading -----------------------------------------------------------------------------------

_DAMAGED = (tarfile.TarError, EOFError, zlib.error, OSError, UnicodeDecodeError, ValueError)


@dataclass
class Archive:
    """An opened archive whose manifest and checksums have been verified."""

    path: Path
    tar: tarfile.TarFile
    manifest: dict[str, Any]
    members: dict[str, tarfile.TarInfo] = field(default_factory=dict)

    @property
    def tables(self) -> list[dict[str, Any]]:
        return list(self.manifest["tables"])

    @property
    def files(self) -> list[dict[str, Any]]:
        return list(self.manifest["files"])

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.tar.close()

    def rows(self, entry: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """The rows of one table, as the JSON objects stored in the archive.

        Raises:
            BackupError: the archive is damaged.
        """
        try:
            for line in self._open(entry["file"]):
                yield json.loads(line)
        except _DAMAGED as exc:
            raise damaged(self.path, exc) from exc

    def read_file(self, name: str) -> bytes:
        """The content of a stored settings or upload file."""
        try:
            return self._open(name).read()
        except _DAMAGED as exc:
            raise damaged(self.path, exc) from exc

    def copy_file(self, name: str, out: IO[bytes]) -> None:
        """Copy a stored settings or upload file into ``out``."""
        try:
            shutil.copyfileobj(self._open(name), out)
        except _DAMAGED as exc:
            raise damaged(self.path, exc) from exc

    def _open(self, name: str) -> IO[bytes]:
        member = self.members.get(name)
        handle = self.tar.extractfile(member) if member is not None and member.isfile() else None
        if handle is None:
            raise BackupError(f"{self.path} is incomplete: {name} is missing.")
        return handle

    def verify(self) -> None:
        """Check every table's row count and checksum and every file's checksum.

        Raises:
            BackupError: something is missing or does not match the manifest.
        """
        for entry in self.tables:
            digest, count = hashlib.sha256(), 0
            for line in self._stream(entry["file"]):
                digest.update(line)
                count += 1
            if count != entry["rows"] or digest.hexdigest() != entry["sha256"]:
                raise BackupError(
                    f"{self.path} is damaged: table {entry['name']} does not match its checksum."
                )
        for entry in self.files:
            digest = hashlib.sha256(self.read_file(entry["name"]))
            if digest.hexdigest() != entry["sha256"]:
                raise BackupError(f"{self.path} is damaged: {entry['name']} does not match.")

    def _stream(self, name: str) -> Iterator[bytes]:
        try:
            yield from self._open(name)
        except _DAMAGED as exc:
            raise damaged(self.path, exc) from exc


def damaged(path: Path, exc: BaseException) -> BackupError:
    """The error for an archive that cannot be read."""
    return BackupError(f"{path} is damaged or incomplete ({type(exc).__name__}: {exc}).")


def open_archive(path: Path) -> Archive:
    """Open an archive and check its manifest and checksums (use it as a context manager).

    Raises:
        BackupError: not a forum_kb archive, an unknown format version, or damaged.
    """
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    with ExitStack() as cleanup:
        try:
            tar = cleanup.enter_context(tarfile.open(path, mode="r:gz"))
            archive = Archive(path, tar, {}, {m.name: m for m in tar.getmembers()})
            archive.manifest = _load_manifest(archive)
            archive.verify()
        except BackupError:
            raise
        except (*_DAMAGED, KeyError, TypeError) as exc:
            raise damaged(path, exc) from exc
        cleanup.pop_all()  # the caller closes it now
    return archive


def _load_manifest(archive: Archive) -> dict[str, Any]:
    if MANIFEST not in archive.members:
        raise BackupError(f"{archive.path} is not a forum_kb backup (no {MANIFEST}).")
    manifest = json.loads(archive.read_file(MANIFEST))
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive.path} is not a forum_kb backup.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{archive.path} uses backup format {manifest.get('format_version')!r}; "
            f"this version of forum_kb reads format {FORMAT_VERSION}."
        )
    if manifest.get("checksum") != manifest_checksum(manifest):
        raise BackupError(f"{archive.path} is damaged: the manifest does not match its checksum.")
    for entry in manifest["files"]:
        _check_member_name(archive.path, entry["name"])
    return manifest


def _check_member_name(path: Path, name: str) -> None:
    """Only ``instance/<settings file>`` and relative paths under ``uploads/`` are restored."""
    parts = PurePosixPath(name).parts
    settings = len(parts) == 2 and parts[0] == INSTANCE_DIR and parts[1] in SETTINGS_FILES
    upload = (
        len(parts) >= 2
        and parts[0] == UPLOADS_DIR
        and not PurePosixPath(name).is_absolute()
        and ".." not in parts
    )
    if not (settings or upload):
        raise BackupError(f"{path} names a file it may not restore: {name!r}.")
