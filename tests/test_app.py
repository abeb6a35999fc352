"""Factory and configuration, the security baseline and error pages."""

from __future__ import annotations

import os
import re
import stat

import pytest

from forum_kb import create_app
from tests.factories import PASSWORD, make_user

# --- factory and configuration ---------------------------------------------------------------


def test_secret_key_generated_once_into_instance(tmp_path):
    instance = tmp_path / "instance"
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(instance))
    second = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(instance))
    key_file = instance / "secret_key"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) == 64
    assert key_file.read_text().strip() == first.config["SECRET_KEY"]
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_distinct_instances_get_distinct_keys(tmp_path):
    a = create_app(instance_path=str(tmp_path / "a"))
    b = create_app(instance_path=str(tmp_path / "b"))
    assert a.config["SECRET_KEY"] != b.config["SECRET_KEY"]


def test_defaults_live_in_the_instance_folder(tmp_path):
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/forum_kb.db"
    assert app.config["SEARCH_INDEX_DIR"] == str(tmp_path / "search-index")


def test_environment_variables_override_config(tmp_path, monkeypatch):
    monkeypatch.setenv("FORUM_KB_SQLALCHEMY_DATABASE_URI", "sqlite:////tmp/elsewhere.db")
    monkeypatch.setenv("FORUM_KB_SECRET_KEY", "from-env")
    monkeypatch.setenv("FORUM_KB_SEARCH_INDEX_DIR", "/srv/index")
    monkeypatch.setenv("FORUM_KB_ACCOUNTS_PASSWORD_MIN_LENGTH", "14")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/elsewhere.db"
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SEARCH_INDEX_DIR"] == "/srv/index"
    assert app.config["ACCOUNTS_PASSWORD_MIN_LENGTH"] == 14
    assert not (tmp_path / "secret_key").exists()


def test_instance_config_file_is_loaded(tmp_path):
    (tmp_path / "config.py").write_text("SITE_NAME = 'Acme Support'\n")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SITE_NAME"] == "Acme Support"


# --- CSRF ------------------------------------------------------------------------------------


def test_csrf_is_enforced_on_forms(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_user("bob")
    client = app.test_client()
    response = client.post("/login", data={"login": "bob", "password": PASSWORD})
    assert response.status_code == 400
    assert b"Your form expired" in response.data
    page = client.get("/login").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"login": "bob", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_csrf_protects_logout(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_user("bob")
    client = app.test_client()
    page = client.get("/login").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"login": "bob", "password": PASSWORD, "csrf_token": token})
    assert client.post("/logout").status_code == 400  # a cross-site sign-out is refused
    assert b"Sign out" in client.get("/").data


def test_api_needs_no_csrf_token_because_it_ignores_cookies(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_user("bob")
    client = app.test_client()
    response = client.post("/api/v1/tokens", json={"username": "bob", "password": PASSWORD})
    assert response.status_code == 201


# --- headers and cookies ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/login", "/nope", "/api/v1/categories", "/static/css/app.css"]
)
def test_security_headers_on_every_response(client, path):
    with client.get(path) as response:
        headers = response.headers
    csp = headers["Content-Security-Policy"]
    directives = dict(
        ([*part.strip().split(" ", 1), ""])[:2] for part in csp.split(";") if part.strip()
    )
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"]


def test_pages_have_no_inline_script_or_style(client, app):
    with app.app_context():
        make_user("bob")
    client.post("/login", data={"login": "bob", "password": PASSWORD})
    for path in ("/", "/u/bob", "/account/profile", "/account/password", "/kb/", "/search/?q=x"):
        page = client.get(path).data.decode()
        assert "<script" not in page, path
        # WTForms renders a None attribute as the text "None" (autofocus="None" still focuses).
        assert '="None"' not in page, path
        assert "style=" not in page and "<style" not in page, path
        assert "http://" not in page.replace("http://localhost", "") and "https://" not in page, (
            path
        )


def test_session_cookie_is_httponly_and_samesite(client, app):
    with app.app_context():
        make_user("bob")
    response = client.post("/login", data={"login": "bob", "password": PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("session="))
    remember = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session, remember):
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
        assert "Secure" not in cookie


def test_cookies_are_secure_when_configured(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    with app.app_context():
        make_user("bob")
    client = app.test_client()
    response = client.post(
        "/login",
        data={"login": "bob", "password": PASSWORD, "remember": "y"},
        base_url="https://localhost",
    )
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in cookie for cookie in cookies)
    assert "Strict-Transport-Security" in response.headers


def test_signed_in_pages_are_not_cached(client, app):
    with app.app_context():
        make_user("bob")
    client.post("/login", data={"login": "bob", "password": PASSWORD})
    assert client.get("/u/bob").headers["Cache-Control"] == "no-store"


# --- request size ----------------------------------------------------------------------------


def test_oversized_form_gets_413_page(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/login", data={"login": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert b"too large" in response.data


def test_oversized_json_gets_413_json(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/api/v1/tokens", json={"username": "x" * 5000})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


# --- error pages and JSON errors -------------------------------------------------------------


def test_404_page_is_friendly(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"We couldn't find that page" in response.data
    assert b"<nav" in response.data  # the full layout, with navigation


def test_api_404_is_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_api_405_is_json_with_allow_header(client):
    response = client.put("/api/v1/tokens")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]


def test_403_page_is_friendly(client, app):
    with app.app_context():
        make_user("bob")
    client.post("/login", data={"login": "bob", "password": PASSWORD})
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert b"You can't see this page" in response.data


def _add_failing_routes(app):
    def boom():
        raise RuntimeError("kaboom")

    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/v1/boom", "api_boom", boom)


def test_500_page_is_friendly_and_hides_details(make_app):
    app = make_app()
    _add_failing_routes(app)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.data
    assert b"kaboom" not in response.data


def test_api_500_is_json(make_app):
    app = make_app()
    _add_failing_routes(app)
    response = app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    assert "kaboom" not in response.get_data(as_text=True)


def test_429_page_is_friendly(make_app):
    app = make_app(RATELIMIT_LOGIN_PER_IP="1 per minute")
    client = app.test_client()
    client.post("/login", data={"login": "a", "password": "b"})
    response = client.post("/login", data={"login": "a", "password": "b"})
    assert response.status_code == 429
    assert b"Slow down a little" in response.data


# --- input PostgreSQL would choke on ----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("get", "/search/?q=a%00b", {}),
        ("get", "/kb/articles/a%00b", {}),
        ("post", "/login", {"data": {"login": "bob\x00", "password": "x"}}),
        ("post", "/api/v1/tokens", {"json": {"username": "bob\x00", "password": "x"}}),
        ("post", "/api/v1/tokens", {"json": {"username": "bob", "nested": ["\x00"]}}),
    ],
)
def test_nul_characters_are_a_400_not_a_database_error(client, method, path, kwargs):
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == 400


@pytest.mark.parametrize("path", [f"/t/{2**31}", f"/t/{2**63}", f"/api/v1/threads/{2**40}"])
def test_ids_beyond_32_bits_are_404(client, path):
    assert client.get(path).status_code == 404
