"""Backup and restore through the services, on a real database: a full round trip compared
row by row and search by search, refusals, damaged archives, settings files, migrations and
a backup taken while someone writes."""

from __future__ import annotations

import io
import json
import tarfile
import threading
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
from flask import Flask
from sqlalchemy import func, inspect, select, text

from forum_kb.accounts.models import Role, User
from forum_kb.backup import services
from forum_kb.backup.archive import BackupError, manifest_checksum, open_archive
from forum_kb.community import services as community
from forum_kb.community.models import Post, Thread
from forum_kb.community.services import NewThread
from forum_kb.extensions import db
from forum_kb.search import services as search
from forum_kb.search.models import OutboxEntry
from forum_kb.search.services import SearchQuery
from tests.backup.conftest import EmptyApp
from tests.backup.world import build_world, search_hits, table_rows
from tests.escalation.receiver import Receiver
from tests.factories import make_category, make_user

#: Tables the world leaves empty: the outbox is drained at once in tests (a test below
#: covers a queued one); import records come only from `flask import` runs.
NOT_IN_WORLD = {"search_outbox", "import_records"}


def _backup(app: Flask, path: Path, **options: Any) -> services.BackupResult:
    with app.app_context():
        try:
            return services.create_backup(path, **options)
        finally:
            db.session.remove()


def _restore(app: Flask, path: Path, **options: Any) -> services.RestoreResult:
    with app.app_context():
        try:
            return services.restore_backup(path, **options)
        finally:
            db.session.remove()


def _small_world(app: Flask) -> None:
    """A category, a question with two answers and an accepted one."""
    with app.app_context():
        category = make_category("Printers", slug="printers")
        alice = make_user("alice", reputation=500)
        bob = make_user("bob", reputation=500)
        thread = community.create_thread(
            alice,
            NewThread(category.id, "question", "Printer shows error E42", "What does E42 mean?"),
        )
        community.reply_to_thread(bob, thread, "Hold the reset button for ten seconds.")
        answer = community.reply_to_thread(bob, thread, "Or update the printer's firmware.")
        community.accept_answer(alice, thread, answer)
        db.session.remove()


def _table_names(app: Flask) -> set[str]:
    with app.app_context():
        names = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    return names


# --- the round trip ----------------------------------------------------------------------------


def test_restore_brings_back_every_row_and_the_same_search_results(
    app: Flask, runner: Any, empty_app: EmptyApp, receiver: Receiver, tmp_path: Path
) -> None:
    build_world(app, runner, receiver)
    hits = search_hits(app)
    before = table_rows(app)
    # The world fills every table but these: a new table belongs in the world (world.py).
    empty = {name for name, rows in before.items() if not rows}
    assert empty <= NOT_IN_WORLD, f"add rows to {sorted(empty - NOT_IN_WORLD)} in world.py"
    assert sum(total > 0 for total, _ in hits) >= len(hits) - 1

    backup = _backup(app, tmp_path / "site.tar.gz")
    assert backup.tables == {name: len(rows) for name, rows in before.items()}

    target = empty_app()
    restored = _restore(target, tmp_path / "site.tar.gz")
    assert restored.schema == "created"
    assert restored.tables == backup.tables
    assert restored.documents > 0
    after = table_rows(target)
    for name, rows in before.items():
        assert after[name] == rows, f"table {name} differs after restore"
    assert search_hits(target) == hits


def test_restored_database_gives_new_rows_fresh_ids(
    app: Flask, empty_app: EmptyApp, tmp_path: Path
) -> None:
    _small_world(app)
    _backup(app, tmp_path / "site.tar.gz")
    target = empty_app()
    _restore(target, tmp_path / "site.tar.gz")
    with target.app_context():
        highest = db.session.scalar(select(func.max(Post.id))) or 0
        alice = db.session.scalars(select(User).where(User.username == "alice")).one()
        thread = db.session.scalars(select(Thread)).one()
        post = community.reply_to_thread(alice, thread, "Thanks, the firmware update fixed it.")
        assert post.id == highest + 1
        assert make_user("carol").id == 3


