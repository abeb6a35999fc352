"""Account use cases: registration, authentication, passwords, profiles, roles, API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from forum_kb.accounts import policies
from forum_kb.accounts.models import ApiToken, PasswordResetToken, Role, User
from forum_kb.accounts.queries import count_admins, find_user_by_login
from forum_kb.db import after_commit, unit_of_work, utcnow
from forum_kb.errors import PermissionDenied, ValidationFailed
from forum_kb.extensions import db
from forum_kb.mail import Mail, send_mail

USERNAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{1,30})[A-Za-z0-9]$")
RESERVED_USERNAMES = frozenset(
    {"admin-team", "anonymous", "api", "me", "moderators", "root", "staff-team", "support",
     "system", "new", "edit", "settings"}
)  # fmt: skip
PASSWORD_MAX_LENGTH = 256  # hashing megabytes of "password" is a denial of service
DISPLAY_NAME_MAX = 64
BIO_MAX = 2000
TOKEN_PREFIX = "fkb_"  # noqa: S105 - a public prefix, not a secret
# A fixed hash to compare against when the account does not exist, so response time does not
# reveal which usernames are registered.
_DUMMY_HASH: dict[str, str] = {}


@dataclass(frozen=True)
class IssuedToken:
    token: str
    record: ApiToken


def hash_token(raw: str) -> str:
    """SHA-256 hex of a random token (API and password-reset tokens are stored hashed)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def _hash_password(password: str) -> str:
    return generate_password_hash(
        password, method=current_app.config["ACCOUNTS_PASSWORD_HASH_METHOD"]
    )


