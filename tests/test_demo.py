"""`flask demo load`: the demo community, only into an empty database."""

from __future__ import annotations

from sqlalchemy import func, select

from forum_kb.accounts import services
from forum_kb.accounts.models import Role, User
from forum_kb.community.models import Category
from forum_kb.demo.data import USERS
from forum_kb.extensions import db


def test_demo_load_creates_every_role_and_prints_logins(runner, app):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    for username, _role, password, _, _ in USERS:
        assert username in result.output and password in result.output
    with app.app_context():
        roles = set(db.session.scalars(select(User.role)))
        assert roles == set(Role)
        assert db.session.scalar(select(func.count()).select_from(Category)) >= 3
        # The printed logins really work.
        for username, _, password, _, _ in USERS:
            assert services.authenticate(username, password).username == username


def test_demo_load_refuses_non_empty_database(runner, app):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "not empty" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == len(USERS)


def test_demo_load_if_empty_is_a_no_op_on_content(runner, app):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0
    assert "already has content" in result.output
    assert "admin" in result.output
