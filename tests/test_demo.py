"""`flask demo load`: the demo community, only into an empty database."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from forum_kb.accounts import services
from forum_kb.accounts.models import Role, User
from forum_kb.community.hooks import Verdict, thread_banners
from forum_kb.community.models import Category, Post, PostRevision, Thread, ThreadKind, Vote
from forum_kb.community.paths import thread_path
from forum_kb.community.services.content import is_new_account
from forum_kb.db import utcnow
from forum_kb.demo import data
from forum_kb.demo.data import MEMBERS, USERS
from forum_kb.escalation.models import (
    CategoryPolicy,
    Escalation,
    EscalationEvent,
    EscalationNote,
    EscalationSource,
    EscalationStatus,
    SlaPolicy,
    StaffGroup,
    Webhook,
)
from forum_kb.extensions import db
from forum_kb.kb import queries as kb_queries
from forum_kb.kb.models import Article, ArticleEvent, ArticleStatus, Feedback, Revision, Section
from forum_kb.kb.services import article_path
from forum_kb.markup import RENDERER_VERSION, toc_from_html
from forum_kb.moderation import queries as moderation_queries
from forum_kb.moderation.models import (
    Flag,
    FlagReason,
    FlagStatus,
    Promotion,
    Sanction,
    SanctionKind,
    UserNote,
    WatchedWordAction,
)
from forum_kb.moderation.services.words import screen_post
from forum_kb.notifications.models import EmailMode, Notification, NotificationSetting


@pytest.fixture
def demo(runner, app):
    """The app with the demo loaded, inside an app context."""
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        yield app


def _events(kind):
    """The moderation story's events of one kind."""
    return [event for _, _, event in data.MODERATION if isinstance(event, kind)]


def _user(username):
    return db.session.scalars(select(User).where(User.username == username)).one()


