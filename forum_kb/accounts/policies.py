"""Who may do what with accounts. Pure predicates (STYLE 4.2): services enforce, templates show."""

from __future__ import annotations

from typing import Any

from forum_kb.accounts.models import Role, User


def role_of(user: Any) -> Role | None:
    """The role of a signed-in user, or None for anonymous visitors."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.role if isinstance(user, User) else None


def has_role(user: Any, role: Role) -> bool:
    """True when ``user`` is signed in with ``role`` or a more powerful one."""
    current = role_of(user)
    return current is not None and current.rank >= role.rank


def is_moderator(user: Any) -> bool:
    return has_role(user, Role.MODERATOR)


def is_staff(user: Any) -> bool:
    return has_role(user, Role.STAFF)


def is_admin(user: Any) -> bool:
    return has_role(user, Role.ADMIN)


def can_manage_users(user: Any) -> bool:
    """Admins see the user list and change roles."""
    return is_admin(user)


def can_change_role(actor: Any, target: User) -> bool:
    """Admins change other people's roles; nobody changes their own (no self-lockout)."""
    return is_admin(actor) and actor.id != target.id


def can_edit_profile(actor: Any, user: User) -> bool:
    """People edit their own profile; admins may edit anyone's."""
    return role_of(actor) is not None and (actor.id == user.id or is_admin(actor))


def can_see_email(actor: Any, user: User) -> bool:
    """Email addresses are private: only their owner and staff see them."""
    return role_of(actor) is not None and (actor.id == user.id or is_staff(actor))