def test_cycles_are_inserted_then_linked(app: Flask, empty_app: EmptyApp, tmp_path: Path) -> None:
    deferred = services.deferred_columns(db.metadata.sorted_tables)
    assert {"accepted_post_id", "duplicate_of_thread_id", "merged_into_id"} <= set(
        deferred["threads"]
    )
    assert {"draft_revision_id", "published_revision_id"} <= set(deferred["kb_articles"])
    _small_world(app)
    _backup(app, tmp_path / "site.tar.gz")
    target = empty_app()
    _restore(target, tmp_path / "site.tar.gz")
    with target.app_context():
        thread = db.session.scalars(select(Thread)).one()
        accepted = db.session.get(Post, thread.accepted_post_id)
        assert accepted is not None and accepted.thread_id == thread.id
        assert accepted.body_source == "Or update the printer's firmware."


# --- refusals and damage -----------------------------------------------------------------------


def test_restore_refuses_a_database_that_has_rows(app: Flask, tmp_path: Path) -> None:
    _small_world(app)
    _backup(app, tmp_path / "site.tar.gz")
    before = table_rows(app)
    with pytest.raises(BackupError, match=r"not empty \(.*users: 2.*\)"):
        _restore(app, tmp_path / "site.tar.gz")
    assert table_rows(app) == before


def test_backup_refuses_to_overwrite_unless_asked(app: Flask, tmp_path: Path) -> None:
    _small_world(app)
    path = tmp_path / "site.tar.gz"
    path.write_bytes(b"keep me")
    with pytest.raises(BackupError, match="already exists"):
        _backup(app, path)
    assert path.read_bytes() == b"keep me"
    assert _backup(app, path, overwrite=True).tables["threads"] == 1
    with pytest.raises(BackupError, match="does not exist"):
        _backup(app, tmp_path / "missing" / "site.tar.gz")


