"""Moderation pages through HTTP: permissions, the queue, thread and post actions, flagging,
promotion to the KB, people and sanctions, the audit log, settings and the thread page."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from forum_kb.accounts.models import Role, User
from forum_kb.community import services as community
from forum_kb.community.models import Category, Post, Thread
from forum_kb.community.services import NewThread
from forum_kb.db import utcnow
from forum_kb.extensions import db
from forum_kb.kb import services as kb
from forum_kb.kb.models import Article, ArticleStatus
from forum_kb.moderation import services
from forum_kb.moderation.models import (
    Flag,
    FlagStatus,
    ModerationAction,
    Promotion,
    Sanction,
    UserNote,
    WatchedWord,
)
from tests.conftest import Auth
from tests.factories import make_category, make_user

BODY = "My printer shows error E42 after the update. What does it mean?"
_bodies = itertools.count(1)


@dataclass(frozen=True)
class Site:
    category_id: int
    other_category_id: int
    section_id: int
    thread_id: int
    opening_id: int
    reply_id: int
    other_thread_id: int
    sanction_id: int
    word_id: int


def user(name: str) -> User:
    found = db.session.scalar(select(User).where(User.username_key == name))
    assert found is not None
    return found


def ask(author: str, category_id: int, title: str = "Printer shows error E42") -> Thread:
    body = f"{BODY} (#{next(_bodies)})"
    return community.create_thread(
        user(author), NewThread(category_id, "question", title, body, ("printing",))
    )


def answer(author: str, thread: Thread) -> Post:
    body = f"Answer {next(_bodies)}: clean the paper sensor, then restart the printer."
    return community.reply_to_thread(user(author), thread, body)


@pytest.fixture
def site(app: Flask) -> Site:
    """A member's question with an answer, another thread, a past silence, a watched word."""
    with app.app_context():
        for name in ("alice", "bob", "carol", "dave"):
            make_user(name, reputation=100)
        make_user("mia", role=Role.MODERATOR)
        make_user("sam", role=Role.STAFF)
        category = make_category("Troubleshooting", slug="troubleshooting")
        other = make_category("Billing", slug="billing")
        section = kb.create_section(user("sam"), "Printers")
        thread = ask("alice", category.id)
        reply = answer("bob", thread)
        other_thread = ask("carol", category.id, "Printer prints blank pages")
        sanction = services.silence_user(user("mia"), user("dave"), reason="Spam", days=1)
        word = services.add_watched_word(user("mia"), "casino", "block")
        return Site(
            category.id, other.id, section.id, thread.id, community.opening_post(thread).id,
            reply.id, other_thread.id, sanction.id, word.id,
        )  # fmt: skip


def sign_in(client, name: str) -> None:
    if name != "anonymous":
        assert Auth(client).login(name).status_code == 302
        flashes(client)  # "Signed in as ..."


def text(response) -> str:
    return response.get_data(as_text=True)


def count(app: Flask, model, *where) -> int:
    with app.app_context():
        stmt = select(func.count()).select_from(model)
        return db.session.scalar(stmt.where(*where) if where else stmt) or 0


def row(app: Flask, model, pk: int):
    with app.app_context():
        found = db.session.get(model, pk)
        assert found is not None
        db.session.expunge(found)
        return found


def flashes(client) -> list[str]:
    """The messages waiting for the next page (taken, as that page would)."""
    with client.session_transaction() as session:
        return [message for _, message in session.pop("_flashes", [])]


# --- permissions -------------------------------------------------------------------------------

