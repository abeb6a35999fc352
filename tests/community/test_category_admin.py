"""Admins manage categories from the site: create, rename, reorder."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum_kb.accounts.models import Role
from forum_kb.community import services
from forum_kb.community.models import Category
from forum_kb.errors import Conflict, PermissionDenied, ValidationFailed
from forum_kb.extensions import db
from tests.factories import make_category, make_user


def ordered_slugs() -> list[str]:
    return list(
        db.session.scalars(select(Category.slug).order_by(Category.position, Category.name))
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 302), (Role.MEMBER, 403), (Role.MODERATOR, 403), (Role.STAFF, 403), (Role.ADMIN, 200)],
)
def test_category_admin_permissions(client, app, auth, role, status):
    with app.app_context():
        category_id = make_category().id
        if role is not None:
            make_user("someone", role=role)
    if role is not None:
        auth.login("someone")
    assert client.get("/admin/categories").status_code == status
    assert client.get(f"/admin/categories/{category_id}/edit").status_code == status
    moved = client.post(f"/admin/categories/{category_id}/move", data={"offset": 1})
    assert moved.status_code == (302 if role in (None, Role.ADMIN) else 403)


@pytest.fixture
def admin(app, auth):
    with app.app_context():
        make_user("root1", role=Role.ADMIN)
    auth.login("root1")


def test_create_category_from_the_page(client, app, admin):
    response = client.post(
        "/admin/categories", data={"name": "Mobile apps", "slug": "", "description": "iOS"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert ordered_slugs() == ["mobile-apps"]


def test_duplicate_slug_is_a_field_error(client, app, admin):
    with app.app_context():
        make_category("Billing", slug="billing")
    response = client.post("/admin/categories", data={"name": "Billing again", "slug": "billing"})
    assert response.status_code == 200
    assert b"already exists" in response.data
    with app.app_context():
        assert ordered_slugs() == ["billing"]


def test_edit_category(client, app, admin):
    with app.app_context():
        category_id = make_category("Billing", slug="billing").id
    response = client.post(
        f"/admin/categories/{category_id}/edit",
        data={"name": "Billing & plans", "slug": "plans", "description": "Money."},
    )
    assert response.status_code == 302
    assert client.get("/c/plans").status_code == 200
    assert client.get("/c/billing").status_code == 404


def test_reorder_categories(client, app, admin):
    with app.app_context():
        a, b, c = (make_category(n, slug=n) for n in ("aa", "bb", "cc"))
        for position, category in enumerate((a, b, c)):
            category.position = position
        db.session.commit()
        c_id = c.id
    client.post(f"/admin/categories/{c_id}/move", data={"offset": -1})
    with app.app_context():
        assert ordered_slugs() == ["aa", "cc", "bb"]
    client.post(f"/admin/categories/{c_id}/move", data={"offset": -1})
    client.post(f"/admin/categories/{c_id}/move", data={"offset": -1})  # already first: no-op
    with app.app_context():
        assert ordered_slugs() == ["cc", "aa", "bb"]
    page = client.get("/").get_data(as_text=True)
    assert page.index("/c/cc") < page.index("/c/aa") < page.index("/c/bb")


def test_bad_move_offset_changes_nothing(client, app, admin):
    with app.app_context():
        make_category("aa", slug="aa")
        second = make_category("bb", slug="bb")
        second.position = 1
        db.session.commit()
        second_id = second.id
    assert (
        client.post(f"/admin/categories/{second_id}/move", data={"offset": "-5"}).status_code == 302
    )
    with app.app_context():
        assert ordered_slugs() == ["aa", "bb"]


def test_category_services_enforce_rules(app_ctx):
    admin, member = make_user("root1", role=Role.ADMIN), make_user("bob")
    billing = make_category("Billing", slug="billing")
    other = make_category("Other", slug="other")
    with pytest.raises(PermissionDenied):
        services.update_category(member, billing, "Hacked", "hacked", "")
    with pytest.raises(Conflict):
        services.update_category(admin, billing, "Billing", "other", "")
    with pytest.raises(ValidationFailed):
        services.update_category(admin, billing, "", "!!!", "")
    with pytest.raises(ValidationFailed):
        services.move_category(admin, other, 3)
    assert billing.slug == "billing"
