"""Search use cases against a real database and a RAM index: ranking, filters and facets,
pages, sorting, "did you mean", similar and related content, and the search log."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from forum_kb.community import services as community
from forum_kb.db import utcnow
from forum_kb.extensions import db
from forum_kb.search import queries, services
from forum_kb.search.models import SearchLog
from forum_kb.search.services import SearchQuery
from tests.factories import make_category
from tests.search.builders import People, answer, article, ask, find, ids, make_people


@pytest.fixture
def people(app_ctx) -> People:
    return make_people()


# --- ranking -----------------------------------------------------------------------------------


def test_published_article_outranks_a_thread_with_the_same_words(people):
    title, body = "Export invoices to a spreadsheet", "Open billing, choose invoices, export CSV."
    thread = ask(people.alice, people.category, title, body)
    official = article(people.sam, people.section, title, body)
    assert ids(find("export invoices")) == [f"article:{official.id}", f"thread:{thread.id}"]


def test_accepted_answer_ranks_above_an_unaccepted_one(people):
    thread = ask(people.alice, people.category, "Printer queue is stuck", "Nothing prints at all.")
    first = answer(people.bob, thread, "Restart the print spooler service and try again.")
    second = answer(people.carol, thread, "Restart the print spooler service and try again.")
    community.accept_answer(people.alice, thread, second)
    assert ids(find("spooler", type="post")) == [f"post:{second.id}", f"post:{first.id}"]


def test_solved_thread_ranks_above_an_unsolved_one(people):
    unsolved = ask(people.alice, people.category, "Sync fails on startup", "Sync fails every time.")
    solved = ask(people.bob, people.category, "Sync fails on startup", "Sync fails every morning.")
    reply = answer(people.carol, solved, "Update the desktop app to 2.3.")
    community.accept_answer(people.bob, solved, reply)
    expected = [f"thread:{solved.id}", f"thread:{unsolved.id}"]
    assert ids(find("sync fails", type="thread")) == expected


# --- filters and facets ------------------------------------------------------------------------


@pytest.fixture
def mixed(people):
    """In accounts: a solved thread tagged sso (with its accepted answer) and an unsolved one
    tagged 2fa; in billing: a thread tagged sso; one KB article labelled sso."""
    billing = make_category("Billing", slug="billing")
    solved = ask(people.alice, people.category, "Login loop with SSO", "The login page reloads.",
                 tags=["sso"])  # fmt: skip
    accepted = answer(people.bob, solved, "Clear the login cookies, then sign in again.")
    community.accept_answer(people.alice, solved, accepted)
    ask(people.bob, people.category, "Login code never arrives", "No login code by SMS.",
        tags=["2fa"])  # fmt: skip
    ask(people.carol, billing, "Login to the billing portal", "Which login do I use?", tags=["sso"])
    article(people.sam, people.section, "Login with single sign-on", "Use your company login.",
            labels=["sso"])  # fmt: skip
    return people


def test_facets_count_every_match(mixed):
    results = find("login")
    assert results.total == 5
    assert results.facets["type"] == {"thread": 3, "post": 1, "article": 1}
    assert results.facets["category"] == {"accounts": 3, "billing": 1, "account-help": 1}
    assert results.facets["tags"] == {"sso": 4, "2fa": 1}
    # KB articles count as solved: they are the official answer.
    assert results.facets["solved"] == {"true": 3, "false": 2}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"type": "thread"}, 3),
        ({"type": "article"}, 1),
        ({"category": "accounts"}, 3),
        ({"category": "account-help"}, 1),
        ({"tag": "sso"}, 4),
        ({"solved": "true"}, 3),
        ({"solved": "false"}, 2),
        ({"type": "thread", "tag": "sso", "solved": "false"}, 1),
        ({"category": "nowhere"}, 0),
    ],
)
def test_filters_narrow_results_and_facets(mixed, filters, expected):
    results = find("login", **filters)
    assert results.total == len(results.items) == expected
    assert sum(results.facets["type"].values()) == expected


def test_pages_split_results_without_overlap(people):
    for n in range(7):
        author = (people.alice, people.bob, people.carol)[n % 3]
        ask(author, people.category, f"Webhook retries, case {n}", f"Webhook number {n} retried.")
    pages = [find("webhook", page=page, per_page=3) for page in (1, 2, 3, 4)]
    assert [len(p.items) for p in pages] == [3, 3, 1, 0]
    assert {p.total for p in pages} == {7} and pages[0].pages == 3
    seen = [doc for p in pages for doc in ids(p)]
    assert len(seen) == len(set(seen)) == 7


def test_sort_by_date_puts_the_newest_first(people):
    old = ask(people.alice, people.category, "Dark mode dark mode dark mode", "Dark mode please.")
    new = ask(people.bob, people.category, "Theme colours", "Is there a dark mode yet?")
    old.created_at = utcnow() - timedelta(days=3)
    db.session.commit()
    community.retag_thread(people.alice, old, ["themes"])  # re-index with the older date
    assert ids(find("dark mode")) == [f"thread:{old.id}", f"thread:{new.id}"]
    assert ids(find("dark mode", sort="date")) == [f"thread:{new.id}", f"thread:{old.id}"]


# --- did you mean ------------------------------------------------------------------------------


def test_misspelling_suggests_a_word_from_public_content(people):
    ask(people.alice, people.category, "Forgot my password", "I cannot remember my password.")
    article(people.sam, people.section, "Change your password", "Open security, then password.")
    results = find("pasword")
    assert results.items == [] and results.suggestion == "password"


def test_no_suggestion_for_a_correct_word_that_finds_results(people):
    for author in (people.alice, people.bob, people.carol):
        ask(author, people.category, f"Password rules for {author.username}", "Which password?")
    assert find("password").suggestion is None


def test_no_suggestion_from_words_only_in_unpublished_content(people):
    for n in range(3):
        article(people.sam, people.section, f"Quokkasync beta {n}", "Quokkasync is coming soon.",
                publish=False)  # fmt: skip
    for author in (people.alice, people.bob):
        ask(author, people.category, "Password rules", f"Which password for {author.username}?")
    assert find("pasword").suggestion == "password"  # suggestions work in this index
    assert find("quokasync").suggestion is None


# --- similar and related -----------------------------------------------------------------------


def test_similar_finds_threads_and_articles_like_a_draft_title(people):
    thread = ask(people.alice, people.category, "Reset two-factor authentication", "Lost phone.")
    answer(people.bob, thread, "Use a recovery code to reset two-factor authentication.")
    official = article(
        people.sam, people.section, "Two-factor authentication", "Turn it on in your settings."
    )
    ask(people.carol, people.category, "Invoice address", "Where do I change it?")
    found = [hit.doc_id for hit in services.similar("How to reset two-factor authentication?")]
    assert set(found) == {f"thread:{thread.id}", f"article:{official.id}"}


def test_similar_returns_at_most_five_and_nothing_for_a_short_title(people):
    for n in range(8):
        author = (people.alice, people.bob, people.carol)[n % 3]
        ask(author, people.category, f"Calendar sync issue {n}", f"Calendar sync broke ({n}).")
    assert len(services.similar("calendar sync")) == 5
    assert services.similar("ca") == []


def test_similar_logs_one_entry_per_composing_session(people):
    ask(people.alice, people.category, "Calendar sync issue", "Calendar sync broke today.")
    services.similar("Calendar", user_id=people.bob.id)
    services.similar("Calendar sync", user_id=people.bob.id)
    entries = db.session.scalars(select(SearchLog).where(SearchLog.origin == "similar")).all()
    assert [(e.query, e.result_count, e.user_id) for e in entries] == [
        ("calendar sync", 1, people.bob.id)
    ]


def test_related_leaves_out_the_thread_itself(people):
    thread = ask(people.alice, people.category, "Dark mode for the mobile app", "Dark mode?")
    other = ask(people.bob, people.category, "Dark mode on the desktop", "Any dark mode?")
    official = article(
        people.sam, people.section, "Themes and dark mode", "Choose a theme in your settings."
    )
    found = [hit.doc_id for hit in services.related(thread.id, thread.title)]
    assert f"thread:{thread.id}" not in found
    assert set(found) == {f"thread:{other.id}", f"article:{official.id}"}


# --- the search log ----------------------------------------------------------------------------


def test_first_pages_are_logged_with_filters_and_counts(people):
    ask(people.alice, people.category, "Export to PDF", "How do I export a report to PDF?")
    first = services.search(
        SearchQuery("  Export   PDF ", type="thread"), user_id=people.bob.id, origin="api"
    )
    services.search(SearchQuery("export pdf", page=2), user_id=people.bob.id)
    services.search(SearchQuery(""), user_id=people.bob.id)
    entry = db.session.get(SearchLog, first.log_id)
    assert entry is not None
    assert (entry.query, entry.filters, entry.origin, entry.result_count) == (
        "export pdf", {"type": "thread"}, "api", 1
    )  # fmt: skip
    assert db.session.scalars(select(SearchLog)).all() == [entry]


def test_click_is_recorded_once_and_only_for_the_searcher(people):
    thread = ask(people.alice, people.category, "Export to PDF", "How do I export a report?")
    log_id = services.search(SearchQuery("export"), user_id=people.bob.id).log_id
    assert log_id is not None
    services.record_click(log_id, f"thread:{thread.id}", people.carol.id)
    entry = db.session.get(SearchLog, log_id)
    assert entry is not None and entry.clicked_doc is None
    services.record_click(log_id, f"thread:{thread.id}", people.bob.id)
    services.record_click(log_id, "post:99", people.bob.id)
    assert entry.clicked_doc == f"thread:{thread.id}" and entry.clicked_at is not None


def test_new_thread_is_linked_to_the_searches_just_before(people):
    log_id = services.search(SearchQuery("offline mode"), user_id=people.bob.id).log_id
    other = services.search(SearchQuery("offline mode"), user_id=people.carol.id).log_id
    thread = ask(people.bob, people.category, "Offline mode for the app", "Is there one?")
    assert db.session.get(SearchLog, log_id).followed_by_thread_id == thread.id  # type: ignore[union-attr]
    assert db.session.get(SearchLog, other).followed_by_thread_id is None  # type: ignore[union-attr]


# --- report periods ----------------------------------------------------------------------------


def test_report_period_defaults_to_the_last_thirty_days():
    today = utcnow().date()
    period = queries.report_period(None, None)
    assert (period.first, period.last, period.days) == (today - timedelta(days=29), today, 30)
    assert period.end - period.start == timedelta(days=30)


def test_report_period_puts_swapped_ends_in_order():
    first, last = date(2025, 1, 1), date(2025, 1, 31)
    assert queries.report_period(last, first) == queries.Period(first, last)
    assert queries.report_period(first, None, days=7).first == first