def _thread(title):
    return db.session.scalars(select(Thread).where(Thread.title == title)).one()


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
        assert count == len(USERS) + len(MEMBERS) + len(data.STAFF)
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
        # Hidden and pending replies are not counted.
        replies = db.session.scalar(
            select(func.count())
            .select_from(Post)
            .where(
                Post.thread_id == thread.id,
                Post.is_opening.is_(False),
                Post.is_hidden.is_(False),
                Post.is_pending.is_(False),
            )
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
        posts = db.session.execute(
            select(Post.created_at, Post.is_pending)
            .where(Post.thread_id == thread.id)
            .order_by(Post.id)
        ).all()
        times = [created for created, _ in posts]
        assert times == sorted(times) and times[0] == thread.created_at
        # A reply waiting for review is not the thread's latest activity until approved.
        shown = [created for created, pending in posts if not pending]
        assert thread.last_activity_at == shown[-1] <= now
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


def test_demo_load_writes_in_bulk(app, runner):
    # Not a timing (speed belongs to bench/): a bound on the statements the load issues, so a
    # per-row query loop (which made `make run` slow) fails here. About 5,500 today.
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args, **kwargs: statements.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert runner.invoke(args=["demo", "load"]).exit_code == 0
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert 100 < len(statements) < 12_000


def test_demo_kb_has_sections_and_articles_in_every_status(demo):
    sections = kb_queries.list_sections()
    assert [s.name for s in sections] == [name for name, _, _ in data.KB_SECTIONS]
    articles = list(db.session.scalars(select(Article)))
    assert len(articles) == len(data.ARTICLES) + len(_events(data.Promote))
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
    assert db.session.scalar(select(func.count()).select_from(Section)) == len(data.KB_SECTIONS)


def test_demo_review_queue_has_open_flags_with_different_reasons(demo):
    items, _ = moderation_queries.flag_queue(page=1, per_page=20)
    assert len(items) == 2
    reasons = {flag.reason for item in items for flag in item.flags}
    assert reasons == {FlagReason.SPAM, FlagReason.OFF_TOPIC}
    spam = next(i for i in items if i.flags[0].reason is FlagReason.SPAM)
    assert spam.post.author.username == "spammy"
    assert len({flag.reporter_id for flag in spam.flags}) == 2
    # Below the auto-hide threshold: the flagged posts are still up, waiting for a moderator.
    assert all(not item.post.is_hidden for item in items)
    assert demo.config["MODERATION_AUTO_HIDE_FLAGS"] > 2
    assert moderation_queries.queue_counts() == {"flagged": 2, "pending": 1}
    now = utcnow()
    assert all(now - timedelta(days=2) < f.created_at < now for i in items for f in i.flags)


def test_demo_spam_was_hidden_and_the_spammer_silenced_with_a_note(demo):
    spammy = _user("spammy")
    assert "spammy" not in {username for username, *_ in USERS}  # not a demo login
    hidden = list(db.session.scalars(select(Post).where(Post.is_hidden.is_(True))))
    assert [post.author for post in hidden] == [spammy]
    flags = list(db.session.scalars(select(Flag).where(Flag.post_id == hidden[0].id)))
    assert len(flags) == 2
    for flag in flags:
        assert flag.status is FlagStatus.UPHELD and flag.resolved_by.username == "mia.mod"
        assert hidden[0].created_at < flag.created_at < flag.resolved_at < utcnow()
    sanction = db.session.scalars(select(Sanction).where(Sanction.user_id == spammy.id)).one()
    assert sanction.kind is SanctionKind.SILENCE and sanction.reason
    assert sanction.created_by.username == "mia.mod"
    assert sanction.ends_at - sanction.starts_at == timedelta(days=7)
    assert sanction.is_active_at(utcnow()) and spammy.is_silenced
    assert spammy.silenced_until == sanction.ends_at
    note = db.session.scalars(select(UserNote).where(UserNote.user_id == spammy.id)).one()
    assert note.author.username == "mia.mod" and note.body


def test_demo_promoted_answer_is_a_published_article_with_a_banner(demo):
    promotion = db.session.scalars(select(Promotion)).one()
    article, thread, bob = promotion.article, promotion.thread, _user("bob")
    assert thread.title == data.ANDROID and thread.accepted_post_id == promotion.post_id
    assert promotion.promoted_by.username == "mia.mod" and promotion.credited_user == bob
    assert article.is_published and article.section.slug == "troubleshooting"
    assert article.credited_user_id == bob.id
    assert article.source_url == thread_path(thread.id, promotion.post_id)
    events = kb_queries.article_events(article)
    assert [(e.action, e.actor.username) for e in reversed(events)] == [
        ("created", "mia.mod"),
        ("submitted", "mia.mod"),
        ("published", "sam.staff"),
    ]
    assert promotion.created_at < promotion.published_at == article.published_at < utcnow()
    banners = thread_banners(thread)
    assert [(b.kind, b.url) for b in banners] == [("official_article", article_path(article))]
    # Bob earned REPUTATION_PROMOTED on top of his votes and accepted answers, and heard.
    config = demo.config
    votes = db.session.execute(
        select(Vote.value).join(Post, Post.id == Vote.post_id).where(Post.author_id == bob.id)
    ).scalars()
    accepted = db.session.scalar(
        select(func.count())
        .select_from(Thread)
        .join(Post, Post.id == Thread.accepted_post_id)
        .where(Post.author_id == bob.id, Thread.author_id != bob.id)
    )
    assert bob.reputation == (
        data.STARTING_REPUTATION["bob"]
        + sum(config["REPUTATION_UPVOTE" if v > 0 else "REPUTATION_DOWNVOTE"] for v in votes)
        + config["REPUTATION_ACCEPTED"] * accepted
        + config["REPUTATION_PROMOTED"]
    )
    told = db.session.scalars(
        select(Notification).where(Notification.user_id == bob.id, Notification.kind == "promoted")
    ).one()
    assert told.url == article_path(article) and told.created_at == article.published_at


def test_demo_has_a_thread_closed_as_a_duplicate(demo):
    duplicate, original = _thread(data.ANDROID_AGAIN), _thread(data.ANDROID)
    assert duplicate.duplicate_of_thread_id == original.id and duplicate.is_locked
    assert [(b.kind, b.data) for b in thread_banners(duplicate)] == [
        ("duplicate", {"thread_id": original.id})
    ]


def test_demo_pre_moderation_holds_one_new_members_post(demo):
    category = db.session.scalars(select(Category).where(Category.premoderate.is_(True))).one()
    assert category.slug == "show-and-tell"
    post = db.session.scalars(moderation_queries.pending_posts()).one()
    assert post.thread.category == category and post.pending_reason
    assert post.author.username == "raj.p" and is_new_account(post.author)
    assert post.thread.last_activity_at < post.created_at < utcnow()


def test_demo_watched_words_queue_and_block(demo):
    words = {w.word: w.action for w in moderation_queries.list_watched_words()}
    assert set(words.values()) == set(WatchedWordAction)
    queued = next(w for w, action in words.items() if action is WatchedWordAction.QUEUE)
    blocked = next(w for w, action in words.items() if action is WatchedWordAction.BLOCK)
    alice, category = _user("alice"), db.session.scalars(select(Category).limit(1)).one()
    assert screen_post(alice, category, f"Is this {queued.upper()} real?").verdict is Verdict.QUEUE
    assert screen_post(alice, category, f"see {blocked}.example").verdict is Verdict.BLOCK
    assert screen_post(alice, category, "A question about rotas").verdict is Verdict.ALLOW


def test_demo_audit_log_records_dated_moderator_actions(demo):
    entries = list(
        db.session.scalars(moderation_queries.audit_log(moderation_queries.AuditFilter()))
    )
    actions = {e.action for e in entries}
    assert {
        "thread.pin",
        "thread.lock",
        "thread.close_duplicate",
        "flags.uphold",
        "post.hide",
        "user.silence",
        "user.note",
        "word.add",
        "category.premoderate_on",
        "post.promote",
        "article.publish",
        "article.archive",
    } <= actions
    now = utcnow()
    times = [e.created_at for e in entries]
    assert times == sorted(times, reverse=True)
    assert times[0] < now and now - times[-1] > timedelta(days=28)
    lock = next(e for e in entries if e.action == "thread.lock")
    assert lock.actor.username == "mia.mod" and lock.reason
    locked = db.session.get(Thread, lock.target_id)
    assert locked.is_locked and locked.last_activity_at < lock.created_at
    for entry in entries:
        if entry.action == "article.publish":
            article = db.session.get(Article, entry.target_id)
            assert entry.created_at == article.published_at
        if entry.target_type == "thread":
            assert db.session.get(Thread, entry.target_id).created_at < entry.created_at
    assert all(t <= now for t in db.session.scalars(select(Notification.created_at)))


def _escalation(title):
    return db.session.scalars(
        select(Escalation).where(Escalation.thread_id == _thread(title).id)
    ).one()


def test_demo_escalation_policies_cover_every_category(demo):
    policies = {p.name: p for p in db.session.scalars(select(SlaPolicy))}
    assert set(policies) == {"Standard", "Priority"}
    assert [p.name for p in policies.values() if p.is_default] == ["Standard"]
    standard, priority = policies["Standard"], policies["Priority"]
    assert (standard.unanswered_hours, standard.unsolved_days) == (48, 7)
    assert (standard.first_response_hours, standard.resolution_hours) == (8, 48)
    assert not standard.business_hours
    assert (priority.unanswered_hours, priority.unsolved_days) == (4, 2)
    assert (priority.first_response_hours, priority.resolution_hours) == (2, 8)
    assert priority.business_hours and priority.business_days == "01234"
    assert (priority.business_start, priority.business_end) == (9, 17)
    chosen = {c.category.slug: c.policy.name for c in db.session.scalars(select(CategoryPolicy))}
    assert chosen.keys() == {slug for _, slug, _ in data.CATEGORIES}
    assert chosen["billing"] == "Priority"
    # No webhooks: a demo sends nothing to the outside world.
    assert db.session.scalar(select(func.count()).select_from(Webhook)) == 0


def test_demo_staff_group_has_members_and_skills(demo):
    team = db.session.scalars(select(StaffGroup).where(StaffGroup.name == "Support team")).one()
    assert team.auto_assign
    assert [u.username for u in team.members] == ["lena.support", "sam.staff"]
    assert all(u.role is Role.STAFF for u in team.members)
    assert team.categories and team.tags
    # The extra staff member is not a demo login.
    assert "lena.support" not in {username for username, *_ in USERS}
    assert _user("lena.support").display_name


def test_demo_escalations_open_breached_waiting_and_resolved(demo):
    now = utcnow()
    items = list(db.session.scalars(select(Escalation)))
    assert all(e.created_at <= e.updated_at <= now for e in items)
    # The sweep found a question nobody answered in time; it waits in the queue.
    swept = [e for e in items if e.source is EscalationSource.UNANSWERED]
    unanswered = _escalation("Can I copy last week's rota into next week?")
    assert unanswered in swept and unanswered.status is EscalationStatus.OPEN
    assert not unanswered.breached and unanswered.first_response_due_at > now
    assert unanswered.thread.reply_count == 0
    # Customers asked staff; a moderator escalated one.
    asked = _escalation(data.SHIFT_LENGTH)
    assert asked.source is EscalationSource.CUSTOMER and asked.requested_by.username == "alice"
    assert asked.is_open and asked.group.name == "Support team" and asked.assignee is not None
    moderated = _escalation(data.RATE_LIMIT)
    assert moderated.source is EscalationSource.MODERATOR and moderated.first_response_at
    # Missed targets, marked by a sweep after they were due.
    breached = _escalation(data.SCIM)
    assert breached.is_open and breached.breached and breached.resolution_due_at < now
    assert breached.source is EscalationSource.UNSOLVED
    events = {e.action for e in db.session.scalars(select(EscalationEvent))}
    assert {"created", "assigned", "note", "replied", "breached", "resolved"} <= events
    # Assigned to Sam, who wrote an internal note and replied as staff: waiting on Bob.
    waiting = _escalation(data.SSO_LOOP)
    sam = _user("sam.staff")
    assert waiting.status is EscalationStatus.WAITING and waiting.assignee == sam
    assert not waiting.breached and waiting.first_response_at is not None
    notes = db.session.scalars(
        select(EscalationNote).where(EscalationNote.escalation_id == waiting.id)
    ).all()
    assert [n.author for n in notes] == [sam]
    last = db.session.scalars(
        select(Post).where(Post.thread_id == waiting.thread_id).order_by(Post.id.desc()).limit(1)
    ).one()
    assert last.author == sam and last.created_at == waiting.first_response_at
    assert waiting.created_at < notes[0].created_at < last.created_at < now
    # Resolved: the staff answer is the thread's accepted answer.
    resolved = _escalation(data.CARD_DECLINED)
    assert resolved.status is EscalationStatus.RESOLVED and resolved.resolved_by == sam
    thread = resolved.thread
    assert thread.accepted_post_id == resolved.resolution_post_id is not None
    assert resolved.resolution_post.author == sam
    assert resolved.created_at < resolved.resolved_at == thread.solved_at < now
    counts = {status: sum(e.status is status for e in items) for status in EscalationStatus}
    assert all(counts.values())
    assert db.session.scalar(select(func.count()).select_from(EscalationNote)) >= 3
