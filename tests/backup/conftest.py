"""Empty databases to restore into: a SQLite file under tmp_path, or a private PostgreSQL
schema (when the run has FORUM_KB_TEST_DATABASE_URL), with no tables at all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from flask import Flask

from forum_kb import create_app
from forum_kb.extensions import db
from tests.conftest import test_config
from tests.databases import postgres_base_url, private_schema
from tests.escalation.receiver import Receiver
from tests.smtp import SMTPServer

EmptyApp = Callable[..., Flask]


@pytest.fixture
def empty_app(smtp_server: SMTPServer, tmp_path: Path) -> Iterator[EmptyApp]:
    """Build apps on new, empty databases: ``empty_app()`` on the run's dialect, or
    ``empty_app("sqlite")`` / ``empty_app("postgresql")``."""
    apps: list[Flask] = []
    with ExitStack() as schemas:

        def build(dialect: str | None = None, **overrides: object) -> Flask:
            dialect = dialect or ("postgresql" if postgres_base_url() else "sqlite")
            n = len(apps)
            if dialect == "sqlite":
                url = f"sqlite:///{tmp_path / f'empty{n}.db'}"
            else:
                base = postgres_base_url()
                if base is None:
                    pytest.skip("needs PostgreSQL (FORUM_KB_TEST_DATABASE_URL)")
                url = schemas.enter_context(private_schema(base, "bk"))
            app = create_app(
                test_config(url, smtp_server.port, **overrides),
                instance_path=str(tmp_path / f"empty-instance{n}"),
            )
            apps.append(app)
            return app

        yield build
        for app in apps:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()
