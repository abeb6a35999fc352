"""Community pages through HTTP: status codes, redirects, permissions, form errors, escaping."""

from __future__ import annotations

import itertools
import re

import pytest
from sqlalchemy import event, func, select

from forum_kb.accounts.models import Role, User
from forum_kb.community import services
from forum_kb.community.models import CategoryWatch, Post, TagWatch, Thread, ThreadWatch, Vote
from forum_kb.community.services import NewThread
from forum_kb.extensions import db
from tests.conftest import Auth
from tests.factories import make_category, make_user

BODY = "My printer shows error E42 after the update. What does it mean?"
_bodies = itertools.count(1)


@pytest.fixture
def category_id(app) -> int:
    with app.app_context():
        make_user("alice")
        make_user("bob")
        make_user("mia", role=Role.MODERATOR)
        return make_category("Troubleshooting", slug="troubleshooting").id


def user(name: str) -> User:
    found = db.session.scalar(select(User).where(User.username_key == name))
    assert found is not None
    return found


def ask(app, category_id: int, author: str = "alice", **overrides) -> tuple[int, int]:
    """Start a thread through the service; returns (thread id, opening post id)."""
    # Each body differs: the service refuses an author's exact repeat of their last post.
    data = {"kind": "question", "title": "Printer shows error E42",
            "body": f"{BODY} (#{next(_bodies)})", "tags": ["printing"]} | overrides  # fmt: skip
    with app.app_context():
        thread = services.create_thread(user(author), NewThread(category_id=category_id, **data))
        return thread.id, services.opening_post(thread).id


def answer(app, thread_id: int, author: str = "bob", body: str | None = None) -> int:
    body = body or f"Answer {next(_bodies)}: restart the print spooler and try again."
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        return services.reply_to_thread(user(author), thread, body).id


def thread_row(app, thread_id: int) -> Thread:
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        assert thread is not None
        return thread


def post_row(app, post_id: int) -> Post:
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert post is not None
        return post


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def set_thread(app, thread_id: int, **fields) -> None:
    """Change thread flags directly (pinning and locking belong to moderation's services)."""
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        for name, value in fields.items():
            setattr(thread, name, value)
        db.session.commit()


def text(response) -> str:
    return response.get_data(as_text=True)


# --- thread lists ------------------------------------------------------------------------------


def test_index_lists_threads_with_row_details(client, app, category_id):
    thread_id, _ = ask(app, category_id, tags=["printing", "e42"])
    answer(app, thread_id)
    page = text(client.get("/"))
    assert "How can we help?" in page
    assert f'href="/t/{thread_id}"' in page
    assert "Printer shows error E42" in page
    assert 'badge-kind-question">Question' in page
    assert 'href="/tags/printing"' in page and 'href="/tags/e42"' in page
    assert 'href="/u/alice"' in page
    assert 'href="/c/troubleshooting"' in page
    assert "<time datetime=" in page
    assert "<dt>answer</dt><dd>1</dd>" in page


def test_index_shows_empty_state_without_threads(client, category_id):
    response = client.get("/")
    assert response.status_code == 200
    assert "No threads match." in text(response)


@pytest.mark.parametrize("path", ["/", "/c/troubleshooting", "/tags/printing"])
@pytest.mark.parametrize(
    "query",
    [
        "?sort=bogus",
        "?kind=nonsense",
        "?tag=%3Cscript%3E",
        "?tag=" + "x" * 500,
        "?page=abc",
        "?page=-3",
        "?page=0",
        "?page=99999999999999999999999",
        "?sort=top&kind=question&tag=printing&page=2",
        "?sort=&kind=&tag=",
        "?sort=solved&sort=top",
    ],
)
def test_thread_list_garbage_arguments_fall_back(client, app, category_id, path, query):
    ask(app, category_id)
    assert client.get(path + query).status_code == 200


