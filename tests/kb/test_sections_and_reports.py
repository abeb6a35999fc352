"""Staff edit and reorder KB sections; owners and staff resolve inaccuracy reports."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum_kb.accounts.models import Role
from forum_kb.errors import Conflict, PermissionDenied
from forum_kb.extensions import db
from forum_kb.kb import services
from forum_kb.kb.models import InaccuracyReport, Section
from forum_kb.kb.services import ArticleDraft
from tests.factories import make_user

BODY = "Open Settings, then Billing, then choose a new plan for your team."


def section_slugs() -> list[str]:
    return list(db.session.scalars(select(Section.slug).order_by(Section.position, Section.name)))


@pytest.fixture
def kb(app):
    with app.app_context():
        sam = make_user("sam", role=Role.STAFF)
        mia = make_user("mia", role=Role.MODERATOR)
        first = services.create_section(sam, "Getting started")
        second = services.create_section(sam, "Billing")
        article = services.create_article(
            mia, ArticleDraft(section_id=second.id, title="Change your plan", body=BODY)
        )
        services.publish_article(sam, article)
        report = services.report_inaccurate(article, "The Billing tab moved.", make_user("bob"))
        return {"first": first.id, "second": second.id, "report": report.id, "slug": article.slug}


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 302), (Role.MEMBER, 403), (Role.MODERATOR, 403), (Role.STAFF, 200), (Role.ADMIN, 200)],
)
def test_section_edit_and_move_permissions(client, app, auth, kb, role, status):
    if role is not None:
        with app.app_context():
            make_user("someone", role=role)
        auth.login("someone")
    assert client.get(f"/kb/sections/{kb['first']}/edit").status_code == status
    moved = client.post(f"/kb/sections/{kb['second']}/move", data={"offset": -1})
    assert moved.status_code == (302 if status in (200, 302) else 403)
    with app.app_context():
        expected = (
            ["billing", "getting-started"] if status == 200 else ["getting-started", "billing"]
        )
        assert section_slugs() == expected


def test_staff_edits_a_section(client, app, auth, kb):
    auth.login("sam")
    response = client.post(
        f"/kb/sections/{kb['second']}/edit",
        data={"name": "Billing and plans", "slug": "plans", "description": "Money."},
    )
    assert response.status_code == 302
    assert client.get("/kb/sections/plans").status_code == 200
    taken = client.post(
        f"/kb/sections/{kb['second']}/edit", data={"name": "X", "slug": "getting-started"}
    )
    assert taken.status_code == 200
    assert b"already exists" in taken.data


@pytest.mark.parametrize(
    ("who", "status", "resolved"),
    [("bob", 403, False), ("mia", 302, True), ("sam", 302, True)],
)
def test_resolving_reports(client, app, auth, kb, who, status, resolved):
    # mia owns the article; sam is staff; bob reported it and may not close it.
    auth.login(who)
    response = client.post(f"/kb/reports/{kb['report']}/resolve")
    assert response.status_code == status
    with app.app_context():
        report = db.session.get(InaccuracyReport, kb["report"])
        assert (report.resolved_at is not None) is resolved


def test_anonymous_cannot_resolve(client, kb):
    assert client.post(f"/kb/reports/{kb['report']}/resolve").status_code == 302


def test_owner_sees_resolve_button_and_report_disappears(client, app, auth, kb):
    auth.login("mia")
    page = client.get(f"/kb/articles/{kb['slug']}").get_data(as_text=True)
    assert "The Billing tab moved." in page and "Mark resolved" in page
    client.post(f"/kb/reports/{kb['report']}/resolve")
    page = client.get(f"/kb/articles/{kb['slug']}").get_data(as_text=True)
    assert "The Billing tab moved." not in page


def test_resolve_services(app, kb):
    with app.app_context():
        report = db.session.get(InaccuracyReport, kb["report"])
        with pytest.raises(PermissionDenied):
            services.resolve_report(make_user("eve"), report)
        staff = make_user("staff2", role=Role.STAFF)
        services.resolve_report(staff, report)
        with pytest.raises(Conflict):
            services.resolve_report(staff, report)
