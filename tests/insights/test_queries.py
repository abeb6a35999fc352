"""Every number of the staff dashboard, checked against a small world computed by hand.

The world is made through the real services (threads, replies, votes, hiding, merging,
escalations, KB feedback, searches) and then moved to fixed moments of a fixed week, because
the services stamp ``utcnow()``. The period is always given explicitly, so nothing here
depends on today's date except the stale-articles table (which is "now" by definition).

The week is Monday 2025-03-03 to Sunday 2025-03-09 (UTC). What is in it, and why each
figure has its value, is written beside the figure in the tests below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text, update

from forum_kb.accounts.models import Role, User
from forum_kb.community import services as community
from forum_kb.community.models import Category, Post, Thread, ThreadDailyViews, Vote
from forum_kb.community.services import NewThread
from forum_kb.db import unit_of_work, utcnow
from forum_kb.escalation import services as escalation
from forum_kb.escalation.models import Escalation
from forum_kb.extensions import db
from forum_kb.insights import queries
from forum_kb.insights.queries import MAX_DAYS, Period, clamp_period, dashboard, problem_threads
from forum_kb.kb import services as kb
from forum_kb.kb.models import Article, ArticleDailyViews
from forum_kb.kb.services import ArticleDraft
from forum_kb.search import services as search
from forum_kb.search.models import SearchLog
from forum_kb.search.services import SearchQuery
from tests.factories import make_category, make_user

FIRST, LAST = date(2025, 3, 3), date(2025, 3, 9)
WEEK = Period(FIRST, LAST)
#: Enough reputation to skip the new-account posting limits.
TRUSTED = 100

FIGURES = {
    "questions": 5,  # Q1..Q5; not the discussion, hidden, deleted, pending, merged or outside
    "answered_share": 0.6,  # Q1 (bob), Q3 (mia, a moderator), Q5 (carol); not Q2 (see below)
    "solved_share": 0.6,  # Q1, Q2 (staff answer accepted), Q5
    "escalated_share": 0.4,  # Q2, Q3
    "community_first_response_hours": 2.0,  # Q1 2 h, Q3 4 h, Q5 1 h: median of three
    "staff_first_response_hours": 3.5,  # E2 2 h, E4 5 h: median of two
    "solution_hours": 10.0,  # Q1 10 h, Q2 27 h, Q5 8 h
    "escalations": 4,  # E2, E3, E4, E5 (E6 is after the week)
    "sla_compliance": 0.5,  # E3 breached both targets, E4 its resolution target
    "kb_views": 27,  # A1 8, A2 6, A3 6, A4 7 (archived since, its views still happened)
    "thread_views": 15,  # Q1 10, Q2 3, the hidden N2 1, Q5 1
    "kb_helpful_ratio": 0.75,  # yes: alice, bob, erin; no: carol (dan and s1 answered outside)
    "kb_feedback": 4,
    "searches": 12,  # typed (page, api) in the week; "similar" lookups apart
    "searches_without_thread": 7,  # 5 of the 12 were followed by a thread
    "search_deflection": 0.5833,  # 7 / 12
    "kb_views_from_search": 1,  # "reset printer" opened article A1
    "suggestions_shown": 2,  # drafts with similar content: "printer noise", "vpn drops hourly"
    "suggestion_deflection": 1,  # "printer noise" was never posted
    "self_service_ratio": 10.5,  # (27 + 15) views / 4 escalations
}


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, minute, second, tzinfo=UTC)


@dataclass
class World:
    users: dict[str, User]
    categories: dict[str, Category]
    threads: dict[str, Thread]
    articles: dict[str, Article]
    escalations: dict[str, Escalation]


# --- building the world ------------------------------------------------------------------------


def _save(obj: Any, **values: Any) -> None:
    """Move a row made by a service to a fixed moment (services stamp utcnow())."""
    for name, value in values.items():
        setattr(obj, name, value)
    db.session.commit()


def _ask(
    author: User, category: Category, title: str, when: datetime, tags: list[str], kind: str = ""
) -> Thread:
    body = f"{title}. Details: it started this week and nothing I do changes it."
    thread = community.create_thread(
        author, NewThread(category.id, kind or "question", title, body, tags)
    )
    _save(thread, created_at=when, last_activity_at=when)
    _save(community.opening_post(thread), created_at=when)
    return thread


def _reply(author: User, thread: Thread, when: datetime, body: str = "") -> Post:
    post = community.reply_to_thread(
        author, thread, body or f"{author.username}'s answer to “{thread.title}”, at {when}."
    )
    _save(post, created_at=when)
    return post


def _vote(voter: User, post: Post, value: int, when: datetime) -> None:
    community.vote(voter, post, value)
    vote = db.session.get(Vote, (post.id, voter.id))
    assert vote is not None
    _save(vote, created_at=when)


def _accept(actor: User, thread: Thread, post: Post, when: datetime) -> None:
    community.accept_answer(actor, thread, post)
    _save(thread, solved_at=when)


def _escalate(actor: User, thread: Thread, when: datetime) -> Escalation:
    return escalation.escalate_thread(actor, thread, "Needs staff", now=when)


def _staff_reply(staff: User, esc: Escalation, when: datetime) -> None:
    post = escalation.staff_reply(staff, esc, f"Staff here: looking into it ({esc.id}).")
    _save(post, created_at=when)
    _save(esc, first_response_at=when)


def _people() -> dict[str, User]:
    names = ("alice", "bob", "carol", "dan", "erin")  # ids 1..5 in this order
    users = {name: make_user(name, reputation=TRUSTED) for name in names}
    users["mia"] = make_user("mia", role=Role.MODERATOR)
    users["sam"] = make_user("sam", role=Role.STAFF)
    users["newbie"] = make_user("newbie")  # no approved posts: pre-moderated below
    return users


def _policies(sam: User, billing: Category) -> None:
    standard = escalation.PolicyFields(
        name="Standard", unanswered_hours=48, unsolved_days=7, first_response_hours=8,
        resolution_hours=48, is_default=True,
    )  # fmt: skip
    priority = escalation.PolicyFields(
        name="Priority", unanswered_hours=4, unsolved_days=1, first_response_hours=1,
        resolution_hours=4, is_default=False,
    )  # fmt: skip
    escalation.create_policy(sam, standard)
    escalation.set_category_policy(sam, billing, escalation.create_policy(sam, priority))


def _questions(u: dict[str, User], c: dict[str, Category]) -> dict[str, Thread]:
    """The week's five counted questions and their answers (escalations come later)."""
    t: dict[str, Thread] = {}
    # Q1: first day 00:00 (included); bob answers after 2 h, accepted after 10 h.
    t["Q1"] = _ask(u["alice"], c["printing"], "Printer drops wifi connection", at(3),
                   ["printer", "wifi"])  # fmt: skip
    answer = _reply(u["bob"], t["Q1"], at(3, 2))
    _accept(u["alice"], t["Q1"], answer, at(3, 10))
    _vote(u["alice"], answer, 1, at(4, 8))
    _vote(u["carol"], answer, 1, at(5, 8))
    # Q2: no community answer: the asker's own reply, a hidden one, a deleted one, staff.
    t["Q2"] = _ask(u["alice"], c["printing"], "Printer error E42: printer stuck", at(4, 9),
                   ["printer"])  # fmt: skip
    _reply(u["alice"], t["Q2"], at(4, 9, 30), "Update: unplugging it did not help.")
    hidden = _reply(u["carol"], t["Q2"], at(4, 10))
    _vote(u["bob"], hidden, 1, at(4, 10, 5))  # on a post hidden since: not counted
    community.set_post_hidden(u["mia"], hidden, True)
    deleted = _reply(u["bob"], t["Q2"], at(4, 10, 30))
    _vote(u["dan"], deleted, 1, at(4, 10, 35))  # on a post deleted since: not counted
    community.delete_post(u["bob"], deleted)
    # Q3: 23:30 UTC; a moderator answers after 4 h (moderators count as community).
    t["Q3"] = _ask(u["dan"], c["billing"], "Refund error for double charge", at(5, 23, 30),
                   ["billing"])  # fmt: skip
    _vote(u["dan"], _reply(u["mia"], t["Q3"], at(6, 3, 30)), 1, at(6, 4))
    # Q4: last second of the week (included); nobody answers.
    t["Q4"] = _ask(u["dan"], c["network"],
                   "Router firmware update fails after the 2024 update", at(9, 23, 59, 59),
                   ["network", "firmware"])  # fmt: skip
    # Q5: carol answers after 1 h (erin later); a moderator accepts carol's after 8 h.
    t["Q5"] = _ask(u["alice"], c["network"], "VPN disconnects every hour", at(8, 12),
                   ["network", "vpn"])  # fmt: skip
    carol = _reply(u["carol"], t["Q5"], at(8, 13))
    erin = _reply(u["erin"], t["Q5"], at(8, 18))
    _accept(u["mia"], t["Q5"], carol, at(8, 20))
    _vote(u["bob"], carol, 1, at(8, 21))
    _vote(u["erin"], carol, -1, at(8, 22))  # down-votes are ignored
    _vote(u["alice"], carol, 1, at(10, 9))  # after the week
    _vote(u["bob"], erin, 1, at(9, 9))
    return t


