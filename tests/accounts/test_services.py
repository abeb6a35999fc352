"""Account use cases against a real database (and a real SMTP server for mail)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from forum_kb.accounts import services
from forum_kb.accounts.models import ApiToken, PasswordResetToken, Role, User
from forum_kb.db import utcnow
from forum_kb.errors import PermissionDenied, ValidationFailed
from forum_kb.extensions import db
from tests.factories import PASSWORD, make_user


def fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return {field for field, _ in exc.value.errors}


# --- registration --------------------------------------------------------------------------


def test_register_user_creates_member_with_slow_hash(app_ctx):
    user = services.register_user("Alice", "Alice@Example.com", "a long passphrase")
    stored = db.session.get(User, user.id)
    assert stored is not None
    assert stored.role == Role.MEMBER
    assert stored.username_key == "alice"
    assert stored.password_hash.startswith("scrypt:")
    assert "a long passphrase" not in stored.password_hash


def test_default_config_hashes_with_full_scrypt_cost(make_app):
    app = make_app(ACCOUNTS_PASSWORD_HASH_METHOD="scrypt")
    with app.app_context():
        user = services.register_user("carol", "carol@example.com", "a long passphrase")
        # werkzeug's default scrypt cost: n=2**15, r=8, p=1.
        assert user.password_hash.startswith("scrypt:32768:8:1$")


@pytest.mark.parametrize("taken", ["alice", "ALICE", "Alice"])
def test_register_username_unique_case_insensitively(app_ctx, taken):
    make_user("alice")
    with pytest.raises(ValidationFailed) as exc:
        services.register_user(taken, "other@example.com", "a long passphrase")
    assert fields(exc) == {"username"}


def test_register_email_unique_case_insensitively(app_ctx):
    make_user("alice", email="alice@example.com")
    with pytest.raises(ValidationFailed) as exc:
        services.register_user("alicia", "ALICE@example.com", "a long passphrase")
    assert fields(exc) == {"email"}


@pytest.mark.parametrize(
    "username",
    ["ab", "a" * 33, "-alice", "alice-", "al ice", "al__ice", "ålice", "<b>x</b>", "me", "System"],
)
def test_register_rejects_bad_usernames(app_ctx, username):
    with pytest.raises(ValidationFailed) as exc:
        services.register_user(username, "x@example.com", "a long passphrase")
    assert "username" in fields(exc)


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@b.com", "a b@c.com"])
def test_register_rejects_bad_emails(app_ctx, email):
    with pytest.raises(ValidationFailed) as exc:
        services.register_user("alice", email, "a long passphrase")
    assert fields(exc) == {"email"}


@pytest.mark.parametrize("password", ["short", "aaaaaaaaaaaa", "x" * 257, "alice12345678"[:5]])
def test_register_rejects_weak_passwords(app_ctx, password):
    with pytest.raises(ValidationFailed) as exc:
        services.register_user("alice", "alice@example.com", password)
    assert fields(exc) == {"password"}
    assert db.session.scalar(select(User)) is None


def test_register_rejects_password_equal_to_username(app_ctx):
    with pytest.raises(ValidationFailed):
        services.register_user("alicealice", "alice@example.com", "AliceAlice")


def test_register_reports_every_broken_rule_at_once(app_ctx):
    with pytest.raises(ValidationFailed) as exc:
        services.register_user("a", "nope", "short")
    assert fields(exc) == {"username", "email", "password"}


# --- authentication ------------------------------------------------------------------------


@pytest.mark.parametrize("login", ["bob", "BOB", "bob@example.com", "Bob@Example.com"])
def test_authenticate_by_username_or_email(app_ctx, login):
    bob = make_user("bob")
    assert services.authenticate(login, PASSWORD).id == bob.id
    assert bob.last_login_at is not None


@pytest.mark.parametrize(("login", "password"), [("bob", "wrong password"), ("nobody", PASSWORD)])
def test_authenticate_failure_is_uniform(app_ctx, login, password):
    make_user("bob")
    with pytest.raises(ValidationFailed) as exc:
        services.authenticate(login, password)
    assert exc.value.errors == [("password", "Wrong username or password.")]


def test_authenticate_refuses_deactivated_account(app_ctx):
    make_user("bob", is_active=False)
    with pytest.raises(ValidationFailed) as exc:
        services.authenticate("bob", PASSWORD)
    assert "deactivated" in exc.value.message


# --- passwords -----------------------------------------------------------------------------


def test_change_password_ends_sessions_and_revokes_tokens(app_ctx):
    bob = make_user("bob")
    issued = services.issue_api_token("bob", PASSWORD)
    generation = bob.session_generation
    services.change_password(bob, PASSWORD, "a brand new passphrase")
    assert bob.session_generation == generation + 1
    assert services.authenticate("bob", "a brand new passphrase").id == bob.id
    assert services.find_api_token(issued.token) is None


@pytest.mark.parametrize(
    ("current", "new", "field"),
    [
        ("wrong password", "a brand new passphrase", "current_password"),
        (PASSWORD, "short", "new_password"),
        (PASSWORD, PASSWORD, "new_password"),
    ],
)
def test_change_password_validation(app_ctx, current, new, field):
    bob = make_user("bob")
    old_hash = bob.password_hash
    with pytest.raises(ValidationFailed) as exc:
        services.change_password(bob, current, new)
    assert field in fields(exc)
    assert bob.password_hash == old_hash


def _reset_link(mailbox) -> str:
    assert len(mailbox.messages) == 1
    body = mailbox.messages[0].get_content()
    match = re.search(r"(http://\S+/account/reset/(\S+))", body)
    assert match, body
    return match.group(2)


def test_password_reset_mails_single_use_link(app_ctx, mailbox):
    bob = make_user("bob")
    services.request_password_reset(
        "BOB@example.com", lambda t: f"http://forum.test/account/reset/{t}"
    )
    message = mailbox.messages[0]
    assert message["To"] == "bob@example.com"
    assert message["Subject"] == "Reset your password"
    token = _reset_link(mailbox)
    # Stored hashed, never in clear.
    assert db.session.scalar(select(PasswordResetToken.token_hash)) != token

    services.reset_password(token, "a brand new passphrase")
    assert services.authenticate("bob", "a brand new passphrase").id == bob.id
    with pytest.raises(ValidationFailed) as exc:
        services.reset_password(token, "another new passphrase")
    assert fields(exc) == {"token"}


def test_password_reset_link_expires(app_ctx, mailbox):
    make_user("bob")
    services.request_password_reset("bob@example.com", lambda t: f"http://x/account/reset/{t}")
    token = _reset_link(mailbox)
    record = db.session.scalars(select(PasswordResetToken)).one()
    record.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        services.reset_password(token, "a brand new passphrase")


def test_password_reset_for_unknown_email_sends_nothing(app_ctx, mailbox):
    services.request_password_reset("nobody@example.com", lambda t: t)
    assert mailbox.messages == []
    assert db.session.scalar(select(PasswordResetToken)) is None


def test_password_reset_rejects_weak_password_and_keeps_link(app_ctx, mailbox):
    make_user("bob")
    services.request_password_reset("bob@example.com", lambda t: f"http://x/account/reset/{t}")
    token = _reset_link(mailbox)
    with pytest.raises(ValidationFailed):
        services.reset_password(token, "short")
    assert services.find_valid_reset_token(token) is not None


def test_mail_server_down_does_not_undo_the_request(make_app, mailbox):
    from tests.smtp import free_port

    app = make_app(MAIL_PORT=free_port())  # nothing listens there
    with app.app_context():
        make_user("bob")
        services.request_password_reset("bob@example.com", lambda t: t)
        assert db.session.scalar(select(PasswordResetToken)) is not None


# --- profiles and roles --------------------------------------------------------------------


def test_update_profile_normalizes_and_saves(app_ctx):
    bob = make_user("bob")
    services.update_profile(bob, bob, "  Bob   Okafor ", "Tinkerer.\n")
    assert (bob.display_name, bob.bio) == ("Bob Okafor", "Tinkerer.")


def test_update_profile_of_someone_else_is_denied(app_ctx):
    bob, eve = make_user("bob"), make_user("eve")
    with pytest.raises(PermissionDenied):
        services.update_profile(eve, bob, "Hacked", "")
    assert bob.display_name == ""


def test_update_profile_rejects_overlong_values(app_ctx):
    bob = make_user("bob")
    with pytest.raises(ValidationFailed) as exc:
        services.update_profile(bob, bob, "x" * 65, "y" * 2001)
    assert fields(exc) == {"display_name", "bio"}


def test_change_role_by_admin_ends_target_sessions(app_ctx):
    admin, bob = make_user("root1", role=Role.ADMIN), make_user("bob")
    services.change_role(admin, bob, Role.MODERATOR)
    assert bob.role == Role.MODERATOR
    assert bob.session_generation == 1


@pytest.mark.parametrize("role", [Role.MEMBER, Role.MODERATOR, Role.STAFF])
def test_change_role_by_non_admin_is_denied(app_ctx, role):
    actor, bob = make_user("actor", role=role), make_user("bob")
    with pytest.raises(PermissionDenied):
        services.change_role(actor, bob, Role.ADMIN)
    assert bob.role == Role.MEMBER


def test_admin_cannot_change_own_role(app_ctx):
    admin = make_user("root1", role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.change_role(admin, admin, Role.MEMBER)


def test_last_admin_cannot_be_demoted_even_by_a_stale_admin(app_ctx):
    # Two admins demote each other at the same moment: the second request still sees its actor
    # as an admin, but the database says only the target is left.
    a1 = make_user("root1", role=Role.ADMIN)
    a2 = make_user("root2", role=Role.ADMIN)
    db.session.execute(
        update(User).where(User.id == a1.id).values(role=Role.MEMBER),
        execution_options={"synchronize_session": False},
    )
    with pytest.raises(ValidationFailed) as exc:
        services.change_role(a1, a2, Role.MEMBER)
    assert fields(exc) == {"role"}
    db.session.refresh(a2)
    assert a2.role == Role.ADMIN


# --- API tokens ----------------------------------------------------------------------------


def test_api_token_is_stored_hashed_and_resolves(app_ctx):
    bob = make_user("bob")
    issued = services.issue_api_token("bob", PASSWORD, "laptop")
    stored = db.session.scalars(select(ApiToken)).one()
    assert issued.token.startswith("fkb_")
    assert stored.token_hash != issued.token and len(stored.token_hash) == 64
    record = services.find_api_token(issued.token)
    assert record is not None and record.user_id == bob.id and record.last_used_at is not None


@pytest.mark.parametrize("mutate", ["revoke", "expire", "suspend"])
def test_api_token_stops_working(app_ctx, mutate):
    bob = make_user("bob")
    issued = services.issue_api_token("bob", PASSWORD)
    if mutate == "revoke":
        services.revoke_api_token(issued.record)
    elif mutate == "expire":
        issued.record.expires_at = utcnow() - timedelta(seconds=1)
    else:
        bob.is_active = False
    db.session.commit()
    assert services.find_api_token(issued.token) is None


def test_find_api_token_rejects_garbage(app_ctx):
    assert services.find_api_token("not-a-token") is None
    assert services.find_api_token("fkb_" + "x" * 500) is None
