"""`flask users create` (API.md)."""

from __future__ import annotations

from sqlalchemy import select

from forum_kb.accounts.models import Role, User
from forum_kb.extensions import db


def test_users_create_with_role(runner, app):
    result = runner.invoke(
        args=["users", "create", "Carol", "--email", "carol@example.com",
              "--password", "a long passphrase", "--role", "staff"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created staff 'Carol'" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username_key == "carol"))
        assert user is not None and user.role == Role.STAFF


def test_users_create_defaults_to_member(runner, app):
    args = [
        "users",
        "create",
        "dave",
        "--email",
        "d@example.com",
        "--password",
        "a long passphrase",
    ]
    assert runner.invoke(args=args).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(User.role)) == Role.MEMBER


def test_users_create_duplicate_fails_with_message(runner, app):
    args = [
        "users",
        "create",
        "dave",
        "--email",
        "d@example.com",
        "--password",
        "a long passphrase",
    ]
    runner.invoke(args=args)
    result = runner.invoke(
        args=[
            "users",
            "create",
            "DAVE",
            "--email",
            "other@example.com",
            "--password",
            "a long passphrase",
        ]
    )
    assert result.exit_code == 1
    assert "username: That username is taken." in result.output
    with app.app_context():
        assert len(db.session.scalars(select(User)).all()) == 1


def test_users_create_invalid_values_fail(runner, app):
    result = runner.invoke(args=["users", "create", "x", "--email", "nope", "--password", "short"])
    assert result.exit_code == 1
    assert "email:" in result.output and "password:" in result.output


def test_users_create_unknown_role_fails(runner):
    result = runner.invoke(
        args=["users", "create", "erin", "--email", "e@example.com", "--password",
              "a long passphrase", "--role", "god"]
    )  # fmt: skip
    assert result.exit_code == 2
    assert "Invalid value for '--role'" in result.output
