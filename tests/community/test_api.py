"""Categories API (API.md)."""

from __future__ import annotations

import pytest

from forum_kb.accounts.models import Role
from tests.factories import PASSWORD, make_category, make_user


def token_for(client, app, role: Role) -> str:
    with app.app_context():
        username = make_user(role=role).username
    response = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    return response.get_json()["token"]


def test_anyone_lists_categories_in_order(client, app):
    with app.app_context():
        make_category("Billing", slug="billing")
        make_category("Apps", slug="apps")
    items = client.get("/api/v1/categories").get_json()["items"]
    assert [c["slug"] for c in items] == ["apps", "billing"]  # same position: by name


def test_admin_creates_category(client, app):
    token = token_for(client, app, Role.ADMIN)
    response = client.post(
        "/api/v1/categories",
        json={"name": "Mobile Apps!", "description": "iOS and Android"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201
    assert response.get_json()["slug"] == "mobile-apps"
    duplicate = client.post(
        "/api/v1/categories",
        json={"name": "Other", "slug": "mobile-apps"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert duplicate.status_code == 409
    assert duplicate.get_json()["error"]["code"] == "conflict"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.MODERATOR, Role.STAFF])
def test_non_admin_cannot_create_category(client, app, role):
    token = token_for(client, app, role)
    response = client.post(
        "/api/v1/categories", json={"name": "X"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403


def test_anonymous_create_category_is_401(client):
    assert client.post("/api/v1/categories", json={"name": "X"}).status_code == 401


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "!!!"}, {"name": "x" * 81}])
def test_invalid_category_is_422(client, app, body):
    token = token_for(client, app, Role.ADMIN)
    response = client.post(
        "/api/v1/categories", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]


def test_category_page(client, app):
    with app.app_context():
        make_category("Billing", slug="billing")
    assert b"Billing" in client.get("/c/billing").data
    assert client.get("/c/nope").status_code == 404
