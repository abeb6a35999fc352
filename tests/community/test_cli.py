"""`flask community rerender`."""

from __future__ import annotations

from sqlalchemy import select

from forum_kb.community import services
from forum_kb.community.models import Post
from forum_kb.community.services import NewThread
from forum_kb.extensions import db
from forum_kb.markup import RENDERER_VERSION
from tests.factories import make_category, make_user


def _thread_with_reply(app) -> tuple[int, int]:
    with app.app_context():
        alice, bob = make_user("alice"), make_user("bob")
        category = make_category()
        thread = services.create_thread(
            alice,
            NewThread(category.id, "question", "Export shows wrong dates", "Since **Monday**.", ()),
        )
        reply = services.reply_to_thread(bob, thread, "Ask @carol, she fixed it *last week*.")
        return services.opening_post(thread).id, reply.id


def test_rerender_updates_posts_from_an_older_renderer(runner, app):
    opening_id, reply_id = _thread_with_reply(app)
    with app.app_context():
        # carol signs up after the reply was written: only a re-render links the mention.
        make_user("carol")
        reply = db.session.get(Post, reply_id)
        reply.renderer_version, reply.body_html = 0, "<p>stale</p>"
        db.session.commit()

    result = runner.invoke(args=["community", "rerender"])

    assert result.exit_code == 0, result.output
    assert "Re-rendered 1 post." in result.output
    with app.app_context():
        reply = db.session.get(Post, reply_id)
        assert reply.renderer_version == RENDERER_VERSION
        assert '<a href="/u/carol">@carol</a>' in reply.body_html
        assert "<em>last week</em>" in reply.body_html
        opening = db.session.get(Post, opening_id)
        assert opening.body_html == "<p>Since <strong>Monday</strong>.</p>"


def test_rerender_with_nothing_stale_reports_zero(runner, app):
    _thread_with_reply(app)

    result = runner.invoke(args=["community", "rerender"])

    assert result.exit_code == 0, result.output
    assert "Re-rendered 0 posts." in result.output
    with app.app_context():
        versions = set(db.session.scalars(select(Post.renderer_version)))
        assert versions == {RENDERER_VERSION}
