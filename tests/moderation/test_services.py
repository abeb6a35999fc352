"""Moderation use cases against a real database: flags and the queue, pre-moderation, watched
words, thread actions, sanctions and notes, promotion to the KB, the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select, update

from forum_kb.accounts import services as accounts
from forum_kb.accounts.auth import load_user
from forum_kb.accounts.models import Role, User
from forum_kb.community import queries as community_queries
from forum_kb.community import services as community
from forum_kb.community.hooks import thread_banners
from forum_kb.community.models import Category, Post, Thread, ThreadWatch
from forum_kb.community.queries import ThreadFilter
from forum_kb.community.services import NewThread
from forum_kb.db import utcnow
from forum_kb.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from forum_kb.extensions import db
from forum_kb.kb import queries as kb_queries
from forum_kb.kb import services as kb
from forum_kb.kb.models import Article, ArticleStatus
from forum_kb.moderation import queries, services
from forum_kb.moderation.models import (
    Flag,
    FlagStatus,
    ModerationAction,
    Promotion,
    Sanction,
    SanctionKind,
    WatchedWord,
)
from forum_kb.moderation.queries import AuditFilter
from forum_kb.notifications.models import Notification
from tests.factories import PASSWORD, make_category, make_user

BODY = "My printer shows error E42 after the update. What does it mean?"
ANSWER = "Clean the paper sensor, then power-cycle the printer twice."
ANON = None  # community policies treat None as an anonymous visitor


@pytest.fixture
def category(app_ctx: Flask) -> Category:
    return make_category("Troubleshooting", slug="troubleshooting")


@pytest.fixture
def mod(app_ctx: Flask) -> User:
    return make_user("mia", role=Role.MODERATOR)


@pytest.fixture
def staff(app_ctx: Flask) -> User:
    return make_user("sam", role=Role.STAFF)


def ask(author: User, category: Category, **overrides: Any) -> Thread:
    data = {
        "category_id": category.id,
        "kind": "question",
        "title": "Printer shows error E42",
        "body": BODY,
    } | overrides
    return community.create_thread(author, NewThread(**data))


def reply(author: User, thread: Thread, body: str = ANSWER) -> Post:
    return community.reply_to_thread(author, thread, body)


def fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return {field for field, _ in exc.value.errors}


def notifications_for(user: User, kind: str | None = None) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt.order_by(Notification.id)))


def log(prefix: str = "") -> list[ModerationAction]:
    """The audit log, oldest first, optionally only actions starting with ``prefix``."""
    stmt = select(ModerationAction).order_by(ModerationAction.id)
    if prefix:
        stmt = stmt.where(ModerationAction.action.startswith(prefix))
    return list(db.session.scalars(stmt))


def actions(prefix: str = "") -> list[str]:
    return [entry.action for entry in log(prefix)]


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def flags_on(post: Post) -> list[Flag]:
    return list(db.session.scalars(select(Flag).where(Flag.post_id == post.id).order_by(Flag.id)))


def visible_ids() -> list[int]:
    """Thread ids in the public list (the same for every viewer)."""
    return [t.id for t in db.session.scalars(community_queries.list_threads(ThreadFilter()))]


def page_reply_ids(thread: Thread, viewer: Any) -> list[int]:
    return [p.id for p in community_queries.thread_page(thread, viewer, 1, 50).replies.items]


def trusted(name: str) -> User:
    return make_user(name, reputation=50)


@pytest.fixture
def answered(category: Category) -> tuple[Thread, Post]:
    """A question by alice with bob's reply (the post that gets flagged)."""
    thread = ask(make_user("alice"), category)
    return thread, reply(make_user("bob"), thread)


# --- flags -----------------------------------------------------------------------------------


def test_flag_post_creates_an_open_flag(answered):
    _, post = answered
    carol = make_user("carol")
    flag = services.flag_post(carol, post, "spam")
    assert flags_on(post) == [flag]
    assert (flag.status, flag.reporter_id, flag.reason.value) == (FlagStatus.OPEN, carol.id, "spam")
    assert flag.resolved_at is None
    assert queries.queue_counts() == {"flagged": 1, "pending": 0}


def test_flag_post_twice_by_the_same_member_conflicts(answered):
    _, post = answered
    carol = make_user("carol")
    services.flag_post(carol, post, "spam")
    with pytest.raises(Conflict):
        services.flag_post(carol, post, "offensive")
    assert len(flags_on(post)) == 1


def test_flag_post_own_post_is_denied(answered):
    _, post = answered
    with pytest.raises(PermissionDenied):
        services.flag_post(post.author, post, "spam")
    assert flags_on(post) == []


@pytest.mark.parametrize("state", ["hidden post", "deleted post", "hidden thread", "pending"])
def test_flag_post_on_invisible_post_is_denied(category, mod, state):
    alice = make_user("alice")
    if state == "pending":
        category.premoderate = True
        db.session.commit()
    thread = ask(alice, category)
    post = community.opening_post(thread)
    if state == "hidden post":
        services.moderate_post(mod, post, "hide")
    elif state == "deleted post":
        community.delete_post(alice, post)
    elif state == "hidden thread":
        services.moderate_thread(mod, thread, "hide")
    with pytest.raises(PermissionDenied):
        services.flag_post(make_user("carol"), post, "spam")
    assert flags_on(post) == []


@pytest.mark.parametrize(
    ("reason", "note", "field"),
    [("rant", "", "reason"), ("other", "", "note"), ("other", "   ", "note"),
     ("spam", "x" * 1001, "note")],
)  # fmt: skip
def test_flag_post_validation(answered, reason, note, field):
    _, post = answered
    with pytest.raises(ValidationFailed) as exc:
        services.flag_post(make_user("carol"), post, reason, note)
    assert fields(exc) == {field}
    assert flags_on(post) == []


def test_flag_post_other_with_a_note_is_accepted(answered):
    _, post = answered
    flag = services.flag_post(make_user("carol"), post, "other", "  Copied from a blog.  ")
    assert flag.note == "Copied from a blog."


def test_flag_post_again_after_resolution_is_allowed(answered, mod):
    _, post = answered
    carol = make_user("carol")
    first = services.flag_post(carol, post, "spam")
    services.resolve_post_flags(mod, post, "dismiss")
    second = services.flag_post(carol, post, "offensive")
    assert second.id != first.id
    assert [f.status for f in flags_on(post)] == [FlagStatus.DISMISSED, FlagStatus.OPEN]


# --- automatic hiding ------------------------------------------------------------------------


@pytest.fixture
def strict(make_app: Any) -> Iterator[Flask]:
    """Three flags from members with at least 20 reputation hide a post."""
    app = make_app(MODERATION_AUTO_HIDE_FLAGS=3, MODERATION_FLAGGER_MIN_REPUTATION=20)
    with app.app_context():
        yield app


def _answered_in(app: Flask) -> tuple[Thread, Post]:
    thread = ask(make_user("alice"), make_category())
    return thread, reply(make_user("bob"), thread)


def test_auto_hide_after_enough_trusted_flags(strict):
    thread, post = _answered_in(strict)
    assert thread.reply_count == 1
    for name in ("f1", "f2"):
        services.flag_post(make_user(name, reputation=20), post, "spam")
    assert not post.is_hidden and log() == []
    services.flag_post(make_user("f3", reputation=20), post, "offensive")
    db.session.refresh(thread)
    assert post.is_hidden and thread.reply_count == 0
    [entry] = log()
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (
        None, "post.auto_hide", "post", post.id,
    )  # fmt: skip
    assert entry.details == {"flags": 3}
    assert len(notifications_for(post.author, "post_hidden")) == 1
    # The flags stay open for a moderator to review.
    assert {f.status for f in flags_on(post)} == {FlagStatus.OPEN}


