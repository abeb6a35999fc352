"""Role predicates as pure functions (no database)."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from forum_kb.accounts import policies
from forum_kb.accounts.models import Role, User
from forum_kb.community.policies import can_manage_categories

ANON = AnonymousUserMixin()


def user(role: Role | None, user_id: int = 1) -> object:
    if role is None:
        return ANON
    return User(id=user_id, username=f"u{user_id}", username_key=f"u{user_id}", role=role)


ROLES = [None, Role.MEMBER, Role.MODERATOR, Role.STAFF, Role.ADMIN]


@pytest.mark.parametrize(
    ("predicate", "allowed"),
    [
        (policies.is_moderator, {Role.MODERATOR, Role.STAFF, Role.ADMIN}),
        (policies.is_staff, {Role.STAFF, Role.ADMIN}),
        (policies.is_admin, {Role.ADMIN}),
        (policies.can_manage_users, {Role.ADMIN}),
        (can_manage_categories, {Role.ADMIN}),
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_role_predicates(predicate, allowed, role):
    assert predicate(user(role)) is (role in allowed)


@pytest.mark.parametrize("role", ROLES)
def test_can_change_role_only_admins_on_others(role):
    target = user(Role.MEMBER, user_id=2)
    assert policies.can_change_role(user(role), target) is (role == Role.ADMIN)


def test_admin_cannot_change_own_role():
    admin = user(Role.ADMIN)
    assert not policies.can_change_role(admin, admin)


@pytest.mark.parametrize("role", ROLES)
def test_can_edit_profile_self_or_admin(role):
    other = user(Role.MEMBER, user_id=2)
    assert policies.can_edit_profile(user(role), other) is (role == Role.ADMIN)
    if role is not None:
        me = user(role, user_id=3)
        assert policies.can_edit_profile(me, me)


@pytest.mark.parametrize("role", ROLES)
def test_can_see_email_self_or_staff(role):
    other = user(Role.MEMBER, user_id=2)
    assert policies.can_see_email(user(role), other) is (role in {Role.STAFF, Role.ADMIN})
