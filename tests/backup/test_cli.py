"""`flask backup create|verify|restore` through the CLI runner."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from forum_kb.community.models import Post
from forum_kb.extensions import db
from tests.backup.conftest import EmptyApp
from tests.backup.test_services import _small_world


def test_create_verify_and_restore(
    app: Flask, runner: FlaskCliRunner, empty_app: EmptyApp, tmp_path: Path
) -> None:
    _small_world(app)
    path = tmp_path / "site.tar.gz"
    created = runner.invoke(args=["backup", "create", str(path)])
    assert created.exit_code == 0, created.output
    assert f"Wrote {path}" in created.output and "rows in" in created.output
    assert path.stat().st_mode & 0o777 == 0o600  # password hashes and secrets inside

    verified = runner.invoke(args=["backup", "verify", str(path)])
    assert verified.exit_code == 0, verified.output
    assert "Checksums OK." in verified.output
    assert any(line.split() == ["posts", "3"] for line in verified.output.splitlines())

    target = empty_app()
    restored = target.test_cli_runner().invoke(args=["backup", "restore", str(path)])
    assert restored.exit_code == 0, restored.output
    assert "schema: created" in restored.output
    assert any(line.split() == ["users", "2"] for line in restored.output.splitlines())
    assert "Indexed 3 documents" in restored.output
    with target.app_context():
        assert db.session.scalar(select(func.count()).select_from(Post)) == 3
        db.session.remove()


def test_restore_into_a_database_with_rows_fails_cleanly(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    _small_world(app)
    path = tmp_path / "site.tar.gz"
    assert runner.invoke(args=["backup", "create", str(path)]).exit_code == 0
    result = runner.invoke(args=["backup", "restore", str(path)])
    assert result.exit_code == 1
    assert "error: The database is not empty" in result.output
    assert "Traceback" not in result.output


def test_damaged_or_missing_archives_and_existing_destinations_fail_cleanly(
    app: Flask, runner: FlaskCliRunner, empty_app: EmptyApp, tmp_path: Path
) -> None:
    _small_world(app)
    path = tmp_path / "site.tar.gz"
    assert runner.invoke(args=["backup", "create", str(path)]).exit_code == 0
    again = runner.invoke(args=["backup", "create", str(path)])
    assert again.exit_code == 1 and "already exists" in again.output
    assert runner.invoke(args=["backup", "create", "--overwrite", str(path)]).exit_code == 0

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(path.read_bytes()[:200])
    target = empty_app().test_cli_runner()
    for args, message in [
        (["backup", "restore", str(truncated)], "is damaged or incomplete"),
        (["backup", "verify", str(truncated)], "is damaged or incomplete"),
        (["backup", "restore", str(tmp_path / "nope.tar.gz")], "does not exist"),
    ]:
        result = target.invoke(args=args)
        assert result.exit_code == 1, result.output
        assert message in result.output and "Traceback" not in result.output