PAGES = [
    "/moderation/",
    "/moderation/?tab=pending",
    "/moderation/log",
    "/moderation/log?actor=mia&action=word&target_type=word",
    "/moderation/settings",
    "/moderation/users/alice",
    "/moderation/posts/{reply_id}/promote",
]
ACTIONS = [
    ("/moderation/flags", {"post_ids": "{reply_id}", "action": "hide"}),
    ("/moderation/pending", {"post_ids": "{reply_id}", "action": "approve"}),
    ("/moderation/threads/{thread_id}/action", {"action": "lock"}),
    ("/moderation/threads/{thread_id}/move", {"category_id": "{other_category_id}"}),
    ("/moderation/threads/{thread_id}/close", {"thread": "{other_thread_id}"}),
    ("/moderation/threads/{thread_id}/reopen", {}),
    ("/moderation/threads/{thread_id}/merge", {"target": "{other_thread_id}"}),
    ("/moderation/posts/{reply_id}/action", {"action": "hide"}),
    ("/moderation/posts/{reply_id}/promote",
     {"section_id": "{section_id}", "title": "Fix error E42", "body": BODY}),
    ("/moderation/users/alice/sanction", {"kind": "suspend", "reason": "Abuse", "days": "7"}),
    ("/moderation/users/alice/notes", {"body": "Warned by email."}),
    ("/moderation/sanctions/{sanction_id}/lift", {}),
    ("/moderation/settings/words", {"word": "lottery", "action": "queue"}),
    ("/moderation/settings/words/{word_id}/remove", {}),
    ("/moderation/settings/categories/{category_id}/premoderation", {"enabled": "1"}),
]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(("role", "expected"), [("anonymous", "login"), ("bob", 403)])
def test_pages_are_for_moderators_only(client, site, path, role, expected):
    sign_in(client, role)
    response = client.get(path.format(**vars(site)))
    if expected == "login":
        assert response.status_code == 302
        assert response.location.startswith("/login")
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(("path", "data"), ACTIONS, ids=[a[0] for a in ACTIONS])
@pytest.mark.parametrize("role", ["anonymous", "bob"])
def test_actions_are_for_moderators_only(app, client, site, path, data, role):
    before = count(app, ModerationAction)
    sign_in(client, role)
    form = {key: value.format(**vars(site)) for key, value in data.items()}
    response = client.post(path.format(**vars(site)), data=form)
    if role == "anonymous":
        assert response.status_code == 302
        assert response.location.startswith("/login")
    else:
        assert response.status_code == 403
    assert count(app, ModerationAction) == before
    assert count(app, Article) == 0
    assert not row(app, Thread, site.thread_id).is_locked
    assert not row(app, Post, site.reply_id).is_hidden


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role", ["mia", "sam"])
def test_pages_render_for_moderators_and_staff(client, site, path, role):
    sign_in(client, role)
    response = client.get(path.format(**vars(site)))
    assert response.status_code == 200
    page = text(response)
    assert "<script" not in page and "style=" not in page and '="None"' not in page


def test_audit_log_has_no_way_to_change_entries(app):
    rules = [rule for rule in app.url_map.iter_rules() if "/moderation/log" in rule.rule]
    assert rules and all(rule.methods <= {"GET", "HEAD", "OPTIONS"} for rule in rules)


# --- the review queue ---------------------------------------------------------------------------


def flag(app: Flask, post_id: int, *flaggers: str, reason: str = "spam") -> None:
    with app.app_context():
        post = db.session.get(Post, post_id)
        for name in flaggers:
            services.flag_post(user(name), post, reason, f"Note from {name}")


def test_queue_shows_flagged_posts_in_context(app, client, site):
    flag(app, site.reply_id, "alice", "carol")
    sign_in(client, "mia")
    page = text(client.get("/moderation/"))
    assert "Printer shows error E42" in page
    assert "/moderation/users/bob" in page  # the author's moderation record
    assert "Clean the paper sensor" in page or "clean the paper sensor" in page
    assert "Spam \N{MULTIPLICATION SIGN} 2" in page
    assert "Note from alice" in page and "Note from carol" in page
    assert f'name="post_ids" value="{site.reply_id}"' in page


def test_queue_is_empty_without_flags(client, site):
    sign_in(client, "mia")
    assert "No flagged posts" in text(client.get("/moderation/"))
    assert "No posts are waiting" in text(client.get("/moderation/?tab=pending"))


def test_queue_paginates(make_app):
    app = make_app(MODERATION_QUEUE_PER_PAGE=1)
    with app.app_context():
        for name in ("alice", "bob", "carol"):
            make_user(name, reputation=100)
        make_user("mia", role=Role.MODERATOR)
        thread = ask("alice", make_category().id)
        posts = [answer("bob", thread), answer("bob", thread)]
        for post in posts:
            services.flag_post(user("carol"), post, "spam")
        first, second = (post.id for post in posts)
    client = app.test_client()
    sign_in(client, "mia")
    page1, page2 = text(client.get("/moderation/")), text(client.get("/moderation/?page=2"))
    assert f'id="select-flagged-{first}"' in page1
    assert f'id="select-flagged-{second}"' not in page1
    assert f'id="select-flagged-{second}"' in page2
    assert "Page 1 of 2" in page1


def test_batch_hide_upholds_the_flags(app, client, site):
    flag(app, site.reply_id, "alice")
    sign_in(client, "mia")
    response = client.post(
        "/moderation/flags", data={"post_ids": [site.reply_id], "action": "hide", "reason": "Ad"}
    )
    assert response.status_code == 302
    assert row(app, Post, site.reply_id).is_hidden
    assert count(app, Flag, Flag.status == FlagStatus.UPHELD) == 1
    assert "No flagged posts" in text(client.get("/moderation/"))


