"""Loading the demo community."""

from __future__ import annotations

import re
import secrets
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, assert_never

from flask import current_app
from sqlalchemy import func, select, update

from forum_kb.accounts import services as accounts
from forum_kb.accounts.models import Role, User
from forum_kb.community import services as community
from forum_kb.community.models import Category, Post, PostRevision, Tag, Thread, Vote
from forum_kb.db import unit_of_work, utcnow
from forum_kb.demo import data
from forum_kb.demo.insights import load_insights
from forum_kb.errors import Conflict
from forum_kb.escalation import services as escalation
from forum_kb.escalation.models import (
    Escalation,
    EscalationEvent,
    EscalationNote,
    SlaPolicy,
    StaffGroup,
)
from forum_kb.extensions import db
from forum_kb.kb import services as kb
from forum_kb.kb.models import Article, ArticleEvent, ArticleStatus, Feedback, Revision, Section
from forum_kb.moderation import services as moderation
from forum_kb.moderation.models import (
    Flag,
    ModerationAction,
    Promotion,
    Sanction,
    UserNote,
    WatchedWord,
)
from forum_kb.notifications import services as notifications
from forum_kb.notifications.models import EmailMode, Notification


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    password: str


def is_database_empty() -> bool:
    """True when no user exists yet (the demo is loaded only into an empty database)."""
    return (db.session.scalar(select(func.count()).select_from(User)) or 0) == 0


def demo_logins() -> list[DemoLogin]:
    """The demo accounts and their passwords."""
    return [DemoLogin(username, role, password) for username, role, password, _, _ in data.USERS]


def load_demo() -> list[DemoLogin]:
    """Create the demo community and knowledge base in one transaction.

    Everything goes through the community, kb, moderation and escalation services, so the
    HTML is rendered and sanitized and the revisions, counters, watches, reputation, lifecycle
    events, feedback, flags, sanctions, audit log and escalations are what real use would leave
    behind.

    Raises:
        Conflict: the database already has users.
    """
    if not is_database_empty():
        raise Conflict("The database is not empty; the demo loads only into an empty one.")
    timeline = _Timeline(utcnow())
    with unit_of_work():
        users = _create_users()
        # The invented history leaves in-app notifications but sends no email (hundreds of
        # them, to example.com); afterwards the accounts are emailed like any other.
        for user in users.values():
            notifications.update_settings(user, EmailMode.NEVER, True, True)
        categories: dict[str, Category] = {}
        for name, slug, description in data.CATEGORIES:
            categories[slug] = community.create_category(users["admin"], name, slug, description)
        # Oldest first, so ids grow with time as they would have.
        threads: dict[str, Thread] = {}
        for spec in sorted(data.THREADS, key=lambda t: _started(t, timeline.now)):
            threads[spec.title] = _load_thread(spec, users, categories, timeline)
        sections = _load_kb(users, timeline)
        story = _ModerationStory(users, categories, threads, sections, timeline)
        for days_ago, actor, event in data.MODERATION:
            when = timeline.now - timedelta(days=days_ago)
            with timeline.at(when):
                story.play(users[actor], event, when)
        timeline.apply()
        _load_escalation(users, categories, threads, timeline.now)
        load_insights(timeline.now)
        for user in users.values():
            notifications.update_settings(user, EmailMode.IMMEDIATE, True, True)
    return demo_logins()


def _create_users() -> dict[str, User]:
    users: dict[str, User] = {}
    for username, role, password, display_name, bio in data.USERS:
        user = accounts.create_user(username, f"{username}@example.com", password, role)
        user.display_name, user.bio = display_name, bio
        users[username] = user
    for username, display_name, bio in data.MEMBERS:
        password = secrets.token_urlsafe(16)
        user = accounts.create_user(username, f"{username}@example.com", password, Role.MEMBER)
        user.display_name, user.bio = display_name, bio
        users[username] = user
    for username, display_name, bio in data.STAFF:
        password = secrets.token_urlsafe(16)
        user = accounts.create_user(username, f"{username}@example.com", password, Role.STAFF)
        user.display_name, user.bio = display_name, bio
        users[username] = user
    for username, points in data.STARTING_REPUTATION.items():
        accounts.adjust_reputation(users[username].id, points)
    return users


def _started(spec: data.DemoThread, now: datetime) -> datetime:
    # Threads older than a day start at different times of day, not all at the load's minute.
    jitter = zlib.crc32(spec.title.encode()) % 600 if spec.days_ago >= 1 else 0
    return now - timedelta(days=spec.days_ago, minutes=jitter)


