"""Community read side: a fixed number of SQL statements per page, and list filters and sorts."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from forum_kb.accounts.models import Role, User
from forum_kb.community import queries, services
from forum_kb.community.models import Category, Thread, ThreadKind
from forum_kb.community.queries import ThreadFilter, ThreadSort
from forum_kb.community.services import NewThread
from forum_kb.db import utcnow
from forum_kb.extensions import db
from forum_kb.notifications.models import EmailMode, NotificationSetting
from tests.factories import PASSWORD, make_category, make_user

_texts = itertools.count(1)


def _trusted_user(prefix: str) -> User:
    """A member with enough reputation that the new-account posting limits do not apply.

    They take no notification email: forty answerers watching one thread would otherwise
    send hundreds of messages through the test SMTP server.
    """
    user = make_user(f"{prefix}{next(_texts)}", reputation=100)
    db.session.add(NotificationSetting(user_id=user.id, email_mode=EmailMode.NEVER))
    db.session.commit()
    return user


def _text(what: str) -> str:
    # Every body differs: the services refuse a member's repeated post.
    return (
        f"{what} number {next(_texts)}, with **some** `markup` and a [link](https://example.com)."
    )


@contextmanager
def count_statements(app: Flask) -> Iterator[list[str]]:
    """Collect every SQL statement the app's engine runs inside the block."""
    statements: list[str] = []

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


def _sign_in(client: FlaskClient, username: str) -> None:
    response = client.post("/login", data={"login": username, "password": PASSWORD})
    assert response.status_code == 302


def _thread_with_replies(category: Category, replies: int) -> int:
    """A solved question with ``replies`` answers by different members, votes and an edit."""
    asker = _trusted_user("asker")
    thread = services.create_thread(
        asker,
        NewThread(category.id, "question", f"Question {next(_texts)}", _text("Q"), ("aa", "bb")),
    )
    posts = [
        services.reply_to_thread(_trusted_user("answerer"), thread, _text("Answer"))
        for _ in range(replies)
    ]
    voter = _trusted_user("voter")
    for post in posts[::2]:
        services.vote(voter, post, 1)
    services.vote(voter, services.opening_post(thread), 1)
    services.accept_answer(asker, thread, posts[1])
    moderator = make_user(f"mod{next(_texts)}", role=Role.MODERATOR)
    services.edit_post(moderator, posts[-1], _text("Edited answer"))
    return thread.id