def test_auto_hide_ignores_low_reputation_flaggers(strict):
    _, post = _answered_in(strict)
    for name in ("low1", "low2", "low3"):
        services.flag_post(make_user(name, reputation=19), post, "spam")
    services.flag_post(make_user("t1", reputation=20), post, "spam")
    services.flag_post(make_user("t2", reputation=20), post, "spam")
    assert not post.is_hidden and log() == []
    services.flag_post(make_user("t3", reputation=20), post, "spam")
    assert post.is_hidden


def test_auto_hide_of_an_opening_post_hides_the_thread(strict):
    thread = ask(make_user("alice"), make_category())
    opening = community.opening_post(thread)
    for name in ("f1", "f2", "f3"):
        services.flag_post(make_user(name, reputation=20), opening, "spam")
    assert opening.is_hidden and thread.is_hidden
    with pytest.raises(NotFound):
        community_queries.get_thread_or_404(thread.id, make_user("reader"))


def test_auto_hide_dismissed_shows_the_post_again(strict):
    thread, post = _answered_in(strict)
    for name in ("f1", "f2", "f3"):
        services.flag_post(make_user(name, reputation=20), post, "spam")
    mod = make_user("mia", role=Role.MODERATOR)
    services.resolve_post_flags(mod, post, "dismiss", reason="Not spam")
    db.session.refresh(thread)
    assert not post.is_hidden and thread.reply_count == 1
    assert {f.status for f in flags_on(post)} == {FlagStatus.DISMISSED}
    assert actions() == ["post.auto_hide", "post.unhide", "flags.dismiss"]
    assert [e.actor_id for e in log()] == [None, mod.id, mod.id]


# --- resolving flags -------------------------------------------------------------------------


def test_resolve_post_flags_hide_upholds_hides_and_tells_flaggers(answered, mod):
    thread, post = answered
    carol, dave = make_user("carol"), make_user("dave")
    services.flag_post(carol, post, "spam")
    services.flag_post(dave, post, "offensive")
    resolved = services.resolve_post_flags(mod, post, "hide", reason="Advertising")
    db.session.refresh(thread)
    assert len(resolved) == 2
    for flag in flags_on(post):
        assert (flag.status, flag.resolved_by_id) == (FlagStatus.UPHELD, mod.id)
        assert flag.resolved_at is not None
    assert post.is_hidden and thread.reply_count == 0
    for flagger in (carol, dave):
        [notice] = notifications_for(flagger, "flag_resolved")
        assert notice.actor_id == mod.id and "hidden" in notice.title
    hide, uphold = log()
    assert (hide.action, hide.actor_id, hide.target_id, hide.reason) == (
        "post.hide", mod.id, post.id, "Advertising",
    )  # fmt: skip
    assert (uphold.action, uphold.details) == ("flags.uphold", {"flags": 2})
    assert queries.queue_counts()["flagged"] == 0


def test_resolve_post_flags_hide_without_reason_logs_the_flag_reasons(answered, mod):
    _, post = answered
    services.flag_post(make_user("carol"), post, "spam")
    services.resolve_post_flags(mod, post, "hide")
    assert log("post.hide")[0].reason == "Spam"


def test_resolve_post_flags_dismiss_leaves_the_post_up(answered, mod):
    _, post = answered
    carol = make_user("carol")
    services.flag_post(carol, post, "off_topic")
    services.resolve_post_flags(mod, post, "dismiss")
    assert not post.is_hidden
    assert [f.status for f in flags_on(post)] == [FlagStatus.DISMISSED]
    assert "left the post up" in notifications_for(carol, "flag_resolved")[0].title
    assert actions() == ["flags.dismiss"]


@pytest.mark.parametrize("hidden_by", ["post action", "thread action"])
def test_resolve_post_flags_dismiss_keeps_a_moderators_hiding(category, mod, hidden_by):
    thread = ask(make_user("alice"), category)
    opening = community.opening_post(thread)
    carol = make_user("carol")
    services.flag_post(carol, opening, "offensive")
    if hidden_by == "post action":
        services.moderate_post(mod, opening, "hide", reason="Personal data")
    else:
        services.moderate_thread(mod, thread, "hide", reason="Personal data")
    # Another moderator finds the flag itself unfounded: the hiding was not the flags' doing.
    services.resolve_post_flags(make_user("otto", role=Role.MODERATOR), opening, "dismiss")
    assert opening.is_hidden and thread.is_hidden
    assert [f.status for f in flags_on(opening)] == [FlagStatus.DISMISSED]
    assert "post.unhide" not in actions()


def test_resolve_post_flags_hide_and_silence_silences_the_author(answered, mod):
    _, post = answered
    author = post.author
    services.flag_post(make_user("carol"), post, "offensive")
    services.resolve_post_flags(mod, post, "hide_and_silence", silence_days=3)
    db.session.refresh(author)
    assert post.is_hidden and author.is_silenced
    assert author.silenced_until is not None
    assert abs(author.silenced_until - (utcnow() + timedelta(days=3))) < timedelta(minutes=1)
    [sanction] = db.session.scalars(select(Sanction)).all()
    assert (sanction.user_id, sanction.kind, sanction.created_by_id) == (
        author.id, SanctionKind.SILENCE, mod.id,
    )  # fmt: skip
    assert "Rude or offensive" in sanction.reason
    assert actions() == ["post.hide", "flags.uphold", "user.silence"]
    assert len(notifications_for(author, "user_silence")) == 1


def test_resolve_post_flags_hide_and_silence_without_duration_changes_nothing(answered, mod):
    _, post = answered
    services.flag_post(make_user("carol"), post, "offensive")
    with pytest.raises(ValidationFailed) as exc:
        services.resolve_post_flags(mod, post, "hide_and_silence")
    assert fields(exc) == {"days"}
    db.session.refresh(post)
    assert not post.is_hidden
    assert [f.status for f in flags_on(post)] == [FlagStatus.OPEN]
    assert log() == [] and count(Sanction) == 0


def test_resolve_post_flags_hide_and_silence_of_a_moderator_is_refused(category, mod):
    thread = ask(make_user("alice"), category)
    post = reply(make_user("otto", role=Role.MODERATOR), thread)
    services.flag_post(make_user("carol"), post, "offensive")
    with pytest.raises(PermissionDenied):
        services.resolve_post_flags(mod, post, "hide_and_silence", silence_days=1)
    db.session.refresh(post)
    assert not post.is_hidden and log() == []


def test_resolve_post_flags_without_open_flags_conflicts(answered, mod):
    _, post = answered
    with pytest.raises(Conflict):
        services.resolve_post_flags(mod, post, "hide")
    services.flag_post(make_user("carol"), post, "spam")
    services.resolve_post_flags(mod, post, "hide")
    with pytest.raises(Conflict):
        services.resolve_post_flags(mod, post, "dismiss")


def test_resolve_post_flags_unknown_action(answered, mod):
    _, post = answered
    services.flag_post(make_user("carol"), post, "spam")
    with pytest.raises(ValidationFailed) as exc:
        services.resolve_post_flags(mod, post, "delete")
    assert fields(exc) == {"action"}


def test_resolve_flag_resolves_every_open_flag_on_the_post(answered, mod):
    _, post = answered
    first = services.flag_post(make_user("carol"), post, "spam")
    services.flag_post(make_user("dave"), post, "spam")
    services.resolve_flag(mod, first, "hide")
    assert {f.status for f in flags_on(post)} == {FlagStatus.UPHELD}
    with pytest.raises(Conflict):
        services.resolve_flag(mod, first, "dismiss")


def test_resolve_many_silences_each_author_once(category, mod):
    thread = ask(make_user("alice"), category)
    bob, eve = make_user("bob"), make_user("eve")
    posts = [reply(bob, thread, "Buy cheap pills here."), reply(bob, thread, "Buy more pills.")]
    posts.append(reply(eve, thread, "Visit my shop now."))
    unflagged = reply(make_user("fred"), thread, "A fine answer.")
    carol = make_user("carol")
    for post in posts:
        services.flag_post(carol, post, "spam")
    done = services.resolve_many(
        mod, [p.id for p in [*posts, unflagged]], "hide_and_silence", silence_days=2
    )
    assert done == 3
    assert all(p.is_hidden for p in posts) and not unflagged.is_hidden
    sanctions = db.session.scalars(select(Sanction).order_by(Sanction.id)).all()
    assert sorted(s.user_id for s in sanctions) == sorted([bob.id, eve.id])
    assert all(s.lifted_at is None for s in sanctions)
    assert len(log("user.silence")) == 2
    assert {f.status for f in db.session.scalars(select(Flag))} == {FlagStatus.UPHELD}