def test_batch_dismiss_leaves_the_post_up(app, client, site):
    flag(app, site.reply_id, "alice")
    sign_in(client, "mia")
    client.post("/moderation/flags", data={"post_ids": [site.reply_id], "action": "dismiss"})
    assert not row(app, Post, site.reply_id).is_hidden
    assert count(app, Flag, Flag.status == FlagStatus.DISMISSED) == 1


def test_batch_hide_and_silence_silences_the_author(app, client, site):
    flag(app, site.reply_id, "alice")
    sign_in(client, "mia")
    client.post(
        "/moderation/flags",
        data={"post_ids": [site.reply_id], "action": "hide_and_silence", "silence_days": "3"},
    )
    assert row(app, Post, site.reply_id).is_hidden
    assert row(app, User, 2).is_silenced  # bob


def test_batch_silencing_a_moderator_is_a_message_and_changes_nothing(app, client, site):
    with app.app_context():
        thread = db.session.get(Thread, site.thread_id)
        post_id = community.reply_to_thread(
            user("sam"), thread, "Staff here: update the driver."
        ).id
    flag(app, post_id, "alice")
    sign_in(client, "mia")
    response = client.post(
        "/moderation/flags",
        data={"post_ids": [post_id], "action": "hide_and_silence", "silence_days": "1"},
    )
    assert response.status_code == 302
    assert flashes(client) == ["You cannot sanction this person."]
    assert not row(app, Post, post_id).is_hidden
    assert count(app, Flag, Flag.status == FlagStatus.OPEN) == 1


def test_batch_without_selection_is_a_message_not_an_error(app, client, site):
    flag(app, site.reply_id, "alice")
    sign_in(client, "mia")
    response = client.post("/moderation/flags", data={"action": "hide"})
    assert response.status_code == 302
    assert flashes(client) == ["Select at least one post."]
    assert count(app, Flag, Flag.status == FlagStatus.OPEN) == 1


def test_batch_with_a_bad_id_is_a_message_not_an_error(client, site):
    sign_in(client, "mia")
    response = client.post("/moderation/flags", data={"post_ids": "x", "action": "hide"})
    assert response.status_code == 302
    assert flashes(client) == ["Select posts from the list."]


# --- pre-moderation ----------------------------------------------------------------------------


@pytest.fixture
def premod(app: Flask, site: Site) -> int:
    """Pre-moderation on in the category (through the settings page); erin is a new account."""
    with app.app_context():
        make_user("erin")
    client = app.test_client()
    sign_in(client, "mia")
    response = client.post(
        f"/moderation/settings/categories/{site.category_id}/premoderation", data={"enabled": "1"}
    )
    assert response.status_code == 302
    assert row(app, Category, site.category_id).premoderate
    return site.category_id


def test_premoderation_toggle_turns_off(app, client, premod):
    sign_in(client, "mia")
    client.post(f"/moderation/settings/categories/{premod}/premoderation", data={"enabled": "0"})
    assert not row(app, Category, premod).premoderate


def test_pending_thread_tells_its_author_and_waits(app, client, premod):
    sign_in(client, "erin")
    response = client.post(
        "/new",
        data={"category": premod, "kind": "question", "title": "My very first question",
              "body": "Hello, how do I reset the printer to factory settings?"},
    )  # fmt: skip
    assert response.status_code == 302
    assert flashes(client) == ["Your post is waiting for a moderator's approval."]
    page = text(client.get(response.location))
    assert "Waiting for moderator approval" in page
    with app.app_context():
        thread_id = db.session.scalar(select(Thread.id).where(Thread.is_pending.is_(True)))
    assert Auth(client).logout().status_code == 302
    sign_in(client, "bob")
    assert client.get(f"/t/{thread_id}").status_code == 404


def test_pending_reply_flashes_the_waiting_message(app, client, site, premod):
    sign_in(client, "erin")
    response = client.post(
        f"/t/{site.thread_id}/reply", data={"body": "Me too, the same error E42 here today."}
    )
    assert response.status_code == 302
    assert flashes(client) == ["Your post is waiting for a moderator's approval."]
    assert "Waiting for moderator approval" in text(client.get(f"/t/{site.thread_id}"))


def pending_reply(app: Flask, thread_id: int) -> int:
    with app.app_context():
        post = community.reply_to_thread(
            user("erin"), db.session.get(Thread, thread_id), "Same problem with my printer here."
        )
        assert post.is_pending
        return post.id