def _uncounted(u: dict[str, User], c: dict[str, Category], t: dict[str, Thread]) -> None:
    """Threads that are not the week's questions, for one reason each."""
    t["N1"] = _ask(u["alice"], c["printing"], "Favourite printer brands", at(4, 15),
                   ["printer"], kind="discussion")  # fmt: skip
    _reply(u["bob"], t["N1"], at(4, 16))
    t["N2"] = _ask(u["dan"], c["printing"], "Hidden printer question", at(5, 10), [])
    _reply(u["bob"], t["N2"], at(5, 11))
    community.set_thread_hidden(u["mia"], t["N2"], True)
    t["N3"] = _ask(u["dan"], c["printing"], "Deleted printer question", at(5, 12), [])
    community.delete_post(u["dan"], community.opening_post(t["N3"]))
    t["N5"] = _ask(u["alice"], c["printing"], "Printer drops wifi again", at(6, 9), ["printer"])
    community.merge_threads(u["mia"], t["N5"], t["Q1"])
    # Just outside the week: the last second before it, the first second after it.
    t["N6"] = _ask(u["alice"], c["network"], "Old question before the week",
                   at(2, 23, 59, 59), ["network"])  # fmt: skip
    t["N7"] = _ask(u["dan"], c["printing"], "Scanner jams after the week", at(10), ["scanner"])
    # Asked before the week, solved in it: a self-answer (not a helper) and bob's answer.
    t["N8"] = _ask(u["erin"], c["printing"], "Old ink question", at(20, month=2), [])
    _accept(u["erin"], t["N8"], _reply(u["erin"], t["N8"], at(21, month=2)), at(6, 10))
    t["N9"] = _ask(u["dan"], c["printing"], "Old toner question", at(25, month=2), [])
    _accept(u["dan"], t["N9"], _reply(u["bob"], t["N9"], at(26, month=2)), at(7, 9))
    # Solved after the week: carol's accepted answer does not count in it.
    t["N10"] = _ask(u["alice"], c["network"], "Old modem question", at(10, month=2), [])
    _accept(u["alice"], t["N10"], _reply(u["carol"], t["N10"], at(11, month=2)), at(10, 1))
    # Locked without an answer: not "unanswered" (nobody can answer it).
    t["N11"] = _ask(u["dan"], c["network"], "Locked old question", at(1, month=2), [])
    community.set_thread_locked(u["mia"], t["N11"], True)


