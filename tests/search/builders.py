"""Content for search tests, made through the real services so that it reaches the index the
way the application indexes it (tests drain the queue inline after each commit)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from forum_kb.accounts.models import Role, User
from forum_kb.community import services as community
from forum_kb.community.models import Category, Post, Thread
from forum_kb.community.services import NewThread
from forum_kb.extensions import db
from forum_kb.kb import services as kb
from forum_kb.kb.models import Article, Section
from forum_kb.kb.services import ArticleDraft
from forum_kb.search import services
from forum_kb.search.services import SearchQuery, SearchResults
from tests.factories import make_category, make_user

#: Enough reputation to skip the new-account limits (posts per day, links).
TRUSTED = 100


@dataclass
class People:
    alice: User
    bob: User
    carol: User
    mia: User  # moderator
    sam: User  # staff
    category: Category
    section: Section


def make_people() -> People:
    """Three trusted members, a moderator and a staff member; a community category and a KB
    section, both about accounts."""
    sam = make_user("sam", role=Role.STAFF)
    return People(
        alice=make_user("alice", reputation=TRUSTED),
        bob=make_user("bob", reputation=TRUSTED),
        carol=make_user("carol", reputation=TRUSTED),
        mia=make_user("mia", role=Role.MODERATOR),
        sam=sam,
        category=make_category("Accounts", slug="accounts"),
        section=kb.create_section(sam, "Account help", slug="account-help"),
    )


def user(name: str) -> User:
    found = db.session.scalar(select(User).where(User.username_key == name.lower()))
    assert found is not None
    return found


def load_people() -> People:
    """The People of ``make_people``, loaded again in a later app context."""
    category = db.session.scalar(select(Category).where(Category.slug == "accounts"))
    section = db.session.scalar(select(Section).where(Section.slug == "account-help"))
    assert category is not None and section is not None
    return People(
        alice=user("alice"), bob=user("bob"), carol=user("carol"), mia=user("mia"),
        sam=user("sam"), category=category, section=section,
    )  # fmt: skip


def ask(
    author: User,
    category: Category,
    title: str,
    body: str,
    *,
    tags: Sequence[str] = (),
    kind: str = "question",
) -> Thread:
    return community.create_thread(author, NewThread(category.id, kind, title, body, list(tags)))


def answer(author: User, thread: Thread, body: str) -> Post:
    return community.reply_to_thread(author, thread, body)


def article(
    staff: User,
    section: Section,
    title: str,
    body: str,
    *,
    labels: Sequence[str] = (),
    publish: bool = True,
) -> Article:
    created = kb.create_article(staff, ArticleDraft(section.id, title, body, labels=list(labels)))
    if publish:
        kb.publish_article(staff, created)
    return created


def find(q: str, **options: object) -> SearchResults:
    return services.search(SearchQuery(q, **options))  # type: ignore[arg-type]


def ids(results: SearchResults) -> list[str]:
    return [hit.doc_id for hit in results.items]