def test_queue_lists_pending_posts_and_approves_them(app, client, site, premod):
    post_id = pending_reply(app, site.thread_id)
    sign_in(client, "mia")
    page = text(client.get("/moderation/?tab=pending"))
    assert "First posts of a new account" in page
    assert f'value="{post_id}"' in page
    client.post("/moderation/pending", data={"post_ids": [post_id], "action": "approve"})
    assert not row(app, Post, post_id).is_pending
    assert "Same problem with my printer" in text(app.test_client().get(f"/t/{site.thread_id}"))


def test_queue_rejects_pending_posts(app, client, site, premod):
    post_id = pending_reply(app, site.thread_id)
    sign_in(client, "mia")
    client.post("/moderation/pending", data={"post_ids": [post_id], "action": "reject"})
    assert row(app, Post, post_id).is_deleted


# --- thread and post actions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "field", "value"),
    [("lock", "is_locked", True), ("pin", "is_pinned", True), ("hide", "is_hidden", True)],
)
def test_thread_actions_change_the_thread(app, client, site, action, field, value):
    sign_in(client, "mia")
    response = client.post(
        f"/moderation/threads/{site.thread_id}/action", data={"action": action, "reason": "Why"}
    )
    assert response.location == f"/t/{site.thread_id}"
    assert getattr(row(app, Thread, site.thread_id), field) is value
    client.post(f"/moderation/threads/{site.thread_id}/action", data={"action": f"un{action}"})
    assert getattr(row(app, Thread, site.thread_id), field) is not value


def test_thread_action_with_an_unknown_action_is_a_message(app, client, site):
    sign_in(client, "mia")
    response = client.post(f"/moderation/threads/{site.thread_id}/action", data={"action": "x"})
    assert response.status_code == 302
    assert count(app, ModerationAction, ModerationAction.action.startswith("thread")) == 0


def test_thread_page_shows_moderator_tools_only_to_moderators(client, site):
    sign_in(client, "bob")
    assert "Moderator tools" not in text(client.get(f"/t/{site.thread_id}"))
    Auth(client).logout()
    sign_in(client, "mia")
    page = text(client.get(f"/t/{site.thread_id}"))
    assert "Moderator tools" in page
    assert f"/moderation/threads/{site.thread_id}/merge" in page
    assert f"/moderation/posts/{site.reply_id}/promote" in page
    assert f"/moderation/posts/{site.reply_id}/action" in page


def test_post_hide_and_unhide(app, client, site):
    sign_in(client, "mia")
    client.post(f"/moderation/posts/{site.reply_id}/action", data={"action": "hide"})
    assert row(app, Post, site.reply_id).is_hidden
    assert "Hidden by a moderator" in text(client.get(f"/t/{site.thread_id}"))
    client.post(f"/moderation/posts/{site.reply_id}/action", data={"action": "unhide"})
    assert not row(app, Post, site.reply_id).is_hidden


def test_move_thread(app, client, site):
    sign_in(client, "mia")
    client.post(
        f"/moderation/threads/{site.thread_id}/move", data={"category_id": site.other_category_id}
    )
    assert row(app, Thread, site.thread_id).category_id == site.other_category_id


def test_move_thread_to_the_same_category_is_a_message(app, client, site):
    sign_in(client, "mia")
    response = client.post(
        f"/moderation/threads/{site.thread_id}/move", data={"category_id": site.category_id}
    )
    assert response.status_code == 302
    assert flashes(client) == ["The thread is already in this category."]


@pytest.mark.parametrize("ref", ["{id}", "#{id}", "/t/{id}", "http://localhost/t/{id}/p/9?x=1"])
def test_close_as_duplicate_of_a_thread_shows_the_banner(app, client, site, ref):
    sign_in(client, "mia")
    client.post(
        f"/moderation/threads/{site.thread_id}/close",
        data={"thread": ref.format(id=site.other_thread_id)},
    )
    thread = row(app, Thread, site.thread_id)
    assert thread.duplicate_of_thread_id == site.other_thread_id and thread.is_locked
    Auth(client).logout()
    page = text(client.get(f"/t/{site.thread_id}"))
    assert "Closed as a duplicate of" in page
    assert f'href="/t/{site.other_thread_id}">Printer prints blank pages</a>' in page