def _pending(u: dict[str, User], c: dict[str, Category], t: dict[str, Thread]) -> None:
    """Pre-moderation: a new account's reply and thread wait for review (not counted)."""
    community.set_premoderation(u["mia"], c["billing"], True)
    post = _reply(u["newbie"], t["Q3"], at(5, 23, 45))
    assert post.is_pending
    t["N4"] = _ask(u["newbie"], c["billing"], "Pending billing question", at(6, 8), ["billing"])
    assert t["N4"].is_pending


def _escalations(u: dict[str, User], t: dict[str, Thread]) -> dict[str, Escalation]:
    sam, mia = u["sam"], u["mia"]
    e: dict[str, Escalation] = {}
    # E2 (Standard): Q2 by a moderator; staff answer 2 h later; resolved and accepted.
    e["E2"] = _escalate(mia, t["Q2"], at(4, 12))
    _staff_reply(sam, e["E2"], at(4, 14))
    escalation.resolve(sam, e["E2"], "Reset the print head: hold the power button 10 s.")
    _save(e["E2"], resolved_at=at(5, 12))
    _save(t["Q2"], solved_at=at(5, 12))
    _vote(u["alice"], db.session.get_one(Post, t["Q2"].accepted_post_id), 1, at(5, 13))
    # E3 (Priority, billing): the asker asks staff; nobody answers: both targets breached.
    e["E3"] = _escalate(u["dan"], t["Q3"], at(7))
    escalation.mark_breaches(at(7, 5))
    # E4 (Standard): the discussion N1; staff answer after 5 h; resolution target breached.
    e["E4"] = _escalate(mia, t["N1"], at(8, 10))
    _staff_reply(sam, e["E4"], at(8, 15))
    escalation.mark_breaches(at(10, 11))
    # E5: the old question N6, escalated in the week; its policy was deleted since.
    e["E5"] = _escalate(mia, t["N6"], at(9, 6))
    _save(e["E5"], policy_id=None)
    # E6: after the week.
    e["E6"] = _escalate(mia, t["N7"], at(10, 1))
    return e


