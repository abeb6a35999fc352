"""A small community for the API contract tests: one of each object the API names by id,
created through the services so every row is as the app itself makes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from forum_kb.accounts import services as accounts
from forum_kb.accounts.models import Role
from forum_kb.community import services as community
from forum_kb.community.models import Post, Thread
from forum_kb.community.services import NewThread
from forum_kb.escalation import services as escalation
from forum_kb.extensions import db
from forum_kb.kb import services as kb
from forum_kb.moderation import services as moderation
from tests.escalation.builders import make_policy
from tests.factories import PASSWORD, make_user

BODY = "The printer shows error E42 after the firmware update; what does it mean?"
T = TypeVar("T")
ARTICLE_BODY = "Error E42 means the paper tray sensor is dirty. Clean it with a dry cloth."


@dataclass
class Seed:
    """Ids and names of the seeded rows, by the name of the path parameter that takes them."""

    admin: str
    values: dict[str, list[object]] = field(default_factory=dict)

    def add(self, name: str, *values: object) -> None:
        self.values.setdefault(name, []).extend(values)


def seed_community() -> Seed:
    """Users of every role, categories, threads with replies, a KB section with articles,
    a flag, a sanction, a note, a watched word, an escalation and a webhook."""
    admin = make_user("root", role=Role.ADMIN)
    staff = make_user("sam", role=Role.STAFF)
    # Established members: new accounts have a daily posting quota.
    member = make_user("mia", reputation=500)
    other = make_user("otto", reputation=500)
    make_policy("Standard")
    seed = Seed(admin=admin.username)
    seed.add("username", admin.username, staff.username, member.username, other.username)

    general = community.create_category(admin, "General", "general", "Anything goes")
    community.create_category(admin, "Printers", "printers", "")
    seed.add("category", general.slug, "printers", general.id)

    threads: list[int] = []
    posts: list[int] = []
    for n, author in enumerate((member, other, member), start=1):
        thread = community.create_thread(
            author,
            NewThread(
                category_id=general.id,
                kind="question",
                title=f"Printer error E4{n} after update",
                body=f"{BODY} Case {n}.",
                tags=["printer"],
            ),
        )
        replier = other if author is member else member
        reply = community.reply_to_thread(replier, thread, f"Answer {n}: clean the tray sensor.")
        threads.append(thread.id)
        posts += [community.opening_post(thread).id, reply.id]
    community.edit_post(member, _get(Post, posts[0]), BODY + " Edited.")
    seed.add("thread_id", *threads)
    seed.add("post_id", *posts)

    section = kb.create_section(admin, "Printers", "printers", "Printer help")
    seed.add("section", section.slug, section.id)
    published = kb.create_article(
        admin, kb.ArticleDraft(section_id=section.id, title="Error E42", body=ARTICLE_BODY)
    )
    kb.publish_article(admin, published)
    draft = kb.create_article(
        staff, kb.ArticleDraft(section_id=section.id, title="Paper jams", body=ARTICLE_BODY)
    )
    seed.add("key", str(published.id), published.slug, draft.slug)
    seed.add("number", 1, 2)

    flag = moderation.flag_post(other, _get(Post, posts[0]), "spam", "Looks like an ad")
    seed.add("flag_id", flag.id)
    sanction = moderation.silence_user(admin, other, reason="Cool down", days=1)
    seed.add("sanction_id", sanction.id)
    moderation.add_user_note(admin, member, "Helpful regular")
    word = moderation.add_watched_word(admin, "casino", "queue")
    seed.add("word_id", word.id)

    case = escalation.escalate_thread(admin, _get(Thread, threads[1]), "Customer on contract")
    seed.add("escalation_id", case.id)
    hook = escalation.create_webhook(admin, "https://hooks.example.com/forum", ["thread.created"])
    seed.add("webhook_id", hook.id)
    return seed


def issue_token(username: str) -> str:
    """A fresh bearer token for ``username`` (through the service, not the rate-limited API)."""
    return accounts.issue_api_token(username, PASSWORD).token


def _get(model: type[T], row_id: int) -> T:
    row = db.session.get(model, row_id)
    assert row is not None
    return row