def test_unknown_sort_and_kind_fall_back_to_latest_and_all(client, app, category_id):
    ask(app, category_id)
    page = text(client.get("/?sort=bogus&kind=nonsense"))
    assert 'aria-current="page">Latest activity' in page
    assert 'aria-current="true">All kinds' in page
    assert "Printer shows error E42" in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?sort=unanswered", {"open", "howto"}, {"solved", "answered"}),
        ("?sort=solved", {"solved"}, {"open", "answered", "howto"}),
        ("?sort=unsolved", {"open", "answered"}, {"solved", "howto"}),
        ("?kind=howto", {"howto"}, {"open", "solved", "answered"}),
        ("?tag=spooler", {"answered"}, {"open", "solved", "howto"}),
        ("?sort=top", {"open", "solved", "answered", "howto"}, set()),
    ],
)
def test_sort_tabs_and_filters_choose_threads(client, app, category_id, query, shown, hidden):
    titles = {
        "open": "Nobody answered this one yet",
        "solved": "Solved question about drivers",
        "answered": "Answered but not solved yet",
        "howto": "How to reset the print queue",
    }
    ask(app, category_id, title=titles["open"])
    solved, _ = ask(app, category_id, title=titles["solved"])
    reply_id = answer(app, solved)
    with app.app_context():
        thread = db.session.get(Thread, solved)
        services.accept_answer(user("alice"), thread, db.session.get(Post, reply_id))
    answered, _ = ask(app, category_id, title=titles["answered"], tags=["spooler"])
    answer(app, answered)
    ask(app, category_id, kind="howto", title=titles["howto"], author="bob")
    page = text(client.get("/" + query))
    for key in shown:
        assert titles[key] in page, key
    for key in hidden:
        assert titles[key] not in page, key


def test_thread_list_paginates(make_app):
    app = make_app(COMMUNITY_THREADS_PER_PAGE=2)
    with app.app_context():
        make_user("alice", reputation=50)
        category_id = make_category("Troubleshooting", slug="troubleshooting").id
    for n in range(3):
        ask(app, category_id, title=f"Numbered thread {n}", body=f"{BODY} ({n})")
    client = app.test_client()
    first, second = text(client.get("/")), text(client.get("/?page=2"))
    assert "Numbered thread 2" in first and "Numbered thread 1" in first
    assert "Numbered thread 0" not in first
    assert 'rel="next" href="/?page=2"' in first
    assert "Numbered thread 0" in second and "Numbered thread 2" not in second
    assert "No more threads." in text(client.get("/?page=7"))


def test_pager_keeps_sort_and_filters(make_app):
    app = make_app(COMMUNITY_THREADS_PER_PAGE=1)
    with app.app_context():
        make_user("alice", reputation=50)
        category_id = make_category("Troubleshooting", slug="troubleshooting").id
    for n in range(2):
        ask(app, category_id, title=f"Numbered thread {n}", body=f"{BODY} ({n})")
    page = text(app.test_client().get("/c/troubleshooting?sort=newest&kind=question&tag=printing"))
    next_link = re.search(r'rel="next" href="([^"]+)"', page)
    assert next_link is not None
    for part in ("page=2", "sort=newest", "kind=question", "tag=printing"):
        assert part in next_link.group(1)


# --- categories and tags -----------------------------------------------------------------------


def test_category_page_lists_its_threads_pinned_first(client, app, category_id):
    with app.app_context():
        other = make_category("Billing", slug="billing").id
    pinned, _ = ask(app, category_id, title="Read this before posting")
    ask(app, category_id, title="Newer thread in the category")
    ask(app, other, title="A billing question here")
    set_thread(app, pinned, is_pinned=True)
    page = text(client.get("/c/troubleshooting"))
    assert "A billing question here" not in page
    assert page.index("Read this before posting") < page.index("Newer thread in the category")
    assert "Pinned" in page
    assert 'href="/new?category=troubleshooting"' in page


def test_unknown_category_is_404(client, category_id):
    assert client.get("/c/no-such-category").status_code == 404