def _article(sam: User, section_id: int, title: str) -> Article:
    body = f"{title}: the steps, one by one, with pictures."
    article = kb.create_article(sam, ArticleDraft(section_id, title, body))
    return kb.publish_article(sam, article)


def _knowledge_base(u: dict[str, User]) -> dict[str, Article]:
    sam = u["sam"]
    section = kb.create_section(sam, "Printing help", slug="printing-help")
    a = {
        "A1": _article(sam, section.id, "Reset the printer"),
        "A2": _article(sam, section.id, "Configure wifi"),
        "A3": _article(sam, section.id, "Refund policy"),
        "A4": _article(sam, section.id, "Old fax guide"),
    }
    today = utcnow().date()
    kb.set_ownership(sam, a["A2"], sam.id, today - timedelta(days=10))
    kb.set_ownership(sam, a["A3"], sam.id, today - timedelta(days=3))
    kb.set_ownership(sam, a["A4"], sam.id, today - timedelta(days=20))
    # Feedback: in the week alice, bob, erin yes and carol no (she changed her mind).
    for name, article, helpful, when in (
        ("alice", "A1", True, at(3, 9)),
        ("bob", "A1", True, at(4, 9)),
        ("carol", "A1", True, at(5, 9)),
        ("dan", "A1", False, at(2, 9)),
        ("erin", "A2", True, at(6, 9)),
    ):
        feedback = kb.give_feedback(a[article], helpful, user=u[name])
        _save(feedback, created_at=when)
    kb.give_feedback(a["A1"], False, user=u["carol"])
    _save(kb.give_feedback(a["A1"], False, session_key="s1"), created_at=at(10, 9))
    # Views: one through the service (moved to its day), the rest as daily rows.
    kb.record_view(a["A1"])
    db.session.execute(
        update(ArticleDailyViews)
        .where(ArticleDailyViews.article_id == a["A1"].id)
        .values(day=date(2025, 3, 3), views=5)
    )
    for article, day, views in (
        ("A1", date(2025, 3, 5), 3),
        ("A1", date(2025, 3, 2), 100),
        ("A1", date(2025, 3, 10), 50),
        ("A2", date(2025, 3, 4), 2),
        ("A2", date(2025, 3, 9), 4),
        ("A3", date(2025, 3, 5), 1),
        ("A3", date(2025, 3, 7), 5),
        ("A4", date(2025, 3, 6), 7),
    ):
        db.session.add(ArticleDailyViews(article_id=a[article].id, day=day, views=views))
    db.session.commit()
    kb.archive_article(sam, a["A4"])
    return a


