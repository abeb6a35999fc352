"""Loading the demo community."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from forum_kb.accounts import services as accounts
from forum_kb.accounts.models import Role, User
from forum_kb.community import services as community
from forum_kb.db import unit_of_work
from forum_kb.demo import data
from forum_kb.errors import Conflict
from forum_kb.extensions import db


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    password: str


def is_database_empty() -> bool:
    """True when no user exists yet (the demo is loaded only into an empty database)."""
    return (db.session.scalar(select(func.count()).select_from(User)) or 0) == 0


def demo_logins() -> list[DemoLogin]:
    """The demo accounts and their passwords."""
    return [DemoLogin(username, role, password) for username, role, password, _, _ in data.USERS]


def load_demo() -> list[DemoLogin]:
    """Create the demo community in one transaction.

    Raises:
        Conflict: the database already has users.
    """
    if not is_database_empty():
        raise Conflict("The database is not empty; the demo loads only into an empty one.")
    with unit_of_work():
        users: dict[str, User] = {}
        for username, role, password, display_name, bio in data.USERS:
            user = accounts.create_user(username, f"{username}@example.com", password, role)
            user.display_name, user.bio = display_name, bio
            users[username] = user
        for name, slug, description in data.CATEGORIES:
            community.create_category(users["admin"], name, slug, description)
    return demo_logins()
