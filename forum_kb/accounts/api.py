"""Accounts JSON API: bearer tokens and the current user (API.md)."""

from __future__ import annotations

from flask import Blueprint

from forum_kb.accounts import services
from forum_kb.accounts.auth import current_api_token, require_api_user
from forum_kb.accounts.limits import login_per_account, login_per_ip, mark_login_failed
from forum_kb.accounts.queries import get_user_by_username_or_404
from forum_kb.accounts.serializers import user_json
from forum_kb.api import iso, json_body, string_field
from forum_kb.errors import Unauthorized, ValidationFailed

api_bp = Blueprint("accounts_api", __name__)


@api_bp.post("/tokens")
@login_per_ip
@login_per_account
def token_create():
    data = json_body()
    username = string_field(data, "username")
    password = string_field(data, "password")
    name = string_field(data, "name", required=False)
    try:
        issued = services.issue_api_token(username, password, name)
    except ValidationFailed as exc:
        mark_login_failed()
        raise Unauthorized(exc.message) from None
    return {"token": issued.token, "expires_at": iso(issued.record.expires_at)}, 201


@api_bp.delete("/tokens/current")
def token_revoke():
    require_api_user()
    services.revoke_api_token(current_api_token())
    return "", 204


@api_bp.get("/me")
def me():
    return user_json(require_api_user(), private=True)


@api_bp.get("/users/<username>")
def user_detail(username: str):
    return user_json(get_user_by_username_or_404(username))
