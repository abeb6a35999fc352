"""Read helpers for accounts."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select

from forum_kb.accounts.models import Role, User
from forum_kb.extensions import db


def get_user_by_username_or_404(username: str) -> User:
    """The active-or-not user with this username (case-insensitive), or 404."""
    stmt = select(User).where(User.username_key == username.lower())
    return db.one_or_404(stmt, description="No such user.")


def find_user_by_login(login: str) -> User | None:
    """The user whose username or email matches ``login`` (case-insensitive)."""
    key = login.strip().lower()
    if not key:
        return None
    return db.session.scalar(
        select(User).where(or_(User.username_key == key, User.email_key == key))
    )


def list_users(query: str = "", role: Role | None = None) -> Select[User]:
    """Users for the admin list, newest first, optionally filtered."""
    stmt = select(User).order_by(User.created_at.desc(), User.id.desc())
    if query:
        pattern = (
            "%" + query.lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
        )
        stmt = stmt.where(
            or_(
                User.username_key.like(pattern, escape="\\"),
                User.email_key.like(pattern, escape="\\"),
                func.lower(User.display_name).like(pattern, escape="\\"),
            )
        )
    if role is not None:
        stmt = stmt.where(User.role == role)
    return stmt


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def count_admins() -> int:
    return db.session.scalar(select(func.count()).where(User.role == Role.ADMIN)) or 0