def test_category_watch_toggles_and_needs_sign_in(client, app, auth, category_id):
    response = client.post("/c/troubleshooting/watch", data={"watch": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/c/troubleshooting"
    auth.login("bob")
    assert client.get("/c/troubleshooting").status_code == 200
    response = client.post("/c/troubleshooting/watch", data={"watch": "1"})
    assert response.headers["Location"] == "/c/troubleshooting"
    assert count(app, CategoryWatch) == 1
    assert "Stop watching" in text(client.get("/c/troubleshooting"))
    client.post("/c/troubleshooting/watch", data={"watch": "0"})
    assert count(app, CategoryWatch) == 0


def test_tag_list_and_tag_page(client, app, category_id):
    ask(app, category_id, tags=["printing", "e42"])
    ask(app, category_id, title="Printer offline every morning", tags=["printing"])
    ask(app, category_id, title="Scanner makes a loud noise", tags=["scanner"])
    tags = text(client.get("/tags"))
    assert 'href="/tags/printing"' in tags and "\u00d7 2" in tags
    page = text(client.get("/tags/printing"))
    assert "Printer offline every morning" in page
    assert "Scanner makes a loud noise" not in page
    assert client.get("/tags/PRINTING").status_code == 200
    assert client.get("/tags/no-such-tag").status_code == 404


def test_tag_watch(client, app, auth, category_id):
    ask(app, category_id)
    auth.login("bob")
    response = client.post("/tags/printing/watch", data={"watch": "1"})
    assert response.headers["Location"] == "/tags/printing"
    assert count(app, TagWatch) == 1
    client.post("/tags/printing/watch", data={"watch": "0"})
    assert count(app, TagWatch) == 0


# --- starting a thread -------------------------------------------------------------------------


def thread_form(category_id: int, **overrides) -> dict[str, str]:
    return {"category": str(category_id), "kind": "question", "title": "Printer shows error E42",
            "body": BODY, "tags": "printing, e42"} | overrides  # fmt: skip


@pytest.mark.parametrize("method", ["get", "post"])
def test_new_thread_requires_sign_in(client, category_id, method):
    response = getattr(client, method)("/new")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=%2Fnew")


def test_new_thread_form_preselects_category(client, auth, category_id):
    auth.login("alice")
    page = text(client.get("/new?category=troubleshooting"))
    assert f'<option selected value="{category_id}">Troubleshooting</option>' in page
    assert 'value="howto"' in page and "Success story" in page
    assert client.get("/new?category=nope").status_code == 200


def test_new_thread_posts_and_redirects(client, app, auth, category_id):
    auth.login("alice")
    response = client.post("/new", data=thread_form(category_id))
    assert response.status_code == 302
    with app.app_context():
        thread = db.session.scalars(select(Thread)).one()
        assert response.headers["Location"] == f"/t/{thread.id}"
        assert [t.name for t in thread.tags] == ["e42", "printing"]
        assert thread.kind.value == "question"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "Short"}, "Write a title of 10 to 200 characters."),
        ({"title": ""}, "Give your thread a title."),
        ({"body": ""}, "Write something first."),
        ({"body": "Too short"}, "Write at least 10 characters."),
        ({"tags": "a1, b2, c3, d4, e5, f6"}, "Use at most 5 tags."),
        ({"tags": "Bad_Tag!"}, "lower-case letters, digits and single hyphens"),
        ({"kind": "rant"}, "Choose question, how-to, success story or discussion."),
        ({"category": "9999"}, "Choose one of the categories."),
        ({"category": "abc"}, "Choose a category."),
        ({"category": ""}, "Choose a category."),
    ],
)
def test_new_thread_errors_shown_and_nothing_saved(
    client, app, auth, category_id, overrides, message
):
    auth.login("alice")
    response = client.post("/new", data=thread_form(category_id, **overrides))
    assert response.status_code == 200
    assert message in text(response)
    assert "field-invalid" in text(response)
    assert count(app, Thread) == 0


def test_new_thread_keeps_typed_text_after_an_error(client, auth, category_id):
    auth.login("alice")
    page = text(client.post("/new", data=thread_form(category_id, title="Short")))
    assert BODY in page
    assert 'value="printing, e42"' in page