def _load_thread(
    spec: data.DemoThread,
    users: dict[str, User],
    categories: dict[str, Category],
    timeline: _Timeline,
) -> Thread:
    author = users[spec.author]
    thread = community.create_thread(
        author,
        community.NewThread(
            category_id=categories[spec.category].id,
            kind=spec.kind,
            title=spec.title,
            body=spec.body,
            tags=spec.tags,
        ),
    )
    opening = community.opening_post(thread)
    started = _started(spec, timeline.now)
    dated: list[tuple[int, datetime]] = [(opening.id, started)]
    for voter in spec.up:
        community.vote(users[voter], opening, 1)
    for reply in spec.replies:
        post = community.reply_to_thread(users[reply.author], thread, reply.body)
        dated.append((post.id, started + timedelta(hours=reply.hours)))
        for voter in reply.up:
            community.vote(users[voter], post, 1)
        for voter in reply.down:
            community.vote(users[voter], post, -1)
        if reply.accepted:
            community.accept_answer(author, thread, post)
    edited_at = None
    if spec.update:
        community.edit_post(author, opening, f"{spec.body}\n\n{spec.update}", reason="Solved")
        edited_at = min(dated[-1][1] + timedelta(hours=2), timeline.now)
    timeline.add(thread, dated, edited_at)
    return thread


def _load_kb(users: dict[str, User], timeline: _Timeline) -> dict[str, Section]:
    sections: dict[str, Section] = {}
    for name, slug, description in data.KB_SECTIONS:
        sections[slug] = kb.create_section(users["sam.staff"], name, slug, description)
    for spec in sorted(data.ARTICLES, key=lambda a: -a.days_ago):
        _load_article(spec, users, sections, timeline)
    return sections


def _load_article(
    spec: data.DemoArticle,
    users: dict[str, User],
    sections: dict[str, Section],
    timeline: _Timeline,
) -> None:
    writer, reviewer = users[spec.owner], users["sam.staff"]
    article = kb.create_article(
        writer,
        kb.ArticleDraft(
            section_id=sections[spec.section].id,
            title=spec.title,
            body=spec.body,
            labels=spec.labels,
            note="First draft",
        ),
    )
    written = timeline.now - timedelta(days=spec.days_ago)
    moments = {"created": written}
    revisions = {1: written}
    if spec.status != ArticleStatus.DRAFT:
        kb.submit_for_review(writer, article)
        moments["submitted"] = written + timedelta(hours=12)
    if spec.status in (ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED):
        moments["published"] = written + timedelta(hours=36)
        with timeline.at(moments["published"]):
            kb.publish_article(reviewer, article, note="Checked the steps in the product.")
        _give_feedback(article, spec.helpful, spec.not_helpful, spec.comments)
    if spec.update:
        body = f"{spec.body}\n\n{spec.update}"
        kb.edit_article(writer, article, body=body, note=spec.update_note)
        revisions[2] = timeline.now - timedelta(days=spec.updated_days_ago)
    if spec.status == ArticleStatus.ARCHIVED:
        moments["archived"] = timeline.now - timedelta(days=spec.archived_days_ago)
        with timeline.at(moments["archived"]):
            kb.archive_article(reviewer, article, note=spec.archive_note)
    timeline.add_article(article, moments, revisions, spec.helpful + spec.not_helpful)


def _give_feedback(
    article: Article, helpful: int, not_helpful: int, comments: tuple[tuple[bool, str], ...]
) -> None:
    """Readers' "Was this helpful?" answers, (helpful, comment), those with a comment first."""
    commented = [yes for yes, _ in comments]
    answers = [
        *comments,
        *[(True, "")] * (helpful - commented.count(True)),
        *[(False, "")] * (not_helpful - commented.count(False)),
    ]
    for n, (yes, comment) in enumerate(answers, start=1):
        kb.give_feedback(article, yes, session_key=f"demo-{n}", comment=comment)