def test_close_as_duplicate_of_an_article_and_reopen(app, client, site):
    with app.app_context():
        article = kb.create_article(
            user("sam"), kb.ArticleDraft(site.section_id, "Error E42 explained", BODY)
        )
        kb.publish_article(user("sam"), article)
        article_id, slug = article.id, article.slug
    sign_in(client, "mia")
    client.post(f"/moderation/threads/{site.thread_id}/close", data={"article_id": article_id})
    assert row(app, Thread, site.thread_id).duplicate_of_article_id == article_id
    page = text(client.get(f"/t/{site.thread_id}"))
    assert "Closed as a duplicate of the knowledge-base article" in page
    assert f"/kb/articles/{slug}" in page
    client.post(f"/moderation/threads/{site.thread_id}/reopen")
    thread = row(app, Thread, site.thread_id)
    assert not thread.is_closed_as_duplicate and not thread.is_locked


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Link either a thread or a KB article."),
        ({"thread": "not a thread"}, "Give a thread number, e.g. 42, or a link to the thread."),
        ({"thread": "99999"}, "Choose a visible thread."),
        ({"article_id": "99999"}, "Choose a published KB article."),
    ],
)
def test_close_as_duplicate_errors_are_messages(app, client, site, data, message):
    sign_in(client, "mia")
    response = client.post(f"/moderation/threads/{site.thread_id}/close", data=data)
    assert response.status_code == 302
    assert flashes(client) == [message]
    assert not row(app, Thread, site.thread_id).is_closed_as_duplicate


def test_reopen_an_open_thread_is_a_message(client, site):
    sign_in(client, "mia")
    response = client.post(f"/moderation/threads/{site.thread_id}/reopen")
    assert response.status_code == 302
    assert flashes(client) == ["This thread is not closed as a duplicate."]


def test_merge_moves_the_posts_and_the_old_address_redirects(app, client, site):
    sign_in(client, "mia")
    response = client.post(
        f"/moderation/threads/{site.other_thread_id}/merge",
        data={"target": f"/t/{site.thread_id}", "reason": "Same question"},
    )
    assert response.location == f"/t/{site.thread_id}"
    assert row(app, Thread, site.other_thread_id).merged_into_id == site.thread_id
    assert count(app, Post, Post.thread_id == site.other_thread_id) == 0
    Auth(client).logout()
    for viewer in ("anonymous", "bob", "mia"):
        sign_in(client, viewer)
        old = client.get(f"/t/{site.other_thread_id}")
        assert old.status_code == 301 and old.location == f"/t/{site.thread_id}"
        if viewer != "anonymous":
            Auth(client).logout()
    with app.app_context():
        moved = db.session.scalar(
            select(Post.id).where(Post.thread_id == site.thread_id).order_by(Post.id.desc())
        )
    permalink = client.get(f"/t/{site.other_thread_id}/p/{moved}")
    assert permalink.status_code == 301
    assert permalink.location == f"/t/{site.thread_id}/p/{moved}"
    assert f'id="post-{moved}"' in text(client.get(f"/t/{site.thread_id}"))


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("{thread_id}", "Choose a different thread."),
        ("99999", "There is no thread 99999."),
        ("", "Give the thread to merge into."),
    ],
)
def test_merge_errors_are_messages(app, client, site, target, message):
    sign_in(client, "mia")
    response = client.post(
        f"/moderation/threads/{site.thread_id}/merge", data={"target": target.format(**vars(site))}
    )
    assert response.status_code == 302
    assert flashes(client) == [message]
    assert row(app, Thread, site.thread_id).merged_into_id is None


def test_merge_twice_is_a_message(app, client, site):
    sign_in(client, "mia")
    client.post(
        f"/moderation/threads/{site.other_thread_id}/merge", data={"target": site.thread_id}
    )
    flashes(client)
    with app.app_context():
        third = ask("carol", site.category_id, "Printer jams on thick paper").id
    response = client.post(
        f"/moderation/threads/{site.other_thread_id}/merge", data={"target": third}
    )
    assert response.status_code == 302
    assert flashes(client) == ["This thread was already merged or deleted."]
    assert row(app, Thread, site.other_thread_id).merged_into_id == site.thread_id


# --- flagging ----------------------------------------------------------------------------------


def test_member_flags_a_post_through_the_form(app, client, site):
    sign_in(client, "carol")
    page = text(client.get(f"/t/{site.thread_id}"))
    assert f"/posts/{site.reply_id}/flag" in page
    form = client.get(f"/posts/{site.reply_id}/flag")
    assert form.status_code == 200 and "<legend>" in text(form)
    response = client.post(
        f"/posts/{site.reply_id}/flag", data={"reason": "off_topic", "note": "About fax machines"}
    )
    assert response.location == f"/t/{site.thread_id}/p/{site.reply_id}"
    assert flashes(client) == ["Thanks, a moderator will review it."]
    with app.app_context():
        flag_row = db.session.scalar(select(Flag))
        assert flag_row is not None
        assert (flag_row.reason.value, flag_row.note) == ("off_topic", "About fax machines")


