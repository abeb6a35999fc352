"""One object of every kind, for the security matrices: built through the real services so
that every row is what the application itself would write. Call inside an app context."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, fields
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Table, select

from forum_kb.accounts.models import Role, User
from forum_kb.community import services as community
from forum_kb.community.models import Category, Post, Thread
from forum_kb.community.services import NewThread
from forum_kb.escalation import services as escalation
from forum_kb.escalation.services.admin import GroupFields, PolicyFields
from forum_kb.extensions import db
from forum_kb.kb import services as kb
from forum_kb.kb.models import Article, ArticleStatus, Revision
from forum_kb.kb.services import ArticleDraft
from forum_kb.moderation import services as moderation
from forum_kb.moderation.models import Flag
from forum_kb.notifications import services as notifications
from forum_kb.notifications.models import Notification
from tests.factories import PASSWORD, make_category, make_user

#: The roles of every matrix, weakest first. "member" is a customer (Role.MEMBER).
ROLES = ("anonymous", "member", "moderator", "staff", "admin")
#: The signed-in user of each role.
ROLE_USERS = {"member": "bob", "moderator": "mia", "staff": "sam", "admin": "ada"}
#: Text that only some roles may see, by the weakest role that may (see ``build_world``).
SECRETS = {
    "zqhidden": "moderator",  # a hidden thread's title
    "zqdeleted": "moderator",  # a deleted thread's title
    "zqpending": "moderator",  # a thread waiting for pre-moderation (and its author)
    "zqrudepost": "moderator",  # a hidden reply
    "zqgonepost": "moderator",  # a deleted reply
    "zqdraft": "moderator",  # KB articles that are not published
    "zqreview": "moderator",
    "zqarchived": "moderator",
    "zqflagnote": "moderator",  # a flag's note
    "zqusernote": "moderator",  # a moderator's note about a member
    "zqstaffnote": "staff",  # an escalation's internal note
    "hooks.example": "staff",  # a webhook's address
    "alice@example.com": "staff",  # another member's email address
}
#: An id no row has (and a name no user, tag, category or section has).
MISSING_ID = 987_654
MISSING_NAME = "no-such-thing"
TRUSTED = 100  # reputation past the new-account limits

_n = itertools.count(1)


def _body(topic: str) -> str:
    return f"{topic}: the printer shows error E{next(_n)} after the firmware update, help."


@dataclass
class World:
    """The ids (and names) of one object of each kind, for filling URL rules."""

    alice_id: int
    category_id: int
    category_slug: str
    premod_category_id: int
    tag: str
    # Threads: a live question by alice answered by bob, bob's own thread, and threads that
    # only moderators may see (hidden, deleted) or only their author and moderators (pending).
    thread_id: int
    opening_id: int
    reply_id: int  # bob's answer on alice's thread
    alice_reply_id: int
    own_thread_id: int  # bob's
    own_opening_id: int
    hidden_thread_id: int
    hidden_thread_post_id: int  # the opening post of the hidden thread
    hidden_post_id: int  # a reply hidden by a moderator
    deleted_thread_id: int
    deleted_post_id: int
    pending_thread_id: int  # carol's, waiting for pre-moderation
    pending_post_id: int
    # Knowledge base.
    section_id: int
    section_slug: str
    published_id: int
    published_slug: str
    draft_id: int
    review_id: int  # submitted for review
    archived_id: int
    report_id: int  # an inaccuracy report on the published article
    # Moderation and escalation.
    flag_id: int
    sanction_id: int
    word_id: int
    escalation_id: int
    webhook_id: int
    group_id: int
    policy_id: int
    notification_id: int  # bob's
    alice_notification_id: int
    unsubscribe_token: str

    def values(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _user(name: str) -> User:
    found = db.session.scalar(select(User).where(User.username_key == name))
    assert found is not None, name
    return found


def _ask(author: User, category: Category, topic: str, kind: str = "question") -> Thread:
    data = NewThread(category.id, kind, f"{topic} after the update", _body(topic), ["printing"])
    return community.create_thread(author, data)


def _article(staff: User, section_id: int, title: str) -> Article:
    return kb.create_article(staff, ArticleDraft(section_id, title, _body(title)))


def build_world() -> World:
    """Users of every role plus one object of each kind (see ``World``)."""
    make_user("ada", role=Role.ADMIN)
    sam = make_user("sam", role=Role.STAFF)
    mia = make_user("mia", role=Role.MODERATOR)
    alice = make_user("alice", reputation=TRUSTED)
    bob = make_user("bob", reputation=TRUSTED)
    carol = make_user("carol")  # a new account: pre-moderated
    dave = make_user("dave", reputation=TRUSTED)  # silenced below
    category = make_category("Printing", slug="printing")
    premod = make_category("Billing", slug="billing")
    community.set_premoderation(mia, premod, True)

    thread = _ask(alice, category, "Error E42")
    opening = community.opening_post(thread)
    reply = community.reply_to_thread(bob, thread, _body("Answer") + " @alice")
    alice_reply = community.reply_to_thread(alice, thread, _body("Thanks") + " @bob")
    hidden_post = community.reply_to_thread(alice, thread, _body("Zqrudepost answer"))
    moderation.moderate_post(mia, hidden_post, "hide", "rude")
    deleted_post = community.reply_to_thread(alice, thread, _body("Zqgonepost"))
    community.delete_post(alice, deleted_post)
    own = _ask(bob, category, "Paper jam", kind="discussion")
    hidden = _ask(alice, category, "Zqhidden spam")
    moderation.moderate_thread(mia, hidden, "hide", "spam")
    deleted = _ask(alice, category, "Zqdeleted question")
    community.delete_post(alice, community.opening_post(deleted))
    pending = _ask(carol, premod, "Zqpending invoice")
    assert pending.is_pending

    section = kb.create_section(sam, "Printer help", slug="printer-help")
    published = _article(sam, section.id, "Fixing error E42")
    kb.publish_article(sam, published)
    draft = _article(sam, section.id, "Zqdraft roadmap")
    review = _article(mia, section.id, "Zqreview paper jams")
    kb.submit_for_review(mia, review)
    archived = _article(sam, section.id, "Zqarchived driver install")
    kb.publish_article(sam, archived)
    kb.archive_article(sam, archived)
    report = kb.report_inaccurate(published, "Step 3 is wrong now.", alice)

    flag = moderation.flag_post(alice, reply, "spam", "zqflagnote: an advert")
    moderation.add_user_note(mia, alice, "zqusernote: warned once")
    sanction = moderation.silence_user(mia, dave, reason="cooling off", days=3)
    word = moderation.add_watched_word(mia, "casino", "block")
    policy = escalation.create_policy(sam, PolicyFields(name="Standard", is_default=True))
    group = escalation.create_group(sam, GroupFields(name="Support", member_ids=[sam.id]))
    case = escalation.escalate_thread(mia, thread, "customer waiting")
    escalation.add_note(sam, case, "zqstaffnote: check the firmware")
    hook = escalation.create_webhook(sam, "https://hooks.example/x", ["thread.created"])

    mine = db.session.scalar(select(Notification).where(Notification.user_id == bob.id))
    theirs = db.session.scalar(select(Notification).where(Notification.user_id == alice.id))
    assert mine is not None and theirs is not None
    return World(
        alice_id=alice.id, category_id=category.id, category_slug=category.slug,
        premod_category_id=premod.id, tag="printing", thread_id=thread.id,
        opening_id=opening.id, reply_id=reply.id,
        alice_reply_id=alice_reply.id, own_thread_id=own.id,
        own_opening_id=community.opening_post(own).id, hidden_thread_id=hidden.id,
        hidden_thread_post_id=community.opening_post(hidden).id,
        hidden_post_id=hidden_post.id, deleted_thread_id=deleted.id,
        deleted_post_id=deleted_post.id, pending_thread_id=pending.id,
        pending_post_id=community.opening_post(pending).id, section_id=section.id,
        section_slug=section.slug, published_id=published.id, published_slug=published.slug,
        draft_id=draft.id, review_id=review.id, archived_id=archived.id, report_id=report.id,
        flag_id=flag.id, sanction_id=sanction.id, word_id=word.id, escalation_id=case.id,
        webhook_id=hook.id, group_id=group.id, policy_id=policy.id, notification_id=mine.id,
        alice_notification_id=theirs.id,
        unsubscribe_token=notifications.unsubscribe_token(bob),
    )  # fmt: skip


def check_world(world: World) -> None:
    """The states the matrices rely on really hold (a builder change must not void them)."""
    assert db.session.get(Thread, world.hidden_thread_id).is_hidden  # type: ignore[union-attr]
    assert db.session.get(Thread, world.deleted_thread_id).is_deleted  # type: ignore[union-attr]
    assert db.session.get(Post, world.hidden_post_id).is_hidden  # type: ignore[union-attr]
    statuses = {
        world.published_id: ArticleStatus.PUBLISHED,
        world.draft_id: ArticleStatus.DRAFT,
        world.archived_id: ArticleStatus.ARCHIVED,
    }
    for article_id, status in statuses.items():
        assert db.session.get(Article, article_id).status == status  # type: ignore[union-attr]
    assert db.session.get(Flag, world.flag_id) is not None
    assert db.session.scalar(select(Revision).where(Revision.article_id == world.draft_id))


# --- signing in ---------------------------------------------------------------------------------


def sign_in(app: Flask, role: str) -> FlaskClient:
    """A client signed in (through the login form) as the user of ``role``."""
    client = app.test_client()
    if role != "anonymous":
        data = {"login": ROLE_USERS[role], "password": PASSWORD}
        token = csrf_token(client.get("/login").get_data(as_text=True))
        if token:
            data["csrf_token"] = token
        response = client.post("/login", data=data)
        assert response.status_code == 302, role
    return client


def csrf_token(page: str) -> str | None:
    """The CSRF token of the first form on a page, if it has one."""
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'type="hidden" name="csrf_token" value="([^"]+)"', page
    )
    return found.group(1) if found else None


def api_token(client: FlaskClient, username: str) -> str:
    response = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.get_data(as_text=True)
    return str(response.get_json()["token"])


# --- database snapshots ---------------------------------------------------------------------


def snapshot(ignore: dict[str, set[str]] | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the worlds are small), minus ignored columns.

    ``ignore`` maps a table to column names to leave out, or to ``{"*"}`` for the whole table.
    """
    ignore = ignore or {}
    state: dict[str, list[tuple[Any, ...]]] = {}
    for table in db.metadata.sorted_tables:
        skipped = ignore.get(table.name, set())
        if "*" in skipped:
            continue
        state[table.name] = _rows(table, skipped)
    db.session.rollback()  # end the read transaction: the next request starts afresh
    return state


def _rows(table: Table, skipped: set[str]) -> list[tuple[Any, ...]]:
    columns = [c for c in table.c if c.name not in skipped]
    rows = db.session.execute(select(*columns)).all()
    return sorted((tuple(row) for row in rows), key=repr)


def diff(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    """Tables whose rows differ between two snapshots."""
    return [name for name in before if before[name] != after.get(name)]