def test_resolve_many_needs_posts(mod, app_ctx):
    with pytest.raises(ValidationFailed) as exc:
        services.resolve_many(mod, [], "hide")
    assert fields(exc) == {"posts"}


@pytest.mark.parametrize("call", ["resolve_post_flags", "resolve_flag", "resolve_many"])
def test_resolving_flags_is_for_moderators(answered, call):
    _, post = answered
    flag = services.flag_post(make_user("carol"), post, "spam")
    member = make_user("eve", reputation=1000)
    with pytest.raises(PermissionDenied):
        if call == "resolve_post_flags":
            services.resolve_post_flags(member, post, "hide")
        elif call == "resolve_flag":
            services.resolve_flag(member, flag, "hide")
        else:
            services.resolve_many(member, [post.id], "hide")
    assert flag.status is FlagStatus.OPEN and not post.is_hidden


def test_flag_queue_lists_flagged_posts_with_their_flags(answered, mod):
    thread, post = answered
    other = reply(make_user("eve"), thread, "Another reply that gets flagged.")
    services.flag_post(make_user("carol"), post, "spam")
    services.flag_post(make_user("dave"), post, "spam")
    services.flag_post(make_user("carol2"), other, "off_topic")
    items, pagination = queries.flag_queue(1, 20)
    assert [(i.post.id, len(i.flags)) for i in items] == [(post.id, 2), (other.id, 1)]
    assert items[0].reasons == {"Spam": 2}
    assert pagination.total == 2


# --- pre-moderation --------------------------------------------------------------------------


@pytest.fixture
def premod(category: Category, mod: User) -> Category:
    services.set_premoderation(mod, category, True)
    return category


def test_set_premoderation_is_audited_once(category, mod):
    assert services.set_premoderation(mod, category, True, reason="Spam wave")
    assert not services.set_premoderation(mod, category, True)
    assert category.premoderate
    [entry] = log()
    assert (entry.action, entry.target_type, entry.target_id, entry.reason) == (
        "category.premoderate_on", "category", category.id, "Spam wave",
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.set_premoderation(make_user("eve"), category, False)


def test_premoderation_holds_a_new_accounts_thread(premod, mod):
    newbie = make_user("newbie")
    thread = ask(newbie, premod)
    opening = community.opening_post(thread)
    assert thread.is_pending and opening.is_pending
    assert opening.pending_reason == "First posts of a new account"
    assert visible_ids() == []
    for viewer in (ANON, make_user("reader")):
        with pytest.raises(NotFound):
            community_queries.get_thread_or_404(thread.id, viewer)
    for viewer in (newbie, mod):
        assert community_queries.get_thread_or_404(thread.id, viewer) is thread
    assert queries.queue_counts()["pending"] == 1
    assert [p.id for p in db.session.scalars(queries.pending_posts())] == [opening.id]


def test_premoderation_holds_a_new_accounts_reply(premod, mod):
    thread = ask(mod, premod)  # moderators are never pre-moderated
    assert not thread.is_pending
    newbie = make_user("newbie")
    post = reply(newbie, thread)
    db.session.refresh(thread)
    assert post.is_pending and post.pending_reason == "First posts of a new account"
    assert thread.reply_count == 0 and thread.last_poster_id == mod.id
    assert page_reply_ids(thread, ANON) == []
    assert page_reply_ids(thread, make_user("reader")) == []
    assert page_reply_ids(thread, newbie) == [post.id]
    assert page_reply_ids(thread, mod) == [post.id]


def test_premoderation_notifies_nobody_until_approval(premod, mod):
    watcher = make_user("watcher")
    community.watch_category(watcher, premod)
    newbie = make_user("newbie")
    thread = ask(newbie, premod)
    assert notifications_for(watcher) == []
    services.review_pending(mod, community.opening_post(thread), "approve")
    assert not thread.is_pending
    assert visible_ids() == [thread.id]
    assert len(notifications_for(watcher, "new_thread")) == 1
    assert len(notifications_for(newbie, "post_reviewed")) == 1


def test_review_pending_approve_counts_and_announces_a_reply(premod, mod):
    alice = make_user("alice", reputation=50)
    thread = ask(mod, premod, title="A question from the moderators")
    community.watch_thread(alice, thread)
    newbie = make_user("newbie")
    post = reply(newbie, thread)
    assert notifications_for(alice) == []
    services.review_pending(mod, post, "approve", reason="Welcome")
    db.session.refresh(thread)
    assert not post.is_pending
    assert thread.reply_count == 1 and thread.last_poster_id == newbie.id
    assert page_reply_ids(thread, ANON) == [post.id]
    assert len(notifications_for(alice, "reply")) == 1
    [notice] = notifications_for(newbie, "post_reviewed")
    assert "approved" in notice.title and notice.body == "Welcome"
    [entry] = log("post.")
    assert (entry.action, entry.actor_id, entry.target_id) == ("post.approve", mod.id, post.id)


def test_review_pending_reject_deletes_the_post_and_its_thread(premod, mod):
    newbie = make_user("newbie")
    thread = ask(newbie, premod)
    opening = community.opening_post(thread)
    services.review_pending(mod, opening, "reject", reason="Spam")
    assert opening.is_deleted and thread.is_deleted
    assert opening.deleted_by_id == mod.id
    assert "not approved" in notifications_for(newbie, "post_reviewed")[0].title
    assert actions("post.") == ["post.reject"]
    with pytest.raises(NotFound):
        community_queries.get_thread_or_404(thread.id, newbie)
    assert queries.queue_counts()["pending"] == 0


def test_review_pending_reject_a_reply_keeps_the_thread(premod, mod):
    thread = ask(mod, premod)
    post = reply(make_user("newbie"), thread)
    services.review_pending(mod, post, "reject")
    db.session.refresh(thread)
    assert post.is_deleted and not thread.is_deleted and thread.reply_count == 0


def test_review_pending_conflicts_on_a_live_post(answered, mod):
    _, post = answered
    with pytest.raises(Conflict):
        services.review_pending(mod, post, "approve")
    assert log() == []


def test_review_pending_is_for_moderators(premod):
    post = community.opening_post(ask(make_user("newbie"), premod))
    with pytest.raises(PermissionDenied):
        services.review_pending(make_user("eve", reputation=500), post, "approve")
    assert post.is_pending


def test_review_pending_many_skips_posts_no_longer_pending(premod, mod):
    thread = ask(mod, premod)
    first = reply(make_user("newbie"), thread)
    second = reply(make_user("other"), thread, "Another answer waiting here.")
    services.review_pending(mod, first, "reject")
    assert services.review_pending_many(mod, [first.id, second.id], "approve") == 1
    assert first.is_deleted and not second.is_pending


def test_premoderation_ends_after_enough_approved_posts(make_app):
    app = make_app(MODERATION_PREMODERATE_POSTS=2)
    with app.app_context():
        mod = make_user("mia", role=Role.MODERATOR)
        category = make_category()
        services.set_premoderation(mod, category, True)
        thread = ask(mod, category)
        newbie = make_user("newbie")
        for n in range(2):
            post = reply(newbie, thread, f"Answer number {n} from the newbie.")
            assert post.is_pending
            services.review_pending(mod, post, "approve")
        third = reply(newbie, thread, "Now I post directly, without waiting.")
        assert not third.is_pending and third.pending_reason == ""


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.STAFF, Role.ADMIN])
def test_premoderation_never_applies_to_moderators(premod, role):
    thread = ask(make_user("boss", role=role), premod)
    assert not thread.is_pending
    assert not community.opening_post(thread).is_pending