def test_member_cannot_flag_twice(app, client, site):
    sign_in(client, "carol")
    client.post(f"/posts/{site.reply_id}/flag", data={"reason": "spam"})
    flashes(client)
    response = client.post(f"/posts/{site.reply_id}/flag", data={"reason": "spam"})
    assert response.status_code == 302
    assert flashes(client) == ["You have already flagged this post; a moderator will look at it."]
    assert count(app, Flag) == 1


def test_flag_form_errors_are_shown(app, client, site):
    sign_in(client, "carol")
    response = client.post(f"/posts/{site.reply_id}/flag", data={"reason": "other"})
    assert response.status_code == 200
    assert "Tell the moderators what is wrong." in text(response)
    response = client.post(f"/posts/{site.reply_id}/flag", data={"reason": "rude"})
    assert "Choose one of the reasons." in text(response)
    assert count(app, Flag) == 0


def test_nobody_flags_their_own_post(client, site):
    sign_in(client, "bob")
    assert f"/posts/{site.reply_id}/flag" not in text(client.get(f"/t/{site.thread_id}"))
    assert client.get(f"/posts/{site.reply_id}/flag").status_code == 403
    assert client.post(f"/posts/{site.reply_id}/flag", data={"reason": "spam"}).status_code == 403


def test_anonymous_visitors_sign_in_to_flag(client, site):
    response = client.get(f"/posts/{site.reply_id}/flag")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_flags_are_rate_limited(make_app):
    app = make_app(RATELIMIT_FLAGS="1 per day")
    with app.app_context():
        for name in ("alice", "bob", "carol"):
            make_user(name, reputation=100)
        thread = ask("alice", make_category().id)
        first, second = answer("bob", thread).id, answer("bob", thread).id
    client = app.test_client()
    sign_in(client, "carol")
    assert client.post(f"/posts/{first}/flag", data={"reason": "spam"}).status_code == 302
    assert client.post(f"/posts/{second}/flag", data={"reason": "spam"}).status_code == 429
    assert count(app, Flag) == 1


# --- promotion to the KB -----------------------------------------------------------------------


def test_promote_form_is_prefilled_with_the_credit(client, site):
    sign_in(client, "mia")
    page = text(client.get(f"/moderation/posts/{site.reply_id}/promote"))
    assert 'value="Printer shows error E42"' in page
    assert "clean the paper sensor" in page
    assert "Based on a community answer by" in page and "@bob" in page


def promote(client, site: Site, **data):
    form = {"section_id": site.section_id, "title": "Fix printer error E42",
            "body": "Clean the paper sensor, then restart the printer twice.",
            "labels": "printers, errors"} | data  # fmt: skip
    return client.post(f"/moderation/posts/{site.reply_id}/promote", data=form)


def test_promote_creates_a_credited_draft_and_a_second_promote_redirects(app, client, site):
    sign_in(client, "mia")
    response = promote(client, site)
    with app.app_context():
        article = db.session.scalar(select(Article))
        assert article is not None
        assert article.status is ArticleStatus.DRAFT
        assert article.credited_user_id == user("bob").id
        assert article.source_url == f"/t/{site.thread_id}/p/{site.reply_id}"
        slug = article.slug
    assert response.location == f"/kb/articles/{slug}"
    again = client.get(f"/moderation/posts/{site.reply_id}/promote")
    assert again.location == f"/kb/articles/{slug}"
    assert promote(client, site).location == f"/kb/articles/{slug}"
    assert count(app, Article) == 1 and count(app, Promotion) == 1
    assert f'href="/kb/articles/{slug}">In the KB:' in text(client.get(f"/t/{site.thread_id}"))


def test_promote_errors_are_shown_on_the_form(app, client, site):
    sign_in(client, "mia")
    response = promote(client, site, title="", section_id="")
    assert response.status_code == 200
    assert "Give the article a title." in text(response)
    assert "Choose a section." in text(response)
    assert count(app, Article) == 0


def test_hidden_posts_cannot_be_promoted(app, client, site):
    sign_in(client, "mia")
    client.post(f"/moderation/posts/{site.reply_id}/action", data={"action": "hide"})
    assert f"/moderation/posts/{site.reply_id}/promote" not in text(
        client.get(f"/t/{site.thread_id}")
    )
    assert client.get(f"/moderation/posts/{site.reply_id}/promote").status_code == 403


