"""`make serve`: gunicorn with gunicorn.conf.py and forum_kb.wsgi, two workers, a migrated
database and a freshly generated instance key.

Starts a real server on a free loopback port, signs in and replies through HTML forms (CSRF
and the session cookie must work whichever worker answers), and waits for the reply to become
searchable (one worker's background indexer writes, under the index lock file).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from forum_kb import create_app
from forum_kb.community import services
from forum_kb.community.services import NewThread
from forum_kb.extensions import db
from tests.databases import postgres_base_url, private_schema
from tests.factories import PASSWORD, make_category, make_user

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@pytest.fixture
def server_database(tmp_path: Path) -> Iterator[str]:
    """A database of the server's own: a SQLite file, or a private PostgreSQL schema."""
    base = postgres_base_url()
    if base is None:
        yield f"sqlite:///{tmp_path / 'serve.db'}"
        return
    with private_schema(base, "serve") as url:
        yield url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(tmp_path: Path, url: str, port: int) -> dict[str, str]:
    env = os.environ.copy()
    env.update({
        "FORUM_KB_INSTANCE_PATH": str(tmp_path / "instance"),
        "FORUM_KB_SQLALCHEMY_DATABASE_URI": url,
        "FORUM_KB_SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        "FORUM_KB_SEARCH_POLL_INTERVAL": "0.1",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "GUNICORN_ACCESS_LOG": str(tmp_path / "access.log"),
        "GUNICORN_ERROR_LOG": str(tmp_path / "error.log"),
    })  # fmt: skip
    return env


def _migrate(env: dict[str, str]) -> None:
    """`flask db upgrade`, as `make serve` runs it."""
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "forum_kb.wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def _seed(url: str, tmp_path: Path) -> tuple[int, str]:
    """A member and a thread, written by a separate process-like app (queued for the index)."""
    app: Flask = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "seeding-only",
            "SEARCH_INDEX_DIR": None,
            "SEARCH_INDEXER": "off",
        },
        instance_path=str(tmp_path / "seed-instance"),
    )
    with app.app_context():
        member = make_user("serveuser", reputation=50)
        category = make_category("Help desk", slug="help-desk")
        thread = services.create_thread(
            member,
            NewThread(
                category.id, "question", "Rota export misses night shifts", "It stops at 0:00.", ()
            ),
        )
        result = thread.id, member.username
        db.session.remove()
        db.engine.dispose()
    return result


@pytest.fixture
def gunicorn_server(server_database: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    port = _free_port()
    env = _server_env(tmp_path, server_database, port)
    _migrate(env)
    thread_id, username = _seed(server_database, tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, base, tmp_path / "error.log")
        yield {"base": base, "thread_id": thread_id, "username": username, "tmp": tmp_path}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0


def _wait_until_up(process: subprocess.Popen[bytes], base: str, error_log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{error_log.read_text()}")
        try:
            with urllib.request.urlopen(base + "/", timeout=5):  # noqa: S310 - loopback
                return
        except OSError:  # not listening yet, or still booting
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within 30 s:\n{error_log.read_text()}")


class Browser:
    """Cookies and redirects, like a browser; never raises on 4xx/5xx (returns them)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))  # noqa: S310 - http://

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        data = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(  # noqa: S310 - always http://127.0.0.1
            self.base + path, data=data, method="POST"
        )
        return self._open(request)

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def csrf(self, path: str) -> str:
        status, html = self.get(path)
        assert status == 200
        match = CSRF.search(html)
        assert match, f"no CSRF token on {path}"
        return match.group(1)


def test_make_serve_answers_signs_in_posts_and_indexes(gunicorn_server: dict[str, Any]) -> None:
    base, thread_id = gunicorn_server["base"], gunicorn_server["thread_id"]
    browser = Browser(base)

    status, html = browser.get("/")
    assert status == 200
    assert "Rota export misses night shifts" in html

    # Several sign-ins and replies: each request may reach either worker, so both must use
    # the same generated key (sessions, CSRF) and see the same database.
    for n in range(3):
        status, html = browser.post(
            "/login",
            {
                "csrf_token": browser.csrf("/login"),
                "login": gunicorn_server["username"],
                "password": PASSWORD,
            },
        )
        assert status == 200
        assert "Log out" in html or "Sign out" in html
        status, html = browser.post(
            f"/t/{thread_id}/reply",
            {"csrf_token": browser.csrf(f"/t/{thread_id}"), "body": f"Try zorblefrump {n} now."},
        )
        assert status == 200, html
        assert f"Try zorblefrump {n} now." in html
        browser.post("/logout", {"csrf_token": browser.csrf("/")})

    key = (gunicorn_server["tmp"] / "instance" / "secret_key").read_text().strip()
    assert len(key) == 64

    # The replies reach the index through a worker's background indexer.
    deadline = time.monotonic() + 20
    found = ""
    while time.monotonic() < deadline:
        status, found = browser.get("/search/?q=zorblefrump")
        assert status == 200
        if "<mark>zorblefrump</mark> 2 now" in found:
            break
        time.sleep(0.2)
    assert "<mark>zorblefrump</mark> 2 now" in found, "the last reply never became searchable"

    access_log = (gunicorn_server["tmp"] / "access.log").read_text()
    assert f'"POST /t/{thread_id}/reply HTTP/1.1" 302' in access_log
