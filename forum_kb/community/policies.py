"""Who may do what in the community."""

from __future__ import annotations

from typing import Any

from forum_kb.accounts.policies import is_admin


def can_manage_categories(user: Any) -> bool:
    """Admins create and arrange categories."""
    return is_admin(user)
