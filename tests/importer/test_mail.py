# ruff: noqa: RUF001 - real mail is full of non-ASCII look-alikes
"""`flask import mbox`: a real-world archive with broken messages becomes threads and
replies; re-running adds nothing; addresses never show."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum_kb.accounts.models import User
from forum_kb.community.models import Post, PostRevision, Thread
from forum_kb.extensions import db
from forum_kb.importer.models import ImportRecord
from forum_kb.importer.services import import_mail
from forum_kb.markup import html_to_text
from forum_kb.search.models import OutboxEntry
from tests.factories import make_category, make_user
from tests.importer import archives
from tests.importer.archives import message, rfc_date

ADDRESS_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


@pytest.fixture
def category(app_ctx):
    return make_category("Users list", slug="users")


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    escaped = message(
        "Mona <mona@example.com>", "Escaped from line",
        "Look at the logs.\nFrom the logs it is clear that the cache is cold.\n",
        date=rfc_date(10, 9), message_id="<escaped@example.com>",
    )  # fmt: skip
    return archives.write_mbox(
        tmp_path / "users.mbox",
        [*archives.thread_messages(), escaped],
        extra=archives.broken_messages(),
    )


def _thread(title: str) -> Thread:
    thread = db.session.scalar(select(Thread).where(Thread.title == title))
    assert thread is not None, title
    return thread


def _posts(thread: Thread) -> list[Post]:
    return list(
        db.session.scalars(
            select(Post).where(Post.thread_id == thread.id).order_by(Post.created_at, Post.id)
        )
    )


def _text(post: Post) -> str:
    """What a reader sees of a post (entities decoded, tags and spacing collapsed)."""
    return html_to_text(post.body_html)


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_import_mail_counts_what_it_did(category, archive):
    report = import_mail(archive, "users")

    assert report.messages == 18
    assert (report.threads, report.replies) == (11, 5)
    assert report.accounts == 13
    reasons = {note.where.split()[0]: note.detail for note in report.skipped}
    assert reasons["#9"] == "empty body"
    assert reasons["#11"] == "not a mail message (no headers)"
    assert len(report.skipped) == 2
    assert [n.detail for n in report.attachments] == ["report.pdf", "dump.bin"]
    assert [n.detail for n in report.dates] == ["date taken from the Received"]
    assert report.duplicates == []


def test_import_mail_threads_by_references_and_subject(category, archive):
    import_mail(archive, "users")

    thread = _thread("Proxy drops connections after upgrade")
    posts = _posts(thread)
    authors = [p.author.display_name for p in posts]
    assert authors == ["Alice Martin", "Bob Stone", "Alice Martin", "Chloé Dupont", "Bob Stone",
                       "Dmitri"]  # fmt: skip
    assert posts[0].is_opening and not any(p.is_opening for p in posts[1:])
    assert thread.reply_count == 5
    assert thread.last_activity_at == datetime(2019, 3, 5, 8, 0, tzinfo=UTC)
    assert thread.last_poster_id == posts[-1].author_id
    assert thread.created_at == posts[0].created_at == datetime(2019, 3, 4, 9, 15, tzinfo=UTC)
    revisions = db.session.scalars(select(PostRevision).where(PostRevision.post_id == posts[0].id))
    assert [(r.number, r.title) for r in revisions] == [(1, thread.title)]


def test_import_mail_folds_quotes_signatures_and_footers(category, archive):
    import_mail(archive, "users")

    opening, bob, alice, chloe, bob_2, _late = _posts(
        _thread("Proxy drops connections after upgrade")
    )
    assert "<em>" not in bob.body_html  # mail is plain text: *whole* stays as written
    assert _text(bob) == (
        "Did you restart the *whole* service, not only the worker? The setting "
        "is read once at start-up."
    )  # no attribution, no trailing quote, no signature
    # Quotes between the writer's own lines shrink to their first line, in a blockquote.
    assert alice.body_html.count("<blockquote>") == 2
    assert _text(alice) == (
        "Did you restart the *whole* service, not only the worker? Yes, twice. "
        "The setting is read once at start-up. "
        "Then the <keepalive> value must be the culprit. #1 suspect."
    )  # no list footer
    assert "<keepalive>" not in alice.body_html and "<h1>" not in alice.body_html
    assert _text(chloe) == "Set keepalive_timeout too: both must be larger than 30. Chloé"
    assert _text(bob_2) == ("Did you restart … Thanks Chloé, that fixed it for us as well.")
    assert "Write to Alice Martin if you prefer." in _text(opening)


def test_import_mail_decodes_charsets_html_and_from_lines(category, archive):
    import_mail(archive, "users")

    koi8 = _posts(_thread("Вопрос о прокси"))[0]
    assert _text(koi8) == "Привет! Прокси работает, спасибо."
    assert koi8.author.display_name == "Dmitri"
    smart = _posts(_thread("Smart quotes"))[0]
    assert _text(smart) == "It’s the “timeout” setting – try 60."
    assert smart.author.display_name == "René Faure"
    assert _text(_posts(_thread("Mystery charset"))[0]) == "Déjà vu: the proxy works."
    html = _posts(_thread("HTML only"))[0]
    assert _text(html) == (
        "Older text that was quoted … "
        "We use nginx in front & it works. See the guide (https://docs.example.org/proxy)."
    )
    assert "<script" not in html.body_html and "<b>" not in html.body_html
    logs = _text(_posts(_thread("Logs"))[0])
    assert logs == "Logs attached, the error is at the end. (Attachments not imported: report.pdf)"
    truncated = _posts(_thread("Truncated"))[0]
    assert (
        _text(truncated)
        == "The text part survived the truncation. (Attachments not imported: dump.bin)"
    )
    history = _text(_posts(_thread("Quoting history"))[0])
    assert history == (
        "Some history first. From what I remember, the old proxy had no such limit. "
        "It was added later."
    )
    escaped = _text(_posts(_thread("Escaped from line"))[0])
    assert escaped == "Look at the logs. From the logs it is clear that the cache is cold."


def test_import_mail_keeps_dates_and_falls_back_to_received(category, archive):
    import_mail(archive, "users")

    assert _thread("Broken date").created_at == datetime(2019, 3, 7, 9, 30, tzinfo=UTC)
    assert _thread("Message without an id").created_at == datetime(2019, 3, 6, 9, tzinfo=UTC)


def test_import_mail_authors_are_inactive_accounts_keyed_by_address(category, archive, client):
    import_mail(archive, "users")

    alice = db.session.scalar(select(User).where(User.email_key == "alice@example.org"))
    assert alice is not None and alice.username == "alice-martin"
    assert alice.is_active is False
    assert alice.created_at == datetime(2019, 3, 4, 9, 15, tzinfo=UTC)
    chloe = db.session.scalar(select(User).where(User.email_key == "chloe@example.net"))
    assert chloe is not None and chloe.username == "chloe-dupont"
    response = client.post("/login", data={"login": "alice-martin", "password": "!imported"})
    assert b"Wrong username or password" in response.data


def test_import_mail_reuses_an_existing_account_with_the_address(category, archive):
    member = make_user("bobby", email="bob@example.org")

    report = import_mail(archive, "users")

    bob_posts = db.session.scalar(
        select(func.count()).select_from(Post).where(Post.author_id == member.id)
    )
    assert bob_posts == 2
    assert report.accounts == 12


def test_import_mail_shows_no_address_on_pages_or_api(category, archive, client):
    import_mail(archive, "users")
    thread_ids = list(db.session.scalars(select(Thread.id)))
    usernames = list(db.session.scalars(select(User.username)))

    pages = [f"/t/{tid}" for tid in thread_ids] + [f"/api/v1/threads/{tid}" for tid in thread_ids]
    pages += ["/c/users", "/api/v1/threads?category=users", "/search/?q=proxy"]
    pages += [f"/u/{name}" for name in usernames]
    for page in pages:
        response = client.get(page)
        assert response.status_code in (200, 404), page
        text = response.get_data(as_text=True)
        found = [a for a in ADDRESS_RE.findall(text) if not a.endswith(("example.org/proxy",))]
        assert not [a for a in found if "example." in a], (page, found)
    sources = " ".join(db.session.scalars(select(Post.body_source)))
    assert not ADDRESS_RE.findall(sources)


def test_import_mail_twice_adds_nothing(category, archive):
    import_mail(archive, "users")
    counts = [_count(m) for m in (Thread, Post, User, ImportRecord, PostRevision)]

    again = import_mail(archive, "users")

    assert [_count(m) for m in (Thread, Post, User, ImportRecord, PostRevision)] == counts
    assert (again.threads, again.replies, again.accounts) == (0, 0, 0)
    assert len(again.duplicates) == 16
    assert {n.detail for n in again.duplicates} == {"imported before"}


def test_import_mail_attaches_replies_to_messages_of_earlier_runs(category, tmp_path):
    first, second, later = archives.thread_messages()[:3]
    archives.write_mbox(tmp_path / "march.mbox", [first, second])
    archives.write_mbox(tmp_path / "april.mbox", [later])
    import_mail(tmp_path / "march.mbox", "users")

    report = import_mail(tmp_path / "april.mbox", "users")

    assert (report.threads, report.replies) == (0, 1)
    thread = _thread("Proxy drops connections after upgrade")
    assert thread.reply_count == 2
    assert thread.last_activity_at == datetime(2019, 3, 4, 12, tzinfo=UTC)


def test_import_mail_moves_an_early_reply_under_its_late_parent(category, tmp_path):
    first, second = archives.thread_messages()[:2]
    second.replace_header("Subject", "Re: something else entirely")
    archives.write_mbox(tmp_path / "reply.mbox", [second])
    archives.write_mbox(tmp_path / "parent.mbox", [first])
    import_mail(tmp_path / "reply.mbox", "users")
    orphan = _thread("something else entirely")

    report = import_mail(tmp_path / "parent.mbox", "users")

    assert report.adopted == 1
    db.session.expire_all()
    assert orphan.merged_into_id is not None and orphan.deleted_at is not None
    thread = _thread("Proxy drops connections after upgrade")
    assert orphan.merged_into_id == thread.id
    assert [p.author.display_name for p in _posts(thread)] == ["Alice Martin", "Bob Stone"]
    assert thread.reply_count == 1


def test_import_mail_reads_a_maildir(category, tmp_path):
    archives.write_maildir(tmp_path / "Maildir", archives.thread_messages())

    report = import_mail(tmp_path / "Maildir", "users")

    assert (report.threads, report.replies) == (1, 5)
    assert _thread("Proxy drops connections after upgrade").reply_count == 5


def test_import_mail_makes_threads_searchable(category, archive, client):
    import_mail(archive, "users")

    assert _count(OutboxEntry) == 0  # the test config indexes right after each commit
    hits = client.get("/api/v1/search?q=keepalive").get_json()["items"]
    assert {hit["title"] for hit in hits} == {"Proxy drops connections after upgrade"}
    hits = client.get("/api/v1/search?q=прокси").get_json()["items"]
    assert {hit["title"] for hit in hits} == {"Вопрос о прокси"}


def test_import_mail_small_batches_give_the_same_result(category, archive):
    report = import_mail(archive, "users", batch_size=2)

    assert (report.threads, report.replies) == (11, 5)
    assert _thread("Proxy drops connections after upgrade").reply_count == 5


# --- the command -------------------------------------------------------------------------------


def test_cli_import_mbox_reports_and_indexes(app, runner, tmp_path):
    with app.app_context():
        make_category("Users list", slug="users")
    path = archives.write_mbox(tmp_path / "a.mbox", archives.thread_messages(),
                               extra=archives.broken_messages())  # fmt: skip

    result = runner.invoke(args=["import", "mbox", str(path), "--category", "users"])

    assert result.exit_code == 0, result.output
    assert "Read 17 messages in" in result.output
    assert "10 new threads, 5 replies, 12 new accounts, 0 duplicates skipped, " in result.output
    assert "Not imported (2):\n  #9 <empty@example.com>: empty body\n" in result.output
    assert "Attachments left out (2):" in result.output
    assert "Search: applied 0 queued changes." in result.output
    again = runner.invoke(args=["import", "mbox", str(path), "--category", "users"])
    assert "0 new threads, 0 replies, 0 new accounts, 15 duplicates skipped" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.mbox", "--category", "users"], "missing.mbox does not exist."),
        (["{tmp}/a.mbox", "--category", "nope"], "No category with the slug 'nope'"),
        (["{tmp}", "--category", "users"], "is a folder but not a Maildir"),
        (["{tmp}/empty.mbox", "--category", "users"], "No messages found in"),
    ],
)  # fmt: skip
def test_cli_import_mbox_refuses_bad_input(app, runner, tmp_path, args, message):
    with app.app_context():
        make_category("Users list", slug="users")
    archives.write_mbox(tmp_path / "a.mbox", archives.thread_messages()[:1])
    (tmp_path / "empty.mbox").write_bytes(b"")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]

    result = runner.invoke(args=["import", "mbox", *args])

    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