def _get(client: FlaskClient, app: Flask, url: str) -> list[str]:
    with count_statements(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, response.data[:500]
    return statements


@pytest.fixture
def big_app(make_app) -> Flask:
    app: Flask = make_app(
        COMMUNITY_POSTS_PER_PAGE=50,
        COMMUNITY_THREADS_PER_PAGE=50,
        RATELIMIT_POSTING="10000 per minute",
    )
    return app


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
def test_thread_page_statements_do_not_grow_with_replies(big_app, signed_in):
    with big_app.app_context():
        category = make_category()
        small = _thread_with_replies(category, 3)
        large = _thread_with_replies(category, 40)
        viewer = _trusted_user("viewer")
        for thread_id in (small, large):
            services.vote(viewer, services.opening_post(db.session.get(Thread, thread_id)), 1)
        viewer_name = viewer.username
    client = big_app.test_client()
    if signed_in:
        _sign_in(client, viewer_name)
    _get(client, big_app, "/")  # warm up: first-request work is not the page's

    # A session's first view of a thread also counts the view.
    small_first = _get(client, big_app, f"/t/{small}")
    large_first = _get(client, big_app, f"/t/{large}")
    small_again = _get(client, big_app, f"/t/{small}")
    large_again = _get(client, big_app, f"/t/{large}")

    # All 40 answers are on the page (none left for a second page).
    assert client.get(f"/t/{large}").data.decode().count('<article id="post-') == 41
    assert len(small_first) == len(large_first), (small_first, large_first)
    assert len(small_again) == len(large_again), (small_again, large_again)
    assert len(small_first) > len(small_again)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
def test_front_page_statements_do_not_grow_with_threads(big_app, signed_in):
    with big_app.app_context():
        categories = [make_category().id for _ in range(3)]
        viewer_name = _trusted_user("viewer").username

        def start_threads(count: int) -> None:
            for n in range(count):
                author = _trusted_user("author")
                thread = services.create_thread(
                    author,
                    NewThread(
                        categories[n % 3],
                        list(ThreadKind)[n % 4].value,
                        f"Thread title {next(_texts)}",
                        _text("Opening"),
                        (f"tag{n}", f"shared{n % 2}"),
                    ),
                )
                services.reply_to_thread(_trusted_user("replier"), thread, _text("Reply"))

        start_threads(3)
    client = big_app.test_client()
    if signed_in:
        _sign_in(client, viewer_name)
    _get(client, big_app, "/")
    few = _get(client, big_app, "/")
    with big_app.app_context():
        start_threads(22)
    many_page = client.get("/").data.decode()
    many = _get(client, big_app, "/")

    assert many_page.count("Thread title") == 25
    assert len(few) == len(many), (few, many)


def test_thread_page_query_helper_statements_do_not_grow(big_app):
    """The same check without HTTP: queries.thread_page plus rendering its posts."""
    with big_app.app_context():
        category = make_category()
        small, large = _thread_with_replies(category, 3), _thread_with_replies(category, 40)
    counts = []
    for thread_id in (small, large):
        with big_app.test_request_context(f"/t/{thread_id}"):
            db.session.expire_all()
            with count_statements(big_app) as statements:
                thread = queries.get_thread_or_404(thread_id, None)
                page = queries.thread_page(thread, None, 1, 50)
                shown = [page.opening, page.accepted, *page.replies.items]
                names = {p.author.name for p in shown if p is not None}
                editors = {p.edited_by.name for p in shown if p is not None and p.edited_by}
                tags = [t.name for t in thread.tags]
            assert len(shown) == (4 if thread_id == small else 41)
            assert names and editors and tags == ["aa", "bb"]
            counts.append(len(statements))
    assert counts[0] == counts[1]


# --- list_threads filters and sorts ----------------------------------------------------------


@pytest.fixture
def listed(app_ctx):
    """Threads of every shape, with timestamps one hour apart (oldest first)."""
    support, other = make_category(), make_category()
    asker, helper, voter = (_trusted_user(p) for p in ("asker", "helper", "voter"))

    def start(kind: str, category=support, tags=()) -> Thread:
        return services.create_thread(
            asker,
            NewThread(category.id, kind, f"A {kind} thread {next(_texts)}", _text(kind), tags),
        )

    solved = start("question", tags=("rota",))
    services.accept_answer(asker, solved, services.reply_to_thread(helper, solved, _text("A")))
    unsolved = start("question")
    services.reply_to_thread(helper, unsolved, _text("Maybe"))
    unanswered = start("question", category=other, tags=("rota", "api"))
    howto = start("howto", tags=("api",))
    services.reply_to_thread(helper, howto, _text("Thanks"))
    for user in (helper, voter):
        services.vote(user, services.opening_post(howto), 1)
    services.vote(voter, services.opening_post(solved), 1)
    story = start("story", category=other)
    services.reply_to_thread(helper, story, _text("Nice"))
    discussion = start("discussion")
    deleted = start("question", tags=("rota",))
    services.delete_post(asker, services.opening_post(deleted))
    by_helper = services.create_thread(
        helper, NewThread(other.id, "discussion", "Helper's own thread", _text("Own"), ())
    )
    threads = {
        "solved": solved,
        "unsolved": unsolved,
        "unanswered": unanswered,
        "howto": howto,
        "story": story,
        "discussion": discussion,
        "deleted": deleted,
        "by_helper": by_helper,
    }
    start_time = utcnow() - timedelta(days=1)
    for hours, thread in enumerate(threads.values()):
        thread.created_at = start_time + timedelta(hours=hours)
        thread.last_activity_at = thread.created_at + timedelta(minutes=30)
    # Latest activity differs from creation order: a new reply bumps the oldest thread.
    solved.last_activity_at = start_time + timedelta(hours=20)
    db.session.commit()
    return {"support": support, "other": other, "helper": helper, **threads}


def _names(listed, **filters) -> list[str]:
    ids = {thread.id: name for name, thread in listed.items() if isinstance(thread, Thread)}
    stmt = queries.list_threads(ThreadFilter(**filters))
    return [ids[thread.id] for thread in db.session.scalars(stmt)]


def test_list_threads_latest_orders_by_activity_and_skips_deleted(listed):
    assert _names(listed) == [
        "solved", "by_helper", "discussion", "story", "howto", "unanswered", "unsolved",
    ]  # fmt: skip


def test_list_threads_newest_orders_by_creation(listed):
    assert _names(listed, sort=ThreadSort.NEWEST) == [
        "by_helper", "discussion", "story", "howto", "unanswered", "unsolved", "solved",
    ]  # fmt: skip


def test_list_threads_top_orders_by_score_then_activity(listed):
    names = _names(listed, sort=ThreadSort.TOP)
    assert names[:2] == ["howto", "solved"]
    assert names[2:] == ["by_helper", "discussion", "story", "unanswered", "unsolved"]


def test_list_threads_unanswered_has_no_replies_of_any_kind(listed):
    assert _names(listed, sort=ThreadSort.UNANSWERED) == ["by_helper", "discussion", "unanswered"]


def test_list_threads_unsolved_are_questions_without_accepted_answer(listed):
    assert _names(listed, sort=ThreadSort.UNSOLVED) == ["unanswered", "unsolved"]


def test_list_threads_solved(listed):
    assert _names(listed, sort=ThreadSort.SOLVED) == ["solved"]


def test_list_threads_by_tag(listed):
    assert _names(listed, tag="rota") == ["solved", "unanswered"]
    assert _names(listed, tag="api") == ["howto", "unanswered"]
    assert _names(listed, tag="missing") == []


def test_list_threads_by_kind(listed):
    assert _names(listed, kind=ThreadKind.HOWTO) == ["howto"]
    assert _names(listed, kind=ThreadKind.STORY) == ["story"]
    assert _names(listed, kind=ThreadKind.QUESTION) == ["solved", "unanswered", "unsolved"]


def test_list_threads_by_category_and_author(listed):
    assert _names(listed, category_id=listed["other"].id) == ["by_helper", "story", "unanswered"]
    assert _names(listed, author_id=listed["helper"].id) == ["by_helper"]


def test_list_threads_filters_combine(listed):
    assert _names(listed, kind=ThreadKind.QUESTION, sort=ThreadSort.TOP) == [
        "solved", "unanswered", "unsolved",
    ]  # fmt: skip
    assert _names(listed, tag="rota", sort=ThreadSort.UNSOLVED) == ["unanswered"]
    assert _names(listed, category_id=listed["support"].id, sort=ThreadSort.UNANSWERED) == [
        "discussion"
    ]
