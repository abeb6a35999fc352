"""Knowledge-base pages through HTTP: permissions role by role, the lifecycle, feedback, views."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum_kb.accounts.models import Role, User
from forum_kb.extensions import db
from forum_kb.kb import services
from forum_kb.kb.models import Article, ArticleStatus, Feedback, InaccuracyReport, Section
from forum_kb.kb.services import ArticleDraft
from forum_kb.notifications.models import Notification
from tests.conftest import Auth
from tests.factories import make_user

BODY = "To reset your password, open **Settings → Security** and choose *Reset*."
LONG_BODY = (
    "Start here.\n\n## Before you begin\n\nCheck your email.\n\n"
    "## Reset the password\n\nOpen the settings.\n\n### On a phone\n\nTap the menu.\n"
)
ROLES = ["anonymous", "member", "moderator", "staff", "admin"]
USERNAMES = {"member": "bob", "moderator": "mia", "staff": "sam", "admin": "ada"}
CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "app.css"


@dataclass(frozen=True)
class KB:
    section_slug: str
    published_id: int
    published_slug: str
    draft_id: int
    draft_slug: str
    review_id: int


def user(name: str) -> User:
    found = db.session.scalar(select(User).where(User.username_key == name))
    assert found is not None
    return found


def article_row(app, article_id: int) -> Article:
    with app.app_context():
        article = db.session.get(Article, article_id)
        assert article is not None
        db.session.expunge(article)
        return article


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def write(staff: User, section: Section, title: str, body: str = BODY) -> Article:
    return services.create_article(staff, ArticleDraft(section.id, title, body, labels=["login"]))


@pytest.fixture
def kb(app) -> KB:
    """Users of every role, a section, and a published, a draft and an in-review article."""
    with app.app_context():
        for role_name, username in USERNAMES.items():
            make_user(username, role=Role(role_name))
        staff = user("sam")
        section = services.create_section(staff, "Accounts", description="Sign-in and billing")
        published = write(staff, section, "Reset your password")
        services.publish_article(staff, published)
        services.edit_article(staff, published, body=BODY + " Then sign in again.")
        services.publish_article(staff, published)  # revision 2 is live; 1 can be restored
        draft = write(staff, section, "Secret upcoming feature")
        review = write(staff, section, "Change your email address")
        services.submit_for_review(staff, review)
        return KB(
            section.slug, published.id, published.slug, draft.id, draft.slug, review.id
        )  # fmt: skip


def sign_in(client, role: str) -> None:
    if role != "anonymous":
        response = Auth(client).login(USERNAMES[role])
        assert response.status_code == 302


def text(response) -> str:
    return response.get_data(as_text=True)


def outcome(response) -> int | str:
    """The status code, or "login" for a redirect to the sign-in page."""
    if response.status_code == 302 and response.location.startswith("/login"):
        return "login"
    return response.status_code


# --- permission matrices -----------------------------------------------------------------------

EVERYONE = dict.fromkeys(ROLES, 200)
READERS_404 = {"anonymous": 404, "member": 404, "moderator": 200, "staff": 200, "admin": 200}
WRITERS = {"anonymous": "login", "member": 403, "moderator": 200, "staff": 200, "admin": 200}
STAFF = {"anonymous": "login", "member": 403, "moderator": 403, "staff": 200, "admin": 200}

PAGES = [
    ("/kb/", EVERYONE),
    ("/kb/sections/{section_slug}", EVERYONE),
    ("/kb/articles/{published_slug}", EVERYONE),
    ("/kb/articles/{draft_slug}", READERS_404),
    ("/kb/articles/{draft_slug}?draft=1", READERS_404),
    ("/kb/new", WRITERS),
    ("/kb/articles/{published_id}/edit", WRITERS),
    ("/kb/articles/{draft_id}/edit", {**WRITERS, "member": 403}),
    ("/kb/articles/{published_id}/history", WRITERS),
    ("/kb/review", WRITERS),
    ("/kb/articles/{published_id}/owner", STAFF),
    ("/kb/health", STAFF),
    ("/kb/sections", STAFF),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "expected"), PAGES, ids=[p for p, _ in PAGES])
def test_page_permissions(client, kb, role, path, expected):
    sign_in(client, role)
    response = client.get(path.format(**vars(kb)))
    assert outcome(response) == expected[role]


def test_unknown_section_and_article_are_404(client, kb):
    assert client.get("/kb/sections/nope").status_code == 404
    assert client.get("/kb/articles/nope").status_code == 404
    assert client.get("/kb/articles/999999/edit").status_code in (302, 404)


DONE = 302  # success: redirected back to a page
WRITER_POST = {"anonymous": "login", "member": 403, "moderator": DONE, "staff": DONE, "admin": DONE}
STAFF_POST = {"anonymous": "login", "member": 403, "moderator": 403, "staff": DONE, "admin": DONE}
ANYONE_POST = dict.fromkeys(ROLES, DONE)
SIGNED_IN_POST = {**ANYONE_POST, "anonymous": "login"}

POSTS = [
    ("/kb/new", {"section_id": "{section_id}", "title": "Set up two-factor sign-in",
                 "body": BODY}, WRITER_POST, lambda a, kb: count(a, Article) == 4),
    ("/kb/articles/{draft_id}/edit", {"section_id": "{section_id}", "title": "Secret feature",
     "body": BODY + " More."}, WRITER_POST,
     lambda a, kb: article_row(a, kb.draft_id).title == "Secret feature"),
    ("/kb/articles/{draft_id}/submit", {}, WRITER_POST,
     lambda a, kb: article_row(a, kb.draft_id).status == ArticleStatus.IN_REVIEW),
    ("/kb/articles/{review_id}/return", {"note": "Needs screenshots"}, STAFF_POST,
     lambda a, kb: article_row(a, kb.review_id).status == ArticleStatus.DRAFT),
    ("/kb/articles/{review_id}/publish", {}, STAFF_POST,
     lambda a, kb: article_row(a, kb.review_id).status == ArticleStatus.PUBLISHED),
    ("/kb/articles/{published_id}/archive", {}, STAFF_POST,
     lambda a, kb: article_row(a, kb.published_id).status == ArticleStatus.ARCHIVED),
    ("/kb/articles/{published_id}/revisions/1/restore", {}, WRITER_POST,
     lambda a, kb: article_row(a, kb.published_id).has_pending_draft),
    ("/kb/articles/{published_id}/owner", {"owner_id": "{mia_id}", "review_by": "2031-01-31"},
     STAFF_POST, lambda a, kb: str(article_row(a, kb.published_id).review_by) == "2031-01-31"),
    ("/kb/sections", {"name": "Printers"}, STAFF_POST,
     lambda a, kb: count(a, Section) == 2),
    ("/kb/articles/{published_id}/feedback", {"helpful": "yes"}, ANYONE_POST,
     lambda a, kb: count(a, Feedback) == 1),
    ("/kb/articles/{published_id}/report", {"report-comment": "Step 2 changed in v3."},
     SIGNED_IN_POST, lambda a, kb: count(a, InaccuracyReport) == 1),
]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "data", "expected", "done"), POSTS, ids=[p[0] for p in POSTS])
def test_post_permissions(app, client, kb, role, path, data, expected, done):
    with app.app_context():
        ids = {"section_id": db.session.scalar(select(Section.id)), "mia_id": user("mia").id}
    sign_in(client, role)
    form = {key: value.format(**ids) for key, value in data.items()}
    response = client.post(path.format(**vars(kb)), data=form)
    assert outcome(response) == expected[role]
    assert done(app, kb) is (expected[role] == DONE)


def test_anonymous_post_returns_to_the_article_after_sign_in(client, kb):
    response = client.post(f"/kb/articles/{kb.published_id}/publish")
    assert response.location == f"/login?next=/kb/articles/{kb.published_id}"


def test_new_article_form_prefills_the_title_and_section(client, kb):
    # The staff dashboard's "Write a KB article" links a content gap to a prefilled draft.
    sign_in(client, "staff")
    page = text(client.get(f"/kb/new?title=export%20%20to%20excel&section={kb.section_slug}"))
    assert re.search(r'<input[^>]*name="title"[^>]*value="export to excel"', page)
    assert re.search(r'<option selected value="\d+">Accounts</option>', page)
    escaped = text(client.get("/kb/new?title=%3Cscript%3Ex%3C/script%3E"))
    assert "<script>x</script>" not in escaped and "&lt;script&gt;x&lt;/script&gt;" in escaped
    long = text(client.get("/kb/new?title=" + "a" * 500))
    assert 'value="' + "a" * 200 + '"' in long and "a" * 201 not in long


# --- the lifecycle through HTTP ----------------------------------------------------------------


def test_full_lifecycle(app, client, kb):
    auth = Auth(client)
    auth.login("mia")
    with app.app_context():
        section_id = db.session.scalar(select(Section.id))
    response = client.post(
        "/kb/new",
        data={"section_id": section_id, "title": "Pair a printer", "body": LONG_BODY,
              "labels": "Printers, wifi", "note": "First version"},
    )  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        article = db.session.scalar(select(Article).where(Article.title == "Pair a printer"))
        assert article is not None and article.status == ArticleStatus.DRAFT
        assert [label.name for label in article.labels] == ["printers", "wifi"]
        article_id, slug = article.id, article.slug
    page = text(client.get(f"/kb/articles/{slug}"))
    assert "Readers cannot see this article" in page and "Send to review" in page
    assert client.get(f"/kb/articles/{slug}", headers={}).status_code == 200
    client.post(f"/kb/articles/{article_id}/submit")
    assert article_row(app, article_id).status == ArticleStatus.IN_REVIEW
    assert "Pair a printer" in text(client.get("/kb/review"))
    # Moderators write; only staff publish.
    assert client.post(f"/kb/articles/{article_id}/publish").status_code == 403
    auth.logout()
    auth.login("sam")
    client.post(f"/kb/articles/{article_id}/return", data={"note": "Add the model numbers"})
    assert article_row(app, article_id).status == ArticleStatus.DRAFT
    client.post(f"/kb/articles/{article_id}/publish", data={"note": "Reviewed"})
    assert article_row(app, article_id).status == ArticleStatus.PUBLISHED
    auth.logout()
    assert "Pair a printer" in text(client.get(f"/kb/articles/{slug}"))
    # Edits wait for publication; readers keep the published text.
    auth.login("mia")
    client.post(
        f"/kb/articles/{article_id}/edit",
        data={"section_id": section_id, "title": "Pair a wireless printer",
              "body": LONG_BODY + "\nNew step: restart the router.\n"},
    )  # fmt: skip
    page = text(client.get(f"/kb/articles/{slug}"))
    assert "This article has unpublished changes" in page
    assert f'href="/kb/articles/{slug}?draft=1"' in page
    assert "restart the router" not in page
    preview = text(client.get(f"/kb/articles/{slug}?draft=1"))
    assert "restart the router" in preview and "You are previewing unpublished changes" in preview
    auth.logout()
    assert "restart the router" not in text(client.get(f"/kb/articles/{slug}?draft=1"))
    auth.login("sam")
    client.post(f"/kb/articles/{article_id}/publish")
    new_slug = article_row(app, article_id).slug
    assert new_slug == "pair-a-wireless-printer"
    history = text(client.get(f"/kb/articles/{article_id}/history"))
    assert "Revision 2" in history and "Restore as draft" in history
    assert '<ins><span class="visually-hidden">Added: </span>New step: restart' in history
    assert "Returned" in history and "Add the model numbers" in history
    client.post(f"/kb/articles/{article_id}/archive")
    auth.logout()
    assert client.get(f"/kb/articles/{new_slug}").status_code == 404


def test_publishing_twice_is_a_message_not_an_error(client, kb):
    Auth(client).login("sam")
    response = client.post(f"/kb/articles/{kb.published_id}/publish", follow_redirects=True)
    assert response.status_code == 200
    assert "already published" in text(response)


def test_moderator_cannot_edit_archived_article(app, client, kb):
    with app.app_context():
        services.archive_article(user("sam"), db.session.get(Article, kb.published_id))
    Auth(client).login("mia")
    assert client.get(f"/kb/articles/{kb.published_id}/edit").status_code == 403
    assert client.get(f"/kb/articles/{kb.published_slug}").status_code == 200


def test_old_slug_and_id_redirect_permanently(app, client, kb):
    with app.app_context():
        staff, article = user("sam"), db.session.get(Article, kb.published_id)
        services.edit_article(staff, article, title="Reset a forgotten password")
        services.publish_article(staff, article)
    response = client.get(f"/kb/articles/{kb.published_slug}?x=1")
    assert response.status_code == 301
    assert response.location == "/kb/articles/reset-a-forgotten-password?x=1"
    response = client.get(f"/kb/articles/{kb.published_id}")
    assert (response.status_code, response.location) == (
        301,
        "/kb/articles/reset-a-forgotten-password",
    )


def test_readers_never_see_pending_draft(app, client, kb):
    with app.app_context():
        article = db.session.get(Article, kb.published_id)
        services.edit_article(user("sam"), article, body=BODY + " SECRET-CHANGE")
    for role in ("anonymous", "member"):
        sign_in(client, role)
        for query in ("", "?draft=1"):
            page = text(client.get(f"/kb/articles/{kb.published_slug}{query}"))
            assert "SECRET-CHANGE" not in page and "unpublished changes" not in page
    assert client.get(f"/kb/articles/{kb.draft_slug}?draft=1").status_code == 404


# --- the article page --------------------------------------------------------------------------


def test_article_page_shows_official_badge_and_details(client, kb):
    page = text(client.get(f"/kb/articles/{kb.published_slug}"))
    assert 'class="badge badge-official"' in page and "Official</span>" in page
    assert "Company-sanctioned answer." in page
    assert 'href="/kb/sections/accounts"' in page
    assert "Updated <time" in page
    assert ">login</a>" in page
    assert "<strong>Settings → Security</strong>" in page
    assert "Was this article helpful?" in page
    assert "Owner:" not in page and "Article actions" not in page


def test_writer_sees_owner_and_actions_per_policy(client, kb):
    Auth(client).login("mia")
    page = text(client.get(f"/kb/articles/{kb.published_slug}"))
    assert "Owner:" in page and "Article actions" in page
    assert f'href="/kb/articles/{kb.published_id}/edit"' in page
    assert f'href="/kb/articles/{kb.published_id}/history"' in page
    assert "/owner" not in page and "Archive</button>" not in page
    Auth(client).logout()
    Auth(client).login("sam")
    page = text(client.get(f"/kb/articles/{kb.published_slug}"))
    assert f'href="/kb/articles/{kb.published_id}/owner"' in page
    assert "Archive</button>" in page


def test_draft_page_has_no_official_badge(client, kb):
    Auth(client).login("sam")
    page = text(client.get(f"/kb/articles/{kb.draft_slug}"))
    assert "badge-official" not in page
    assert "Readers cannot see this article" in page


def test_table_of_contents_for_long_articles(app, client, kb):
    with app.app_context():
        staff = user("sam")
        section = db.session.scalar(select(Section))
        article = write(staff, section, "Long guide", LONG_BODY)
        services.publish_article(staff, article)
        slug = article.slug
    page = text(client.get(f"/kb/articles/{slug}"))
    assert 'class="kb-toc"' in page
    assert '<a href="#toc-before-you-begin">Before you begin</a>' in page
    assert 'class="kb-toc-level-3"><a href="#toc-on-a-phone">' in page
    assert 'id="toc-before-you-begin"' in page
    assert 'class="kb-toc"' not in text(client.get(f"/kb/articles/{kb.published_slug}"))


def test_related_articles_listed(app, client, kb):
    with app.app_context():
        staff = user("sam")
        other = write(staff, db.session.scalar(select(Section)), "Unlock your account")
        services.publish_article(staff, other)
    page = text(client.get(f"/kb/articles/{kb.published_slug}"))
    assert "Related articles" in page and "Unlock your account" in page


def test_view_counted_once_per_session(app, client, kb):
    for _ in range(3):
        client.get(f"/kb/articles/{kb.published_slug}")
    assert article_row(app, kb.published_id).view_count == 1
    app.test_client().get(f"/kb/articles/{kb.published_slug}")
    assert article_row(app, kb.published_id).view_count == 2
    assert "Reset your password" in text(client.get("/kb/"))


def test_drafts_are_not_counted_as_views(app, client, kb):
    Auth(client).login("sam")
    client.get(f"/kb/articles/{kb.draft_slug}")
    assert article_row(app, kb.draft_id).view_count == 0


# --- feedback and reports ----------------------------------------------------------------------


def feedback_url(kb: KB) -> str:
    return f"/kb/articles/{kb.published_id}/feedback"


def test_anonymous_feedback_counted_once_and_changeable(app, client, kb):
    client.post(feedback_url(kb), data={"helpful": "yes"})
    client.post(feedback_url(kb), data={"helpful": "yes"})
    article = article_row(app, kb.published_id)
    assert (article.helpful_count, article.not_helpful_count) == (1, 0)
    with client.session_transaction() as session:
        assert len(session["kb_feedback_key"]) >= 20
    client.post(feedback_url(kb), data={"helpful": "no", "comment": "Missing step 3"})
    article = article_row(app, kb.published_id)
    assert (article.helpful_count, article.not_helpful_count) == (0, 1)
    assert count(app, Feedback) == 1
    page = text(client.get(f"/kb/articles/{kb.published_slug}"))
    assert "Thanks for your feedback!" in page and "You answered “No”" in page
    # Another browser is another reader.
    app.test_client().post(feedback_url(kb), data={"helpful": "yes"})
    assert count(app, Feedback) == 2


def test_signed_in_feedback_counted_once_across_sessions(app, client, kb):
    Auth(client).login("bob")
    client.post(feedback_url(kb), data={"helpful": "no"})
    other = app.test_client()
    Auth(other).login("bob")
    other.post(feedback_url(kb), data={"helpful": "yes"})
    article = article_row(app, kb.published_id)
    assert (article.helpful_count, article.not_helpful_count) == (1, 0)
    assert "You answered “Yes”" in text(client.get(f"/kb/articles/{kb.published_slug}"))


def test_feedback_rejects_bad_answer(app, client, kb):
    response = client.post(feedback_url(kb), data={"helpful": "maybe"})
    assert response.status_code == 200
    assert "Answer yes or no." in text(response)
    assert count(app, Feedback) == 0


def test_feedback_only_for_published_articles(client, kb):
    Auth(client).login("sam")
    response = client.post(f"/kb/articles/{kb.draft_id}/feedback", data={"helpful": "yes"})
    assert response.status_code == 403


def test_report_inaccurate_notifies_owner(app, client, kb):
    Auth(client).login("bob")
    response = client.post(
        f"/kb/articles/{kb.published_id}/report",
        data={"report-comment": "The Reset button moved to Privacy."},
    )
    assert response.status_code == 302
    with app.app_context():
        notes = db.session.scalars(select(Notification)).all()
        assert [(n.user_id, n.kind) for n in notes] == [(user("sam").id, "kb_inaccurate")]


def test_report_needs_a_comment(app, client, kb):
    Auth(client).login("bob")
    response = client.post(f"/kb/articles/{kb.published_id}/report", data={"report-comment": ""})
    assert response.status_code == 200
    assert "Say what is wrong." in text(response)
    assert count(app, InaccuracyReport) == 0


def test_owner_sees_feedback_detail_readers_do_not(app, client, kb):
    client.post(feedback_url(kb), data={"helpful": "no", "comment": "Too <b>short</b>"})
    assert "Reader feedback" not in text(client.get(f"/kb/articles/{kb.published_slug}"))
    Auth(client).login("mia")
    assert "Reader feedback" not in text(client.get(f"/kb/articles/{kb.published_slug}"))
    Auth(client).logout()
    Auth(client).login("sam")
    page = text(client.get(f"/kb/articles/{kb.published_slug}"))
    assert "Reader feedback" in page and "Too &lt;b&gt;short&lt;/b&gt;" in page


# --- forms -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "body": BODY}, "Give the article a title."),
        ({"title": "Hi", "body": BODY}, "Write a title of 5 to 200 characters."),
        ({"title": "A good title", "body": "too short"}, "Write 20 to 100000 characters."),
        ({"title": "A good title", "body": BODY, "section_id": "999"}, "Choose one of the"),
        ({"title": "A good title", "body": BODY, "labels": ",".join("abcdefghijk")}, "at most 10"),
    ],
)
def test_create_form_errors_shown_and_nothing_saved(app, client, kb, data, message):
    with app.app_context():
        section_id = db.session.scalar(select(Section.id))
    Auth(client).login("mia")
    response = client.post("/kb/new", data={"section_id": str(section_id)} | data)
    assert response.status_code == 200
    assert message in text(response)
    assert count(app, Article) == 3


def test_edit_form_prefilled_from_draft(app, client, kb):
    with app.app_context():
        article = db.session.get(Article, kb.published_id)
        services.edit_article(user("sam"), article, body=BODY + " Draft words.")
    Auth(client).login("mia")
    page = text(client.get(f"/kb/articles/{kb.published_id}/edit"))
    assert "Draft words.</textarea>" in page
    assert 'value="login"' in page
    assert 'value="Reset your password"' in page


def test_owner_form_lists_only_writers(client, kb):
    Auth(client).login("sam")
    page = text(client.get(f"/kb/articles/{kb.published_id}/owner"))
    assert "@mia" in page and "@ada" in page and "@bob" not in page


def test_section_admin_duplicate_slug_shown_on_field(app, client, kb):
    Auth(client).login("sam")
    response = client.post("/kb/sections", data={"name": "Accounts"})
    assert response.status_code == 200
    assert "already exists" in text(response)
    assert count(app, Section) == 1


def test_section_page_shows_drafts_to_writers_only(client, kb):
    page = text(client.get(f"/kb/sections/{kb.section_slug}"))
    assert "Reset your password" in page and "Secret upcoming feature" not in page
    Auth(client).login("mia")
    page = text(client.get(f"/kb/sections/{kb.section_slug}"))
    assert "Secret upcoming feature" in page
    assert 'badge-kb-draft">Draft' in page and 'badge-kb-in_review">In review' in page


def test_home_lists_sections_and_staff_links(client, kb):
    page = text(client.get("/kb/"))
    assert "Accounts" in page and "Sign-in and billing" in page and "1 article" in page
    assert "Review queue" not in page
    Auth(client).login("mia")
    page = text(client.get("/kb/"))
    assert "Review queue" in page and "New article" in page and "Article health" not in page
    Auth(client).logout()
    Auth(client).login("sam")
    page = text(client.get("/kb/"))
    assert all(link in page for link in ("Review queue", "Article health", "Sections"))


def test_health_page_lists_stale_poor_and_reported(app, client, kb):
    with app.app_context():
        article = db.session.get(Article, kb.published_id)
        services.set_ownership(user("sam"), article, user("mia").id, review_by=None)
        article.review_by = article.published_at.date().replace(year=2020)
        db.session.commit()
        for n in range(5):
            services.give_feedback(article, False, session_key=f"reader-{n}")
        services.report_inaccurate(article, "Out of date now.")
    Auth(client).login("sam")
    page = text(client.get("/kb/health"))
    assert page.count("Reset your password") >= 3
    assert re.search(r"\d+ days</span>", page)
    assert "0%" in page


def test_print_css_hides_navigation_forms_and_related():
    css = CSS.read_text()
    kb_part = css.split("/* --- Knowledge base --- */", 1)[1]
    print_block = kb_part.split("@media print", 1)[1]
    for selector in (".breadcrumbs", ".kb-related", ".kb-feedback", "form"):
        assert selector in print_block