def _dummy_hash() -> str:
    method = current_app.config["ACCOUNTS_PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASH:
        _DUMMY_HASH[method] = generate_password_hash(secrets.token_hex(8), method=method)
    return _DUMMY_HASH[method]


# --- validation -------------------------------------------------------------------------------


def _username_errors(username: str, *, exclude_id: int | None = None) -> list[tuple[str, str]]:
    if not USERNAME_RE.match(username) or re.search(r"[_.-]{2}", username):
        return [(
            "username",
            "Use 3 to 32 letters, digits, '.', '_' or '-', starting and ending with a letter or "
            "digit, with no two symbols in a row.",
        )]  # fmt: skip
    if username.lower() in RESERVED_USERNAMES:
        return [("username", "That username is reserved.")]
    existing = db.session.scalar(select(User.id).where(User.username_key == username.lower()))
    if existing is not None and existing != exclude_id:
        return [("username", "That username is taken.")]
    return []


def _normalize_email(email: str) -> tuple[str | None, list[tuple[str, str]]]:
    try:
        info = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        return None, [("email", f"That email address is not valid: {exc}")]
    normalized: str = info.normalized
    if db.session.scalar(select(User.id).where(User.email_key == normalized.lower())) is not None:
        return None, [("email", "An account with that email address already exists.")]
    return normalized, []


def password_errors(
    password: str, *, field: str = "password", username: str = "", email: str = ""
) -> list[tuple[str, str]]:
    """Rules for a new password: a minimum length, a sane maximum, not the username or email."""
    minimum = current_app.config["ACCOUNTS_PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return [(field, f"Use at least {minimum} characters.")]
    if len(password) > PASSWORD_MAX_LENGTH:
        return [(field, f"Use at most {PASSWORD_MAX_LENGTH} characters.")]
    lowered = password.lower()
    if lowered in {username.lower(), email.lower()} or len(set(password)) < 4:
        return [(field, "That password is too easy to guess.")]
    return []


# --- registration and users --------------------------------------------------------------------


def register_user(username: str, email: str, password: str) -> User:
    """Create a member account from the public sign-up form.

    Raises:
        ValidationFailed: a rule for the username, email or password is broken.
    """
    return create_user(username, email, password, Role.MEMBER)


def create_user(username: str, email: str, password: str, role: Role = Role.MEMBER) -> User:
    """Create an account with any role (the CLI and the demo loader use this).

    Raises:
        ValidationFailed: a rule for the username, email or password is broken.
    """
    username = username.strip()
    errors = _username_errors(username)
    normalized_email, email_errors = _normalize_email(email)
    errors += email_errors
    errors += password_errors(password, username=username, email=email)
    if errors:
        raise ValidationFailed(errors)
    assert normalized_email is not None
    with unit_of_work():
        user = User(
            username=username,
            username_key=username.lower(),
            email=normalized_email,
            email_key=normalized_email.lower(),
            password_hash=_hash_password(password),
            role=role,
        )
        db.session.add(user)
        db.session.flush()
    return user


def authenticate(login: str, password: str) -> User:
    """The user for a username-or-email and password, recording the login.

    Raises:
        ValidationFailed: unknown account, wrong password, or a suspended account.
    """
    user = find_user_by_login(login)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        raise ValidationFailed([("password", "Wrong username or password.")])
    if not check_password_hash(user.password_hash, password):
        raise ValidationFailed([("password", "Wrong username or password.")])
    if not user.is_active:
        raise ValidationFailed([("username", "This account is deactivated.")])
    if user.is_suspended:
        raise ValidationFailed([("login", suspension_message(user))])
    with unit_of_work():
        user.last_login_at = utcnow()
    return user


def suspension_message(user: User) -> str:
    """What a suspended user is told when signing in: why, and until when."""
    until = user.suspended_until.strftime("%Y-%m-%d %H:%M UTC") if user.suspended_until else ""
    reason = f" Reason: {user.suspension_reason}" if user.suspension_reason else ""
    return f"This account is suspended until {until}.{reason}"


def set_silence(user: User, until: datetime | None, reason: str = "") -> User:
    """Record that ``user`` may not post until ``until`` (None lifts it). Moderation decides
    who may do this and keeps the history."""
    with unit_of_work():
        user.silenced_until = until
        user.silence_reason = reason[:500] if until else ""
    return user


def set_suspension(user: User, until: datetime | None, reason: str = "") -> User:
    """Record that ``user`` may not sign in until ``until`` (None lifts it); suspending ends
    every session and stops every API token at once."""
    with unit_of_work():
        user.suspended_until = until
        user.suspension_reason = reason[:500] if until else ""
        if until is not None:
            user.session_generation += 1
    return user


def end_all_sessions(user: User) -> None:
    """Sign the user out everywhere: every session and remember-me cookie stops working."""
    with unit_of_work():
        user.session_generation += 1


def change_password(actor: User, current_password: str, new_password: str) -> User:
    """Change the actor's own password; ends every other session and revokes API tokens.

    Raises:
        ValidationFailed: the current password is wrong or the new one breaks a rule.
    """
    errors: list[tuple[str, str]] = []
    if not check_password_hash(actor.password_hash, current_password):
        errors.append(("current_password", "That is not your current password."))
    errors += password_errors(
        new_password, field="new_password", username=actor.username, email=actor.email
    )
    if not errors and current_password == new_password:
        errors.append(("new_password", "The new password must differ from the current one."))
    if errors:
        raise ValidationFailed(errors)
    with unit_of_work():
        _set_password(actor, new_password)
    return actor


def _set_password(user: User, password: str) -> None:
    now = utcnow()
    user.password_hash = _hash_password(password)
    user.password_changed_at = now
    user.session_generation += 1
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )


def request_password_reset(email: str, link_for: Callable[[str], str]) -> None:
    """Email a single-use, expiring reset link if an active account has this address.

    Says nothing about whether the address exists (no account enumeration).
    """
    user = find_user_by_login(email) if "@" in email else None
    if user is None or not user.is_active:
        return
    raw = secrets.token_urlsafe(32)
    lifetime: timedelta = current_app.config["ACCOUNTS_RESET_TOKEN_LIFETIME"]
    with unit_of_work():
        db.session.add(
            PasswordResetToken(
                user_id=user.id, token_hash=hash_token(raw), expires_at=utcnow() + lifetime
            )
        )
        minutes = int(lifetime.total_seconds() // 60)
        body = (
            f"Hello {user.name},\n\n"
            f"Someone (hopefully you) asked to reset the password of your "
            f"{current_app.config['SITE_NAME']} account '{user.username}'.\n\n"
            f"Choose a new password here (the link works once, for {minutes} minutes):\n"
            f"{link_for(raw)}\n\n"
            "If you did not ask for this, ignore this email; your password stays as it is.\n"
        )
        mail = Mail(to=user.email, subject="Reset your password", body=body)
        after_commit(partial(send_mail, mail))


def find_valid_reset_token(raw: str) -> PasswordResetToken | None:
    """The unused, unexpired reset token for this link, if any."""
    record = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(raw))
    )
    if record is None or record.used_at is not None or record.expires_at <= utcnow():
        return None
    return record


