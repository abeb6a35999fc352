"""An archive is portable: made on SQLite it restores into PostgreSQL, and back."""

from __future__ import annotations

from pathlib import Path

import pytest

from forum_kb.backup import services
from forum_kb.extensions import db
from tests.backup.conftest import EmptyApp
from tests.backup.world import build_world, search_hits, table_rows
from tests.escalation.receiver import Receiver


@pytest.mark.postgres
@pytest.mark.parametrize(("source", "target"), [("sqlite", "postgresql"), ("postgresql", "sqlite")])
def test_archive_restores_into_the_other_database(
    empty_app: EmptyApp, receiver: Receiver, tmp_path: Path, source: str, target: str
) -> None:
    # empty_app("postgresql") skips the test when the run has no PostgreSQL.
    origin, destination = empty_app(source), empty_app(target)
    with origin.app_context():
        db.create_all()
    build_world(origin, origin.test_cli_runner(), receiver)
    hits = search_hits(origin)
    before = table_rows(origin)
    path = tmp_path / f"from-{source}.tar.gz"
    with origin.app_context():
        made = services.create_backup(path)
        db.session.remove()
    with destination.app_context():
        restored = services.restore_backup(path)
        db.session.remove()
    assert restored.tables == made.tables
    after = table_rows(destination)
    for name, rows in before.items():
        assert after[name] == rows, f"table {name} differs after {source} -> {target}"
    assert search_hits(destination) == hits