def test_premoderation_only_in_premoderated_categories(category):
    thread = ask(make_user("newbie"), category)
    assert not thread.is_pending


# --- watched words ---------------------------------------------------------------------------


@pytest.fixture
def open_thread(category: Category, mod: User) -> Thread:
    return ask(mod, category)


def test_watched_word_block_refuses_the_post(open_thread, mod):
    services.add_watched_word(mod, "Casino", "block")
    before = count(Post)
    with pytest.raises(ValidationFailed) as exc:
        reply(make_user("eve", reputation=50), open_thread, "Try the best CASINO in town.")
    [(field, message)] = exc.value.errors
    assert field == "body" and "casino" in message
    assert count(Post) == before


def test_watched_word_block_screens_thread_titles(category, mod):
    services.add_watched_word(mod, "casino", "block")
    with pytest.raises(ValidationFailed) as exc:
        ask(make_user("eve"), category, title="Casino bonus inside")
    assert fields(exc) == {"body"}
    assert count(Thread) == 0


@pytest.mark.parametrize(
    ("text", "blocked"),
    [("The classic layout is fine.", False), ("Subclass the widget here.", False),
     ("This class is broken.", True), ("A CLASS apart, really.", True),
     ("class: something", True), ("(class)", True)],
)  # fmt: skip
def test_watched_word_matches_whole_words_case_insensitively(open_thread, mod, text, blocked):
    services.add_watched_word(mod, "class", "block")
    author = make_user("eve", reputation=50)
    if blocked:
        with pytest.raises(ValidationFailed):
            reply(author, open_thread, text)
    else:
        assert not reply(author, open_thread, text).is_pending


def test_watched_phrase_matches_across_whitespace(open_thread, mod):
    entry = services.add_watched_word(mod, "  Free   Money ", "block")
    assert entry.word == "free money"
    author = make_user("eve", reputation=50)
    with pytest.raises(ValidationFailed):
        reply(author, open_thread, "Get FREE\n   money right now!")
    reply(author, open_thread, "Free time and money matter.")


def test_watched_word_queue_sends_the_post_to_review(open_thread, mod):
    services.add_watched_word(mod, "crypto", "queue")
    post = reply(make_user("eve", reputation=50), open_thread, "Pay with Crypto, it is easy.")
    db.session.refresh(open_thread)
    assert post.is_pending and post.pending_reason == "Watched words: crypto"
    assert open_thread.reply_count == 0


def test_watched_words_do_not_apply_to_moderators(open_thread, mod):
    services.add_watched_word(mod, "casino", "block")
    services.add_watched_word(mod, "crypto", "queue")
    post = reply(make_user("otto", role=Role.MODERATOR), open_thread, "No casino or crypto.")
    assert not post.is_pending


def test_add_watched_word_duplicate_conflicts(mod, app_ctx):
    services.add_watched_word(mod, "casino", "block")
    with pytest.raises(Conflict):
        services.add_watched_word(mod, " CASINO ", "queue")
    assert count(WatchedWord) == 1


@pytest.mark.parametrize(
    ("word", "action", "field"),
    [("", "block", "word"), ("!!!", "block", "word"), ("x" * 101, "block", "word"),
     ("casino", "ban", "action")],
)  # fmt: skip
def test_add_watched_word_validation(mod, word, action, field):
    with pytest.raises(ValidationFailed) as exc:
        services.add_watched_word(mod, word, action)
    assert fields(exc) == {field}
    assert count(WatchedWord) == 0


def test_remove_watched_word_lets_posts_through_and_is_audited(open_thread, mod):
    entry = services.add_watched_word(mod, "casino", "block")
    entry_id = entry.id
    services.remove_watched_word(mod, entry)
    assert count(WatchedWord) == 0
    reply(make_user("eve", reputation=50), open_thread, "The casino closed last year.")
    added, removed = log()
    assert (added.action, added.target_type, added.target_id, added.target_label) == (
        "word.add", "word", entry_id, "casino",
    )  # fmt: skip
    assert added.details == {"action": "block"} and added.actor_id == mod.id
    assert (removed.action, removed.target_id) == ("word.remove", entry_id)
    assert removed.actor_id == mod.id
    assert [w.word for w in queries.list_watched_words()] == []


def test_watched_words_are_for_moderators(mod, app_ctx):
    eve = make_user("eve")
    with pytest.raises(PermissionDenied):
        services.add_watched_word(eve, "casino", "block")
    entry = services.add_watched_word(mod, "casino", "block")
    with pytest.raises(PermissionDenied):
        services.remove_watched_word(eve, entry)
    assert count(WatchedWord) == 1


# --- actions on threads ----------------------------------------------------------------------


@pytest.fixture
def thread(category: Category) -> Thread:
    return ask(make_user("alice"), category)


def only_entry() -> ModerationAction:
    entries = log()
    assert len(entries) == 1, [e.action for e in entries]
    return entries[0]


def test_lock_stops_member_replies(thread, mod):
    assert services.moderate_thread(mod, thread, "lock", reason="  Heated   debate ")
    assert thread.is_locked and thread.status == "locked"
    with pytest.raises(Conflict):
        reply(make_user("bob"), thread)
    reply(mod, thread, "Moderator note: locked for now.")
    entry = only_entry()
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id, entry.reason) == (
        mod.id, "thread.lock", "thread", thread.id, "Heated debate",
    )  # fmt: skip
    assert entry.target_label == thread.title and entry.target_url == f"/t/{thread.id}"


def test_unlock_lets_members_reply_again(thread, mod):
    services.moderate_thread(mod, thread, "lock")
    assert services.moderate_thread(mod, thread, "unlock", reason="Calmer now")
    assert not thread.is_locked
    reply(make_user("bob"), thread)
    assert actions() == ["thread.lock", "thread.unlock"]


def test_pin_and_unpin(thread, mod, category):
    other = ask(make_user("bob"), category, title="A newer question here")
    services.moderate_thread(mod, thread, "pin")
    assert thread.is_pinned
    ordered = db.session.scalars(
        community_queries.list_threads(ThreadFilter(category_id=category.id))
    ).all()
    assert [t.id for t in ordered] == [thread.id, other.id]
    services.moderate_thread(mod, thread, "unpin")
    assert not thread.is_pinned
    assert actions() == ["thread.pin", "thread.unpin"]


def test_hide_thread_hides_it_from_members(thread, mod):
    services.moderate_thread(mod, thread, "hide", reason="Doxxing")
    assert thread.is_hidden and community.opening_post(thread).is_hidden
    assert thread.id not in visible_ids()
    for viewer in (ANON, make_user("reader"), thread.author):
        with pytest.raises(NotFound):
            community_queries.get_thread_or_404(thread.id, viewer)
    assert community_queries.get_thread_or_404(thread.id, mod) is thread
    services.moderate_thread(mod, thread, "unhide")
    assert not thread.is_hidden and not community.opening_post(thread).is_hidden
    assert thread.id in visible_ids()


@pytest.mark.parametrize("action", ["lock", "pin", "hide", "unlock", "unpin", "unhide"])
def test_moderate_thread_repeated_changes_and_logs_nothing(thread, mod, action):
    if action.startswith("un"):
        services.moderate_thread(mod, thread, action.removeprefix("un"))
    services.moderate_thread(mod, thread, action, reason="first")
    before = log()
    assert not services.moderate_thread(mod, thread, action, reason="again")
    assert log() == before
    assert before[-1].action == f"thread.{action}" and before[-1].reason == "first"


def test_moderate_thread_validation_and_permissions(thread, mod):
    with pytest.raises(ValidationFailed) as exc:
        services.moderate_thread(mod, thread, "explode")
    assert fields(exc) == {"action"}
    with pytest.raises(ValidationFailed) as exc:
        services.moderate_thread(mod, thread, "lock", reason="x" * 501)
    assert fields(exc) == {"reason"}
    with pytest.raises(PermissionDenied):
        services.moderate_thread(make_user("eve", reputation=1000), thread, "lock")
    assert not thread.is_locked and log() == []


