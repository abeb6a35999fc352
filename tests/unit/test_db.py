"""The unit of work: one commit at the outermost level, effects only after it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum_kb.community.models import Category
from forum_kb.db import after_commit, unit_of_work, utcnow
from forum_kb.extensions import db


def _slugs() -> list[str]:
    return list(db.session.scalars(select(Category.slug).order_by(Category.slug)))


def test_unit_of_work_commits_at_outermost_level_only(app_ctx):
    with unit_of_work():
        db.session.add(Category(name="A", slug="a"))
        with unit_of_work():
            db.session.add(Category(name="B", slug="b"))
        # The inner level has not committed: a rollback now would lose both.
        assert db.session.info["forum_kb.uow_depth"] == 1
    db.session.rollback()  # nothing pending: both rows were committed by the outer level
    assert _slugs() == ["a", "b"]


def test_unit_of_work_error_rolls_back_everything(app_ctx):
    with pytest.raises(RuntimeError), unit_of_work():
        db.session.add(Category(name="A", slug="a"))
        with unit_of_work():
            db.session.add(Category(name="B", slug="b"))
        raise RuntimeError("boom")
    assert _slugs() == []


def test_after_commit_runs_only_after_successful_outer_commit(app_ctx):
    ran: list[str] = []
    with unit_of_work():
        with unit_of_work():
            after_commit(lambda: ran.append("inner"))
        assert ran == []
    assert ran == ["inner"]


class Boom(Exception):
    pass


def test_after_commit_callbacks_dropped_on_rollback(app_ctx):
    ran: list[str] = []
    with pytest.raises(Boom), unit_of_work():
        after_commit(lambda: ran.append("x"))
        raise Boom
    with unit_of_work():
        pass
    assert ran == []


def test_after_commit_outside_unit_of_work_raises(app_ctx):
    with pytest.raises(RuntimeError):
        after_commit(lambda: None)


def test_unit_of_work_as_decorator(app_ctx):
    @unit_of_work()
    def add(slug: str) -> None:
        db.session.add(Category(name=slug, slug=slug))

    add("x")
    db.session.rollback()
    assert _slugs() == ["x"]


def test_timestamps_are_timezone_aware_after_reload(app_ctx):
    with unit_of_work():
        db.session.add(Category(name="A", slug="a"))
    db.session.expire_all()
    category = db.session.scalars(select(Category)).one()
    assert category.created_at.tzinfo is not None
    assert abs((utcnow() - category.created_at).total_seconds()) < 60