def reset_password(raw_token: str, new_password: str) -> User:
    """Set a new password through an emailed link; the link then stops working.

    Raises:
        ValidationFailed: the link is invalid, used or expired, or the password breaks a rule.
    """
    record = find_valid_reset_token(raw_token)
    if record is None:
        raise ValidationFailed([("token", "This reset link is invalid, used or expired.")])
    user = record.user
    errors = password_errors(new_password, username=user.username, email=user.email)
    if errors:
        raise ValidationFailed(errors)
    with unit_of_work():
        _set_password(user, new_password)
    return user


# --- profiles and roles ------------------------------------------------------------------------


def update_profile(actor: User, user: User, display_name: str, bio: str) -> User:
    """Change a profile's display name and bio.

    Raises:
        PermissionDenied: the actor may not edit this profile.
        ValidationFailed: a value is too long or contains control characters.
    """
    if not policies.can_edit_profile(actor, user):
        raise PermissionDenied("You can only edit your own profile.")
    display_name = " ".join(display_name.split())
    bio = bio.strip()
    errors: list[tuple[str, str]] = []
    if len(display_name) > DISPLAY_NAME_MAX:
        errors.append(("display_name", f"Use at most {DISPLAY_NAME_MAX} characters."))
    if len(bio) > BIO_MAX:
        errors.append(("bio", f"Use at most {BIO_MAX} characters."))
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in display_name + bio):
        errors.append(("bio", "Control characters are not allowed."))
    if errors:
        raise ValidationFailed(errors)
    with unit_of_work():
        user.display_name = display_name
        user.bio = bio
    return user


def change_role(actor: User, user: User, role: Role) -> User:
    """Give ``user`` a new role.

    Raises:
        PermissionDenied: the actor is not an admin, or is changing their own role.
        ValidationFailed: the change would leave the site without an admin.
    """
    if not policies.can_change_role(actor, user):
        raise PermissionDenied("Only admins change roles, and not their own.")
    if user.role == Role.ADMIN and role != Role.ADMIN and count_admins() <= 1:
        raise ValidationFailed([("role", "The site needs at least one admin.")])
    with unit_of_work():
        user.role = role
        # A demoted user must not keep powers in an open session.
        user.session_generation += 1
    return user


def adjust_reputation(user_id: int, delta: int) -> None:
    """Add ``delta`` reputation points to a user (an atomic UPDATE: safe under concurrency)."""
    if delta == 0:
        return
    with unit_of_work():
        db.session.execute(
            update(User)
            .where(User.id == user_id)
            .values(reputation=User.reputation + delta)
            .execution_options(synchronize_session="fetch")
        )


# --- API tokens --------------------------------------------------------------------------------


def issue_api_token(login: str, password: str, name: str = "") -> IssuedToken:
    """Authenticate and issue a bearer token; only its hash is stored.

    Raises:
        ValidationFailed: wrong credentials or a suspended account.
    """
    user = authenticate(login, password)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    lifetime: timedelta = current_app.config["ACCOUNTS_API_TOKEN_LIFETIME"]
    with unit_of_work():
        record = ApiToken(
            user_id=user.id,
            token_hash=hash_token(raw),
            name=name.strip()[:64],
            expires_at=utcnow() + lifetime,
        )
        db.session.add(record)
        db.session.flush()
    return IssuedToken(token=raw, record=record)


def find_api_token(raw: str) -> ApiToken | None:
    """The live token for a bearer string (not revoked or expired, owner active), if any."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 128:
        return None
    record = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
    now = utcnow()
    if record is None or record.revoked_at is not None or record.expires_at <= now:
        return None
    if not record.user.is_active or record.user.is_suspended:
        return None
    # Record use at most every few minutes: reads should not write on every request.
    if record.last_used_at is None or now - record.last_used_at > timedelta(minutes=5):
        with unit_of_work():
            record.last_used_at = now
    return record


def revoke_api_token(token: ApiToken) -> None:
    """Revoke one API token."""
    with unit_of_work():
        token.revoked_at = utcnow()
