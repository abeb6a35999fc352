"""A small forum for the dashboard's wiring tests (pages, CSV, API): one row or more in every
table, made through the services, dated today. The numbers themselves are checked in
``test_queries.py``; here they only need to exist. Call inside an app context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from forum_kb.accounts.models import Role, User
from forum_kb.community import services as community
from forum_kb.community.services import NewThread
from forum_kb.db import utcnow
from forum_kb.escalation import services as escalation
from forum_kb.extensions import db
from forum_kb.kb import services as kb
from forum_kb.kb.models import Article
from forum_kb.kb.services import ArticleDraft
from forum_kb.search.models import SearchLog
from tests.escalation.builders import make_policy
from tests.factories import make_category, make_user

USERNAMES = {"member": "bob", "moderator": "mia", "staff": "sam", "admin": "ada"}
ROLES = ["anonymous", *USERNAMES]
#: Typed twice, found nothing: the first content gap.
GAP = "export to excel"
#: A search that a spreadsheet would run as a formula (the CSV export must defuse it).
FORMULA = '=HYPERLINK("http://evil.example","x")'
PRINTER_QUESTION = "Printer shows error E42 on startup"
SCANNER_QUESTION = "Scanner jams on every second page"
SOLVED_QUESTION = "Where is the toner level shown?"
ARTICLE = "Reset the printer to factory settings"


@dataclass(frozen=True)
class Site:
    category_slug: str
    printer_thread_id: int  # escalated, tagged "printers", unanswered
    scanner_thread_id: int  # unsolved, tagged "scanners", unanswered
    solved_thread_id: int  # bob's answer accepted
    article_id: int  # published, viewed today, stale and rated unhelpful


def user(name: str) -> User:
    found = db.session.scalar(select(User).where(User.username_key == name))
    assert found is not None
    return found


def build_site() -> Site:
    for role, username in USERNAMES.items():
        make_user(username, role=Role(role), reputation=100)
    alice = make_user("alice", reputation=100)
    bob, mia, sam = user("bob"), user("mia"), user("sam")
    category = make_category("Printers", slug="printers")
    make_policy("Standard")
    threads = [
        community.create_thread(
            alice, NewThread(category.id, "question", title, f"Since the update: {title}", [tag])
        )
        for title, tag in [
            (PRINTER_QUESTION, "printers"), (SCANNER_QUESTION, "scanners"),
            (SOLVED_QUESTION, "toner"),
        ]
    ]  # fmt: skip
    printer, scanner, solved = threads
    answer = community.reply_to_thread(bob, solved, "Open Settings, then Supplies.")
    community.accept_answer(alice, solved, answer)
    escalation.escalate_thread(mia, printer, "The customer is blocked")
    community.record_view(printer)
    article = _article(sam)
    _searches(alice, printer.id, article)
    return Site(category.slug, printer.id, scanner.id, solved.id, article.id)


def _article(sam: User) -> Article:
    section = kb.create_section(sam, "Printing", description="Printers and scanners")
    article = kb.create_article(
        sam, ArticleDraft(section.id, ARTICLE, "Hold the reset button for ten seconds.")
    )
    kb.publish_article(sam, article)
    kb.record_view(article)
    for n, helpful in enumerate([True, False, False, False, False, False]):
        kb.give_feedback(article, helpful, session_key=f"reader-{n}")
    article.review_by = utcnow().date() - timedelta(days=3)  # past its review date
    db.session.commit()
    return article


def _searches(alice: User, thread_id: int, article: Article) -> None:
    now = utcnow()
    db.session.add_all(
        [
            SearchLog(user_id=None, query=GAP, result_count=0, created_at=now),
            SearchLog(user_id=alice.id, query=GAP, result_count=0, created_at=now),
            SearchLog(user_id=None, query=FORMULA, result_count=0, created_at=now),
            SearchLog(
                user_id=alice.id, query="printer e42", result_count=2, created_at=now,
                followed_by_thread_id=thread_id,
            ),
            SearchLog(
                user_id=None, query="reset printer", result_count=3, created_at=now,
                clicked_doc=f"article:{article.id}", clicked_at=now,
            ),
            SearchLog(user_id=alice.id, query="toner level", origin="similar", result_count=2,
                      created_at=now),
        ]
    )  # fmt: skip
    db.session.commit()
