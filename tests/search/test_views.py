"""The search page, the result redirect and the staff's search insights, through HTTP."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from forum_kb.accounts.models import Role
from forum_kb.community import services as community
from forum_kb.community.models import Category, Thread
from forum_kb.db import utcnow
from forum_kb.extensions import db
from forum_kb.search import services
from forum_kb.search.models import SearchLog
from forum_kb.search.services import SearchQuery
from tests.factories import make_user
from tests.search.builders import answer, article, ask, make_people, user


@dataclass(frozen=True)
class Site:
    thread_id: int
    answer_id: int
    article_id: int


@pytest.fixture
def app(make_app):
    return make_app(SEARCH_PER_PAGE=3)


@pytest.fixture
def site(app) -> Site:
    """A solved thread about passwords with its accepted answer, and a KB article."""
    with app.app_context():
        people = make_people()
        thread = ask(people.alice, people.category, "Forgot my password",
                     "I cannot sign in. Is `<script>` in my password the problem?",
                     tags=["login"])  # fmt: skip
        reply = answer(people.bob, thread, "Use the reset password link on the sign-in page.")
        community.accept_answer(people.alice, thread, reply)
        official = article(people.sam, people.section, "Reset your password",
                           "Open security settings, then choose reset password.")  # fmt: skip
        return Site(thread.id, reply.id, official.id)


def logs(app) -> list[SearchLog]:
    with app.app_context():
        entries = list(db.session.scalars(select(SearchLog).order_by(SearchLog.id)))
        db.session.expunge_all()
        return entries


def accounts() -> Category:
    found = db.session.scalar(select(Category).where(Category.slug == "accounts"))
    assert found is not None
    return found


def result_links(page: str) -> list[str]:
    return re.findall(r'class="search-result-title"><a href="([^"]+)"', page)


# --- the page ----------------------------------------------------------------------------------


def test_empty_query_shows_the_form_and_no_results(app, client, site):
    page = client.get("/search/").get_data(as_text=True)
    form = re.search(r'<form class="big-search"[^>]*>', page)
    assert form is not None and 'method="get"' in form.group(0)
    assert (
        'name="q"' in page and "csrf_token" not in page.split("big-search")[1].split("</form>")[0]
    )
    assert "search-result-list" not in page and "results" not in page.split("<main")[1]
    assert logs(app) == []


def test_results_show_type_badges_snippets_and_facts(client, site):
    page = client.get("/search/?q=password").get_data(as_text=True)
    assert "3 results" in page
    assert "Official" in page and "KB article" in page
    assert ">Thread<" in page and ">Answer<" in page and "✓ Accepted answer" in page
    assert "<mark>password</mark>" in page
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert ">Accounts<" in page and ">Account help<" in page and "by alice" in page
    assert '<a class="tag" href="/search/?q=password&amp;tag=login">login</a>' in page


def test_facet_links_add_and_remove_a_filter(client, site):
    page = client.get("/search/?q=password").get_data(as_text=True)
    assert 'href="/search/?q=password&amp;type=article"' in page
    assert 'href="/search/?q=password&amp;category=accounts"' in page
    assert 'href="/search/?q=password&amp;solved=true"' in page
    filtered = client.get("/search/?q=password&type=article").get_data(as_text=True)
    assert "1 result" in filtered and len(result_links(filtered)) == 1
    # The active filter links back to the search without it.
    assert re.search(r'<a href="/search/\?q=password" aria-current="true">', filtered)
    # The form keeps the filter when the words change.
    assert '<input type="hidden" name="type" value="article">' in filtered


def test_sort_switch_and_date_order(client, site):
    page = client.get("/search/?q=password&sort=date").get_data(as_text=True)
    assert re.search(r'href="/search/\?q=password&amp;sort=date" aria-current="page"', page)
    assert f"doc=article:{site.article_id}" in result_links(page)[0]


def test_pages_link_on_with_the_query_and_the_search_log(app, client, site):
    with app.app_context():
        author = make_user("dora", reputation=100)
        for n in range(4):
            ask(author, accounts(), f"Password policy question {n}", f"Password number {n}?")
    first = client.get("/search/?q=password").get_data(as_text=True)
    log_id = logs(app)[0].id
    assert "Page 1 of 3" in first
    assert f'href="/search/?page=2&amp;q=password&amp;sl={log_id}"' in first
    second = client.get(f"/search/?q=password&page=2&sl={log_id}").get_data(as_text=True)
    assert "Page 2 of 3" in second
    assert all(f"sl={log_id}&amp;" in link for link in result_links(second))
    assert len(logs(app)) == 1  # later pages are not logged again


def test_did_you_mean_links_to_the_corrected_search(client, site):
    page = client.get("/search/?q=pasword").get_data(as_text=True)
    assert 'Did you mean <a href="/search/?q=password">password</a>?' in page


def test_no_results_offer_to_ask_the_community(client, site):
    page = client.get("/search/?q=teleport+printer").get_data(as_text=True)
    assert "No results for “teleport printer”" in page
    assert 'href="/new?title=teleport+printer"' in page


def test_new_thread_form_takes_its_title_from_the_search(client, auth, site):
    auth.login("carol")
    page = client.get("/new?title=teleport+printer").get_data(as_text=True)
    assert 'value="teleport printer"' in page


def test_too_long_query_is_explained_not_searched(app, client, site):
    page = client.get("/search/?q=" + "password " * 30).get_data(as_text=True)
    assert "Search for at most 200 characters" in page and 'aria-invalid="true"' in page
    assert "search-result-list" not in page and logs(app) == []


# --- opening a result --------------------------------------------------------------------------


def test_result_link_redirects_and_records_the_click(app, client, auth, site):
    auth.login("carol")
    page = client.get("/search/?q=password").get_data(as_text=True)
    entry = logs(app)[0]
    assert entry.user_id is not None and entry.origin == "page"
    link = f"/search/go?sl={entry.id}&amp;doc=post:{site.answer_id}"
    assert link in result_links(page)
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/t/{site.thread_id}/p/{site.answer_id}"
    assert logs(app)[0].clicked_doc == f"post:{site.answer_id}"


def test_result_redirect_without_a_search_log_still_opens_the_result(client, site):
    response = client.get(f"/search/go?doc=article:{site.article_id}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/kb/articles/reset-your-password"


@pytest.mark.parametrize(
    "doc",
    ["thread:999", "user:1", "thread:abc", "thread:99999999999999", "http://evil.example/",
     "//evil.example", "", "thread:", ":1"],
)  # fmt: skip
def test_result_redirect_goes_only_to_indexed_documents(client, site, doc):
    response = client.get("/search/go", query_string={"doc": doc, "sl": "1"})
    assert response.status_code == 404


def test_result_redirect_refuses_a_result_hidden_since(app, client, site):
    with app.app_context():
        db.session.execute(update(Thread).where(Thread.id == site.thread_id).values(is_hidden=True))
        db.session.commit()
    assert client.get(f"/search/go?doc=thread:{site.thread_id}").status_code == 404


# --- insights ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.MEMBER, 403), (Role.MODERATOR, 403), (Role.STAFF, 200), (Role.ADMIN, 200)],
)
def test_insights_are_for_staff(app, client, auth, role, status):
    with app.app_context():
        make_user("someone", role=role)
    auth.login("someone")
    assert client.get("/search/insights").status_code == status


def test_insights_send_anonymous_visitors_to_sign_in(client):
    response = client.get("/search/insights")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_staff_find_insights_from_the_search_page(app, client, auth):
    with app.app_context():
        make_user("sam", role=Role.STAFF)
    assert "Search insights" not in client.get("/search/").get_data(as_text=True)
    auth.login("sam")
    assert 'href="/search/insights"' in client.get("/search/").get_data(as_text=True)


@pytest.fixture
def searched(app, site) -> int:
    """Carol searched "password" twice (one click) and Dave once (by API); Dave found
    nothing for "teleport printer" twice, then asked; an old search lies outside the default
    period; two drafts were shown suggestions and Dave's was posted anyway."""
    with app.app_context():
        carol, dave = user("carol"), make_user("dave", reputation=100)
        first = services.search(SearchQuery("password"), user_id=carol.id).log_id
        services.record_click(first or 0, f"thread:{site.thread_id}", carol.id)
        services.search(SearchQuery("Password"), user_id=carol.id)
        services.search(SearchQuery("password"), user_id=dave.id, origin="api")
        services.search(SearchQuery("teleport printer"), user_id=dave.id)
        services.search(SearchQuery("teleport  printer"), user_id=dave.id)
        old = services.search(SearchQuery("fax machine"), user_id=None).log_id
        db.session.execute(
            update(SearchLog)
            .where(SearchLog.id == old)
            .values(created_at=utcnow() - timedelta(days=40))
        )
        db.session.commit()
        services.similar("Reset password link broken", user_id=carol.id)
        services.similar("Password reset mail", user_id=dave.id)
        thread = ask(dave, accounts(), "Teleport printer to another room", "How do I do that?")
        return thread.id


def test_insights_show_numbers_for_the_period(client, auth, searched, site):
    auth.login("sam")
    page = client.get("/search/insights").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Searches 5 " in text and "Different searches 2 " in text
    assert "Found nothing 40% (2)" in text and "Opened a result 20% (1)" in text
    # Dave's three searches came just before his thread; Carol never asked.
    assert "Then started a thread 60% (3)" in text
    assert "password 3 3.0 33% (1) 1" in text
    assert "teleport printer 2 0.0 0% (0) 2" in text
    assert "fax machine" not in text
    assert f'href="/t/{searched}">Teleport printer to another room</a>' in page
    assert "Drafts checked 2 " in text and "Posted anyway 1 " in text
    assert "Left without posting 50% (1)" in text


def test_insights_period_can_be_chosen(client, auth, searched):
    auth.login("sam")
    old = (utcnow() - timedelta(days=40)).date().isoformat()
    page = client.get(f"/search/insights?since={old}&until={old}").get_data(as_text=True)
    assert "fax machine" in page and "teleport printer" not in page
    assert client.get("/search/insights?since=2024-13-45").status_code == 200
