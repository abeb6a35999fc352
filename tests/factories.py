"""Plain builders that insert rows directly (STYLE 4.12). Call inside an app context."""

from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from forum_kb.accounts.models import Role, User
from forum_kb.community.models import Category
from forum_kb.extensions import db

PASSWORD = "correct horse battery"
_counter = itertools.count(1)
# The same cheap scrypt cost as the test config, computed once: hashing is the slow part.
_HASH = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")


def make_user(
    username: str | None = None,
    *,
    role: Role = Role.MEMBER,
    email: str | None = None,
    password: str | None = None,
    **fields: object,
) -> User:
    n = next(_counter)
    username = username or f"user{n}"
    email = email or f"{username}@example.com"
    user = User(
        username=username,
        username_key=username.lower(),
        email=email,
        email_key=email.lower(),
        password_hash=(
            generate_password_hash(password, method="scrypt:1024:8:1") if password else _HASH
        ),
        role=role,
        **fields,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_category(name: str | None = None, *, slug: str | None = None) -> Category:
    n = next(_counter)
    name = name or f"Category {n}"
    category = Category(name=name, slug=slug or f"category-{n}", description=f"About {name}")
    db.session.add(category)
    db.session.commit()
    return category