def test_moderate_post_hide_and_unhide(answered, mod):
    thread, post = answered
    assert services.moderate_post(mod, post, "hide", reason="Rude")
    db.session.refresh(thread)
    assert post.is_hidden and thread.reply_count == 0
    assert page_reply_ids(thread, make_user("reader")) == []
    assert page_reply_ids(thread, mod) == [post.id]
    assert not services.moderate_post(mod, post, "hide")
    assert services.moderate_post(mod, post, "unhide")
    db.session.refresh(thread)
    assert thread.reply_count == 1
    assert actions() == ["post.hide", "post.unhide"]


def test_move_thread_changes_category(thread, mod, category):
    target = make_category("Printers", slug="printers")
    services.move_thread(mod, thread, target.id, reason="Belongs there")
    assert thread.category_id == target.id and thread.category is target
    entry = only_entry()
    assert (entry.action, entry.target_id) == ("thread.move", thread.id)
    assert entry.reason == "Belongs there"
    assert entry.details == {"from": "troubleshooting", "to": "printers"}


@pytest.mark.parametrize("where", ["same", "missing"])
def test_move_thread_to_same_or_missing_category_fails(thread, mod, category, where):
    with pytest.raises(ValidationFailed) as exc:
        services.move_thread(mod, thread, category.id if where == "same" else 9999)
    assert fields(exc) == {"category"}
    assert thread.category_id == category.id and log() == []


def test_close_as_duplicate_of_thread_locks_and_shows_a_banner(thread, mod, category):
    canonical = ask(make_user("bob"), category, title="The original E42 question")
    services.close_as_duplicate(mod, thread, thread_id=canonical.id, reason="Asked before")
    assert thread.is_locked and thread.is_closed_as_duplicate
    assert thread.duplicate_of_thread_id == canonical.id
    [banner] = thread_banners(thread)
    assert (banner.kind, banner.title, banner.url, banner.data) == (
        "duplicate", canonical.title, f"/t/{canonical.id}", {"thread_id": canonical.id},
    )  # fmt: skip
    entry = only_entry()
    assert (entry.action, entry.target_id, entry.reason) == (
        "thread.close_duplicate", thread.id, "Asked before",
    )  # fmt: skip
    assert entry.details == {"duplicate_of_thread": canonical.id, "duplicate_of_article": None}


@pytest.fixture
def section(staff: User) -> Any:
    return kb.create_section(staff, "Printing")


def write_article(staff: User, section: Any, *, publish: bool) -> Article:
    article = kb.create_article(
        staff,
        kb.ArticleDraft(
            section_id=section.id, title="Fix error E42", body="Clean the paper sensor, then retry."
        ),
    )
    if publish:
        kb.publish_article(staff, article)
    return article


def test_close_as_duplicate_of_published_article(thread, mod, staff, section):
    article = write_article(staff, section, publish=True)
    services.close_as_duplicate(mod, thread, article_id=article.id)
    assert thread.is_locked and thread.duplicate_of_article_id == article.id
    [banner] = thread_banners(thread)
    assert (banner.kind, banner.title, banner.data) == (
        "duplicate", "Fix error E42", {"article_id": article.id},
    )  # fmt: skip
    assert actions("thread.") == ["thread.close_duplicate"]


def test_close_as_duplicate_of_unpublished_article_fails(thread, mod, staff, section):
    article = write_article(staff, section, publish=False)
    with pytest.raises(ValidationFailed) as exc:
        services.close_as_duplicate(mod, thread, article_id=article.id)
    assert fields(exc) == {"duplicate_of"}
    assert not thread.is_locked and thread.duplicate_of_article_id is None
    assert log() == []


def test_close_as_duplicate_twice_changes_and_logs_nothing(thread, mod, category):
    canonical = ask(make_user("bob"), category, title="The original E42 question")
    services.close_as_duplicate(mod, thread, thread_id=canonical.id, reason="Asked before")
    services.close_as_duplicate(mod, thread, thread_id=canonical.id, reason="Again")
    assert only_entry().reason == "Asked before"
    # Unlocked by hand, the same closure locks it again (a change, so it is logged).
    services.moderate_thread(mod, thread, "unlock")
    services.close_as_duplicate(mod, thread, thread_id=canonical.id, reason="Relock")
    assert thread.is_locked
    assert actions() == ["thread.close_duplicate", "thread.unlock", "thread.close_duplicate"]


@pytest.mark.parametrize("target", ["itself", "neither", "both", "missing", "hidden"])
def test_close_as_duplicate_needs_one_live_target(thread, mod, staff, section, category, target):
    other = ask(make_user("bob"), category, title="Another printer question")
    article = write_article(staff, section, publish=True)
    kwargs: dict[str, Any] = {
        "itself": {"thread_id": thread.id},
        "neither": {},
        "both": {"thread_id": other.id, "article_id": article.id},
        "missing": {"thread_id": 9999},
        "hidden": {"thread_id": other.id},
    }[target]
    if target == "hidden":
        services.moderate_thread(mod, other, "hide")
    with pytest.raises(ValidationFailed) as exc:
        services.close_as_duplicate(mod, thread, **kwargs)
    assert fields(exc) == {"duplicate_of"}
    assert not thread.is_locked and not thread.is_closed_as_duplicate
    assert actions("thread.close") == []


def test_reopen_thread_undoes_a_duplicate_closure(thread, mod, category):
    canonical = ask(make_user("bob"), category, title="The original E42 question")
    services.close_as_duplicate(mod, thread, thread_id=canonical.id)
    services.reopen_thread(mod, thread, reason="Different printer model")
    assert not thread.is_locked and not thread.is_closed_as_duplicate
    assert thread_banners(thread) == []
    assert actions() == ["thread.close_duplicate", "thread.reopen"]
    assert log()[-1].reason == "Different printer model"
    with pytest.raises(Conflict):
        services.reopen_thread(mod, thread)
    assert len(log()) == 2


@pytest.fixture
def merge_pair(category: Category) -> tuple[Thread, Thread]:
    """target: alice's question with dave's answer; source (newer): bob's question, carol's
    accepted answer, and erin watching."""
    alice, bob, carol, dave = (make_user(n) for n in ("alice", "bob", "carol", "dave"))
    target = ask(alice, category, title="Printer error E42 after update")
    reply(dave, target, "Update the firmware to version 2.2.")
    source = ask(bob, category, title="E42 on my office printer", body="E42 again, any idea?")
    accepted = reply(carol, source)
    community.accept_answer(bob, source, accepted)
    community.watch_thread(make_user("erin"), source)
    return source, target


def watcher_ids(thread: Thread) -> set[int]:
    return set(
        db.session.scalars(select(ThreadWatch.user_id).where(ThreadWatch.thread_id == thread.id))
    )


def test_merge_threads_moves_posts_and_recounts(merge_pair, mod):
    source, target = merge_pair
    source_id, target_id = source.id, target.id
    source_posts = list(db.session.scalars(source.posts.select().order_by(Post.id)))
    source_watchers = watcher_ids(source)
    accepted_id = source.accepted_post_id
    services.merge_threads(mod, source, target, reason="Same problem")
    posts = list(db.session.scalars(select(Post).where(Post.thread_id == target_id)))
    assert {p.id for p in source_posts} <= {p.id for p in posts}
    assert [p.is_opening for p in posts].count(True) == 1
    assert community.opening_post(target).author.username == "alice"
    assert target.reply_count == 3
    latest = max(posts, key=lambda p: (p.created_at, p.id))
    assert (target.last_activity_at, target.last_poster_id) == (latest.created_at, latest.author_id)
    assert source_watchers <= watcher_ids(target)
    assert target.accepted_post_id == accepted_id and target.is_solved
    assert source.merged_into_id == target_id and source.is_deleted
    assert source.accepted_post_id is None and source.reply_count == 0
    carol = db.session.scalar(select(User).where(User.username == "carol"))
    assert carol is not None and carol.reputation == 15  # the accepted answer kept its credit
    entry = only_entry()
    assert (entry.action, entry.target_type, entry.target_id, entry.reason) == (
        "thread.merge", "thread", target_id, "Same problem",
    )  # fmt: skip
    assert entry.details == {"merged_thread": source_id, "title": "E42 on my office printer"}


