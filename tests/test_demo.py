"""`flask demo load`: the demo community, only into an empty database."""

from __future__ import annotations

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
from forum_kb.markup import RENDERER_VERSION
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