def test_published_promotion_shows_the_official_banner_and_the_credit(app, client, site):
    sign_in(client, "mia")
    promote(client, site)
    with app.app_context():
        article = db.session.scalar(select(Article))
        kb.publish_article(user("sam"), article)
        slug = article.slug
    Auth(client).logout()
    page = text(client.get(f"/t/{site.thread_id}"))
    assert "Official answer in the knowledge base:" in page
    assert f'<a href="/kb/articles/{slug}">Fix printer error E42</a>' in page
    article_page = text(client.get(f"/kb/articles/{slug}"))
    assert "Based on a community answer by" in article_page
    assert 'href="/u/bob">@bob</a>' in article_page
    assert f'href="/t/{site.thread_id}/p/{site.reply_id}">See the original discussion' in (
        article_page
    )


def test_credit_still_renders_when_the_source_is_hidden(app, client, site):
    sign_in(client, "mia")
    promote(client, site)
    client.post(f"/moderation/threads/{site.thread_id}/action", data={"action": "hide"})
    with app.app_context():
        article = db.session.scalar(select(Article))
        kb.publish_article(user("sam"), article)
        slug = article.slug
    Auth(client).logout()
    page = text(client.get(f"/kb/articles/{slug}"))
    assert "See the original discussion" in page and "@bob" in page


# --- people ------------------------------------------------------------------------------------


def sanction(client, kind: str, name: str = "alice", **data):
    form = {"kind": kind, "reason": "Repeated spam links", "days": "7"} | data
    return client.post(f"/moderation/users/{name}/sanction", data=form)


def test_silence_blocks_the_reply_form_and_shows_the_notice(app, client, site):
    sign_in(client, "mia")
    assert sanction(client, "silence").status_code == 302
    with app.app_context():
        assert user("alice").is_silenced
    Auth(client).logout()
    sign_in(client, "alice")
    page = text(client.get(f"/t/{site.other_thread_id}"))
    assert "A moderator has silenced your account until" in page
    assert "Reason: Repeated spam links" in page
    assert f'action="/t/{site.other_thread_id}/reply' not in page
    response = client.post(
        f"/t/{site.other_thread_id}/reply", data={"body": "Trying to reply anyway, see?"}
    )
    assert response.status_code == 403
    assert count(app, Post, Post.thread_id == site.other_thread_id) == 1


def test_suspend_blocks_sign_in_with_the_reason(app, client, site):
    sign_in(client, "mia")
    sanction(client, "suspend", days="0", custom_days="10")
    with app.app_context():
        until = user("alice").suspended_until
        assert until is not None and until > utcnow() + timedelta(days=9)
    Auth(client).logout()
    response = Auth(client).login("alice")
    assert response.status_code == 200
    assert "suspended until" in text(response) and "Repeated spam links" in text(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": ""}, "Give a reason: the person is told it."),
        ({"days": "0"}, "Choose 1 to 3650 days."),
        ({"days": "0", "custom_days": "5000"}, "Number must be between 1 and 3650."),
    ],
)
def test_sanction_form_errors_are_shown(app, client, site, data, message):
    sign_in(client, "mia")
    response = sanction(client, "silence", **data)
    assert response.status_code == 200
    assert message in text(response)
    assert count(app, Sanction) == 1  # only the fixture's


def test_lift_a_sanction(app, client, site):
    sign_in(client, "mia")
    assert "Lift silence" in text(client.get("/moderation/users/dave"))
    client.post(f"/moderation/sanctions/{site.sanction_id}/lift")
    assert row(app, Sanction, site.sanction_id).lifted_at is not None
    with app.app_context():
        assert not user("dave").is_silenced
    client.post(f"/moderation/sanctions/{site.sanction_id}/lift")
    assert flashes(client)[-1] == "This sanction is already over."


def test_sanction_forms_only_when_allowed(client, site):
    sign_in(client, "mia")
    assert "Silence or suspend" not in text(client.get("/moderation/users/sam"))
    assert "Silence or suspend" not in text(client.get("/moderation/users/mia"))
    assert "Silence or suspend" in text(client.get("/moderation/users/alice"))
    assert sanction(client, "silence", name="sam").status_code == 403


def test_notes_are_visible_to_moderators_only(app, client, site):
    sign_in(client, "mia")
    client.post("/moderation/users/alice/notes", data={"body": "Warned about links by email."})
    assert count(app, UserNote) == 1
    assert "Warned about links by email." in text(client.get("/moderation/users/alice"))
    assert "Moderation record" in text(client.get("/u/alice"))
    Auth(client).logout()
    sign_in(client, "bob")
    assert client.get("/moderation/users/alice").status_code == 403
    profile = text(client.get("/u/alice"))
    assert "Warned about links" not in profile and "Moderation record" not in profile