def _thread_views(t: dict[str, Thread]) -> None:
    community.record_view(t["Q1"])
    db.session.execute(
        update(ThreadDailyViews)
        .where(ThreadDailyViews.thread_id == t["Q1"].id)
        .values(day=date(2025, 3, 3), views=10)
    )
    for thread, day, views in (
        ("Q2", date(2025, 3, 4), 3),
        ("N2", date(2025, 3, 5), 1),
        ("Q5", date(2025, 3, 8), 1),
        ("N7", date(2025, 3, 10), 9),
    ):
        db.session.add(ThreadDailyViews(thread_id=t[thread].id, day=day, views=views))
    db.session.commit()


def _log(q: str, results: int, user: User | None, origin: str = "page") -> SearchLog:
    log_id = search.log_search(
        SearchQuery(q), results, user_id=user.id if user else None, origin=origin
    )
    return db.session.get_one(SearchLog, log_id)


def _searched(q: str, results: int, user: User | None, when: datetime, origin: str = "page") -> int:
    entry = _log(q, results, user, origin)
    _save(entry, created_at=when)  # moved at once: later threads do not pick it up
    return entry.id


def _searched_then_asked(thread: Thread, searches: list[tuple[str, int, str, datetime]]) -> None:
    """Searches made just before ``thread`` was started by its author (linked by the service)."""
    author = db.session.get_one(User, thread.author_id)
    entries = [(_log(q, n, author, origin), when) for q, n, origin, when in searches]
    with unit_of_work():
        search.note_new_thread(author.id, thread.id)
    for entry, when in entries:
        assert entry.followed_by_thread_id == thread.id
        _save(entry, created_at=when)


def _searches(u: dict[str, User], t: dict[str, Thread], a: dict[str, Article]) -> None:
    _searched("printer offline", 0, u["alice"], at(3, 8))
    _searched("printer offline", 0, u["bob"], at(4, 8), origin="api")
    _searched("Printer   OFFLINE", 0, None, at(5, 8))
    _searched("toner smudge", 0, u["carol"], at(6, 8))
    _searched("fax error", 0, u["carol"], at(6, 9))
    _searched("printer offline", 0, u["alice"], at(10))  # after the week
    _searched("printer offline", 0, u["carol"], at(6, 10), origin="similar")
    clicked = _searched("reset printer", 4, u["dan"], at(3, 9))
    search.record_click(clicked, f"article:{a['A1'].id}", u["dan"].id)
    clicked = _searched("wifi setup", 2, u["erin"], at(4, 10), origin="api")
    search.record_click(clicked, f"thread:{t['Q1'].id}", u["erin"].id)
    _searched_then_asked(
        t["Q3"], [("refund", 3, "page", at(5, 22)), ("refund", 1, "page", at(5, 22, 10))]
    )
    _searched_then_asked(t["Q4"], [("router firmware", 2, "page", at(9, 23))])
    _searched_then_asked(
        t["Q5"],
        [
            ("vpn drops", 5, "page", at(8, 11)),
            ("Refund", 3, "page", at(8, 10, 30)),
            ("vpn drops hourly", 2, "similar", at(8, 11, 30)),
        ],
    )
    # Drafts shown suggestions (or not), never posted; one after the week.
    _searched("printer noise", 3, u["bob"], at(7, 15), origin="similar")
    _searched("xyz", 0, u["carol"], at(7, 16), origin="similar")
    _searched("printer fire", 5, u["bob"], at(10, 8), origin="similar")


@pytest.fixture
def app(make_app: Any) -> Flask:
    # The dashboard reads SQL only: changes stay queued for the search index (faster).
    return make_app(SEARCH_INDEXER="off")


@pytest.fixture
def world(app_ctx: Any) -> World:
    users = _people()
    categories = {
        "printing": make_category("Printing", slug="printing"),
        "billing": make_category("Billing", slug="billing"),
        "network": make_category("Network", slug="network"),
    }
    _policies(users["sam"], categories["billing"])
    threads = _questions(users, categories)
    _uncounted(users, categories, threads)
    escalations = _escalations(users, threads)
    _pending(users, categories, threads)
    articles = _knowledge_base(users)
    _thread_views(threads)
    _searches(users, threads, articles)
    return World(users, categories, threads, articles, escalations)


def _iso(when: datetime) -> str:
    return when.isoformat()


# --- the figures -------------------------------------------------------------------------------


