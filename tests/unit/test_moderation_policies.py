"""Moderation predicates and the community predicates moderation changed (silence, pending
posts), as pure functions over unsaved objects (no database)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask_login import AnonymousUserMixin

from forum_kb.accounts.models import Role, User
from forum_kb.community import policies as community
from forum_kb.community.models import Post, Thread, ThreadKind
from forum_kb.db import utcnow
from forum_kb.moderation import policies

ANON = AnonymousUserMixin()
ROLES = [None, Role.MEMBER, Role.MODERATOR, Role.STAFF, Role.ADMIN]
MODERATORS = {Role.MODERATOR, Role.STAFF, Role.ADMIN}
AUTHOR_ID, OTHER_ID = 1, 2


def user(role: Role | None, user_id: int = OTHER_ID, **fields: Any) -> Any:
    if role is None:
        return ANON
    defaults: dict[str, Any] = {"is_active": True, "silenced_until": None}
    return User(
        id=user_id, username=f"u{user_id}", username_key=f"u{user_id}", role=role,
        **(defaults | fields),
    )  # fmt: skip


def silenced(role: Role, user_id: int = AUTHOR_ID) -> Any:
    return user(role, user_id, silenced_until=utcnow() + timedelta(days=1))


def thread(**fields: Any) -> Thread:
    defaults: dict[str, Any] = {
        "id": 10, "author_id": AUTHOR_ID, "kind": ThreadKind.QUESTION, "is_locked": False,
        "is_hidden": False, "is_pending": False, "deleted_at": None, "merged_into_id": None,
        "reply_count": 0,
    }  # fmt: skip
    return Thread(**(defaults | fields))


def post(*, thread_fields: dict[str, Any] | None = None, **fields: Any) -> Post:
    defaults: dict[str, Any] = {
        "id": 100, "author_id": AUTHOR_ID, "is_opening": False, "is_hidden": False,
        "is_pending": False, "deleted_at": None,
    }  # fmt: skip
    result = Post(**(defaults | fields))
    result.thread = thread(**(thread_fields or {}))
    return result


# --- moderation: role predicates -------------------------------------------------------------


@pytest.mark.parametrize(
    "predicate",
    [policies.can_moderate, policies.can_view_audit_log, policies.can_see_user_notes,
     policies.can_manage_watched_words, policies.can_see_promotions],
)  # fmt: skip
@pytest.mark.parametrize("role", ROLES)
def test_moderator_only_predicates(predicate, role):
    assert predicate(user(role)) is (role in MODERATORS)


# --- moderation: flags -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_can_flag_other_peoples_live_posts_when_signed_in(role):
    assert policies.can_flag(user(role), post()) is (role is not None)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.MODERATOR, Role.ADMIN])
def test_cannot_flag_own_post(role):
    assert not policies.can_flag(user(role, AUTHOR_ID), post())


def test_deactivated_member_cannot_flag():
    assert not policies.can_flag(user(Role.MEMBER, is_active=False), post())


@pytest.mark.parametrize(
    ("state", "moderator_may"),
    [({"deleted_at": utcnow()}, False), ({"is_pending": True}, False),
     ({"is_hidden": True}, True), ({"thread_fields": {"is_hidden": True}}, True),
     ({"thread_fields": {"deleted_at": utcnow()}}, True),
     ({"thread_fields": {"is_pending": True}}, True)],
)  # fmt: skip
@pytest.mark.parametrize("role", [Role.MEMBER, Role.MODERATOR])
def test_can_flag_only_what_the_flagger_sees(state, moderator_may, role):
    allowed = role is Role.MODERATOR and moderator_may
    assert policies.can_flag(user(role), post(**state)) is allowed


# --- moderation: sanctions -------------------------------------------------------------------


@pytest.mark.parametrize("target_role", [Role.MEMBER, Role.MODERATOR, Role.STAFF, Role.ADMIN])
@pytest.mark.parametrize("actor_role", ROLES)
def test_can_sanction_only_lower_ranks(actor_role, target_role):
    target = user(target_role, user_id=3)
    expected = actor_role in MODERATORS and actor_role.rank > target_role.rank
    assert policies.can_sanction(user(actor_role), target) is expected


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.STAFF, Role.ADMIN])
def test_nobody_sanctions_themselves(role):
    me = user(role)
    assert not policies.can_sanction(me, me)


def test_moderator_cannot_sanction_staff_but_admin_can_sanction_a_moderator():
    moderator, staff, admin = user(Role.MODERATOR, 3), user(Role.STAFF, 4), user(Role.ADMIN, 5)
    assert not policies.can_sanction(moderator, staff)
    assert not policies.can_sanction(moderator, admin)
    assert policies.can_sanction(admin, moderator)


# --- moderation: promotion -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_can_promote_live_posts_for_moderators(role):
    assert policies.can_promote(user(role), post()) is (role in MODERATORS)


@pytest.mark.parametrize(
    "state",
    [{"is_hidden": True}, {"deleted_at": utcnow()}, {"is_pending": True},
     {"thread_fields": {"deleted_at": utcnow()}}],
)  # fmt: skip
@pytest.mark.parametrize("role", [Role.MODERATOR, Role.STAFF, Role.ADMIN])
def test_cannot_promote_dead_posts(role, state):
    assert not policies.can_promote(user(role), post(**state))


# --- community: silenced users ---------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MEMBER, Role.MODERATOR])
def test_silenced_user_cannot_start_threads_or_reply(role):
    someone = silenced(role)
    assert not community.can_create_thread(someone)
    assert not community.can_reply(someone, thread(author_id=OTHER_ID))


def test_silenced_member_cannot_edit_own_post_or_vote():
    member = silenced(Role.MEMBER)
    assert not community.can_edit_post(member, post())
    assert not community.can_vote(member, post(author_id=OTHER_ID))


def test_expired_silence_no_longer_applies():
    member = user(Role.MEMBER, AUTHOR_ID, silenced_until=utcnow() - timedelta(seconds=1))
    assert community.can_create_thread(member)
    assert community.can_reply(member, thread())
    assert community.can_edit_post(member, post())
    assert community.can_vote(member, post(author_id=OTHER_ID))


def test_unsilenced_member_posts_replies_edits_and_votes():
    member = user(Role.MEMBER, AUTHOR_ID)
    assert community.can_create_thread(member)
    assert community.can_reply(member, thread())
    assert community.can_edit_post(member, post())
    assert community.can_vote(member, post(author_id=OTHER_ID))


# --- community: pending (pre-moderated) threads and posts ------------------------------------

VIEWERS = ["anonymous", "other member", "author", "moderator", "staff", "admin"]


def viewer(name: str) -> Any:
    return {
        "anonymous": ANON,
        "other member": user(Role.MEMBER, OTHER_ID),
        "author": user(Role.MEMBER, AUTHOR_ID),
        "moderator": user(Role.MODERATOR, 3),
        "staff": user(Role.STAFF, 4),
        "admin": user(Role.ADMIN, 5),
    }[name]


@pytest.mark.parametrize("name", VIEWERS)
def test_pending_thread_visible_to_author_and_moderators_only(name):
    expected = name not in {"anonymous", "other member"}
    assert community.can_view_thread(viewer(name), thread(is_pending=True)) is expected


@pytest.mark.parametrize("name", VIEWERS)
def test_pending_post_body_visible_to_author_and_moderators_only(name):
    expected = name not in {"anonymous", "other member"}
    assert community.can_view_post_body(viewer(name), post(is_pending=True)) is expected


@pytest.mark.parametrize("name", VIEWERS)
def test_approved_thread_visible_to_everyone(name):
    assert community.can_view_thread(viewer(name), thread())


@pytest.mark.parametrize("name", VIEWERS)
def test_hidden_pending_thread_not_even_for_its_author(name):
    expected = name in {"moderator", "staff", "admin"}
    assert community.can_view_thread(viewer(name), thread(is_pending=True, is_hidden=True)) is (
        expected
    )


@pytest.mark.parametrize("name", VIEWERS)
def test_only_moderators_reply_to_a_pending_thread(name):
    expected = name in {"moderator", "staff", "admin"}
    assert community.can_reply(viewer(name), thread(is_pending=True)) is expected


@pytest.mark.parametrize("name", VIEWERS)
def test_only_moderators_reply_to_a_merged_thread(name):
    expected = name in {"moderator", "staff", "admin"}
    assert community.can_reply(viewer(name), thread(merged_into_id=11)) is expected


@pytest.mark.parametrize("name", VIEWERS)
def test_nobody_votes_on_a_pending_post(name):
    assert not community.can_vote(viewer(name), post(is_pending=True, author_id=99))


@pytest.mark.parametrize("name", VIEWERS)
def test_locked_thread_replies_for_moderators_only(name):
    expected = name in {"moderator", "staff", "admin"}
    assert community.can_reply(viewer(name), thread(is_locked=True)) is expected


@pytest.mark.parametrize("role", ROLES)
def test_community_can_moderate(role):
    assert community.can_moderate(user(role)) is (role in MODERATORS)