class _ModerationStory:
    """Plays data.MODERATION through the services: replies that moderators then handle,
    flags, actions on threads and people, watched words, pre-moderation and a promotion."""

    def __init__(
        self,
        users: dict[str, User],
        categories: dict[str, Category],
        threads: dict[str, Thread],
        sections: dict[str, Section],
        timeline: _Timeline,
    ) -> None:
        self.users, self.categories, self.threads = users, categories, threads
        self.sections, self.timeline = sections, timeline
        self.replies: dict[str, Post] = {}
        #: Thread title -> the article promoted from it and when its steps happened.
        self.promoted: dict[str, tuple[Article, dict[str, datetime]]] = {}

    def play(self, actor: User, event: data.Event, when: datetime) -> None:
        match event:
            case data.Reply():
                post = community.reply_to_thread(actor, self.threads[event.thread], event.body)
                self.replies[event.key] = post
                self.timeline.add_reply(post, when)
            case data.FlagPost():
                moderation.flag_post(actor, self.replies[event.post], event.reason, event.note)
            case data.ModerateThread():
                thread = self.threads[event.thread]
                moderation.moderate_thread(actor, thread, event.action, event.reason)
            case data.CloseAsDuplicate():
                moderation.close_as_duplicate(
                    actor, self.threads[event.thread], thread_id=self.threads[event.of].id,
                    reason=event.reason,
                )  # fmt: skip
            case data.HideFlagged():
                post = self.replies[event.post]
                hide = moderation.FlagAction.HIDE
                for flag in moderation.resolve_post_flags(actor, post, hide, reason=event.reason):
                    self.timeline.stamp(Flag, flag.id, resolved_at=when)
            case data.Silence():
                # Until a week after the (invented) moment of the silence, not after now.
                until = when + timedelta(days=event.days)
                user = self.users[event.user]
                moderation.silence_user(actor, user, reason=event.reason, until=until)
            case data.AddNote():
                moderation.add_user_note(actor, self.users[event.user], event.body)
            case data.WatchWord():
                moderation.add_watched_word(actor, event.word, event.action)
            case data.Premoderate():
                category = self.categories[event.category]
                moderation.set_premoderation(actor, category, True, event.reason)
            case data.Promote():
                self._promote(actor, event, when)
            case data.Publish():
                self._publish(actor, event, when)
            case _:
                assert_never(event)

    def _promote(self, actor: User, event: data.Promote, when: datetime) -> None:
        thread = self.threads[event.thread]
        answer = db.session.get(Post, thread.accepted_post_id)
        assert answer is not None
        article = moderation.promote_post(
            actor, answer, section_id=self.sections[event.section].id, title=event.title,
            body=event.body, labels=event.labels, note=event.note,
        ).article  # fmt: skip
        kb.submit_for_review(actor, article)
        moments = {"created": when, "submitted": when + timedelta(hours=1)}
        self.promoted[event.thread] = (article, moments)

    def _publish(self, actor: User, event: data.Publish, when: datetime) -> None:
        article, moments = self.promoted[event.thread]
        kb.publish_article(actor, article, note=event.note)
        moments["published"] = when
        promotion = db.session.scalar(select(Promotion).where(Promotion.article_id == article.id))
        assert promotion is not None
        self.timeline.stamp(Promotion, promotion.id, published_at=when)
        _give_feedback(article, event.helpful, event.not_helpful, event.comments)
        answers = event.helpful + event.not_helpful
        self.timeline.add_article(article, moments, {1: moments["created"]}, answers)


def _load_escalation(
    users: dict[str, User],
    categories: dict[str, Category],
    threads: dict[str, Thread],
    now: datetime,
) -> None:
    """Service-level policies, staff groups and the escalations of the past days.

    The policies and groups are added as rows, dated before the threads; each category's
    policy, and the escalations, notes, staff replies and resolutions, go through the
    escalation services.
    """
    admin = users["admin"]
    for spec in data.POLICIES:
        policy = SlaPolicy(
            name=spec.name,
            unanswered_hours=spec.unanswered_hours,
            unsolved_days=spec.unsolved_days,
            first_response_hours=spec.first_response_hours,
            resolution_hours=spec.resolution_hours,
            is_default=spec.is_default,
            business_hours=spec.business_hours,
            created_at=now - timedelta(days=40),
        )
        db.session.add(policy)
        db.session.flush()
        for slug in spec.categories:
            escalation.set_category_policy(admin, categories[slug], policy)
    tags = {tag.name: tag for tag in db.session.scalars(select(Tag))}
    for group_spec in data.GROUPS:
        db.session.add(
            StaffGroup(
                name=group_spec.name,
                auto_assign=group_spec.auto_assign,
                members=[users[name] for name in group_spec.members],
                categories=[categories[slug] for slug in group_spec.categories],
                tags=[tags[name] for name in group_spec.tags],
                created_at=now - timedelta(days=40),
            )
        )
    db.session.flush()
    _EscalationStory(users, threads, now).play()


