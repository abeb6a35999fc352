"""Knowledge-base use cases: the lifecycle, revisions, slugs, ownership, feedback, freshness."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum_kb.accounts.models import Role, User
from forum_kb.db import utcnow
from forum_kb.errors import Conflict, PermissionDenied, ValidationFailed
from forum_kb.extensions import db
from forum_kb.kb import queries, services
from forum_kb.kb.models import Article, ArticleEvent, ArticleStatus, Revision
from forum_kb.kb.services import ArticleDraft
from forum_kb.notifications.models import Notification
from tests.factories import make_user

BODY = "To reset your password, open **Settings → Security** and choose *Reset*."


@pytest.fixture
def staff(app_ctx) -> User:
    return make_user("sam", role=Role.STAFF)


@pytest.fixture
def section(staff):
    return services.create_section(staff, "Accounts and billing", description="Money matters")


def write(author: User, section, **overrides) -> Article:
    data = {"section_id": section.id, "title": "Reset your password", "body": BODY} | overrides
    return services.create_article(author, ArticleDraft(**data))


def events(article: Article) -> list[str]:
    return [e.action for e in reversed(queries.article_events(article))]


def test_draft_review_publish_archive(staff, section):
    article = write(staff, section, labels=["Passwords", "security"])
    assert article.status == ArticleStatus.DRAFT
    assert article.published_revision_id is None and article.draft_revision_id is not None
    assert [label.name for label in article.labels] == ["passwords", "security"]
    services.submit_for_review(staff, article)
    assert article.status == ArticleStatus.IN_REVIEW
    services.publish_article(staff, article, note="Looks right")
    assert article.status == ArticleStatus.PUBLISHED
    assert article.published_revision.body_source == BODY
    assert article.draft_revision_id is None
    assert article.review_by == utcnow().date() + timedelta(days=180)
    services.archive_article(staff, article)
    assert article.status == ArticleStatus.ARCHIVED
    assert events(article) == ["created", "submitted", "published", "archived"]
    event = db.session.scalars(select(ArticleEvent).where(ArticleEvent.action == "published")).one()
    assert (event.from_status, event.to_status, event.actor_id) == (
        "in_review",
        "published",
        staff.id,
    )


def test_editing_published_article_keeps_readers_on_published_version(staff, section):
    article = write(staff, section)
    services.publish_article(staff, article)
    services.edit_article(
        staff, article, title="Reset a forgotten password", body=BODY + "\n\nNew step."
    )
    assert article.published_revision.body_source == BODY
    assert article.title == "Reset your password"
    assert article.has_pending_draft
    assert queries.reader_revision(article, None).body_source == BODY
    services.publish_article(staff, article)
    assert article.title == "Reset a forgotten password"
    assert article.published_revision.body_source.endswith("New step.")


def test_title_change_moves_slug_and_old_address_redirects(staff, section):
    article = write(staff, section)
    services.publish_article(staff, article)
    old = article.slug
    services.edit_article(staff, article, title="Reset a forgotten password")
    services.publish_article(staff, article)
    assert article.slug == "reset-a-forgotten-password"
    lookup = queries.find_article_or_404(old, None)
    assert lookup.article.id == article.id and lookup.moved


def test_moderators_write_but_only_staff_publish(staff, section):
    moderator = make_user("mia", role=Role.MODERATOR)
    article = write(moderator, section)
    services.submit_for_review(moderator, article)
    with pytest.raises(PermissionDenied):
        services.publish_article(moderator, article)
    with pytest.raises(PermissionDenied):
        write(make_user("bob"), section)


def test_readers_never_see_drafts(staff, section):
    article = write(staff, section)
    from forum_kb.errors import NotFound

    with pytest.raises(NotFound):
        queries.find_article_or_404(article.slug, None)
    with pytest.raises(NotFound):
        queries.find_article_or_404(article.slug, make_user("bob"))
    assert queries.find_article_or_404(article.slug, make_user("mia", role=Role.MODERATOR))


def test_restore_old_revision_as_new_draft(staff, section):
    article = write(staff, section)
    services.publish_article(staff, article)
    services.edit_article(staff, article, body=BODY + " Changed.")
    services.publish_article(staff, article)
    first = queries.get_revision_or_404(article, 1)
    services.restore_revision(staff, article, first)
    numbers = db.session.scalars(
        select(Revision.number).where(Revision.article_id == article.id)
    ).all()
    assert sorted(numbers) == [1, 2, 3]
    assert article.draft_revision.body_source == BODY
    assert article.published_revision.body_source.endswith("Changed.")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"title": "Hi"}, "title"), ({"body": "short"}, "body"), ({"section_id": 999}, "section_id"),
     ({"labels": [f"l{i}" for i in range(11)]}, "labels"), ({"owner_id": 99999}, "owner_id")],
)  # fmt: skip
def test_create_article_validation(staff, section, overrides, field):
    with pytest.raises(ValidationFailed) as exc:
        write(staff, section, **overrides)
    assert field in {f for f, _ in exc.value.errors}
    assert db.session.scalar(select(Article)) is None


def test_lifecycle_conflicts(staff, section):
    article = write(staff, section)
    services.publish_article(staff, article)
    with pytest.raises(Conflict):
        services.publish_article(staff, article)
    with pytest.raises(Conflict):
        services.submit_for_review(staff, article)
    services.archive_article(staff, article)
    with pytest.raises(Conflict):
        services.archive_article(staff, article)
    services.publish_article(staff, article)  # republish from the archive
    assert article.status == ArticleStatus.PUBLISHED


def test_feedback_one_per_user_or_session_and_changeable(staff, section):
    article = write(staff, section)
    services.publish_article(staff, article)
    bob = make_user("bob")
    services.give_feedback(article, True, user=bob)
    services.give_feedback(article, False, user=bob, comment="Step 2 is missing")
    services.give_feedback(article, True, session_key="anon-1")
    services.give_feedback(article, True, session_key="anon-1")
    db.session.refresh(article)
    assert (article.helpful_count, article.not_helpful_count) == (1, 1)
    assert article.helpful_ratio == 0.5


def test_feedback_only_on_published_articles(staff, section):
    with pytest.raises(PermissionDenied):
        services.give_feedback(write(staff, section), True, session_key="x")


def test_report_inaccurate_notifies_owner(staff, section):
    article = write(staff, section)
    services.publish_article(staff, article)
    services.report_inaccurate(article, "The menu is now called Account.", make_user("bob"))
    notices = db.session.scalars(select(Notification).where(Notification.user_id == staff.id)).all()
    assert [n.kind for n in notices] == ["kb_inaccurate"]
    with pytest.raises(ValidationFailed):
        services.report_inaccurate(article, "")


def test_review_reminders_once_per_interval(staff, section, mailbox):
    article = write(staff, section)
    services.publish_article(staff, article)
    article.review_by = utcnow().date() - timedelta(days=1)
    db.session.commit()
    assert services.send_review_reminders() == 1
    assert services.send_review_reminders() == 0
    assert len(mailbox.messages) == 1
    assert "Reset your password" in mailbox.messages[0].get_content()
    assert [a.id for a in queries.stale_articles()] == [article.id]


def test_poorly_rated_articles(staff, section):
    article = write(staff, section)
    services.publish_article(staff, article)
    for n in range(5):
        services.give_feedback(article, n == 0, session_key=f"s{n}")
    assert [a.id for a in queries.poorly_rated_articles()] == [article.id]


def test_related_articles_share_labels_or_section(staff, section):
    other = services.create_section(staff, "Integrations")
    a = write(staff, section, labels=["passwords"])
    b = write(
        staff, other, title="Passwords for the calendar app", body=BODY + " b", labels=["passwords"]
    )
    c = write(staff, other, title="Connect Outlook", body=BODY + " c")
    for article in (a, b, c):
        services.publish_article(staff, article)
    assert [r.id for r in queries.related_articles(a)] == [b.id]


def test_article_toc_anchors(staff, section):
    article = write(
        staff, section, body="Intro text here.\n\n## First step\n\nx\n\n### Detail\n\ny"
    )
    from forum_kb.markup import toc_from_html

    html = article.draft_revision.body_html
    assert '<h2 id="toc-first-step">' in html
    assert [(e.level, e.anchor) for e in toc_from_html(html)] == [
        (2, "toc-first-step"),
        (3, "toc-detail"),
    ]


def test_reading_and_feedback_do_not_touch_updated_at(staff, section):
    article = write(staff, section)
    services.publish_article(staff, article)
    db.session.refresh(article)
    before = article.updated_at
    services.record_view(article)
    services.give_feedback(article, True, session_key="reader")
    db.session.refresh(article)
    assert article.updated_at == before
    assert (article.view_count, article.helpful_count) == (1, 1)


def test_lifecycle_notes_are_validated_not_truncated(staff, section):
    article = write(staff, section)
    with pytest.raises(ValidationFailed) as exc:
        services.submit_for_review(staff, article, note="x" * 201)
    assert {f for f, _ in exc.value.errors} == {"note"}
    assert article.status == ArticleStatus.DRAFT


def test_unicode_digit_keys_are_not_ids(staff, section):
    from forum_kb.errors import NotFound

    with pytest.raises(NotFound):
        queries.find_article_or_404("²", staff)
