"""Browser fixtures: the app served on loopback, driven by the system Chromium via Playwright.

Every test gets a fresh database, server and browser context. The page fixture fails a test
whose pages log a Content Security Policy violation, and screenshots failed tests into
``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import threading
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, expect, sync_playwright
from werkzeug.serving import make_server

from forum_kb import create_app
from forum_kb.extensions import db
from tests.conftest import test_config
from tests.databases import postgres_base_url, private_schema
from tests.smtp import SMTPServer

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts"
REQUIRE_BROWSER_ENV = "FORUM_KB_REQUIRE_BROWSER"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 10_000
CSP_MARKERS = ("Content Security Policy", "Refused to")

# Chromium logs CSP violations to the console itself, but its wording changes between versions
# (recent ones say "Applying inline style violates ... Content Security Policy", not "Refused
# to"); the page's own violation event gives a second, stable message.
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    `Content Security Policy violation: ${event.violatedDirective} blocked ` +
    `${event.blockedURI || "inline"} at ${event.sourceFile || "?"}:${event.lineNumber}`
  );
});
"""

_reports = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Keep each phase's report on the item so the page fixture can tell whether the test failed.
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


def _failed(item: pytest.Item) -> bool:
    return any(report.failed for report in item.stash.get(_reports, {}).values())


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The system Chromium; skips the browser tests without it unless CI requires them."""
    path = "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None
    path = path or shutil.which("chromium")
    if path is None:
        reason = "chromium is not installed (expected /usr/bin/chromium or on PATH)"
        if os.environ.get(REQUIRE_BROWSER_ENV) == "1":
            pytest.fail(f"{reason}, and {REQUIRE_BROWSER_ENV}=1 requires the browser tests")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)  # assertions default to 5 s otherwise
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of this test's own, reachable from the server thread."""
    if database_url == "sqlite://":
        # In-memory SQLite lives in one connection; the server thread needs a real file.
        yield f"sqlite:///{tmp_path / 'browser.db'}"
        return
    base_url = postgres_base_url()
    assert base_url is not None, "a non-SQLite database_url comes from the PostgreSQL base URL"
    with private_schema(base_url, "browser") as url:
        yield url


def buffered(app: WSGIApplication) -> WSGIApplication:
    """The app with each response body read (and its iterable closed) before werkzeug's
    development server writes it. That server closes the iterable only after draining the
    socket, which raises when the browser has dropped the connection (it cancels requests for
    static files when it navigates on); the open file then warns when it is collected, in
    whichever test is running. The pages here are small."""

    def serve(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return serve


def search_index_dir(tmp_path: Path) -> str:
    """The live server's search index folder; seeding apps use it too."""
    return str(tmp_path / "search-index")


@pytest.fixture
def live_server(
    browser_database_url: str, smtp_server: SMTPServer, tmp_path: Path
) -> Iterator[str]:
    """The app with CSRF on, served from a thread on 127.0.0.1; yields its base URL."""
    # An on-disk index that seeding fixtures share (search_index_dir), like the database.
    config = test_config(
        browser_database_url,
        smtp_server.port,
        WTF_CSRF_ENABLED=True,
        SEARCH_INDEX_DIR=search_index_dir(tmp_path),
    )
    app = create_app(config, instance_path=str(tmp_path / "instance"))
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def page(
    browser: Browser, live_server: str, artifacts_dir: Path, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A page in a fresh context, aimed at the live server; fails on CSP violations."""
    console_errors: list[str] = []
    csp_messages: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)
        if any(marker in message.text for marker in CSP_MARKERS):
            csp_messages.append(message.text)

    def on_page_error(error: Error) -> None:
        console_errors.append(f"uncaught: {error.message}")

    context = browser.new_context(base_url=live_server)
    try:
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.add_init_script(_REPORT_CSP_VIOLATIONS)
        page = context.new_page()
        page.on("console", on_console)
        page.on("pageerror", on_page_error)

        yield page

        if _failed(request.node) or csp_messages:
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid).strip("_")
            try:
                page.screenshot(path=artifacts_dir / f"{name}.png", full_page=True)
            except Error as exc:  # a crashed page must not hide the test's own failure
                print(f"could not save a screenshot: {exc.message}", file=sys.stderr)
    finally:
        context.close()

    if csp_messages:
        other_errors = [text for text in console_errors if text not in csp_messages]
        pytest.fail(
            "The page logged Content Security Policy violations:\n  "
            + "\n  ".join(csp_messages)
            + ("\nOther console errors:\n  " + "\n  ".join(other_errors) if other_errors else "")
        )