class _EscalationStory:
    """Plays data.ESCALATIONS between sweeps every few hours, as cron would have run them.

    The staff services stamp replies, notes, events and resolutions with the current time; as
    for the rest of the invented history, the rows each step adds are dated afterwards to the
    step's moment (the sweeps and escalations are given their moment directly).
    """

    def __init__(self, users: dict[str, User], threads: dict[str, Thread], now: datetime) -> None:
        self.users, self.threads, self.now = users, threads, now
        self.last = {model: db.session.scalar(select(func.max(model.id))) or 0 for model in _DATED}
        #: Model -> row id -> column -> moment.
        self.rows: dict[type[Any], dict[int, dict[str, Any]]] = {}

    def play(self) -> None:
        sweeps = range(data.SWEEP_DAYS * 24, -1, -data.SWEEP_EVERY_HOURS)
        moments: list[tuple[datetime, int, str | None, data.StaffStep | None]] = [
            (self.now - timedelta(hours=hours), 0, actor, step)
            for hours, actor, step in data.ESCALATIONS
        ]
        # At the same moment, a step comes before the sweep.
        moments += [(self.now - timedelta(hours=hours), 1, None, None) for hours in sweeps]
        for when, _, actor, step in sorted(moments, key=lambda m: (m[0], m[1])):
            if step is None or actor is None:
                result = escalation.sweep(now=when)
                changed = result.escalated + result.breached
                for item in changed:
                    self._date(Escalation, item.id, updated_at=when)
                if changed:
                    self._date_new_rows(when)
            else:
                self._step(self.users[actor], step, when)
                self._date_new_rows(when)
        self._apply()

    def _escalation(self, title: str) -> Escalation:
        found = db.session.scalar(
            select(Escalation)
            .where(Escalation.thread_id == self.threads[title].id)
            .order_by(Escalation.id.desc())
            .limit(1)
        )
        assert found is not None, title
        return found

    def _step(self, actor: User, step: data.StaffStep, when: datetime) -> None:
        match step:
            case data.Escalate():
                thread = self.threads[step.thread]
                item = escalation.escalate_thread(actor, thread, step.reason, now=when)
                self._date(Escalation, item.id, updated_at=when)
            case data.Take():
                item = self._escalation(step.thread)
                escalation.assign(actor, item)
                self._date(Escalation, item.id, updated_at=when)
            case data.StaffNote():
                escalation.add_note(actor, self._escalation(step.thread), step.body)
            case data.StaffReply():
                item = self._escalation(step.thread)
                first = item.first_response_at is None
                post = escalation.staff_reply(actor, item, step.body, waiting=step.waiting)
                self._reply(item, post, when, first)
            case data.Resolve():
                item = self._escalation(step.thread)
                first = item.first_response_at is None
                escalation.resolve(actor, item, step.resolution, accept=True)
                assert item.resolution_post is not None
                self._reply(item, item.resolution_post, when, first)
                self._date(Escalation, item.id, resolved_at=when)
                self._date(Thread, item.thread_id, solved_at=when)
            case _:
                assert_never(step)

    def _reply(self, item: Escalation, post: Post, when: datetime, first: bool) -> None:
        self._date(Escalation, item.id, updated_at=when)
        if first:
            self._date(Escalation, item.id, first_response_at=when)
        self._date(Post, post.id, updated_at=when)
        self._date(Thread, post.thread_id, last_activity_at=when, updated_at=when)

    def _date(self, model: type[Any], row_id: int, **moments: Any) -> None:
        self.rows.setdefault(model, {}).setdefault(row_id, {}).update(moments)

    def _date_new_rows(self, when: datetime) -> None:
        """Date the posts, revisions, notes, events and notifications added since the last
        step as of ``when``."""
        read = when < self.now - timedelta(days=2)
        for model, column in _DATED.items():
            new = list(db.session.scalars(select(model.id).where(model.id > self.last[model])))
            for row_id in new:
                self._date(model, row_id, **{column: when})
                if model is Notification:
                    self._date(model, row_id, read_at=when if read else None)
            if new:
                self.last[model] = max(new)

    def _apply(self) -> None:
        db.session.flush()
        for model, rows in self.rows.items():
            batches: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for row_id, moments in rows.items():
                batches.setdefault(tuple(sorted(moments)), []).append({"id": row_id, **moments})
            for batch in batches.values():
                db.session.execute(update(model), batch)
        db.session.expire_all()


