"""Accessibility: axe-core finds no serious or critical violation on the main pages.

The demo community is loaded once per module and served on loopback; every page is opened in
the system Chromium as an anonymous visitor, a member, a moderator or staff, axe-core (installed
from the npm registry by ``make test`` into ``.cache/axe``) is injected and run, and the test
fails on any violation of impact "serious" or "critical". Minor and moderate ones are printed
as a summary (``pytest -s``) without failing.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, StorageState, expect
from sqlalchemy import func, select
from werkzeug.serving import make_server

from forum_kb import create_app
from forum_kb.community.models import Category, Post, Tag, Thread
from forum_kb.demo import data as demo_data
from forum_kb.demo.services import load_demo
from forum_kb.escalation.models import Escalation, EscalationNote
from forum_kb.extensions import db
from forum_kb.kb.models import Article, ArticleStatus, Section
from forum_kb.search import services as search
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, REQUIRE_BROWSER_ENV, buffered
from tests.conftest import test_config
from tests.databases import postgres_base_url, private_schema
from tests.smtp import SMTPServer

pytestmark = pytest.mark.browser

AXE_PATH = Path(__file__).resolve().parents[2] / ".cache/axe/node_modules/axe-core/axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
# A misspelled query that still matches the demo (so the page has results and facets) and
# that the spelling corrector knows how to fix.
DID_YOU_MEAN_QUERY = "pasword"

# Runs in the page once axe is injected; keeps the answer small (rule, impact, first nodes).
_RUN_AXE = """
async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => ({
      target: n.target.join(" "),
      summary: n.failureSummary,
    })),
    count: v.nodes.length,
  }));
}
"""


@dataclass(frozen=True)
class Visit:
    """One page to check: who looks at it, in which colour scheme, and the key of its path in
    ``DemoSite.paths``; ``submit`` names a button to press first (an empty form, to check the
    page with its error messages)."""

    name: str
    role: str
    page: str
    scheme: str = "light"
    submit: str | None = None


PAGES = [
    Visit("home (anonymous)", "anonymous", "home"),
    Visit("category (anonymous)", "anonymous", "category"),
    Visit("tag", "anonymous", "tag"),
    Visit("thread with accepted answer and code (anonymous)", "anonymous", "thread"),
    Visit("sign in", "anonymous", "login"),
    Visit("register", "anonymous", "register"),
    Visit("sign in with errors", "anonymous", "login", submit="Sign in"),
    Visit("register with errors", "anonymous", "register", submit="Create account"),
    Visit("search results with facets", "anonymous", "search"),
    Visit("search results with did-you-mean", "anonymous", "search_typo"),
    Visit("KB index", "anonymous", "kb_index"),
    Visit("KB section", "anonymous", "kb_section"),
    Visit("KB article", "anonymous", "kb_article"),
    Visit("member profile", "anonymous", "profile"),
    Visit("home (member)", "member", "home"),
    Visit("thread (member)", "member", "thread"),
    Visit("new thread form", "member", "new_thread"),
    Visit("new thread form with errors", "member", "new_thread", submit="Post thread"),
    Visit("notifications", "member", "notifications"),
    Visit("KB article (member)", "member", "kb_article"),
    Visit("search results (member)", "member", "search"),
    Visit("thread (moderator)", "moderator", "thread"),
    Visit("moderation queue", "moderator", "moderation"),
    Visit("thread (staff)", "staff", "thread"),
    Visit("KB article (staff)", "staff", "kb_article"),
    Visit("staff escalation queue", "staff", "staff_queue"),
    Visit("escalation", "staff", "escalation"),
    Visit("staff insights dashboard", "staff", "insights"),
    # The dark theme has colours of its own.
    Visit("home (dark)", "anonymous", "home", "dark"),
    Visit("thread (member, dark)", "member", "thread", "dark"),
    Visit("search results (dark)", "anonymous", "search", "dark"),
    Visit("KB article (dark)", "anonymous", "kb_article", "dark"),
    Visit("new thread form (dark)", "member", "new_thread", "dark"),
    Visit("register with errors (dark)", "anonymous", "register", "dark", "Create account"),
    Visit("moderation queue (dark)", "moderator", "moderation", "dark"),
    Visit("escalation (dark)", "staff", "escalation", "dark"),
    Visit("staff insights dashboard (dark)", "staff", "insights", "dark"),
]

LOGINS = {
    "member": "alice",
    "moderator": "mia.mod",
    "staff": "sam.staff",
}


@dataclass
class DemoSite:
    """The served demo: its base URL, the paths of the pages to check, signed-in sessions."""

    base_url: str
    paths: dict[str, str | None]
    sessions: dict[str, StorageState] = field(default_factory=dict)


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's browser bundle, installed by ``make test``; skips without it unless required."""
    if not AXE_PATH.is_file():
        reason = (
            f"axe-core is not installed ({AXE_PATH.relative_to(AXE_PATH.parents[4])} missing: "
            "`make test` installs it with npm)"
        )
        if os.environ.get(REQUIRE_BROWSER_ENV) == "1":
            pytest.fail(f"{reason}, and {REQUIRE_BROWSER_ENV}=1 requires the browser tests")
        pytest.skip(reason)
    return AXE_PATH


@pytest.fixture(scope="module")
def demo_database_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database for this module's server (a file for SQLite, a schema on PostgreSQL)."""
    if database_url == "sqlite://":
        yield f"sqlite:///{tmp_path_factory.mktemp('a11y') / 'demo.db'}"
        return
    base_url = postgres_base_url()
    assert base_url is not None, "a non-SQLite database_url comes from the PostgreSQL base URL"
    with private_schema(base_url, "a11y") as url:
        yield url