def test_empty_note_is_refused(app, client, site):
    sign_in(client, "mia")
    response = client.post("/moderation/users/alice/notes", data={"body": " "})
    assert response.status_code == 200 and "Write the note first." in text(response)
    assert count(app, UserNote) == 0


def test_user_record_shows_flags_and_hidden_posts(app, client, site):
    flag(app, site.reply_id, "alice")
    sign_in(client, "mia")
    client.post("/moderation/flags", data={"post_ids": [site.reply_id], "action": "hide"})
    page = text(client.get("/moderation/users/bob"))
    assert "1 (1 upheld)" in page
    assert client.get("/moderation/users/nobody").status_code == 404


# --- audit log ---------------------------------------------------------------------------------


def logged(client, query: str = "") -> list[str]:
    """The action names on an audit log page, top to bottom."""
    page = text(client.get(f"/moderation/log{query}"))
    return re.findall(r"<td><code>([\w.]+)</code></td>", page)


def test_audit_log_lists_and_filters_entries(app, client, site):
    sign_in(client, "mia")
    client.post(f"/moderation/threads/{site.thread_id}/action", data={"action": "lock"})
    assert logged(client) == ["thread.lock", "word.add", "user.silence"]  # newest first
    assert logged(client, "?action=thread") == ["thread.lock"]
    assert logged(client, "?action=thread.lock") == ["thread.lock"]
    assert logged(client, "?target_type=user") == ["user.silence"]
    assert logged(client, f"?target_type=user&target_id={site.sanction_id + 99}") == []
    assert logged(client, "?actor=system") == []
    assert logged(client, "?actor=MIA&action=word") == ["word.add"]
    today = utcnow().date()
    assert len(logged(client, f"?since={today}&until={today}")) == 3
    assert logged(client, f"?since={today + timedelta(days=1)}") == []
    assert logged(client, "?since=yesterday") == ["thread.lock", "word.add", "user.silence"]
    assert "No entries match" in text(client.get("/moderation/log?actor=nobody"))


def test_audit_log_paginates(make_app):
    app = make_app(MODERATION_LOG_PER_PAGE=2)
    with app.app_context():
        mia = make_user("mia", role=Role.MODERATOR)
        for word in ("alpha", "beta", "gamma"):
            services.add_watched_word(mia, word, "queue")
    client = app.test_client()
    sign_in(client, "mia")
    first = text(client.get("/moderation/log?action=word"))
    assert "gamma" in first and "alpha" not in first
    assert "/moderation/log?page=2&amp;action=word" in first
    assert "alpha" in text(client.get("/moderation/log?action=word&page=2"))


# --- settings ----------------------------------------------------------------------------------


def test_watched_words_add_and_remove(app, client, site):
    sign_in(client, "mia")
    client.post("/moderation/settings/words", data={"word": "Free  Money", "action": "queue"})
    with app.app_context():
        entry = db.session.scalar(select(WatchedWord).where(WatchedWord.word == "free money"))
        assert entry is not None and entry.action.value == "queue"
        entry_id = entry.id
    assert "free money" in text(client.get("/moderation/settings"))
    client.post(f"/moderation/settings/words/{entry_id}/remove")
    assert count(app, WatchedWord, WatchedWord.id == entry_id) == 0


def test_duplicate_watched_word_is_a_form_error(app, client, site):
    sign_in(client, "mia")
    response = client.post("/moderation/settings/words", data={"word": "casino", "action": "queue"})
    assert response.status_code == 200
    assert "“casino” is already watched." in text(response)
    assert count(app, WatchedWord) == 1


def test_blocked_word_refuses_a_reply(client, site):
    sign_in(client, "carol")
    response = client.post(
        f"/t/{site.thread_id}/reply", data={"body": "Visit my casino for free printer ink!"}
    )
    assert response.status_code == 200
    assert "Your post contains words that are not allowed" in text(response)


# --- navigation --------------------------------------------------------------------------------


def test_navigation_badge_counts_the_queue_for_moderators(app, client, site):
    flag(app, site.reply_id, "alice")
    sign_in(client, "mia")
    assert '1<span class="visually-hidden"> waiting for review' in text(client.get("/"))
    Auth(client).logout()
    sign_in(client, "bob")
    page = text(client.get("/"))
    assert "/moderation/" not in page and "waiting for review" not in page