#: The rows an escalation step adds that the story dates, and the column that dates them.
_DATED: dict[type[Any], str] = {
    Post: "created_at",
    PostRevision: "created_at",
    EscalationEvent: "created_at",
    EscalationNote: "created_at",
    Notification: "created_at",
}


class _Timeline:
    """Spreads the demo over the past weeks.

    The services stamp everything with the current time, so demo content written in one go
    would all look a second old, and nobody would have viewed it. For this invented history
    only (never for real content), the loader then moves the timestamps to when the demo says
    things happened and sets plausible view counts; a handful of bulk UPDATEs at the end keep
    loading fast. (That includes the audit log, which the application itself never changes:
    its entries are dated like the actions they record.)
    """

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.posts: dict[int, datetime] = {}
        self.edits: dict[int, datetime] = {}
        self.threads: dict[int, datetime] = {}
        self.thread_rows: dict[int, dict[str, Any]] = {}
        self.article_rows: list[dict[str, Any]] = []
        self.article_moments: dict[int, dict[str, datetime]] = {}
        self.revisions: dict[tuple[int, int], datetime] = {}
        self.kb_paths: dict[str, datetime] = {}
        #: Model -> row id -> column -> moment, for the rows dated by at() and stamp().
        self.stamped: dict[type[Any], dict[int, dict[str, datetime]]] = {}

    @contextmanager
    def at(self, when: datetime) -> Iterator[None]:
        """Date the audit entries, flags, sanctions, notes, watched words, promotions and
        notifications that the block adds as of ``when``."""
        last = {model: db.session.scalar(select(func.max(model.id))) or 0 for model in _STAMPED}
        yield
        for model, column in _STAMPED.items():
            for row_id in db.session.scalars(select(model.id).where(model.id > last[model])):
                self.stamp(model, row_id, **{column: when})

    def stamp(self, model: type[Any], row_id: int, **moments: datetime) -> None:
        """Date columns of one row."""
        self.stamped.setdefault(model, {}).setdefault(row_id, {}).update(moments)

    def add(
        self, thread: Thread, dated: list[tuple[int, datetime]], edited_at: datetime | None
    ) -> None:
        self.posts.update(dated)
        if edited_at is not None:
            self.edits[dated[0][0]] = edited_at
        started, last = dated[0][1], dated[-1][1]
        self.threads[thread.id] = started
        solved_at = None
        if thread.accepted_post_id is not None:
            solved_at = min(self.posts[thread.accepted_post_id] + timedelta(hours=1), self.now)
        # Visitors who never posted: more for busier and better-voted threads.
        views = len(dated) * 14 + thread.score * 9 + zlib.crc32(thread.title.encode()) % 40
        self.thread_rows[thread.id] = {
            "id": thread.id,
            "created_at": started,
            "last_activity_at": last,
            "updated_at": edited_at or last,
            "solved_at": solved_at,
            "view_count": views,
        }

    def add_reply(self, post: Post, when: datetime) -> None:
        """A reply written after its thread was added (the moderation story's). A pending
        one is not its thread's latest activity until approved."""
        self.posts[post.id] = when
        if not post.is_pending:
            row = self.thread_rows[post.thread_id]
            row["last_activity_at"] = max(row["last_activity_at"], when)
            row["updated_at"] = max(row["updated_at"], when)

    def add_article(
        self,
        article: Article,
        moments: dict[str, datetime],
        revisions: dict[int, datetime],
        answers: int,
    ) -> None:
        self.article_moments[article.id] = moments
        self.revisions.update({(article.id, n): when for n, when in revisions.items()})
        published = moments.get("published")
        row: dict[str, Any] = {
            "id": article.id,
            "created_at": moments["created"],
            "updated_at": max([*moments.values(), *revisions.values()]),
            "published_at": published,
            "view_count": 0,
        }
        if published is not None:
            self.kb_paths[kb.article_path(article)] = published
            # The services start the review-by clock at "now"; dated like the rest of the
            # history, it starts at publication, so the article published seven months ago is
            # past its review date (stale) as a real one would be, for `flask kb remind` and
            # the freshness report to show.
            interval = timedelta(days=int(current_app.config["KB_REVIEW_INTERVAL_DAYS"]))
            row["review_by"] = (published + interval).date()
            row["view_count"] = answers * 11 + zlib.crc32(article.title.encode()) % 60
        self.article_rows.append(row)

    def apply(self) -> None:
        db.session.flush()
        db.session.execute(update(Thread), list(self.thread_rows.values()))
        self._kb()
        db.session.execute(
            update(Post),
            [
                {
                    "id": post_id,
                    "created_at": when,
                    "updated_at": self.edits.get(post_id, when),
                    "edited_at": self.edits.get(post_id),
                }
                for post_id, when in self.posts.items()
            ],
        )
        revisions = db.session.execute(select(PostRevision.id, PostRevision.post_id))
        db.session.execute(
            update(PostRevision),
            [
                # Revision 1 dates from the post; later ones (the demo edits) from the edit.
                {"id": rid, "created_at": self.posts[pid] if rid == first else self.edits[pid]}
                for rid, pid, first in _with_first(revisions)
            ],
        )
        votes = db.session.execute(select(Vote.post_id, Vote.user_id))
        db.session.execute(
            update(Vote),
            [
                {"post_id": pid, "user_id": uid, "created_at": when, "updated_at": when}
                for pid, uid in votes
                for when in [min(self.posts[pid] + timedelta(hours=1), self.now)]
            ],
        )
        self._notifications(self.stamped.pop(Notification, {}))
        for model, rows in self.stamped.items():
            # One executemany per set of columns (a flag has created_at, maybe resolved_at).
            batches: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for row_id, moments in rows.items():
                batches.setdefault(tuple(sorted(moments)), []).append({"id": row_id, **moments})
            for batch in batches.values():
                db.session.execute(update(model), batch)
        db.session.expire_all()

    def _kb(self) -> None:
        db.session.execute(update(Article), self.article_rows)
        revisions = db.session.execute(select(Revision.id, Revision.article_id, Revision.number))
        db.session.execute(
            update(Revision),
            [{"id": rid, "created_at": self.revisions[aid, n]} for rid, aid, n in revisions],
        )
        events = db.session.execute(
            select(ArticleEvent.id, ArticleEvent.article_id, ArticleEvent.action)
        )
        db.session.execute(
            update(ArticleEvent),
            [
                {"id": eid, "created_at": self.article_moments[aid][action]}
                for eid, aid, action in events
            ],
        )
        # Readers answered "Was this helpful?" spread over the time the article was public.
        rows: list[dict[str, Any]] = []
        feedback = db.session.execute(
            select(Feedback.id, Feedback.article_id).order_by(Feedback.id)
        )
        by_article: dict[int, list[int]] = {}
        for fid, aid in feedback:
            by_article.setdefault(aid, []).append(fid)
        for aid, ids in by_article.items():
            moments = self.article_moments[aid]
            start, end = moments["published"], moments.get("archived", self.now)
            step = (end - start) / (len(ids) + 1)
            for n, fid in enumerate(ids, start=1):
                rows.append(
                    {"id": fid, "created_at": start + step * n, "updated_at": start + step * n}
                )
        if rows:
            db.session.execute(update(Feedback), rows)

    def _notifications(self, stamped: dict[int, dict[str, datetime]]) -> None:
        """Date each notification like the action or post it is about; the older ones are
        read."""
        rows: list[dict[str, Any]] = []
        read_before = self.now - timedelta(days=2)
        for nid, url in db.session.execute(select(Notification.id, Notification.url)):
            match = _NOTIFICATION_URL.match(url)
            if nid in stamped:
                when = stamped[nid]["created_at"]
            elif url in self.kb_paths:
                when = self.kb_paths[url]
            elif match is not None:
                thread_id, post_id = match.groups()
                when = self.posts[int(post_id)] if post_id else self.threads[int(thread_id)]
            else:
                continue
            rows.append(
                {"id": nid, "created_at": when, "read_at": when if when < read_before else None}
            )
        if rows:
            db.session.execute(update(Notification), rows)


_NOTIFICATION_URL = re.compile(r"^/t/(\d+)(?:/p/(\d+))?$")

#: The rows a moderation step adds that the timeline dates, and the column that dates them.
_STAMPED: dict[type[Any], str] = {
    ModerationAction: "created_at",
    Flag: "created_at",
    Sanction: "starts_at",
    UserNote: "created_at",
    WatchedWord: "created_at",
    Promotion: "created_at",
    Notification: "created_at",
}


def _with_first(rows: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int, int]]:
    """(revision id, post id, id of the post's first revision), in id order."""
    first: dict[int, int] = {}
    for rid, pid in sorted(rows):
        first.setdefault(pid, rid)
        yield rid, pid, first[pid]