@pytest.fixture(scope="module")
def demo_site(
    demo_database_url: str, smtp_server: SMTPServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoSite]:
    """The demo community served from a thread on 127.0.0.1, CSRF on."""
    root = tmp_path_factory.mktemp("a11y-site")
    config = test_config(
        demo_database_url,
        smtp_server.port,
        WTF_CSRF_ENABLED=True,
        SEARCH_INDEX_DIR=str(root / "search-index"),
    )
    app = create_app(config, instance_path=str(root / "instance"))
    with app.app_context():
        db.create_all()
        search.drain()  # the on-disk index exists before the demo's writes are indexed
        load_demo()
        search.drain()
        paths = _page_paths("insights.dashboard" in app.view_functions)
        db.session.remove()
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="a11y-server", daemon=True)
    thread.start()
    try:
        yield DemoSite(f"http://127.0.0.1:{server.port}", paths)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _page_paths(has_insights: bool) -> dict[str, str | None]:
    """The demo's pages to check; ``None`` for a page this build does not have."""
    category = db.session.scalars(select(Category).order_by(Category.position)).first()
    section = db.session.scalars(select(Section).order_by(Section.position)).first()
    article = db.session.scalars(
        select(Article).where(Article.status == ArticleStatus.PUBLISHED).order_by(Article.id)
    ).first()
    escalation_id = db.session.scalar(
        select(Escalation.id)
        .join(EscalationNote, EscalationNote.escalation_id == Escalation.id)
        .order_by(Escalation.id)
    ) or db.session.scalar(select(func.min(Escalation.id)))
    tag = db.session.scalar(select(Tag.name).order_by(Tag.name))
    assert category and section and article and escalation_id and tag, "the demo has these"
    return {
        "home": "/",
        "category": f"/c/{category.slug}",
        "tag": f"/tags/{tag}",
        "thread": f"/t/{_solved_thread_with_code()}",
        "login": "/login",
        "register": "/register",
        "search": "/search/?q=invoice",
        "search_typo": f"/search/?q={DID_YOU_MEAN_QUERY}",
        "kb_index": "/kb/",
        "kb_section": f"/kb/sections/{section.slug}",
        "kb_article": f"/kb/articles/{article.slug}",
        "profile": f"/u/{LOGINS['member']}",
        "new_thread": "/new",
        "notifications": "/notifications/",
        "moderation": "/moderation/",
        "staff_queue": "/staff/queue",
        "escalation": f"/staff/escalations/{escalation_id}",
        "insights": "/staff/insights/" if has_insights else None,
    }


def _solved_thread_with_code() -> int:
    """The visible thread with an accepted answer, code in a post, and the most replies."""
    thread_id = db.session.scalar(
        select(Thread.id)
        .join(Post, Post.thread_id == Thread.id)
        .where(
            Thread.accepted_post_id.is_not(None),
            Thread.is_hidden.is_(False),
            Thread.deleted_at.is_(None),
            Post.body_html.contains("<pre"),
        )
        .order_by(Thread.reply_count.desc(), Thread.id)
        .limit(1)
    )
    assert thread_id is not None, "the demo has a solved thread with code"
    return thread_id


def _password(username: str) -> str:
    return next(password for name, _, password, _, _ in demo_data.USERS if name == username)


def _new_context(browser: Browser, site: DemoSite, role: str, scheme: str) -> BrowserContext:
    """A context of ``role``; the first one of a role signs in, later ones reuse its cookies.

    ``bypass_csp`` lets the injected axe script run under the site's Content Security Policy
    (which allows no inline or injected script).
    """
    state = site.sessions.get(role)
    context = browser.new_context(
        base_url=site.base_url,
        bypass_csp=True,
        storage_state=state,
        color_scheme="dark" if scheme == "dark" else "light",
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    if role != "anonymous" and state is None:
        username = LOGINS[role]
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Username or email", exact=True).fill(username)
        page.get_by_label("Password", exact=True).fill(_password(username))
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text(f"Signed in as {username}.")).to_be_visible()
        page.close()
        site.sessions[role] = context.storage_state()
    return context


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['count']} elements)")
        for node in v["nodes"]:
            summary = " ".join(str(node["summary"]).split())
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize("visit", PAGES, ids=[visit.name for visit in PAGES])
def test_page_has_no_serious_accessibility_violations(
    browser: Browser, axe_script: Path, demo_site: DemoSite, visit: Visit
) -> None:
    path = demo_site.paths[visit.page]
    if path is None:
        pytest.skip(f"this build has no {visit.name} page")
    context = _new_context(browser, demo_site, visit.role, visit.scheme)
    try:
        page = context.new_page()
        response = page.goto(path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        if visit.submit is not None:
            page.get_by_role("button", name=visit.submit, exact=True).click()
            expect(page.locator(".form-error-summary").first).to_be_visible()
        if visit.page == "search_typo":
            expect(page.locator(".did-you-mean")).to_be_visible()
        if visit.page == "search":
            expect(page.locator(".search-facets")).to_be_visible()
        page.add_script_tag(path=axe_script)
        violations: list[dict[str, Any]] = page.evaluate(_RUN_AXE)
    finally:
        context.close()

    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    others = [v for v in violations if v["impact"] not in FAILING_IMPACTS]
    if others:
        print(f"\n{visit.name} ({path}): minor/moderate accessibility issues:\n{_describe(others)}")
    assert not failing, (
        f"{visit.name} ({path}) has serious accessibility violations:\n{_describe(failing)}"
    )
