"""Community use cases against a real database: threads, replies, edits, votes, accepts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum_kb.accounts.models import Role, User
from forum_kb.community import services
from forum_kb.community.models import Post, PostRevision, Tag, Thread, ThreadWatch
from forum_kb.community.services import NewThread
from forum_kb.errors import Conflict, PermissionDenied, RateLimited, ValidationFailed
from forum_kb.extensions import db
from forum_kb.notifications.models import Notification
from tests.factories import make_category, make_user

BODY = "My printer shows error E42 after the update. What does it mean?"


@pytest.fixture
def category(app_ctx):
    return make_category("Troubleshooting", slug="troubleshooting")


def ask(author: User, category, **overrides) -> Thread:
    data = {
        "category_id": category.id,
        "kind": "question",
        "title": "Printer shows error E42",
        "body": BODY,
        "tags": ["printing"],
    } | overrides
    return services.create_thread(author, NewThread(**data))


def fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return {field for field, _ in exc.value.errors}


def notifications_for(user: User, kind: str | None = None) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt))


# --- threads ---------------------------------------------------------------------------------


def test_create_thread_stores_opening_post_revision_tags_and_watch(category):
    alice = make_user("alice")
    thread = ask(
        alice, category, title="  Printer   shows error E42 ", tags=["Printing", "#e42", "printing"]
    )
    assert thread.title == "Printer shows error E42"
    assert [t.name for t in thread.tags] == ["e42", "printing"]
    opening = services.opening_post(thread)
    assert opening.is_opening and opening.body_source == BODY
    assert "<p>My printer" in opening.body_html
    revision = db.session.scalars(select(PostRevision)).one()
    assert (revision.number, revision.title) == (1, thread.title)
    assert db.session.get(ThreadWatch, (alice.id, thread.id)) is not None
    assert thread.status == "open" and thread.reply_count == 0


def test_create_thread_sanitizes_markdown(category):
    thread = ask(
        make_user(), category, body="Hello <script>alert(1)</script> [x](javascript:alert(1))"
    )
    html = services.opening_post(thread).body_html
    assert "<script" not in html and "javascript:" not in html


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "Short"}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"body": "too short"}, "body"),
        ({"kind": "rant"}, "kind"),
        ({"category_id": 9999}, "category"),
        ({"tags": ["a", "b", "c", "d", "e", "f"]}, "tags"),
        ({"tags": ["no spaces allowed!"]}, "tags"),
        ({"tags": ["x" * 31]}, "tags"),
    ],
)
def test_create_thread_validation_saves_nothing(category, overrides, field):
    with pytest.raises(ValidationFailed) as exc:
        ask(make_user(), category, **overrides)
    assert field in fields(exc)
    assert db.session.scalar(select(func.count()).select_from(Thread)) == 0
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 0


def test_suspended_user_cannot_post(category):
    with pytest.raises(PermissionDenied):
        ask(make_user(is_active=False), category)


def test_record_view_counts(category):
    thread = ask(make_user(), category)
    services.record_view(thread)
    services.record_view(thread)
    db.session.refresh(thread)
    assert thread.view_count == 2


def test_retag_by_author_and_not_by_others(category):
    alice = make_user("alice")
    thread = ask(alice, category)
    services.retag_thread(alice, thread, ["billing", "invoices"])
    assert [t.name for t in thread.tags] == ["billing", "invoices"]
    with pytest.raises(PermissionDenied):
        services.retag_thread(make_user("eve"), thread, ["spam"])


# --- replies ---------------------------------------------------------------------------------


def test_reply_updates_counters_and_watches(category):
    alice, bob = make_user("alice"), make_user("bob")
    thread = ask(alice, category)
    post = services.reply_to_thread(bob, thread, "Power-cycle it; E42 is a paper-path error.")
    db.session.refresh(thread)
    assert thread.reply_count == 1
    assert thread.last_poster_id == bob.id
    assert not post.is_opening
    assert db.session.get(ThreadWatch, (bob.id, thread.id)) is not None


def test_reply_notifies_watchers_but_not_the_replier(category):
    alice, bob = make_user("alice"), make_user("bob")
    thread = ask(alice, category)
    services.reply_to_thread(bob, thread, "Power-cycle it; E42 is a paper-path error.")
    assert len(notifications_for(alice, "reply")) == 1
    assert notifications_for(bob) == []


def test_mentions_link_and_notify_existing_users_only(category):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    thread = ask(alice, category)
    post = services.reply_to_thread(
        bob, thread, "@carol have you seen this? Also @nobody and `@alice` in code."
    )
    assert 'href="/u/carol"' in post.body_html
    assert "/u/nobody" not in post.body_html
    assert len(notifications_for(carol, "mention")) == 1
    # alice is a watcher (reply notice), but the mention in code does not count.
    assert notifications_for(alice, "mention") == []
    assert len(notifications_for(alice, "reply")) == 1


def test_category_watchers_hear_of_new_threads(category):
    watcher = make_user("watcher")
    services.watch_category(watcher, category)
    ask(make_user("alice"), category)
    assert len(notifications_for(watcher, "new_thread")) == 1


def test_reply_to_locked_thread_conflicts_except_for_moderators(category):
    thread = ask(make_user("alice"), category)
    thread.is_locked = True
    db.session.commit()
    with pytest.raises(Conflict):
        services.reply_to_thread(make_user("bob"), thread, "Let me in, this is a reply.")
    services.reply_to_thread(make_user("mod", role=Role.MODERATOR), thread, "Moderator note here.")


def test_duplicate_post_is_refused(category):
    alice, bob = make_user("alice"), make_user("bob")
    thread = ask(alice, category)
    services.reply_to_thread(bob, thread, "Same answer twice in a row.")
    with pytest.raises(ValidationFailed) as exc:
        services.reply_to_thread(bob, thread, "Same   answer twice in a row.")
    assert fields(exc) == {"body"}


def test_new_accounts_are_limited_in_links(category):
    thread = ask(make_user("alice"), category)
    links = "See https://a.example https://b.example and https://c.example for details."
    with pytest.raises(ValidationFailed):
        services.reply_to_thread(make_user("newbie"), thread, links)
    services.reply_to_thread(make_user("veteran", reputation=50), thread, links)


def test_new_accounts_are_limited_in_posts_per_day(make_app):
    app = make_app(COMMUNITY_NEW_USER_POSTS_PER_DAY=2)
    with app.app_context():
        category = make_category()
        newbie = make_user("newbie")
        thread = ask(newbie, category)
        services.reply_to_thread(newbie, thread, "A second post of mine today.")
        with pytest.raises(RateLimited):
            services.reply_to_thread(newbie, thread, "A third post is one too many.")


# --- editing and deleting --------------------------------------------------------------------


def test_edit_keeps_revisions_and_retitles(category):
    alice = make_user("alice")
    thread = ask(alice, category)
    opening = services.opening_post(thread)
    services.edit_post(
        alice,
        opening,
        BODY + "\n\nUpdate: firmware 2.1.",
        title="Printer error E42 after update",
        reason="more detail",
    )
    services.edit_post(alice, opening, opening.body_source)  # no change: no revision
    revisions = db.session.scalars(select(PostRevision).order_by(PostRevision.number)).all()
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[1].title == "Printer error E42 after update" == thread.title
    assert revisions[1].reason == "more detail"
    assert opening.edited_at is not None and opening.edited_by_id == alice.id


def test_only_author_or_moderator_edits(category):
    alice = make_user("alice")
    opening = services.opening_post(ask(alice, category))
    with pytest.raises(PermissionDenied):
        services.edit_post(make_user("eve"), opening, "Vandalised text here.")
    services.edit_post(
        make_user("mod", role=Role.MODERATOR), opening, "Moderator fixed the formatting."
    )


def test_author_cannot_edit_in_locked_thread(category):
    alice = make_user("alice")
    thread = ask(alice, category)
    thread.is_locked = True
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.edit_post(alice, services.opening_post(thread), "Trying to edit a locked thread.")


def test_edit_notifies_only_newly_mentioned(category):
    alice, bob = make_user("alice"), make_user("bob")
    opening = services.opening_post(ask(alice, category, body="Asking @bob about this error."))
    assert len(notifications_for(bob, "mention")) == 1
    carol = make_user("carol")
    services.edit_post(alice, opening, "Asking @bob and @carol about this error.")
    assert len(notifications_for(bob, "mention")) == 1
    assert len(notifications_for(carol, "mention")) == 1


def test_delete_reply_soft_deletes_and_uncounts(category):
    alice, bob = make_user("alice"), make_user("bob")
    thread = ask(alice, category)
    post = services.reply_to_thread(bob, thread, "An answer that I regret.")
    services.delete_post(bob, post)
    db.session.refresh(thread)
    assert post.is_deleted and post.deleted_by_id == bob.id
    assert db.session.get(Post, post.id) is not None
    assert thread.reply_count == 0
    with pytest.raises(PermissionDenied):
        services.delete_post(bob, post)  # already deleted


def test_opening_post_with_replies_cannot_be_deleted(category):
    alice = make_user("alice")
    thread = ask(alice, category)
    services.reply_to_thread(make_user("bob"), thread, "An answer to keep around.")
    with pytest.raises(Conflict):
        services.delete_post(alice, services.opening_post(thread))
    assert not thread.is_deleted


def test_deleting_lonely_opening_post_deletes_thread(category):
    alice = make_user("alice")
    thread = ask(alice, category)
    services.delete_post(alice, services.opening_post(thread))
    assert thread.is_deleted


def test_others_cannot_delete(category):
    thread = ask(make_user("alice"), category)
    with pytest.raises(PermissionDenied):
        services.delete_post(make_user("eve"), services.opening_post(thread))


# --- votes and reputation --------------------------------------------------------------------


def test_vote_up_change_and_withdraw_adjust_score_and_reputation(category):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    thread = ask(alice, category)
    answer = services.reply_to_thread(bob, thread, "Clean the paper sensor.")
    assert services.vote(carol, answer, 1) == 1
    db.session.refresh(bob)
    assert bob.reputation == 10
    assert services.vote(carol, answer, -1) == -1
    db.session.refresh(bob)
    assert bob.reputation == -2
    assert services.vote(carol, answer, 0) == 0
    db.session.refresh(bob)
    assert bob.reputation == 0


def test_vote_on_opening_post_scores_the_thread(category):
    thread = ask(make_user("alice"), category)
    services.vote(make_user("bob"), services.opening_post(thread), 1)
    db.session.refresh(thread)
    assert thread.score == 1


def test_one_vote_per_user(category):
    thread = ask(make_user("alice"), category)
    bob = make_user("bob")
    opening = services.opening_post(thread)
    services.vote(bob, opening, 1)
    assert services.vote(bob, opening, 1) == 1


def test_cannot_vote_on_own_post_or_with_bad_value(category):
    alice = make_user("alice")
    opening = services.opening_post(ask(alice, category))
    with pytest.raises(PermissionDenied):
        services.vote(alice, opening, 1)
    with pytest.raises(ValidationFailed):
        services.vote(make_user("bob"), opening, 5)


# --- accepted answers ------------------------------------------------------------------------


def test_accept_marks_solved_rewards_and_notifies(category):
    alice, bob = make_user("alice"), make_user("bob")
    thread = ask(alice, category)
    answer = services.reply_to_thread(bob, thread, "Clean the paper sensor.")
    services.accept_answer(alice, thread, answer)
    db.session.refresh(bob)
    assert thread.status == "solved" and thread.solved_at is not None
    assert bob.reputation == 15
    assert len(notifications_for(bob, "accepted")) == 1


def test_accepting_another_answer_moves_the_reputation(category):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    thread = ask(alice, category)
    first = services.reply_to_thread(bob, thread, "Clean the paper sensor.")
    second = services.reply_to_thread(carol, thread, "Update the firmware to 2.2.")
    services.accept_answer(alice, thread, first)
    services.accept_answer(alice, thread, second)
    db.session.refresh(bob)
    db.session.refresh(carol)
    assert (bob.reputation, carol.reputation) == (0, 15)
    assert thread.accepted_post_id == second.id


def test_unaccept_reopens(category):
    alice, bob = make_user("alice"), make_user("bob")
    thread = ask(alice, category)
    answer = services.reply_to_thread(bob, thread, "Clean the paper sensor.")
    services.accept_answer(alice, thread, answer)
    services.unaccept_answer(alice, thread)
    db.session.refresh(bob)
    assert thread.status == "open" and bob.reputation == 0


def test_deleting_the_accepted_answer_reopens_the_question(category):
    alice, bob = make_user("alice"), make_user("bob")
    thread = ask(alice, category)
    answer = services.reply_to_thread(bob, thread, "Clean the paper sensor.")
    services.accept_answer(alice, thread, answer)
    services.delete_post(bob, answer)
    db.session.refresh(bob)
    assert thread.accepted_post_id is None and bob.reputation == 0


def test_self_answer_accepted_earns_nothing(category):
    alice = make_user("alice")
    thread = ask(alice, category)
    answer = services.reply_to_thread(alice, thread, "Found it myself: clean the sensor.")
    services.accept_answer(alice, thread, answer)
    db.session.refresh(alice)
    assert thread.is_solved and alice.reputation == 0


@pytest.mark.parametrize("who", ["other member", "moderator"])
def test_accept_permissions(category, who):
    alice, bob = make_user("alice"), make_user("bob")
    thread = ask(alice, category)
    answer = services.reply_to_thread(bob, thread, "Clean the paper sensor.")
    if who == "moderator":
        services.accept_answer(make_user("mod", role=Role.MODERATOR), thread, answer)
        assert thread.is_solved
    else:
        with pytest.raises(PermissionDenied):
            services.accept_answer(make_user("eve"), thread, answer)


def test_only_questions_have_accepted_answers(category):
    alice = make_user("alice")
    thread = ask(alice, category, kind="discussion")
    answer = services.reply_to_thread(make_user("bob"), thread, "I agree with this idea.")
    with pytest.raises(PermissionDenied):
        services.accept_answer(alice, thread, answer)


def test_cannot_accept_a_post_from_another_thread(category):
    alice = make_user("alice")
    thread = ask(alice, category)
    other = ask(alice, category, title="Another printer question", body="Different question text.")
    foreign = services.reply_to_thread(make_user("bob"), other, "An answer elsewhere.")
    with pytest.raises(ValidationFailed):
        services.accept_answer(alice, thread, foreign)


# --- rendering -------------------------------------------------------------------------------


def test_rerender_stale_posts(category):
    thread = ask(make_user(), category)
    opening = services.opening_post(thread)
    opening.renderer_version = 0
    opening.body_html = "<p>stale</p>"
    db.session.commit()
    assert services.rerender_stale_posts() == 1
    assert "My printer" in opening.body_html
    assert services.rerender_stale_posts() == 0
