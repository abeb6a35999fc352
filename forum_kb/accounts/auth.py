"""Who is asking: the session loader for pages, bearer tokens for the API, role guards."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, cast

from flask import abort, g, request
from flask_login import current_user

from forum_kb.accounts import services
from forum_kb.accounts.models import Role, User
from forum_kb.accounts.policies import has_role
from forum_kb.errors import PermissionDenied, Unauthorized
from forum_kb.extensions import db, login_manager

P = ParamSpec("P")
R = TypeVar("R")


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Load the session's user; a stale session generation means the session was ended."""
    user_id, _, generation = session_id.partition(":")
    if not user_id.isdigit() or not generation.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_generation != int(generation):
        return None
    if user.is_suspended:
        return None
    return user


def role_required(role: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Page guard: sign-in required (redirect to login), then 403 below ``role``."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_user.is_authenticated:
                return cast(R, login_manager.unauthorized())
            if not has_role(current_user, role):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


# --- API ----------------------------------------------------------------------------------------


def api_user() -> User | None:
    """The user of the request's bearer token, or None when no token was sent.

    Raises:
        Unauthorized: a token was sent but is malformed, expired or revoked.
    """
    if "api_user" not in g:
        g.api_user = _load_api_user()
    user: User | None = g.api_user
    return user


def _load_api_user() -> User | None:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise Unauthorized("Send the token as 'Authorization: Bearer <token>'.")
    token = services.find_api_token(raw.strip())
    if token is None:
        raise Unauthorized("The token is invalid, expired or revoked.")
    g.api_token = token
    return token.user


def refuse_bad_tokens() -> None:
    """Before every API request: a token that was sent must be valid, even where reading needs
    none, so a revoked or mistyped token is a 401 instead of a silent anonymous answer.

    Raises:
        Unauthorized: a token was sent but is malformed, expired or revoked.
    """
    # Asking for a new token works whatever stale header the client still sends.
    if (
        request.path.startswith("/api/")
        and request.endpoint != "accounts_api.token_create"
        and request.headers.get("Authorization")
    ):
        api_user()


def require_api_user(role: Role = Role.MEMBER) -> User:
    """The token's user, who must hold ``role``.

    Raises:
        Unauthorized: no valid token.
        PermissionDenied: the user's role is too low.
    """
    user = api_user()
    if user is None:
        raise Unauthorized("Sign in: POST /api/v1/tokens, then send 'Authorization: Bearer'.")
    if not has_role(user, role):
        raise PermissionDenied(f"This needs the {role.value} role.")
    return user


def token_required(role: Role = Role.MEMBER) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """API guard: a valid bearer token of a user with at least ``role``."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            require_api_user(role)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def current_api_token() -> Any:
    """The ApiToken row behind this request (after ``require_api_user``)."""
    return g.get("api_token")