def test_merge_threads_into_a_solved_thread_drops_the_sources_accepted_answer(merge_pair, mod):
    source, target = merge_pair
    answer = reply(make_user("fred"), target, "Replace the paper sensor.")
    community.accept_answer(target.author, target, answer)
    services.merge_threads(mod, source, target)
    assert target.accepted_post_id == answer.id
    carol = db.session.scalar(select(User).where(User.username == "carol"))
    assert carol is not None and carol.reputation == 0


@pytest.mark.parametrize("into", ["itself", "merged thread"])
def test_merge_threads_invalid_target(merge_pair, mod, category, into):
    source, target = merge_pair
    if into == "itself":
        destination = source
    else:
        services.merge_threads(mod, target, ask(make_user("gina"), category, title="A third one"))
        destination = target
    before = len(log())
    with pytest.raises(ValidationFailed) as exc:
        services.merge_threads(mod, source, destination)
    assert fields(exc) == {"target"}
    assert source.merged_into_id is None and not source.is_deleted
    assert len(log()) == before


def test_merge_threads_twice_conflicts(merge_pair, mod, category):
    source, target = merge_pair
    services.merge_threads(mod, source, target)
    other = ask(make_user("gina"), category, title="A third printer question")
    with pytest.raises(Conflict):
        services.merge_threads(mod, source, other)
    assert source.merged_into_id == target.id
    assert actions() == ["thread.merge"]


def test_merge_threads_is_for_moderators(merge_pair):
    source, target = merge_pair
    with pytest.raises(PermissionDenied):
        services.merge_threads(make_user("eve"), source, target)
    assert source.merged_into_id is None


# --- people: silence, suspension, notes ------------------------------------------------------


@pytest.fixture
def member(app_ctx: Flask) -> User:
    return make_user("bob")


def test_silence_user_stops_posting_with_reason_and_date(thread, mod, member):
    own = reply(member, thread, "Something I wrote before the silence.")
    sanction = services.silence_user(mod, member, reason="Repeated insults", days=3)
    assert member.silenced_until == sanction.ends_at and member.is_silenced
    assert member.silence_reason == "Repeated insults"
    assert (sanction.kind, sanction.user_id, sanction.created_by_id) == (
        SanctionKind.SILENCE, member.id, mod.id,
    )  # fmt: skip
    date = sanction.ends_at.strftime("%Y-%m-%d")
    with pytest.raises(PermissionDenied) as exc:
        reply(member, thread, "Let me say one more thing.")
    assert "Repeated insults" in exc.value.message and date in exc.value.message
    with pytest.raises(PermissionDenied) as exc:
        ask(member, thread.category, title="A new thread while silenced")
    assert "Repeated insults" in exc.value.message
    with pytest.raises(PermissionDenied):
        community.edit_post(member, own, "Editing while silenced is refused too.")
    [notice] = notifications_for(member, "user_silence")
    assert date in notice.title and "Repeated insults" in notice.body
    entry = only_entry()
    assert (entry.action, entry.target_type, entry.target_id, entry.reason) == (
        "user.silence", "user", member.id, "Repeated insults",
    )  # fmt: skip
    assert entry.details == {"until": sanction.ends_at.isoformat()}


def test_silenced_user_cannot_vote(thread, mod, member):
    services.silence_user(mod, member, reason="Cool down", days=1)
    with pytest.raises(PermissionDenied):
        community.vote(member, community.opening_post(thread), -1)
    db.session.refresh(thread)
    assert thread.score == 0


def test_silenced_user_can_still_sign_in(mod, member):
    services.silence_user(mod, member, reason="Cool down", days=1)
    assert accounts.authenticate("bob", PASSWORD) is member


def test_silence_user_until_a_given_time(mod, member):
    until = utcnow() + timedelta(hours=5)
    sanction = services.silence_user(mod, member, reason="Cool down", until=until)
    assert sanction.ends_at == until and member.silenced_until == until


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"reason": "", "days": 1}, "reason"), ({"reason": "   ", "days": 1}, "reason"),
     ({"reason": "x" * 501, "days": 1}, "reason"), ({"reason": "Spam"}, "days"),
     ({"reason": "Spam", "days": 0}, "days"), ({"reason": "Spam", "days": 3651}, "days"),
     ({"reason": "Spam", "until": "past"}, "until"),
     ({"reason": "Spam", "until": "too far"}, "until")],
)  # fmt: skip
def test_silence_user_validation(mod, member, kwargs, field):
    if kwargs.get("until") == "past":
        kwargs = kwargs | {"until": utcnow() - timedelta(minutes=1)}
    elif kwargs.get("until") == "too far":
        kwargs = kwargs | {"until": utcnow() + timedelta(days=3651)}
    with pytest.raises(ValidationFailed) as exc:
        services.silence_user(mod, member, **kwargs)
    assert fields(exc) == {field}
    assert member.silenced_until is None and count(Sanction) == 0 and log() == []


def test_silence_user_boundaries_are_allowed(mod, member):
    services.silence_user(mod, member, reason="Short", days=1)
    services.silence_user(mod, member, reason="Long", days=3650)
    assert member.silence_reason == "Long"


def test_suspend_user_locks_the_account(mod, member, mailbox):
    issued = accounts.issue_api_token("bob", PASSWORD)
    assert accounts.find_api_token(issued.token) is not None
    generation = member.session_generation
    session_id = member.get_id()
    sanction = services.suspend_user(mod, member, reason="Ban evasion", days=7)
    db.session.refresh(member)
    assert member.is_suspended and member.suspended_until == sanction.ends_at
    assert member.session_generation == generation + 1
    with pytest.raises(ValidationFailed) as exc:
        accounts.authenticate("bob", PASSWORD)
    [(field, message)] = exc.value.errors
    assert field == "login" and "Ban evasion" in message
    assert sanction.ends_at.strftime("%Y-%m-%d") in message
    assert accounts.find_api_token(issued.token) is None
    assert load_user(session_id) is None
    assert load_user(member.get_id()) is None  # even with the current generation
    [mail] = mailbox.messages
    assert mail["To"] == member.email and "suspended" in mail["Subject"]
    assert "Ban evasion" in mail.get_content()
    assert actions() == ["user.suspend"]


def test_lift_silence_lets_the_user_post_again(thread, mod, member):
    sanction = services.silence_user(mod, member, reason="Cool down", days=3)
    services.lift_sanction(mod, sanction, reason="Apologised")
    assert sanction.lifted_at is not None and sanction.lifted_by_id == mod.id
    assert member.silenced_until is None and member.silence_reason == ""
    reply(member, thread, "Sorry everyone, back to printers.")
    assert len(notifications_for(member, "sanction_lifted")) == 1
    assert actions() == ["user.silence", "user.unsilence"]
    assert log()[-1].reason == "Apologised"
    with pytest.raises(Conflict):
        services.lift_sanction(mod, sanction)


def test_lift_suspension_lets_the_user_sign_in(mod, member, mailbox):
    sanction = services.suspend_user(mod, member, reason="Ban evasion", days=7)
    services.lift_sanction(mod, sanction)
    assert member.suspended_until is None and not member.is_suspended
    assert accounts.authenticate("bob", PASSWORD) is member
    assert load_user(member.get_id()) is member
    assert actions() == ["user.suspend", "user.unsuspend"]


def test_new_sanction_replaces_the_active_one_of_the_same_kind(mod, member, mailbox):
    first = services.silence_user(mod, member, reason="First", days=3)
    suspension = services.suspend_user(mod, member, reason="Separate matter", days=1)
    second = services.silence_user(mod, member, reason="Second", days=10)
    assert first.lifted_at is not None and first.lifted_by_id == mod.id
    assert second.lifted_at is None and suspension.lifted_at is None
    assert member.silenced_until == second.ends_at and member.silence_reason == "Second"
    record = queries.user_record(member)
    assert {s.id for s in record.active} == {second.id, suspension.id}
    assert [s.id for s in record.sanctions][:1] == [second.id]