def test_dashboard_every_figure(world: World) -> None:
    report = dashboard(WEEK)
    assert {name: figure.value for name, figure in report.figures.items()} == FIGURES
    assert report.tables["figures"].rows == [
        (f.name, f.label, f.value, f.unit, f.definition) for f in report.figures.values()
    ]
    assert set(report.tables) == set(queries.table_names())


def test_dashboard_medians_of_even_counts_and_shorter_periods(world: World) -> None:
    report = dashboard(Period(FIRST, date(2025, 3, 6)))
    assert report.figure("questions") == 3  # Q1, Q2, Q3
    assert report.figure("answered_share") == 0.6667  # Q1, Q3
    assert report.figure("community_first_response_hours") == 3.0  # 2 h and 4 h
    assert report.figure("solution_hours") == 18.5  # 10 h and 27 h
    assert report.figure("staff_first_response_hours") == 2.0  # E2 only
    assert report.figure("escalations") == 1
    # Q2 and Q3: handed to staff at any time up to now, like answers (E3 came on 03-07).
    assert report.figure("escalated_share") == 0.6667


def test_dashboard_self_service_ratio_needs_escalations(world: World) -> None:
    report = dashboard(Period(FIRST, FIRST))
    assert report.figure("escalations") == 0
    assert (report.figure("kb_views"), report.figure("thread_views")) == (5, 10)
    assert report.figure("self_service_ratio") is None
    assert report.figure("sla_compliance") is None
    assert report.tables["sla"].rows == []


def test_dashboard_of_an_empty_database_has_no_ratios(app_ctx: Any) -> None:
    report = dashboard(WEEK)
    zeros = {"questions", "escalations", "kb_views", "thread_views", "kb_feedback", "searches",
             "searches_without_thread", "kb_views_from_search", "suggestions_shown",
             "suggestion_deflection"}  # fmt: skip
    assert {n: f.value for n, f in report.figures.items()} == {
        name: 0 if name in zeros else None for name in FIGURES
    }
    assert report.tables["daily"].rows == [
        ((FIRST + timedelta(days=i)).isoformat(), 0, 0, 0, 0, 0) for i in range(7)
    ]
    others = set(queries.table_names()) - {"figures", "daily"}
    assert {name: report.tables[name].rows for name in others} == {name: [] for name in others}


def test_dashboard_period_boundaries_are_whole_utc_days(world: World) -> None:
    # Q1 at the first second, Q4 at the last: each day alone has exactly its question.
    assert dashboard(Period(FIRST, FIRST)).figure("questions") == 1
    assert dashboard(Period(LAST, LAST)).figure("questions") == 1
    # The day before (N6) and the day after (N7) are visible unanswered questions, but
    # they are outside the week.
    assert dashboard(Period(date(2025, 3, 2), date(2025, 3, 2))).figure("questions") == 1
    assert dashboard(Period(date(2025, 3, 10), date(2025, 3, 10))).figure("questions") == 1


# --- the tables --------------------------------------------------------------------------------


def test_daily_table_has_every_day_with_zeros(world: World) -> None:
    table = dashboard(WEEK).tables["daily"]
    assert table.columns == ("day", "questions", "searches", "kb_views", "thread_views",
                             "escalations")  # fmt: skip
    assert table.rows == [
        ("2025-03-03", 1, 2, 5, 10, 0),  # Q1; printer offline, reset printer
        ("2025-03-04", 1, 2, 2, 3, 1),  # Q2; printer offline (api), wifi setup; E2
        ("2025-03-05", 1, 3, 4, 1, 0),  # Q3 at 23:30; printer offline, refund x2
        ("2025-03-06", 0, 2, 7, 0, 0),  # toner smudge, fax error
        ("2025-03-07", 0, 0, 5, 0, 1),  # E3 at 00:00
        ("2025-03-08", 1, 2, 0, 1, 1),  # Q5; vpn drops, refund; E4
        ("2025-03-09", 1, 1, 4, 0, 1),  # Q4 at 23:59:59; router firmware; E5
    ]


