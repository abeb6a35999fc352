"""forum_kb: a community forum with an integrated knowledge base."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

_ROOT = Path(__file__).resolve().parent.parent


def create_app(
    test_config: Mapping[str, Any] | None = None, *, instance_path: str | None = None
) -> Flask:
    """Build and configure the application (STYLE 4.3).

    ``test_config`` overrides every other source; ``instance_path`` replaces ``instance/``
    (tests use a temporary folder so they never touch a developer's instance).
    """
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(_ROOT / "templates"),
        static_folder=str(_ROOT / "static"),
    )
    from forum_kb.config import DefaultConfig

    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("FORUM_KB")
    if test_config:
        app.config.from_mapping(test_config)
    _finish_config(app)

    from forum_kb.security import register_converters

    register_converters(app)
    _register_extensions(app)
    _register_blueprints(app)
    _register_error_handlers(app)
    _register_commands(app)
    _register_template_helpers(app)
    return app


def _finish_config(app: Flask) -> None:
    """Fill the defaults that depend on the instance folder; never run with a shared key."""
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path) / "secret_key")
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "forum_kb.db"
        )
    if app.config.get("SEARCH_INDEX_DIR") == "":
        app.config["SEARCH_INDEX_DIR"] = os.path.join(app.instance_path, "search-index")
    # Remember-me cookies follow the session cookie's Secure flag unless set explicitly.
    if app.config["SESSION_COOKIE_SECURE"]:
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=int(app.config["PROXY_FIX_X_FOR"]), x_proto=1, x_host=1
        )


def _instance_secret_key(path: Path) -> str:
    """Read the instance's generated key, creating it once (O_EXCL: safe with many workers)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def _register_extensions(app: Flask) -> None:
    from forum_kb import db as db_module
    from forum_kb import security
    from forum_kb.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    db_module.init_app(app)
    migrate.init_app(app, db, directory=str(_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from forum_kb import (
        accounts,
        community,
        escalation,
        insights,
        kb,
        moderation,
        notifications,
        openapi,
        search,
    )

    features = (accounts, search, notifications, community, kb, moderation, escalation, insights)
    for feature in features:
        feature.init_app(app)
    openapi.init_app(app)


def _register_error_handlers(app: Flask) -> None:
    from forum_kb.errors import register_error_handlers

    register_error_handlers(app)


def _register_commands(app: Flask) -> None:
    from forum_kb import backup, importer
    from forum_kb.accounts.cli import users_cli
    from forum_kb.community.cli import community_cli
    from forum_kb.demo.cli import demo_cli
    from forum_kb.escalation.cli import escalation_cli, webhooks_cli
    from forum_kb.kb.cli import kb_cli
    from forum_kb.notifications.cli import notify_cli
    from forum_kb.search.cli import search_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(community_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(escalation_cli)
    app.cli.add_command(webhooks_cli)
    app.cli.add_command(kb_cli)
    app.cli.add_command(notify_cli)
    app.cli.add_command(search_cli)
    backup.init_app(app)
    importer.init_app(app)


def _register_template_helpers(app: Flask) -> None:
    from forum_kb.db import utcnow

    app.jinja_env.globals.update(site_name=app.config["SITE_NAME"], utcnow=utcnow)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