def _rewrite(source: Path, target: Path, change: Any) -> None:
    """Copy an archive, passing each member's (name, bytes) through ``change``."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old.getmembers():
            handle = old.extractfile(member)
            assert handle is not None
            body = change(member.name, handle.read())
            info = tarfile.TarInfo(member.name)
            info.size = len(body)
            new.addfile(info, io.BytesIO(body))


def _tamper_rows(name: str, body: bytes) -> bytes:
    if name != "tables/threads.jsonl":
        return body
    return body.replace(b"Printer shows error E42", b"Printer shows error E43")


def _drop_column(name: str, body: bytes) -> bytes:
    if name != "manifest.json":
        return body
    manifest = json.loads(body)
    threads = next(t for t in manifest["tables"] if t["name"] == "threads")
    threads["columns"] = threads["columns"][:-1]
    manifest["checksum"] = manifest_checksum(manifest)
    return json.dumps(manifest).encode()


def _unsafe_file(name: str, body: bytes) -> bytes:
    if name != "manifest.json":
        return body
    manifest = json.loads(body)
    manifest["files"].append({"name": "instance/../../evil.py", "size": 0, "sha256": ""})
    manifest["checksum"] = manifest_checksum(manifest)
    return json.dumps(manifest).encode()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("truncated", "damaged or incomplete"),
        ("garbage", "damaged or incomplete"),
        ("empty", "damaged or incomplete"),
        ("missing", "does not exist"),
        ("tampered rows", "table threads does not match its checksum"),
        ("not a backup", "not a forum_kb backup"),
        ("older schema", r"schema \(revision unknown\) differs .*threads"),
        ("unsafe file name", "may not restore"),
    ],
)
def test_damaged_archive_is_a_clean_error_and_touches_nothing(
    app: Flask, empty_app: EmptyApp, tmp_path: Path, damage: str, message: str
) -> None:
    _small_world(app)
    good = tmp_path / "site.tar.gz"
    _backup(app, good)
    bad = tmp_path / "bad.tar.gz"
    raw = good.read_bytes()
    if damage == "truncated":
        bad.write_bytes(raw[: len(raw) * 2 // 3])
    elif damage == "garbage":
        bad.write_bytes(b"this is not an archive" * 100)
    elif damage == "empty":
        bad.write_bytes(b"")
    elif damage == "tampered rows":
        _rewrite(good, bad, _tamper_rows)
    elif damage == "not a backup":
        _rewrite(good, bad, lambda name, body: b"{}" if name == "manifest.json" else body)
    elif damage == "older schema":
        _rewrite(good, bad, _drop_column)
    elif damage == "unsafe file name":
        _rewrite(good, bad, _unsafe_file)
    target = empty_app()
    with pytest.raises(BackupError, match=message):
        _restore(target, bad)
    assert _table_names(target) == set()


# --- settings files and uploads ----------------------------------------------------------------


def _instance(app: Flask) -> Path:
    return Path(app.instance_path)


def test_settings_files_and_uploads_are_restored_where_missing(
    app: Flask, empty_app: EmptyApp, tmp_path: Path
) -> None:
    _small_world(app)
    (_instance(app) / "config.py").write_text("SITE_NAME = 'Printers Anonymous'\n")
    (_instance(app) / "secret_key").write_text("archived-key\n")
    (_instance(app) / "uploads" / "avatars").mkdir(parents=True)
    (_instance(app) / "uploads" / "avatars" / "alice.png").write_bytes(b"\x89PNG fake")
    (_instance(app) / "search-index").mkdir(exist_ok=True)
    (_instance(app) / "search-index" / "segment").write_text("never archived")
    result = _backup(app, tmp_path / "site.tar.gz")
    assert result.files == [
        "instance/config.py",
        "instance/secret_key",
        "uploads/avatars/alice.png",
    ]

    # A new instance has no config.py yet, and a secret_key of its own (made at start).
    target = empty_app()
    (_instance(target) / "secret_key").write_text("new-key\n")
    restored = _restore(target, tmp_path / "site.tar.gz")
    assert restored.settings_restored == ["instance/config.py", "uploads/avatars/alice.png"]
    assert restored.settings_kept == ["instance/secret_key"]
    assert (_instance(target) / "config.py").read_text() == "SITE_NAME = 'Printers Anonymous'\n"
    assert (_instance(target) / "config.py").stat().st_mode & 0o777 == 0o600
    assert (_instance(target) / "uploads" / "avatars" / "alice.png").read_bytes() == b"\x89PNG fake"
    assert (_instance(target) / "secret_key").read_text() == "new-key\n"

    other = empty_app()
    (_instance(other) / "secret_key").write_text("new-key\n")
    forced = _restore(other, tmp_path / "site.tar.gz", force_settings=True)
    assert "instance/secret_key" in forced.settings_restored
    assert (_instance(other) / "secret_key").read_text() == "archived-key\n"


# --- migrations --------------------------------------------------------------------------------


def _head(app: Flask) -> str:
    with app.app_context():
        revision = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.remove()
    assert isinstance(revision, str)
    return revision


def test_an_archive_of_a_migrated_database_restores_through_the_migrations(
    empty_app: EmptyApp, tmp_path: Path
) -> None:
    source = empty_app()
    with source.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    _small_world(source)
    backup = _backup(source, tmp_path / "site.tar.gz")
    assert backup.alembic_revision == _head(source)

    target = empty_app()
    restored = _restore(target, tmp_path / "site.tar.gz")
    assert restored.schema == "migrated"
    assert _head(target) == backup.alembic_revision
    assert table_rows(target) == table_rows(source)

    # A database already built, but at another migration, is refused.
    other = empty_app()
    with other.app_context():
        flask_migrate.upgrade()
        db.session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        db.session.commit()
        db.engine.dispose()
    with pytest.raises(BackupError, match="at migration 0001 but the archive was made at"):
        _restore(other, tmp_path / "site.tar.gz")


# --- a backup while the site runs --------------------------------------------------------------


def test_a_backup_taken_while_someone_replies_is_one_point_in_time(
    make_app: Any, database_url: str, tmp_path: Path
) -> None:
    # Two apps, two engines, one database (an in-memory SQLite one cannot be shared).
    url = database_url if database_url.startswith("postgresql") else f"sqlite:///{tmp_path}/live.db"
    site, writer = make_app(SQLALCHEMY_DATABASE_URI=url), make_app(SQLALCHEMY_DATABASE_URI=url)
    _small_world(site)
    written = threading.Event()
    errors: list[BaseException] = []

    def reply() -> None:
        try:
            with writer.app_context():
                bob = db.session.scalars(select(User).where(User.username == "bob")).one()
                thread = db.session.scalars(select(Thread)).one()
                community.reply_to_thread(bob, thread, "A third answer, written mid-backup.")
                db.session.remove()
            written.set()
        except BaseException as exc:  # reported below
            errors.append(exc)

    worker = threading.Thread(target=reply)
    postgres = url.startswith("postgresql")
    during: list[bool] = []

    def progress(table: str, rows: int) -> None:
        # The threads table (reply_count 2) is read; now a reply commits before the posts
        # table is read. PostgreSQL lets it commit at once (the snapshot hides it); SQLite
        # makes it wait for the backup's read transaction to end.
        if table == "threads":
            worker.start()
            during.append(written.wait(5 if postgres else 0.5))

    path = tmp_path / "live.tar.gz"
    _backup(site, path, progress=progress)
    worker.join(30)
    assert not errors and written.is_set()
    if postgres:
        assert during == [True]  # committed while the backup was still reading

    with open_archive(path) as archive:
        tables = {entry["name"]: entry for entry in archive.tables}
        threads = list(archive.rows(tables["threads"]))
        posts = list(archive.rows(tables["posts"]))
    replies = [p for p in posts if not p["is_opening"]]
    assert [t["reply_count"] for t in threads] == [len(replies)] == [2]
    with site.app_context():
        assert db.session.scalar(select(func.count()).select_from(Post)) == len(posts) + 1
        db.session.remove()


def test_restore_into_a_built_schema_with_a_role_of_every_kind(
    app: Flask, make_app: Any, tmp_path: Path
) -> None:
    with app.app_context():
        for role in Role:
            make_user(f"someone-{role.value}", role=role)
        db.session.remove()
    _backup(app, tmp_path / "site.tar.gz")
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.remove()
    restored = _restore(app, tmp_path / "site.tar.gz")
    assert restored.schema == "existing" and restored.tables["users"] == len(Role)
    with app.app_context():
        assert set(db.session.scalars(select(User.role))) == set(Role)
        db.session.remove()


def test_queued_search_changes_are_not_restored_but_searchable(
    make_app: Any, empty_app: EmptyApp, tmp_path: Path
) -> None:
    # With a separate indexer process, changes wait in the outbox; the restore's full
    # rebuild indexes them, so the outbox comes back empty.
    site = make_app(SEARCH_INDEXER="off")
    _small_world(site)
    with site.app_context():
        queued = db.session.scalar(select(func.count()).select_from(OutboxEntry))
        db.session.remove()
    assert queued
    backup = _backup(site, tmp_path / "site.tar.gz")
    assert backup.tables["search_outbox"] == queued
    target = empty_app()
    restored = _restore(target, tmp_path / "site.tar.gz")
    assert restored.tables["search_outbox"] == 0
    with target.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxEntry)) == 0
        hits = search.search(SearchQuery("E42 printer")).items
        assert "thread:1" in {hit.doc_id for hit in hits}
        db.session.remove()
