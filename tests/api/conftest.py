"""One app with a seeded database for all the contract tests of a module: seeding takes a
second or more, and schemathesis runs one test per operation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from forum_kb import create_app
from forum_kb.extensions import db
from tests.api.seed import Seed, issue_token, seed_community
from tests.conftest import _reset_database, test_config
from tests.smtp import SMTPServer


@dataclass
class Contract:
    """The app under test, what was seeded into it, and an admin's bearer token."""

    app: Flask
    seed: Seed
    admin_token: str

    def fresh_admin_token(self) -> str:
        with self.app.app_context():
            return issue_token(self.seed.admin)


@pytest.fixture(scope="module")
def contract(
    database_url: str, smtp_server: SMTPServer, tmp_path_factory: Any
) -> Iterator[Contract]:
    # Rate limits would turn later examples into 429s and hide what the endpoints do.
    config = test_config(database_url, smtp_server.port, RATELIMIT_ENABLED=False)
    app = create_app(config, instance_path=str(tmp_path_factory.mktemp("contract")))
    with app.app_context():
        db.create_all()
        seed = seed_community()
        token = issue_token(seed.admin)
    yield Contract(app, seed, token)
    _reset_database(app)
