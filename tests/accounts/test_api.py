"""Token API (API.md): issue, use, revoke; uniform JSON errors."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum_kb.accounts.models import ApiToken
from forum_kb.extensions import db
from tests.factories import PASSWORD, make_user


@pytest.fixture
def bob(app):
    with app.app_context():
        return make_user("bob", display_name="Bob").id


def issue(client, username="bob", password=PASSWORD):
    return client.post("/api/v1/tokens", json={"username": username, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_issue_use_and_revoke(client, app, bob):
    response = issue(client)
    assert response.status_code == 201
    body = response.get_json()
    token = body["token"]
    assert body["expires_at"].endswith("Z")
    with app.app_context():
        stored = db.session.scalars(select(ApiToken)).one()
        assert stored.token_hash != token

    me = client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.get_json()["username"] == "bob"
    assert me.get_json()["email"] == "bob@example.com"
    assert "Set-Cookie" not in me.headers

    assert client.delete("/api/v1/tokens/current", headers=bearer(token)).status_code == 204
    after = client.get("/api/v1/me", headers=bearer(token))
    assert after.status_code == 401
    assert after.get_json()["error"]["code"] == "unauthorized"


def test_token_with_wrong_password_is_401_json(client, bob):
    response = issue(client, password="wrong password")
    assert response.status_code == 401
    assert response.get_json() == {
        "error": {"code": "unauthorized", "message": "Wrong username or password."}
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [({"password": "x"}, "username"), ({"username": "bob"}, "password"),
     ({"username": 5, "password": "x"}, "username")],
)  # fmt: skip
def test_token_missing_or_bad_fields_is_422(client, bob, body, field):
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    ("data", "content_type"),
    [("not json", "application/json"), ("[1, 2]", "application/json"), ("a=b", "text/plain")],
)
def test_token_malformed_body_is_400(client, data, content_type):
    response = client.post("/api/v1/tokens", data=data, content_type=content_type)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    "header", ["Bearer nonsense", "Bearer fkb_unknown", "Basic Ym9iOnB3", "Bearer"]
)
def test_bad_authorization_header_is_401(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_me_without_token_is_401(client):
    assert client.get("/api/v1/me").status_code == 401


def test_api_ignores_session_cookie(client, bob):
    client.post("/login", data={"login": "bob", "password": PASSWORD})
    assert client.get("/api/v1/me").status_code == 401


def test_revoke_without_token_is_401(client):
    assert client.delete("/api/v1/tokens/current").status_code == 401


def test_public_user_endpoint_hides_email(client, bob):
    response = client.get("/api/v1/users/BOB")
    assert response.status_code == 200
    assert response.get_json()["username"] == "bob"
    assert "email" not in response.get_json()
    assert client.get("/api/v1/users/nobody").status_code == 404


def test_password_change_revokes_tokens(client, bob):
    token = issue(client).get_json()["token"]
    client.post("/login", data={"login": "bob", "password": PASSWORD})
    client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "a new passphrase!",
              "confirm": "a new passphrase!"},
    )  # fmt: skip
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
