"""JSON shapes of accounts for the API."""

from __future__ import annotations

from typing import Any

from forum_kb.accounts.models import User
from forum_kb.api import iso


def user_json(user: User, *, private: bool = False) -> dict[str, Any]:
    """Public fields of a user; ``private`` adds the email address."""
    data: dict[str, Any] = {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value,
        "bio": user.bio,
        "reputation": user.reputation,
        "created_at": iso(user.created_at),
    }
    if private:
        data["email"] = user.email
    return data
