"""The migrations build exactly the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from forum_kb import create_app
from forum_kb.extensions import db
from tests.databases import postgres_base_url, private_schema


def _upgrade_and_diff(url: str, tmp_path) -> list:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "TESTING": True},
        instance_path=str(tmp_path),
    )
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            tables = set(inspect(conn).get_table_names())
        assert set(db.metadata.tables) <= tables
        # The way back works too, leaving only Alembic's own table.
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
    return diff


def test_migrations_match_models(tmp_path):
    base = postgres_base_url()
    if base is None:
        assert _upgrade_and_diff(f"sqlite:///{tmp_path}/migrated.db", tmp_path) == []
    else:
        with private_schema(base, "mig") as url:
            assert _upgrade_and_diff(url, tmp_path) == []