def test_new_thread_is_rate_limited(make_app):
    app = make_app(RATELIMIT_POSTING="2 per minute")
    with app.app_context():
        make_user("alice", reputation=50)
        category_id = make_category("Troubleshooting", slug="troubleshooting").id
    client = app.test_client()
    Auth(client).login("alice")
    statuses = [
        client.post("/new", data=thread_form(category_id, body=f"{BODY} ({n})")).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_new_accounts_daily_quota_is_a_429_page(make_app):
    app = make_app(RATELIMIT_POSTING="1000 per minute", COMMUNITY_NEW_USER_POSTS_PER_DAY=1)
    with app.app_context():
        make_user("alice")
        category_id = make_category("Troubleshooting", slug="troubleshooting").id
    client = app.test_client()
    Auth(client).login("alice")
    assert client.post("/new", data=thread_form(category_id)).status_code == 302
    response = client.post("/new", data=thread_form(category_id, body=f"{BODY} again"))
    assert response.status_code == 429
    assert count(app, Thread) == 1


# --- the thread page ---------------------------------------------------------------------------


def test_thread_page_shows_question_and_replies(client, app, category_id):
    thread_id, opening_id = ask(app, category_id, tags=["printing"])
    first = answer(app, thread_id, body="First: check the cable is plugged in.")
    second = answer(app, thread_id, author="mia", body="Second: update the printer firmware.")
    page = text(client.get(f"/t/{thread_id}"))
    assert "<h1>Printer shows error E42</h1>" in page
    assert 'href="/c/troubleshooting">Troubleshooting' in page
    assert f'id="post-{opening_id}"' in page
    assert page.index(f'id="post-{first}"') < page.index(f'id="post-{second}"')
    assert 'badge-moderator">Moderator' in page
    assert "2 answers" in page
    assert "Sign in to reply" in page
    assert 'action="/posts/' not in page  # no vote or delete forms for visitors


def test_unknown_thread_is_404(client, category_id):
    assert client.get("/t/999").status_code == 404
    assert client.get("/t/99999999999999999999").status_code == 404


def test_deleted_thread_is_404_except_for_moderators(client, app, auth, category_id):
    thread_id, _ = ask(app, category_id)
    with app.app_context():
        services.delete_post(
            user("alice"), services.opening_post(db.session.get(Thread, thread_id))
        )
    assert client.get(f"/t/{thread_id}").status_code == 404
    auth.login("mia")
    response = client.get(f"/t/{thread_id}")
    assert response.status_code == 200
    assert "This thread was deleted." in text(response)


def test_view_is_counted_once_per_browser_session(client, app, category_id):
    thread_id, _ = ask(app, category_id)
    client.get(f"/t/{thread_id}")
    client.get(f"/t/{thread_id}")
    assert thread_row(app, thread_id).view_count == 1
    app.test_client().get(f"/t/{thread_id}")
    assert thread_row(app, thread_id).view_count == 2


def test_view_list_in_session_is_capped(client, app, category_id):
    thread_id, _ = ask(app, category_id)
    with client.session_transaction() as session:
        session["community.viewed"] = list(range(10_000, 10_100))
    client.get(f"/t/{thread_id}")
    with client.session_transaction() as session:
        viewed = session["community.viewed"]
    assert len(viewed) == 50 and viewed[-1] == thread_id


def test_signed_in_member_sees_reply_form_and_watch_toggle(client, app, auth, category_id):
    thread_id, _ = ask(app, category_id)
    auth.login("bob")
    page = text(client.get(f"/t/{thread_id}"))
    assert f'action="/t/{thread_id}/reply#reply"' in page
    assert f'action="/t/{thread_id}/watch"' in page
    assert "Sign in to reply" not in page


def test_locked_thread_hides_reply_form_from_members(client, app, auth, category_id):
    thread_id, _ = ask(app, category_id)
    set_thread(app, thread_id, is_locked=True)
    auth.login("bob")
    page = text(client.get(f"/t/{thread_id}"))
    assert "This thread is locked." in page
    assert f"/t/{thread_id}/reply" not in page
    assert client.post(f"/t/{thread_id}/reply", data={"body": BODY}).status_code == 409
    assert count(app, Post) == 1


def test_moderators_may_still_reply_to_locked_threads(client, app, auth, category_id):
    thread_id, _ = ask(app, category_id)
    set_thread(app, thread_id, is_locked=True)
    auth.login("mia")
    page = text(client.get(f"/t/{thread_id}"))
    assert "This thread is locked." in page
    assert f'action="/t/{thread_id}/reply#reply"' in page


def test_thread_watch_toggles(client, app, auth, category_id):
    thread_id, _ = ask(app, category_id)
    auth.login("bob")
    response = client.post(f"/t/{thread_id}/watch", data={"watch": "1"})
    assert response.headers["Location"] == f"/t/{thread_id}"
    with app.app_context():
        assert db.session.get(ThreadWatch, (user("bob").id, thread_id)) is not None
    assert "Stop watching" in text(client.get(f"/t/{thread_id}"))
    client.post(f"/t/{thread_id}/watch", data={"watch": "0"})
    with app.app_context():
        assert db.session.get(ThreadWatch, (user("bob").id, thread_id)) is None


def statements(app, client, path: str) -> int:
    """How many SQL statements one GET of ``path`` runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(seen)


def test_pages_run_a_fixed_number_of_queries(make_app):
    app = make_app(RATELIMIT_POSTING="1000 per minute")
    with app.app_context():
        names = [make_user(f"user{n}", reputation=50).username for n in range(8)]
        category_id = make_category("Troubleshooting", slug="troubleshooting").id
    client = app.test_client()
    Auth(client).login(names[0])
    # Threads of the same shape (an accepted answer, an edited reply) but different sizes.
    threads = []
    for n, authors in enumerate((names[1:3], names[1:])):
        thread_id, _ = ask(app, category_id, author=authors[-1], title=f"Printer thread {n}",
                           tags=[f"tag{n}", "printing"])  # fmt: skip
        replies = [answer(app, thread_id, author=name) for name in authors]
        with app.app_context():
            thread = db.session.get(Thread, thread_id)
            services.accept_answer(user(authors[-1]), thread, db.session.get(Post, replies[0]))
            edited = db.session.get(Post, replies[1])
            services.edit_post(user(authors[1]), edited, f"Edited answer {thread_id}.")
        client.get(f"/t/{thread_id}")  # the first view in a session also counts the view
        threads.append(thread_id)
        if n == 0:
            lists = [statements(app, client, path) for path in ("/", "/c/troubleshooting")]
    assert statements(app, client, f"/t/{threads[0]}") == statements(
        app, client, f"/t/{threads[1]}"
    )
    assert [statements(app, client, path) for path in ("/", "/c/troubleshooting")] == lists


# --- replying ----------------------------------------------------------------------------------


def test_reply_redirects_to_its_permalink(client, app, auth, category_id):
    thread_id, _ = ask(app, category_id)
    auth.login("bob")
    response = client.post(f"/t/{thread_id}/reply", data={"body": "Try the other USB port."})
    assert response.status_code == 302
    with app.app_context():
        reply = db.session.scalars(select(Post).where(Post.is_opening.is_(False))).one()
        assert response.headers["Location"] == f"/t/{thread_id}/p/{reply.id}"
    assert client.get(response.headers["Location"]).headers["Location"] == (
        f"/t/{thread_id}#post-{reply.id}"
    )


def test_anonymous_reply_redirects_to_sign_in_then_back_to_the_thread(client, app, category_id):
    thread_id, _ = ask(app, category_id)
    response = client.post(f"/t/{thread_id}/reply", data={"body": BODY})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=/t/{thread_id}"
    assert count(app, Post) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Write something first."), ("Too short", "Write at least 10 characters.")],
)
def test_reply_errors_rerender_thread_with_text_kept(client, app, auth, category_id, body, message):
    thread_id, _ = ask(app, category_id)
    auth.login("bob")
    response = client.post(f"/t/{thread_id}/reply", data={"body": body})
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert "<h1>Printer shows error E42</h1>" in page
    assert re.search(rf"<textarea [^>]*>\s*{body}</textarea>", page)
    assert count(app, Post) == 1


def test_reply_to_unknown_thread_is_404(client, auth, category_id):
    auth.login("bob")
    assert client.post("/t/999/reply", data={"body": BODY}).status_code == 404


# --- permalinks --------------------------------------------------------------------------------


def test_permalink_points_at_the_page_holding_the_post(make_app):
    app = make_app(COMMUNITY_POSTS_PER_PAGE=2, RATELIMIT_POSTING="1000 per minute")
    with app.app_context():
        make_user("alice", reputation=50)
        make_user("bob", reputation=50)
        category_id = make_category("Troubleshooting", slug="troubleshooting").id
    thread_id, opening_id = ask(app, category_id)
    replies = [answer(app, thread_id) for _ in range(5)]
    client = app.test_client()

    def target(post_id: int) -> str:
        response = client.get(f"/t/{thread_id}/p/{post_id}")
        assert response.status_code == 302
        return response.headers["Location"]

    assert target(opening_id) == f"/t/{thread_id}#post-{opening_id}"
    assert target(replies[1]) == f"/t/{thread_id}#post-{replies[1]}"
    assert target(replies[2]) == f"/t/{thread_id}?page=2#post-{replies[2]}"
    assert target(replies[4]) == f"/t/{thread_id}?page=3#post-{replies[4]}"
    assert f'id="post-{replies[4]}"' in text(client.get(f"/t/{thread_id}?page=3"))
    # The accepted answer moves to page 1, and the replies after it move up one place.
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        services.accept_answer(user("alice"), thread, db.session.get(Post, replies[4]))
    assert target(replies[4]) == f"/t/{thread_id}#post-{replies[4]}"
    assert target(replies[3]) == f"/t/{thread_id}?page=2#post-{replies[3]}"


def test_permalink_with_the_wrong_thread_is_404(client, app, category_id):
    first, _ = ask(app, category_id)
    second, _ = ask(app, category_id, title="Another thread about printers", body=f"{BODY} 2")
    reply_id = answer(app, first)
    assert client.get(f"/t/{second}/p/{reply_id}").status_code == 404
    assert client.get(f"/t/{first}/p/9999").status_code == 404


# --- editing and history -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [(None, 302), ("alice", 403), ("bob", 200), ("mia", 200)]
)
def test_edit_page_permissions(client, app, auth, category_id, who, status):
    thread_id, _ = ask(app, category_id)
    reply_id = answer(app, thread_id, author="bob")
    if who:
        auth.login(who)
    response = client.get(f"/posts/{reply_id}/edit")
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("who", "status"), [("alice", 403), ("bob", 302), ("mia", 302)])
def test_edit_post_permissions(client, app, auth, category_id, who, status):
    thread_id, _ = ask(app, category_id)
    reply_id = answer(app, thread_id, author="bob")
    auth.login(who)
    response = client.post(f"/posts/{reply_id}/edit", data={"body": "Edited: use the rear port."})
    assert response.status_code == status
    edited = post_row(app, reply_id).body_source == "Edited: use the rear port."
    assert edited is (status == 302)


def test_edit_reply_form_has_no_title_or_tags(client, app, auth, category_id):
    thread_id, _ = ask(app, category_id)
    reply_id = answer(app, thread_id, author="bob", body="Original answer text here.")
    auth.login("bob")
    page = text(client.get(f"/posts/{reply_id}/edit"))
    assert "Original answer text here.</textarea>" in page
    assert 'name="title"' not in page and 'name="tags"' not in page
    assert 'name="reason"' in page


def test_edit_opening_post_changes_title_body_and_tags(client, app, auth, category_id):
    thread_id, opening_id = ask(app, category_id, tags=["printing"])
    auth.login("alice")
    page = text(client.get(f"/posts/{opening_id}/edit"))
    assert 'value="Printer shows error E42"' in page and 'value="printing"' in page
    response = client.post(
        f"/posts/{opening_id}/edit",
        data={"title": "Printer shows error E42 after update", "body": f"{BODY}\nUpdate: fixed.",
              "tags": "printing, firmware", "reason": "added the fix"},
    )  # fmt: skip
    assert response.headers["Location"] == f"/t/{thread_id}/p/{opening_id}"
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        assert thread.title == "Printer shows error E42 after update"
        assert [t.name for t in thread.tags] == ["firmware", "printing"]
    page = text(client.get(f"/t/{thread_id}"))
    assert f'href="/posts/{opening_id}/revisions"' in page and "edited" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"tags": "a1 b2 c3 d4 e5 f6"}, "Use at most 5 tags."),
        ({"title": "Short"}, "Write a title of 10 to 200 characters."),
        ({"body": "Too short"}, "Write at least 10 characters."),
        ({"reason": "x" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_edit_errors_shown_and_nothing_saved(client, app, auth, category_id, overrides, message):
    thread_id, opening_id = ask(app, category_id)
    before = post_row(app, opening_id).body_source
    auth.login("alice")
    data = {"title": "A brand new title here", "body": "A brand new body here.",
            "tags": "printing"} | overrides  # fmt: skip
    response = client.post(f"/posts/{opening_id}/edit", data=data)
    assert response.status_code == 200
    assert message in text(response)
    assert post_row(app, opening_id).body_source == before
    assert thread_row(app, thread_id).title == "Printer shows error E42"


def test_revision_history_shows_a_line_diff(client, app, auth, category_id):
    _, opening_id = ask(app, category_id, body="Line one stays.\nLine two <b>goes</b>.")
    auth.login("alice")
    client.post(
        f"/posts/{opening_id}/edit",
        data={"title": "Printer shows error E42", "body": "Line one stays.\nLine two is new.",
              "tags": "printing", "reason": "clarified <i>line two</i>"},
    )  # fmt: skip
    response = client.get(f"/posts/{opening_id}/revisions")
    assert response.status_code == 200
    page = text(response)
    assert page.index("Revision 2") < page.index("Original")
    assert "Line two &lt;b&gt;goes&lt;/b&gt;.</del>" in page
    assert "Line two is new.</ins>" in page
    assert "clarified &lt;i&gt;line two&lt;/i&gt;" in page
    assert "<b>goes</b>" not in page


def test_revision_history_of_deleted_post_is_for_moderators(client, app, auth, category_id):
    thread_id, _ = ask(app, category_id)
    reply_id = answer(app, thread_id, author="bob")
    with app.app_context():
        services.delete_post(user("bob"), db.session.get(Post, reply_id))
    auth.login("alice")
    assert client.get(f"/posts/{reply_id}/revisions").status_code == 404
    auth.logout()
    auth.login("mia")
    assert client.get(f"/posts/{reply_id}/revisions").status_code == 200


# --- deleting ----------------------------------------------------------------------------------


def test_deleted_reply_shows_placeholder_and_moderators_see_it(client, app, auth, category_id):
    thread_id, _ = ask(app, category_id)
    reply_id = answer(app, thread_id, author="bob", body="Something I regret writing.")
    auth.login("bob")
    response = client.post(f"/posts/{reply_id}/delete")
    assert response.headers["Location"] == f"/t/{thread_id}/p/{reply_id}"
    assert post_row(app, reply_id).is_deleted
    page = text(client.get(f"/t/{thread_id}"))
    assert "This post was deleted." in page
    assert "Something I regret writing." not in page
    auth.logout()
    auth.login("mia")
    page = text(client.get(f"/t/{thread_id}"))
    assert "Something I regret writing." in page
    assert "Deleted: only moderators see this post." in page


@pytest.mark.parametrize(("who", "status"), [("alice", 403), ("bob", 302), ("mia", 302)])
def test_delete_permissions(client, app, auth, category_id, who, status):
    thread_id, _ = ask(app, category_id)
    reply_id = answer(app, thread_id, author="bob")
    auth.login(who)
    assert client.post(f"/posts/{reply_id}/delete").status_code == status
    assert post_row(app, reply_id).is_deleted is (status == 302)


def test_delete_is_post_only(client, app, auth, category_id):
    thread_id, _ = ask(app, category_id)
    reply_id = answer(app, thread_id, author="bob")
    auth.login("bob")
    assert client.get(f"/posts/{reply_id}/delete").status_code == 405


def test_deleting_the_opening_post_deletes_the_thread(client, app, auth, category_id):
    thread_id, opening_id = ask(app, category_id)
    auth.login("alice")
    response = client.post(f"/posts/{opening_id}/delete")
    assert response.headers["Location"] == "/c/troubleshooting"
    assert thread_row(app, thread_id).is_deleted
    assert client.get(f"/t/{thread_id}").status_code == 404


def test_opening_post_with_replies_cannot_be_deleted(client, app, auth, category_id):
    thread_id, opening_id = ask(app, category_id)
    answer(app, thread_id)
    auth.login("alice")
    assert "Delete the whole thread?" not in text(client.get(f"/t/{thread_id}"))
    assert client.post(f"/posts/{opening_id}/delete").status_code == 409
    assert not thread_row(app, thread_id).is_deleted


# --- votes -------------------------------------------------------------------------------------


def test_vote_up_then_click_again_to_withdraw(client, app, auth, category_id):
    thread_id, _ = ask(app, category_id)
    reply_id = answer(app, thread_id, author="bob")
    auth.login("alice")
    response = client.post(f"/posts/{reply_id}/vote", data={"value": "1"})
    assert response.headers["Location"] == f"/t/{thread_id}/p/{reply_id}"
    assert post_row(app, reply_id).score == 1
    page = text(client.get(f"/t/{thread_id}"))
    # The pressed up button now sends 0: clicking it again withdraws the vote.
    assert 'class="vote vote-up" name="value" value="0" aria-pressed="true"' in page
    client.post(f"/posts/{reply_id}/vote", data={"value": "0"})
    assert post_row(app, reply_id).score == 0
    assert count(app, Vote) == 0


def test_vote_down(client, app, auth, category_id):
    thread_id, _ = ask(app, category_id)
    reply_id = answer(app, thread_id, author="bob")
    auth.login("alice")
    client.post(f"/posts/{reply_id}/vote", data={"value": "-1"})
    assert post_row(app, reply_id).score == -1
    page = text(client.get(f"/t/{thread_id}"))
    assert 'class="vote vote-down" name="value" value="0" aria-pressed="true"' in page


@pytest.mark.parametrize(("who", "status"), [("bob", 403), ("alice", 302), ("mia", 302)])
def test_vote_permissions(client, app, auth, category_id, who, status):
    thread_id, _ = ask(app, category_id)
    reply_id = answer(app, thread_id, author="bob")
    auth.login(who)
    assert client.post(f"/posts/{reply_id}/vote", data={"value": "1"}).status_code == status
    assert post_row(app, reply_id).score == (1 if status == 302 else 0)


@pytest.mark.parametrize("value", ["2", "up", "", "99999999999999999999"])
def test_bad_vote_value_changes_nothing(client, app, auth, category_id, value):
    thread_id, _ = ask(app, category_id)
    reply_id = answer(app, thread_id, author="bob")
    auth.login("alice")
    response = client.post(f"/posts/{reply_id}/vote", data={"value": value})
    assert response.status_code == 302
    assert count(app, Vote) == 0


def test_anonymous_vote_redirects_to_sign_in_and_back_to_the_post(client, app, category_id):
    thread_id, _ = ask(app, category_id)
    reply_id = answer(app, thread_id, author="bob")
    response = client.post(f"/posts/{reply_id}/vote", data={"value": "1"})
    assert response.headers["Location"] == f"/login?next=/t/{thread_id}/p/{reply_id}"
    assert count(app, Vote) == 0


def test_vote_needs_a_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_user("alice")
        make_user("bob")
        category_id = make_category("Troubleshooting", slug="troubleshooting").id
    thread_id, _ = ask(app, category_id)
    reply_id = answer(app, thread_id, author="bob")
    client = app.test_client()
    with client.session_transaction() as session, app.app_context():
        session["_user_id"] = user("alice").get_id()
    assert client.post(f"/posts/{reply_id}/vote", data={"value": "1"}).status_code == 400
    assert count(app, Vote) == 0


# --- accepted answers --------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("alice", 302), ("mia", 302), ("bob", 403)])
def test_accept_permissions(client, app, auth, category_id, who, status):
    thread_id, _ = ask(app, category_id)
    reply_id = answer(app, thread_id, author="mia" if who == "bob" else "bob")
    auth.login(who)
    response = client.post(f"/t/{thread_id}/accept", data={"post_id": str(reply_id)})
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"] == f"/t/{thread_id}/p/{reply_id}"
    assert thread_row(app, thread_id).is_solved is (status == 302)


def test_accepted_answer_shows_first_with_solved_badges(client, app, auth, category_id):
    thread_id, _ = ask(app, category_id)
    early = answer(app, thread_id, body="An early answer that did not help.")
    late = answer(app, thread_id, author="mia", body="The later answer that fixed it.")
    assert "✓ Solved" not in text(client.get("/"))
    auth.login("alice")
    client.post(f"/t/{thread_id}/accept", data={"post_id": str(late)})
    page = text(client.get(f"/t/{thread_id}"))
    assert "✓ Solved" in page
    assert page.index(f'id="post-{late}"') < page.index(f'id="post-{early}"')
    assert "Accepted answer</p>" in page
    assert f'action="/t/{thread_id}/unaccept"' in page
    assert "✓ Solved" in text(client.get("/"))
    assert "✓ Solved" in text(client.get("/?sort=solved"))


def test_unaccept_reopens_the_question(client, app, auth, category_id):
    thread_id, _ = ask(app, category_id)
    reply_id = answer(app, thread_id)
    auth.login("alice")
    client.post(f"/t/{thread_id}/accept", data={"post_id": str(reply_id)})
    response = client.post(f"/t/{thread_id}/unaccept")
    assert response.headers["Location"] == f"/t/{thread_id}/p/{reply_id}"
    assert not thread_row(app, thread_id).is_solved


def test_unaccept_by_another_member_is_403(client, app, auth, category_id):
    thread_id, _ = ask(app, category_id)
    reply_id = answer(app, thread_id)
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        services.accept_answer(user("alice"), thread, db.session.get(Post, reply_id))
    auth.login("bob")
    assert client.post(f"/t/{thread_id}/unaccept").status_code == 403
    assert thread_row(app, thread_id).is_solved


@pytest.mark.parametrize("post_id", ["", "abc", "-1", "99999999999999999999"])
def test_accept_with_a_bad_post_id_changes_nothing(client, app, auth, category_id, post_id):
    thread_id, _ = ask(app, category_id)
    answer(app, thread_id)
    auth.login("alice")
    response = client.post(f"/t/{thread_id}/accept", data={"post_id": post_id})
    assert response.status_code == 302
    assert not thread_row(app, thread_id).is_solved


def test_accepting_a_post_from_another_thread_is_refused(client, app, auth, category_id):
    thread_id, opening_id = ask(app, category_id)
    other, _ = ask(app, category_id, title="A different printer question", body=f"{BODY} 2")
    foreign = answer(app, other)
    auth.login("alice")
    for post_id in (foreign, opening_id):
        response = client.post(f"/t/{thread_id}/accept", data={"post_id": str(post_id)})
        assert response.headers["Location"] == f"/t/{thread_id}"
    assert not thread_row(app, thread_id).is_solved


def test_discussions_have_no_accept_button(client, app, auth, category_id):
    thread_id, _ = ask(app, category_id, kind="discussion")
    answer(app, thread_id)
    auth.login("alice")
    assert "Accept answer" not in text(client.get(f"/t/{thread_id}"))


# --- escaping ----------------------------------------------------------------------------------


def test_user_text_is_escaped_in_titles_tags_and_bodies(client, app, category_id):
    thread_id, opening_id = ask(
        app, category_id, title="<script>alert(1)</script> in title",
        body="Body with <script>alert(2)</script> and <b>bold</b> text.", tags=["xss-test"],
    )  # fmt: skip
    for path in ("/", f"/t/{thread_id}", "/c/troubleshooting", "/tags/xss-test"):
        page = text(client.get(path))
        assert "&lt;script&gt;alert(1)&lt;/script&gt; in title" in page, path
        assert "<script>" not in page, path
    assert "<script>" not in text(client.get("/?tag=<script>alert(3)</script>"))
    assert "<script>" not in text(client.get(f"/posts/{opening_id}/revisions"))


def test_display_names_are_escaped(client, app, category_id):
    with app.app_context():
        make_user("eve", display_name="<img src=x onerror=alert(1)>", reputation=50)
    thread_id, _ = ask(app, category_id, author="eve")
    page = text(client.get(f"/t/{thread_id}"))
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
