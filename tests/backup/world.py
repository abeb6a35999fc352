"""A realistic community to back up, and the comparisons a restore must pass.

The demo (every role, categories, threads with replies and votes, accepted answers, tags,
KB articles in every status with revisions and feedback, flags, sanctions, the audit log,
escalations, notifications) plus what it leaves empty: API and reset tokens, watches, daily
views, an article's old address, an inaccuracy report, webhooks with delivery attempts and
the search log. Everything goes through the services.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from forum_kb.accounts import services as accounts
from forum_kb.accounts.models import User
from forum_kb.community import services as community
from forum_kb.community.models import Category, Tag, Thread
from forum_kb.community.services import NewThread
from forum_kb.demo import data
from forum_kb.escalation.services import webhooks
from forum_kb.extensions import db
from forum_kb.kb import services as kb
from forum_kb.kb.models import Article, ArticleStatus
from forum_kb.search import services as search
from forum_kb.search.services import SearchQuery
from tests.escalation.receiver import Receiver

#: Searches compared before backup and after restore (ids of the hits, in rank order).
SEARCHES = [
    SearchQuery("password"),
    SearchQuery("sso login"),
    SearchQuery("android notifications"),
    SearchQuery("scim azure"),
    SearchQuery("rota", type="thread"),
    SearchQuery("invoice", type="article"),
    SearchQuery("export", sort="date"),
    SearchQuery("shift", solved="true"),
    SearchQuery("timezone OR daylight"),
]


def _user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def build_world(app: Flask, runner: FlaskCliRunner, receiver: Receiver) -> None:
    """Load the demo, then add what it leaves out."""
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        _add_accounts_and_watches()
        _add_views_and_kb_history()
        _add_webhooks(receiver)
        search.reindex()  # both sides compare a freshly built index
        for query in SEARCHES:
            search.search(query, user_id=_user("alice").id)
        db.session.remove()


def _add_accounts_and_watches() -> None:
    alice = _user("alice")
    password = next(p for name, _, p, _, _ in data.USERS if name == "alice")
    accounts.issue_api_token("alice", password, "backup test")
    accounts.request_password_reset("bob@example.com", lambda raw: f"/reset/{raw}")
    category = db.session.scalars(select(Category).order_by(Category.id)).first()
    tag = db.session.scalars(select(Tag).order_by(Tag.id)).first()
    assert category is not None and tag is not None
    community.watch_category(alice, category)
    community.watch_tag(alice, tag)


def _add_views_and_kb_history() -> None:
    for thread in db.session.scalars(select(Thread).order_by(Thread.id).limit(3)).all():
        community.record_view(thread)
    sam = _user("sam.staff")
    article = db.session.scalars(
        select(Article)
        .where(Article.status == ArticleStatus.PUBLISHED, Article.draft_revision_id.is_(None))
        .order_by(Article.id)
    ).first()
    assert article is not None
    kb.record_view(article)
    # A new title moves the article to a new address; the old one is kept as a redirect.
    kb.edit_article(sam, article, title=article.title + " (updated)", note="Clearer title")
    kb.publish_article(sam, article, note="Renamed")
    kb.report_inaccurate(article, "Step 3 moved to the Security tab.", _user("bob"))


def _add_webhooks(receiver: Receiver) -> None:
    sam = _user("sam.staff")
    webhooks.create_webhook(sam, receiver.url, ["thread.created"], description="CRM")
    receiver.fail_first = 1  # one failed attempt (to be retried), then successes
    alice = _user("alice")
    category = db.session.scalars(select(Category).order_by(Category.id)).first()
    assert category is not None
    for n in (1, 2):
        community.create_thread(
            alice,
            NewThread(
                category_id=category.id,
                kind="question",
                title=f"Backup drill question number {n}",
                body=f"Does the nightly backup include uploads? Asking for drill {n}.",
                tags=["backup"],
            ),
        )
    webhooks.deliver_due()


def table_rows(app: Flask) -> dict[str, dict[tuple[Any, ...], tuple[Any, ...]]]:
    """Every row of every table, keyed by primary key (collation-independent)."""
    found: dict[str, dict[tuple[Any, ...], tuple[Any, ...]]] = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            keys = [c.name for c in table.primary_key.columns] or [c.name for c in table.columns]
            rows = db.session.execute(select(table)).mappings()
            found[table.name] = {tuple(r[k] for k in keys): tuple(r.values()) for r in rows}
        db.session.remove()
    return found


def search_hits(app: Flask) -> list[tuple[int, list[str]]]:
    """Total and hit ids of each search in ``SEARCHES``."""
    with app.app_context():
        found = []
        for query in SEARCHES:
            results = search.search(query)
            found.append((results.total, [hit.doc_id for hit in results.items]))
        db.session.remove()
    return found