@pytest.mark.parametrize(
    ("actor_role", "target_role", "allowed"),
    [(Role.MODERATOR, Role.MEMBER, True), (Role.MODERATOR, Role.MODERATOR, False),
     (Role.MODERATOR, Role.STAFF, False), (Role.MODERATOR, Role.ADMIN, False),
     (Role.STAFF, Role.MODERATOR, True), (Role.ADMIN, Role.MODERATOR, True),
     (Role.ADMIN, Role.STAFF, True), (Role.MEMBER, Role.MEMBER, False)],
)  # fmt: skip
def test_silence_user_respects_rank(app_ctx, actor_role, target_role, allowed):
    actor, target = make_user("actor", role=actor_role), make_user("target", role=target_role)
    if allowed:
        services.silence_user(actor, target, reason="Rank test", days=1)
        assert target.is_silenced
    else:
        with pytest.raises(PermissionDenied):
            services.silence_user(actor, target, reason="Rank test", days=1)
        assert not target.is_silenced and count(Sanction) == 0


def test_nobody_sanctions_themselves(app_ctx):
    admin = make_user("root", role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.suspend_user(admin, admin, reason="Oops", days=1)


def test_lift_sanction_needs_rank(mod, member):
    sanction = services.silence_user(mod, member, reason="Cool down", days=3)
    with pytest.raises(PermissionDenied):
        services.lift_sanction(member, sanction)
    assert sanction.lifted_at is None


def test_add_user_note_is_private_to_the_user_record(mod, member):
    note = services.add_user_note(mod, member, "  Warned by email about self-promotion.  ")
    assert note.body == "Warned by email about self-promotion." and note.author_id == mod.id
    record = queries.user_record(member)
    assert [n.body for n in record.notes] == [note.body]
    entry = only_entry()
    assert (entry.action, entry.target_id, entry.reason, entry.details) == (
        "user.note", member.id, "", {},
    )  # fmt: skip
    assert queries.user_record(mod).notes == []


def test_add_user_note_is_for_moderators(mod, member):
    with pytest.raises(PermissionDenied):
        services.add_user_note(make_user("eve", reputation=1000), member, "I do not like bob.")
    with pytest.raises(ValidationFailed) as exc:
        services.add_user_note(mod, member, "   ")
    assert fields(exc) == {"body"}
    assert queries.user_record(member).notes == [] and log() == []


def test_user_record_counts_flags_and_hidden_posts(answered, mod):
    _, post = answered
    services.flag_post(make_user("carol"), post, "spam")
    services.flag_post(make_user("dave"), post, "spam")
    services.resolve_post_flags(mod, post, "hide")
    record = queries.user_record(post.author)
    assert (record.flags_received, record.flags_upheld, record.hidden_posts) == (2, 2, 1)


# --- promotion to the KB ---------------------------------------------------------------------


@pytest.fixture
def solved(category: Category) -> tuple[Thread, Post]:
    """alice's question, bob's accepted answer; dave watches the thread."""
    alice, bob = make_user("alice"), make_user("bob")
    thread = ask(alice, category)
    answer = reply(bob, thread)
    community.accept_answer(alice, thread, answer)
    community.watch_thread(make_user("dave"), thread)
    return thread, answer


def test_promote_post_creates_a_credited_kb_draft(solved, mod, section):
    thread, answer = solved
    result = services.promote_post(mod, answer, section_id=section.id)
    article = result.article
    assert result.created
    assert article.status == ArticleStatus.DRAFT and article.section_id == section.id
    assert article.title == thread.title
    assert article.draft_revision.body_source == answer.body_source
    assert article.credited_user_id == answer.author_id
    assert (article.source_kind, article.source_title, article.source_url) == (
        "community answer", thread.title, f"/t/{thread.id}/p/{answer.id}",
    )  # fmt: skip
    promotion = db.session.scalars(select(Promotion)).one()
    assert (promotion.post_id, promotion.thread_id, promotion.article_id) == (
        answer.id, thread.id, article.id,
    )  # fmt: skip
    assert (promotion.credited_user_id, promotion.promoted_by_id) == (answer.author_id, mod.id)
    assert promotion.published_at is None
    entry = only_entry()
    assert (entry.action, entry.actor_id, entry.target_type, entry.target_id) == (
        "post.promote", mod.id, "post", answer.id,
    )  # fmt: skip
    assert entry.details == {"article_id": article.id, "article_title": thread.title}
    assert thread_banners(thread) == []  # a draft is not official yet


def test_promote_post_with_an_edited_title_and_body(solved, mod, section):
    _, answer = solved
    article = services.promote_post(
        mod, answer, section_id=section.id, title="Fix printer error E42",
        body="1. Clean the paper sensor.\n2. Power-cycle the printer.", labels=["printers"],
    ).article  # fmt: skip
    assert article.title == "Fix printer error E42"
    assert article.draft_revision.body_source.startswith("1. Clean")
    assert [label.name for label in article.labels] == ["printers"]


def test_promote_post_opening_post_of_a_howto(category, mod, section):
    thread = ask(
        make_user("alice"), category, kind="howto", title="How to clear error E42 for good",
        body="Step one: open the tray. Step two: clean the sensor.",
    )  # fmt: skip
    article = services.promote_post(
        mod, community.opening_post(thread), section_id=section.id
    ).article
    assert article.source_kind == "community how-to"
    assert article.source_url == f"/t/{thread.id}"


def test_promote_post_again_returns_the_same_article(solved, mod, staff, section):
    _, answer = solved
    first = services.promote_post(mod, answer, section_id=section.id)
    again = services.promote_post(staff, answer, section_id=section.id, title="Another title")
    assert not again.created and again.article.id == first.article.id
    assert count(Promotion) == 1 and count(Article) == 1
    assert actions() == ["post.promote"]


def test_promote_post_is_for_moderators(solved, section):
    _, answer = solved
    with pytest.raises(PermissionDenied):
        services.promote_post(make_user("eve", reputation=1000), answer, section_id=section.id)
    assert count(Article) == 0 and count(Promotion) == 0


@pytest.mark.parametrize("state", ["hidden", "deleted", "pending"])
def test_promote_post_needs_a_live_post(category, mod, section, state):
    thread = ask(mod, category)
    if state == "pending":
        services.set_premoderation(mod, category, True)
    answer = reply(make_user("bob"), thread)
    if state == "hidden":
        services.moderate_post(mod, answer, "hide")
    else:
        community.delete_post(answer.author, answer)
    with pytest.raises(PermissionDenied):
        services.promote_post(mod, answer, section_id=section.id)
    assert count(Article) == 0


def test_promote_post_validation_saves_nothing(solved, mod, section):
    _, answer = solved
    with pytest.raises(ValidationFailed) as exc:
        services.promote_post(mod, answer, section_id=section.id, body="Too short")
    assert fields(exc) == {"body"}
    assert count(Article) == 0 and count(Promotion) == 0 and log() == []


def test_publishing_a_promoted_article_credits_the_author_once(solved, mod, staff, section):
    thread, answer = solved
    bob, alice = answer.author, thread.author
    dave = db.session.scalar(select(User).where(User.username == "dave"))
    assert dave is not None
    article = services.promote_post(mod, answer, section_id=section.id).article
    kb.publish_article(staff, article)
    promotion = db.session.scalars(select(Promotion)).one()
    assert promotion.published_at is not None
    db.session.refresh(bob)
    assert bob.reputation == 15 + 25  # accepted answer + promoted
    [credit] = notifications_for(bob, "promoted")
    assert credit.url == kb.article_path(article)
    assert notifications_for(bob, "promoted_thread") == []
    for watcher in (alice, dave):
        assert len(notifications_for(watcher, "promoted_thread")) == 1
    assert notifications_for(staff, "promoted_thread") == []
    [banner] = thread_banners(thread)
    assert (banner.kind, banner.data, banner.url) == (
        "official_article", {"article_id": article.id}, kb.article_path(article),
    )  # fmt: skip
    assert actions("article.") == ["article.publish"]
    # An edit published later gives no second credit.
    first_published = promotion.published_at
    kb.edit_article(staff, article, body=answer.body_source + "\n\nAlso check the firmware.")
    kb.publish_article(staff, article)
    db.session.refresh(bob)
    assert bob.reputation == 40 and promotion.published_at == first_published
    assert len(notifications_for(bob, "promoted")) == 1
    assert len(notifications_for(dave, "promoted_thread")) == 1
    assert actions("article.") == ["article.publish", "article.publish"]


def test_archiving_a_promoted_article_removes_the_banner(solved, mod, staff, section):
    thread, answer = solved
    article = services.promote_post(mod, answer, section_id=section.id).article
    kb.publish_article(staff, article)
    kb.archive_article(staff, article, note="Printer discontinued")
    assert thread_banners(thread) == []
    assert actions("article.") == ["article.publish", "article.archive"]
    # Republishing brings the banner back, without crediting again.
    kb.publish_article(staff, article)
    assert [b.kind for b in thread_banners(thread)] == ["official_article"]
    db.session.refresh(answer.author)
    assert answer.author.reputation == 40


@pytest.mark.parametrize("fate", ["hidden", "deleted", "thread hidden"])
def test_promoted_article_outlives_its_source_post(solved, mod, staff, section, fate):
    thread, answer = solved
    article = services.promote_post(mod, answer, section_id=section.id).article
    kb.publish_article(staff, article)
    if fate == "hidden":
        services.moderate_post(mod, answer, "hide")
    elif fate == "deleted":
        community.delete_post(mod, answer)
    else:
        services.moderate_thread(mod, thread, "hide")
    db.session.expire_all()
    lookup = kb_queries.find_article_or_404(article.slug, None)
    assert lookup.article.id == article.id
    assert lookup.article.status == ArticleStatus.PUBLISHED
    assert kb_queries.reader_revision(lookup.article, None) is not None
    assert (lookup.article.credited_user_id, lookup.article.source_url) == (
        answer.author_id, f"/t/{thread.id}/p/{answer.id}",
    )  # fmt: skip
    assert count(Promotion) == 1


def test_promoted_answer_credit_follows_a_merge(solved, mod, staff, section, category):
    thread, answer = solved
    article = services.promote_post(mod, answer, section_id=section.id).article
    target = ask(make_user("gina"), category, title="The canonical E42 thread")
    services.merge_threads(mod, thread, target)
    kb.publish_article(staff, article)
    assert [b.kind for b in thread_banners(target)] == ["official_article"]
    gina = target.author
    assert len(notifications_for(gina, "promoted_thread")) == 1


# --- the audit log ---------------------------------------------------------------------------


@pytest.fixture
def history(strict: Flask) -> dict[str, Any]:
    """A small log: mia locks a thread and silences bob; flags auto-hide a post; otto hides
    another post."""
    mia = make_user("mia", role=Role.MODERATOR)
    otto = make_user("otto", role=Role.MODERATOR)
    thread, post = _answered_in(strict)
    other = reply(make_user("carl"), thread, "A rude reply that otto hides.")
    services.moderate_thread(mia, thread, "lock")
    for name in ("f1", "f2", "f3"):
        services.flag_post(make_user(name, reputation=20), post, "spam")
    services.moderate_post(otto, other, "hide")
    services.silence_user(mia, post.author, reason="Spam", days=1)
    return {"mia": mia, "otto": otto, "thread": thread, "post": post, "other": other}


def audit(**filters: Any) -> list[str]:
    return [e.action for e in db.session.scalars(queries.audit_log(AuditFilter(**filters)))]


def test_audit_log_newest_first(history):
    assert audit() == ["user.silence", "post.hide", "post.auto_hide", "thread.lock"]
    assert queries.audit_action_names() == [
        "post.auto_hide", "post.hide", "thread.lock", "user.silence",
    ]  # fmt: skip


def test_audit_log_by_actor_username(history):
    assert audit(actor="MIA") == ["user.silence", "thread.lock"]
    assert audit(actor="otto") == ["post.hide"]
    assert audit(actor="nobody") == []


def test_audit_log_system_actions(history):
    assert audit(actor="system") == ["post.auto_hide"]


@pytest.mark.parametrize(
    ("action", "expected"),
    [("post", ["post.hide", "post.auto_hide"]), ("post.", ["post.hide", "post.auto_hide"]),
     ("post.hide", ["post.hide"]), ("pos", []), ("user", ["user.silence"]), ("%", []),
     ("thread.lock", ["thread.lock"])],
)  # fmt: skip
def test_audit_log_by_action_prefix(history, action, expected):
    assert audit(action=action) == expected


def test_audit_log_by_target(history):
    post, thread = history["post"], history["thread"]
    assert audit(target_type="post") == ["post.hide", "post.auto_hide"]
    assert audit(target_type="post", target_id=post.id) == ["post.auto_hide"]
    assert audit(target_type="thread", target_id=thread.id) == ["thread.lock"]
    assert audit(target_type="user", target_id=post.author_id) == ["user.silence"]


def test_audit_log_by_date_range(history):
    now = utcnow()
    lock = db.session.scalars(
        select(ModerationAction).where(ModerationAction.action == "thread.lock")
    ).one()
    # Backdate one entry (as if logged three days ago) to filter on it.
    db.session.execute(
        update(ModerationAction)
        .where(ModerationAction.id == lock.id)
        .values(created_at=now - timedelta(days=3))
    )
    db.session.commit()
    assert audit(since=now - timedelta(days=1)) == ["user.silence", "post.hide", "post.auto_hide"]
    assert audit(until=now - timedelta(days=1)) == ["thread.lock"]
    assert audit(since=now - timedelta(days=4), until=now - timedelta(days=2)) == ["thread.lock"]
    assert audit(since=now + timedelta(minutes=1)) == []


@pytest.fixture
def statements(app_ctx: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app runs while the test does."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()).lower())

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def test_no_service_updates_or_deletes_audit_entries(statements, category, mod, staff, section):
    """Run every kind of moderation action, then check the log was only ever appended to."""
    bob, carol = make_user("bob"), make_user("carol")
    thread = ask(make_user("alice"), category)
    answer = reply(bob, thread)
    services.flag_post(carol, answer, "spam")
    services.resolve_post_flags(mod, answer, "dismiss")
    services.flag_post(carol, answer, "spam")
    services.resolve_post_flags(mod, answer, "hide_and_silence", silence_days=1)
    services.moderate_post(mod, answer, "unhide")
    for action in ("lock", "unlock", "pin", "unpin", "hide", "unhide"):
        services.moderate_thread(mod, thread, action)
    services.move_thread(mod, thread, make_category().id)
    other = ask(make_user("dave"), category, title="Another printer question")
    services.close_as_duplicate(mod, other, thread_id=thread.id)
    services.reopen_thread(mod, other)
    services.merge_threads(mod, other, thread)
    sanction = db.session.scalars(select(Sanction)).one()
    services.lift_sanction(mod, sanction)
    services.suspend_user(mod, carol, reason="Testing", days=1)
    services.add_user_note(mod, carol, "A note.")
    word = services.add_watched_word(mod, "casino", "queue")
    services.remove_watched_word(mod, word)
    services.set_premoderation(mod, category, True)
    article = services.promote_post(mod, answer, section_id=section.id).article
    kb.publish_article(staff, article)
    kb.archive_article(staff, article)
    assert len(log()) == 24
    assert any(s.startswith("insert into moderation_actions") for s in statements)
    touching = [
        s for s in statements
        if s.startswith(("update moderation_actions", "delete from moderation_actions"))
    ]  # fmt: skip
    assert touching == []