def test_sla_table_per_policy(world: World) -> None:
    table = dashboard(WEEK).tables["sla"]
    assert table.columns == ("policy", "escalations", "resolved", "first_response_breaches",
                             "resolution_breaches", "met", "compliance")  # fmt: skip
    assert table.rows == [
        ("No policy", 1, 0, 0, 0, 1, 1.0),  # E5
        ("Priority", 1, 0, 1, 1, 0, 0.0),  # E3
        ("Standard", 2, 1, 0, 1, 1, 0.5),  # E2 resolved in time; E4 late to resolve
    ]


def test_zero_result_searches_most_frequent_then_by_query(world: World) -> None:
    table = dashboard(WEEK).tables["zero_result_searches"]
    # "printer offline": alice, bob through the API and an anonymous "Printer   OFFLINE";
    # not the similar lookup nor the search after the week.
    assert table.rows == [
        ("printer offline", 3, _iso(at(5, 8))),
        ("fax error", 1, _iso(at(6, 9))),
        ("toner smudge", 1, _iso(at(6, 8))),
    ]


def test_searches_then_thread_counts_searches_and_distinct_threads(world: World) -> None:
    table = dashboard(WEEK).tables["searches_then_thread"]
    assert table.rows == [
        ("refund", 3, 2),  # dan twice before Q3, alice once before Q5
        ("router firmware", 1, 1),
        ("vpn drops", 1, 1),
    ]


def test_problem_tags_count_threads(world: World) -> None:
    # Escalated or unsolved, created in the week, visible: Q2 (escalated), Q3 (escalated),
    # Q4 (unsolved) and the discussion N1 (escalated).
    table = dashboard(WEEK).tables["problem_tags"]
    assert table.rows == [("printer", 2), ("billing", 1), ("firmware", 1), ("network", 1)]


def test_problem_terms_count_threads_and_leave_out_stop_words(world: World) -> None:
    table = dashboard(WEEK).tables["problem_terms"]
    # "printer" twice in Q2's title counts once; "after", "the", "for" are stop words,
    # "2024" a number; "update" twice in Q4 counts once. Ten rows at most.
    assert table.rows == [
        ("error", 2),
        ("printer", 2),
        ("brands", 1),
        ("charge", 1),
        ("double", 1),
        ("e42", 1),
        ("fails", 1),
        ("favourite", 1),
        ("firmware", 1),
        ("refund", 1),
    ]
    assert queries.terms_of("Router firmware update fails after the 2024 update") == {
        "router", "firmware", "update", "fails",
    }  # fmt: skip
    # Numbers and versions are not recurring problems; words with digits are ("e42", "ipv6").
    assert queries.terms_of("Error e42 on 20+ devices since 3.1.4, ipv6 only") == {
        "error", "e42", "devices", "since", "ipv6",
    }  # fmt: skip


def test_problem_threads_by_tag_and_by_term(world: World) -> None:
    t = world.threads

    def ids(found: list[Thread]) -> list[int]:
        return [thread.id for thread in found]

    assert ids(problem_threads(WEEK, tag="printer")) == [t["N1"].id, t["Q2"].id]
    assert ids(problem_threads(WEEK, tag="wifi")) == []  # Q1 was solved
    assert ids(problem_threads(WEEK, term="error")) == [t["Q3"].id, t["Q2"].id]
    assert ids(problem_threads(WEEK, term="PRINTER")) == [t["N1"].id, t["Q2"].id]
    assert ids(problem_threads(WEEK, term="print")) == []  # whole words only
    assert ids(problem_threads(WEEK, term="firmware")) == [t["Q4"].id]
    assert ids(problem_threads(WEEK, tag="printer", term="brands")) == [t["N1"].id]
    assert ids(problem_threads(WEEK, term="100%_")) == []
    assert ids(problem_threads(WEEK)) == [t[k].id for k in ("Q4", "Q3", "N1", "Q2")]
    assert ids(problem_threads(WEEK, limit=1)) == [t["Q4"].id]


