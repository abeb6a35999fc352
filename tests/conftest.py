"""Fixtures (STYLE 4.12): a function-scoped app on a real database, client, runner, mail."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text

from forum_kb import create_app
from forum_kb.accounts.models import User
from forum_kb.extensions import db
from tests.databases import postgres_base_url, private_schema
from tests.factories import PASSWORD
from tests.smtp import SMTPServer

CHEAP_HASH = "scrypt:1024:8:1"


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    base = postgres_base_url()
    if base is None:
        yield "sqlite://"
        return
    with private_schema(base, "suite") as url:
        yield url


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


def test_config(database_url: str, smtp_port: int, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SEARCH_INDEX_DIR": None,
        "SEARCH_INDEXER": "inline",
        "WTF_CSRF_ENABLED": False,
        "ACCOUNTS_PASSWORD_HASH_METHOD": CHEAP_HASH,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
    }
    config.update(overrides)
    return config


test_config.__test__ = False  # type: ignore[attr-defined]


def _reset_database(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            if names:
                db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(database_url: str, smtp_server: SMTPServer, tmp_path: Any) -> Iterator[Any]:
    """Build apps with config overrides; each gets the schema and is cleaned up after."""
    apps: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        app = create_app(
            test_config(database_url, smtp_server.port, **overrides),
            instance_path=str(tmp_path / f"instance{len(apps)}"),
        )
        with app.app_context():
            db.create_all()
        apps.append(app)
        return app

    yield build
    for app in apps:
        _reset_database(app)


@pytest.fixture
def app(make_app: Any) -> Flask:
    return make_app()  # type: ignore[no-any-return]


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """An app context, for tests that call services, queries and factories directly."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def mailbox(smtp_server: SMTPServer) -> SMTPServer:
    smtp_server.clear()
    return smtp_server


class Auth:
    """Sign in and out through the real login form."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, user: User | str, password: str = PASSWORD, remember: bool = False) -> Any:
        login = user if isinstance(user, str) else user.username
        data = {"login": login, "password": password}
        if remember:
            data["remember"] = "y"
        return self.client.post("/login", data=data)

    def logout(self) -> Any:
        return self.client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)
