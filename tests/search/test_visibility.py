"""Search never leaks what the public may not see: not in results, totals, facet counts,
snippets, suggestions, similar or related content, nor through the API.

Each kind of invisible content carries the made-up word "zanzibarite" (in several documents,
so that "did you mean" could pick it), lives in the category "vault" or under the tag
"vaulted" where it is a whole thread or article, and also says "printer", a word that public
content uses too.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select, update

from forum_kb.accounts.models import User
from forum_kb.community import services as community
from forum_kb.community.models import Category, Thread
from forum_kb.extensions import db
from forum_kb.kb import services as kb
from forum_kb.search import services
from tests.factories import make_category, make_user
from tests.search.builders import (
    People,
    answer,
    article,
    ask,
    find,
    ids,
    load_people,
    make_people,
)

SECRET = "zanzibarite"
TYPO = "zanzibarit"
BROAD = "printer"


@pytest.fixture
def world(app):
    """Public content about printers in "accounts", with an answer."""
    with app.app_context():
        people = make_people()
        make_category("Vault", slug="vault")
        public = ask(people.alice, people.category, "Printer offline after update",
                     "The printer shows offline since the update.", tags=["printing"])  # fmt: skip
        answer(people.bob, public, "Power-cycle the printer and reconnect it to Wi-Fi.")
        article(people.sam, people.section, "Connect a printer", "Add the printer in settings.")
    return app


def vault(people: People) -> Category:
    found = db.session.scalar(select(Category).where(Category.slug == "vault"))
    assert found is not None
    return found


def _secret_body(n: int) -> str:
    return f"The {SECRET} printer driver, variant {n}, is not released yet."


def _was_found(doc_id: str) -> None:
    # Proves the content was indexed while public, so its absence later is not vacuous.
    assert doc_id in ids(find(SECRET))


# --- the kinds of invisible content: each returns the doc ids that must never show ---------------


def draft_article(people: People, n: int) -> list[str]:
    section = kb.create_section(people.sam, f"Vault {n}", slug=f"vault-{n}")
    draft = article(people.sam, section, f"{SECRET} driver {n}", _secret_body(n),
                    labels=["vaulted"], publish=False)  # fmt: skip
    return [f"article:{draft.id}"]


def in_review_article(people: People, n: int) -> list[str]:
    section = kb.create_section(people.sam, f"Vault {n}", slug=f"vault-{n}")
    review = article(people.sam, section, f"{SECRET} driver {n}", _secret_body(n),
                     labels=["vaulted"], publish=False)  # fmt: skip
    kb.submit_for_review(people.sam, review)
    return [f"article:{review.id}"]


def archived_article(people: People, n: int) -> list[str]:
    section = kb.create_section(people.sam, f"Vault {n}", slug=f"vault-{n}")
    old = article(people.sam, section, f"{SECRET} driver {n}", _secret_body(n),
                  labels=["vaulted"])  # fmt: skip
    _was_found(f"article:{old.id}")
    kb.archive_article(people.sam, old)
    return [f"article:{old.id}"]


def _secret_thread(people: People, n: int) -> Thread:
    author = (people.alice, people.bob)[n % 2]
    return ask(author, vault(people), f"{SECRET} driver question {n}", _secret_body(n),
               tags=["vaulted"])  # fmt: skip


def _public_thread(people: People, n: int) -> Thread:
    return ask(people.carol, people.category, f"Printer drivers, part {n}",
               f"Which printer driver should I install? ({n})")  # fmt: skip


def hidden_post(people: People, n: int) -> list[str]:
    post = answer(people.bob, _public_thread(people, n), _secret_body(n))
    _was_found(f"post:{post.id}")
    community.set_post_hidden(people.mia, post, True)
    return [f"post:{post.id}"]


def hidden_thread(people: People, n: int) -> list[str]:
    thread = _secret_thread(people, n)
    reply = answer(people.carol, thread, f"The {SECRET} printer driver works for me ({n}).")
    _was_found(f"thread:{thread.id}")
    community.set_thread_hidden(people.mia, thread, True)
    return [f"thread:{thread.id}", f"post:{reply.id}"]


def deleted_post(people: People, n: int) -> list[str]:
    post = answer(people.bob, _public_thread(people, n), _secret_body(n))
    _was_found(f"post:{post.id}")
    community.delete_post(people.bob, post)
    return [f"post:{post.id}"]


def deleted_thread(people: People, n: int) -> list[str]:
    thread = _secret_thread(people, n)
    _was_found(f"thread:{thread.id}")
    community.delete_post(thread.author, community.opening_post(thread))
    return [f"thread:{thread.id}"]


def _newcomer(n: int) -> User:
    return make_user(f"newcomer{n}")


def pending_thread(people: People, n: int) -> list[str]:
    community.set_premoderation(people.mia, vault(people), True)
    thread = ask(_newcomer(n), vault(people), f"{SECRET} driver question {n}", _secret_body(n),
                 tags=["vaulted"])  # fmt: skip
    assert thread.is_pending
    return [f"thread:{thread.id}"]


def pending_reply(people: People, n: int) -> list[str]:
    # A moderator's thread: pre-moderation never holds it back.
    parent = ask(people.mia, vault(people), f"Printer drivers, part {n}",
                 f"Which printer driver should I install? ({n})")  # fmt: skip
    community.set_premoderation(people.mia, vault(people), True)
    post = answer(_newcomer(n), parent, _secret_body(n))
    assert post.is_pending
    return [f"post:{post.id}"]


KINDS: list[Callable[[People, int], list[str]]] = [
    draft_article,
    in_review_article,
    archived_article,
    hidden_post,
    hidden_thread,
    deleted_post,
    deleted_thread,
    pending_thread,
    pending_reply,
]
#: Kinds that hide a whole thread or article (so its category and tags must not count).
WHOLE = {draft_article, in_review_article, archived_article, hidden_thread, deleted_thread,
         pending_thread}  # fmt: skip


def assert_nothing_leaks(hidden: set[str], *, whole: bool) -> None:
    secret = find(SECRET)
    assert secret.items == [] and secret.total == 0
    assert all(counts == {} for counts in secret.facets.values())
    assert secret.suggestion is None
    for q in (BROAD, f"{BROAD} {SECRET}", "driver"):
        results = find(q)
        assert not hidden & set(ids(results))
        for hit in results.items:
            assert SECRET not in (hit.title + hit.snippet_html).lower()
    broad = find(BROAD)
    if whole:
        assert "vault" not in broad.facets["category"]
        assert not any(slug.startswith("vault-") for slug in broad.facets["category"])
        assert "vaulted" not in broad.facets["tags"]
    for typo in (TYPO, f"{TYPO} printer"):
        assert SECRET not in (find(typo).suggestion or "")
    similar = {hit.doc_id for hit in services.similar(f"{SECRET} printer driver question")}
    assert not hidden & similar
    for thread_id in db.session.scalars(select(Thread.id)):
        related = {hit.doc_id for hit in services.related(thread_id, f"{SECRET} printer driver")}
        assert not hidden & related


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_invisible_content_never_leaks(world, client, kind):
    with world.app_context():
        people = load_people()
        hidden = set(kind(people, 1) + kind(people, 2))
        assert_nothing_leaks(hidden, whole=kind in WHOLE)
    body = client.get(f"/api/v1/search?q={SECRET}").get_json()
    assert (body["total"], body["items"], body["suggestion"]) == (0, [], None)
    body = client.get(f"/api/v1/search?q={BROAD}+driver").get_json()
    assert not hidden & {item["doc_id"] for item in body["items"]}
    assert SECRET not in str(body).lower()
    similar = client.get(f"/api/v1/search/similar?title={SECRET}+printer+driver").get_json()
    assert not hidden & {item["doc_id"] for item in similar["items"]}
    page = client.get(f"/search/?q={BROAD}+driver").get_data(as_text=True)
    assert f"{SECRET} driver" not in page.lower()


def test_merged_thread_is_searchable_only_through_its_target(world):
    with world.app_context():
        people = load_people()
        source = ask(people.alice, people.category, f"{SECRET} driver crashes",
                     _secret_body(1))  # fmt: skip
        target = ask(people.bob, people.category, "Printer driver crashes",
                     "The printer driver crashes on start.")  # fmt: skip
        community.merge_threads(people.mia, source, target)
        hits = find(SECRET).items
        assert f"thread:{source.id}" not in [hit.doc_id for hit in hits]
        # The merged opening post lives on as an answer in the target thread.
        assert [(hit.type, hit.thread_id) for hit in hits] == [("post", target.id)]
        assert all(not hit.url.startswith(f"/t/{source.id}") for hit in find(BROAD).items)


def test_stale_index_entry_is_dropped_by_the_database_check(world):
    with world.app_context():
        people = load_people()
        thread = _secret_thread(people, 1)
        assert ids(find(SECRET)) == [f"thread:{thread.id}"]
        # Hidden behind the services' back: the index still holds the thread.
        db.session.execute(update(Thread).where(Thread.id == thread.id).values(is_hidden=True))
        db.session.commit()
        assert services.search_index().searcher().document(doc_id=f"thread:{thread.id}")
        assert find(SECRET).items == []
        assert f"thread:{thread.id}" not in {hit.doc_id for hit in services.similar(SECRET)}