def test_kb_health_tables(world: World) -> None:
    a = world.articles
    tables = dashboard(WEEK).tables
    today = utcnow().date()
    # A4 is overdue too, but archived.
    assert tables["stale_articles"].rows == [
        (a["A2"].id, "Configure wifi", "sam", (today - timedelta(days=10)).isoformat(), 10),
        (a["A3"].id, "Refund policy", "sam", (today - timedelta(days=3)).isoformat(), 3),
    ]
    # A1: yes from alice and bob; no from carol, dan and a browser session (all time).
    assert tables["low_rated_articles"].rows == [(a["A1"].id, "Reset the printer", "sam", 2, 3,
                                                  0.4)]  # fmt: skip
    # Views in the week; A2 and A3 tie (by id); A4 was archived.
    assert tables["most_viewed_articles"].rows == [
        (a["A1"].id, "Reset the printer", 8, 0.4),
        (a["A2"].id, "Configure wifi", 6, 1.0),
        (a["A3"].id, "Refund policy", 6, None),
    ]


def test_top_helpers(world: World) -> None:
    # bob: Q1 and N9 accepted, 2 up-votes on his Q1 answer (not the one on his deleted reply);
    # carol: Q5 accepted (N10 was solved after the week), bob's up-vote (erin's down-vote and
    # alice's late up-vote do not count, nor bob's on her hidden reply); erin's self-answer
    # does not count, bob's up-vote does; mia (moderator) one up-vote; sam (staff) left out.
    assert dashboard(WEEK).tables["top_helpers"].rows == [
        ("bob", 2, 2),
        ("carol", 1, 1),
        ("erin", 0, 1),
        ("mia", 0, 1),
    ]


def test_unanswered_questions_by_category(world: World) -> None:
    # Whatever the period: Q4 and N6 (network), N7 (printing). N11 is locked; Q2 has the
    # asker's and staff replies; N2, N3, N4 are not visible; N1 is a discussion.
    rows = (
        dashboard(Period(date(2020, 1, 1), date(2020, 1, 1))).tables["unanswered_by_category"].rows
    )
    assert rows == [
        ("network", "Network", 2, _iso(at(2, 23, 59, 59))),
        ("printing", "Printing", 1, _iso(at(10))),
    ]


def test_questions_ignore_invisible_and_other_kinds(world: World) -> None:
    t = world.threads
    assert t["N2"].is_hidden and t["N3"].deleted_at is not None
    assert t["N4"].is_pending and t["N5"].merged_into_id == t["Q1"].id
    # Un-hiding N2 makes it one more question of the week, answered by bob.
    community.set_thread_hidden(world.users["mia"], t["N2"], False)
    report = dashboard(WEEK)
    assert report.figure("questions") == 6
    assert report.figure("answered_share") == round(4 / 6, 4)


# --- the period --------------------------------------------------------------------------------


def test_clamp_period_defaults_orders_and_caps(app_ctx: Any) -> None:
    today = utcnow().date()
    assert clamp_period(None, None) == Period(today - timedelta(days=29), today)
    assert clamp_period(LAST, FIRST) == WEEK
    long = clamp_period(date(2020, 1, 1), date(2025, 3, 9))
    assert long == Period(date(2025, 3, 9) - timedelta(days=MAX_DAYS - 1), date(2025, 3, 9))
    assert long.days == MAX_DAYS


# --- PostgreSQL: days are UTC days whatever the session's time zone -----------------------------


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Tokyo"])
def test_days_are_utc_days_whatever_the_session_time_zone(world: World, zone: str) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no session time zone")
    db.session.execute(text(f"SET LOCAL TIME ZONE '{zone}'"))
    assert db.session.scalar(text("SHOW TIME ZONE")) == zone
    report = dashboard(WEEK)
    # Q1 at 00:00 UTC is 19:00 the day before in New York; Q3 at 23:30 UTC and Q4 at
    # 23:59:59 UTC are the next day in Tokyo: all stay on their UTC day.
    assert [row[:2] for row in report.tables["daily"].rows] == [
        ("2025-03-03", 1), ("2025-03-04", 1), ("2025-03-05", 1), ("2025-03-06", 0),
        ("2025-03-07", 0), ("2025-03-08", 1), ("2025-03-09", 1),
    ]  # fmt: skip
    assert report.figure("questions") == 5
    assert report.tables["unanswered_by_category"].rows[0][3] == _iso(at(2, 23, 59, 59))
