"""`flask demo load`: the demo community, only into an empty database."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum_kb.accounts import services
from forum_kb.accounts.models import Role, User
from forum_kb.community.models import Category, Post, PostRevision, Thread, ThreadKind, Vote
from forum_kb.db import utcnow
from forum_kb.demo import data
from forum_kb.demo.data import MEMBERS, USERS
from forum_kb.extensions import db
from forum_kb.kb import queries as kb_queries
from forum_kb.kb.models import Article, ArticleEvent, ArticleStatus, Feedback, Revision, Section
from forum_kb.markup import RENDERER_VERSION, toc_from_html
from forum_kb.notifications.models import EmailMode, Notification, NotificationSetting


@pytest.fixture
def demo(runner, app):
    """The app with the demo loaded, inside an app context."""
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        yield app


def test_demo_load_creates_every_role_and_prints_logins(runner, app):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    for username, _role, password, _, _ in USERS:
        assert username in result.output and password in result.output
    with app.app_context():
        roles = set(db.session.scalars(select(User.role)))
        assert roles == set(Role)
        assert db.session.scalar(select(func.count()).select_from(Category)) >= 3
        # The printed logins really work.
        for username, _, password, _, _ in USERS:
            assert services.authenticate(username, password).username == username


def test_demo_load_refuses_non_empty_database(runner, app):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "not empty" in result.output
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(User))
        assert count == len(USERS) + len(MEMBERS)
        assert db.session.scalar(select(func.count()).select_from(Thread)) == len(data.THREADS)


def test_demo_load_if_empty_is_a_no_op_on_content(runner, app):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0
    assert "already has content" in result.output
    assert "admin" in result.output


def test_demo_has_threads_of_every_kind_in_every_category_over_several_pages(demo):
    threads = list(db.session.scalars(select(Thread)))
    assert {t.kind for t in threads} == set(ThreadKind)
    assert {t.category_id for t in threads} == set(db.session.scalars(select(Category.id)))
    assert len(threads) > demo.config["COMMUNITY_THREADS_PER_PAGE"]
    replied = [t for t in threads if t.reply_count > 0]
    assert len(replied) > len(threads) / 2
    assert all(t.reply_count <= 6 for t in threads)
    tags = {tag.name for t in threads for tag in t.tags}
    assert tags and all(name == name.lower() for name in tags)


def test_demo_questions_are_solved_unsolved_and_unanswered(demo):
    questions = list(db.session.scalars(select(Thread).where(Thread.kind == ThreadKind.QUESTION)))
    solved = [t for t in questions if t.is_solved]
    unanswered = [t for t in questions if t.reply_count == 0]
    unsolved = [t for t in questions if not t.is_solved and t.reply_count > 0]
    assert len(questions) / 3 <= len(solved) <= len(questions) * 2 / 3
    assert unanswered and unsolved
    for thread in solved:
        accepted = db.session.get(Post, thread.accepted_post_id)
        assert accepted is not None and accepted.thread_id == thread.id
        assert not accepted.is_opening and thread.solved_at is not None
    # Only questions have accepted answers.
    assert all(t.is_question for t in db.session.scalars(select(Thread)) if t.is_solved)


def test_demo_answers_have_votes_and_members_reputation(demo):
    voted_answers = db.session.scalar(
        select(func.count()).select_from(Post).where(Post.is_opening.is_(False), Post.score > 0)
    )
    assert voted_answers and voted_answers > 20
    assert db.session.scalar(select(func.count()).select_from(Vote).where(Vote.value < 0))
    # Counters kept by the services match the rows.
    for post in db.session.scalars(select(Post)):
        votes = db.session.scalar(select(func.sum(Vote.value)).where(Vote.post_id == post.id))
        assert post.score == (votes or 0)
    for thread in db.session.scalars(select(Thread)):
        opening = db.session.scalar(thread.posts.select().where(Post.is_opening.is_(True)))
        replies = db.session.scalar(
            select(func.count())
            .select_from(Post)
            .where(Post.thread_id == thread.id, Post.is_opening.is_(False))
        )
        assert thread.reply_count == replies and thread.score == opening.score
    members = {u.username: u for u in db.session.scalars(select(User))}
    assert members["dev.priya"].reputation > data.STARTING_REPUTATION["dev.priya"]
    assert members["raj.p"].reputation < demo.config["COMMUNITY_TRUSTED_REPUTATION"]


def test_demo_html_is_rendered_and_sanitized(demo):
    posts = list(db.session.scalars(select(Post)))
    assert all(p.body_html and p.renderer_version == RENDERER_VERSION for p in posts)
    html = "\n".join(p.body_html for p in posts)
    # One member pasted a <script> tag outside a code block: it is stripped, not kept.
    assert any("<script" in p.body_source for p in posts)
    assert "<script" not in html and "onclick" not in html
    assert '<div class="highlight"><pre>' in html
    assert "<li>" in html and "<table>" in html and "<kbd>" in html
    assert 'rel="nofollow ugc noopener"' in html
    assert '<a href="/u/yuki">@yuki</a>' in html


def test_demo_timestamps_spread_over_past_weeks_in_order(demo):
    now = utcnow()
    threads = list(db.session.scalars(select(Thread).order_by(Thread.id)))
    created = [t.created_at for t in threads]
    assert created == sorted(created)
    assert now - min(created) > timedelta(days=28)
    for thread in threads:
        times = list(
            db.session.scalars(
                select(Post.created_at).where(Post.thread_id == thread.id).order_by(Post.id)
            )
        )
        assert times == sorted(times) and times[0] == thread.created_at
        assert thread.last_activity_at == times[-1] <= now
    assert db.session.scalar(select(func.max(Vote.created_at))) <= now
    revision_times = db.session.scalars(select(PostRevision.created_at))
    assert all(t <= now for t in revision_times)
    # Edited once, after it was solved: revision 2 keeps the history.
    edited = db.session.scalars(select(Post).where(Post.edited_at.is_not(None))).one()
    assert edited.edited_at > edited.created_at
    assert db.session.scalar(select(func.max(PostRevision.number))) == 2


def test_demo_sends_no_email_but_leaves_notifications(mailbox, demo):
    # mailbox comes first: it is emptied before the demo loads.
    assert mailbox.messages == []
    assert db.session.scalar(select(func.count()).select_from(Notification)) > 0
    modes = set(db.session.scalars(select(NotificationSetting.email_mode)))
    assert modes == {EmailMode.IMMEDIATE}


def test_demo_loads_quickly(runner):
    started = time.perf_counter()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert time.perf_counter() - started < 6


def test_demo_kb_has_sections_and_articles_in_every_status(demo):
    sections = kb_queries.list_sections()
    assert [s.name for s in sections] == [name for name, _, _ in data.KB_SECTIONS]
    articles = list(db.session.scalars(select(Article)))
    assert len(articles) == len(data.ARTICLES)
    assert {a.status for a in articles} == set(ArticleStatus)
    published = [a for a in articles if a.is_published]
    assert len(published) > len(articles) / 2
    assert kb_queries.published_counts().keys() == {s.id for s in sections}
    owners = {a.owner.username for a in articles}
    assert owners == {"sam.staff", "mia.mod"}
    # One published article has changes waiting, one draft is in review.
    pending = [a for a in published if a.has_pending_draft]
    assert len(pending) == 1 and pending[0].draft_revision.number == 2
    assert [a.status for a in kb_queries.review_queue()] == [ArticleStatus.IN_REVIEW]
    assert all(a.labels for a in articles)


def test_demo_kb_published_articles_have_html_toc_and_working_links(demo):
    published = list(
        db.session.scalars(select(Article).where(Article.status == ArticleStatus.PUBLISHED))
    )
    slugs = {a.slug for a in published}
    html = ""
    for article in published:
        revision = article.published_revision
        assert revision.body_html and revision.renderer_version == RENDERER_VERSION
        assert article.published_at is not None and article.review_by is not None
        html += revision.body_html
    assert sum(len(toc_from_html(a.published_revision.body_html)) > 1 for a in published) >= 5
    assert "<table>" in html and '<div class="highlight"><pre>' in html and "<ol>" in html
    links = re.findall(r'href="/kb/articles/([^"]+)"', html)
    assert links and set(links) <= slugs
    # Only the pending draft shows the new section; readers still get the published one.
    pending = next(a for a in published if a.has_pending_draft)
    assert "Resend an expired invitation" in pending.draft_revision.body_html
    assert "Resend an expired invitation" not in pending.published_revision.body_html


def test_demo_kb_has_one_stale_article_and_one_poorly_rated(demo):
    stale = kb_queries.stale_articles()
    assert len(stale) == 1
    article = stale[0]
    interval = timedelta(days=demo.config["KB_REVIEW_INTERVAL_DAYS"])
    assert article.review_by == (article.published_at + interval).date()
    assert [a.id for a in kb_queries.poorly_rated_articles()] == [article.id]


def test_demo_kb_feedback_is_counted(demo):
    answered = 0
    for article in db.session.scalars(select(Article)):
        rows = list(db.session.scalars(select(Feedback).where(Feedback.article_id == article.id)))
        assert article.helpful_count == sum(f.helpful for f in rows)
        assert article.not_helpful_count == sum(not f.helpful for f in rows)
        assert all(f.session_key and f.session_key.startswith("demo-") for f in rows)
        answered += bool(rows)
    assert answered >= 6
    ratios = {a.helpful_ratio for a in db.session.scalars(select(Article))}
    assert None in ratios and 1.0 in ratios and any(r is not None and r < 0.5 for r in ratios)
    assert db.session.scalar(
        select(func.count()).select_from(Feedback).where(Feedback.comment != "")
    )


def test_demo_kb_answers_community_questions(demo):
    titles = set(db.session.scalars(select(Thread.title)))
    answered = [a for a in data.ARTICLES if a.answers]
    assert len(answered) >= 2 and all(a.answers in titles for a in answered)


def test_demo_kb_history_is_dated_in_order(demo):
    now = utcnow()
    for article in db.session.scalars(select(Article)):
        events = kb_queries.article_events(article)
        times = [e.created_at for e in reversed(events)]
        assert times == sorted(times) and times[-1] <= now
        assert article.created_at == times[0]
        if article.published_at is not None:
            assert article.created_at < article.published_at <= now
        revisions = db.session.scalars(
            select(Revision.created_at).where(Revision.article_id == article.id)
        )
        assert all(article.created_at <= t <= now for t in revisions)
    actions = set(db.session.scalars(select(ArticleEvent.action)))
    assert actions == {"created", "submitted", "published", "archived"}
    assert db.session.scalar(select(func.count()).select_from(Section)) == 3
