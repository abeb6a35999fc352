"""A module-scoped app holding the security world: built once, read by hundreds of requests.

Modules that use ``world_app`` must not also use the function-scoped ``app`` fixture: on
PostgreSQL both share one schema, and that fixture empties the tables after each test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from forum_kb import create_app
from forum_kb.extensions import db
from tests.conftest import _reset_database, test_config
from tests.security.world import World, build_world, check_world
from tests.smtp import SMTPServer


@pytest.fixture(scope="module")
def world_app(
    request: pytest.FixtureRequest,
    database_url: str,
    smtp_server: SMTPServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Flask, World]]:
    """An app (rate limits off, CSRF off unless the module's ``WORLD_CONFIG`` says otherwise)
    with the security world in its database."""
    overrides: dict[str, Any] = {"RATELIMIT_ENABLED": False}
    overrides.update(getattr(request.module, "WORLD_CONFIG", {}))
    app = create_app(
        test_config(database_url, smtp_server.port, **overrides),
        instance_path=str(tmp_path_factory.mktemp("security")),
    )
    with app.app_context():
        db.create_all()
        world = build_world()
        check_world(world)
        db.session.remove()
    yield app, world
    _reset_database(app)
