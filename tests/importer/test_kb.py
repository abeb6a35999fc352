# ruff: noqa: RUF001 - real mail is full of non-ASCII look-alikes
"""`flask import kb`: a folder of Markdown files becomes published KB articles; re-running
skips unchanged files and revises changed ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum_kb.accounts.models import Role
from forum_kb.extensions import db
from forum_kb.importer.kb import import_kb, parse_document
from forum_kb.kb import services as kb_services
from forum_kb.kb.models import Article, ArticleStatus, Revision
from tests.factories import make_user

FRONT_MATTER = """---
title: "Reset your password"
labels: [accounts, Login Help]
slug: password-reset
---
# Not the title

Open **Settings** and choose *Reset password*; the link in the email works for an hour.
"""
HEADING = """
# Configure the proxy

Set `timeout = 60` in proxy.conf, then restart the whole service.
"""
NO_TITLE = "Backups run nightly at 02:00 UTC and are kept for thirty days.\n"
CP1252 = "# Café opening hours\n\nThe café opens at 8:00 – closes at 18:00, Monday to Friday.\n"


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    (root / "admin" / "ops").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "password.md").write_text(FRONT_MATTER)
    (root / "proxy.md").write_text(HEADING, encoding="utf-8-sig")
    (root / "admin" / "ops" / "nightly-backups.md").write_text(NO_TITLE)
    (root / "cafe.md").write_bytes(CP1252.encode("cp1252"))
    (root / "short.md").write_text("# Too short\n\nHi.\n")
    (root / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    (root / ".git" / "ignored.md").write_text(HEADING)
    (root / "notes.txt").write_text("not markdown")
    return root


@pytest.fixture
def staff(app_ctx):
    sam = make_user("sam", role=Role.ADMIN)
    kb_services.create_section(sam, "How-to guides", "how-to")
    return sam


def _article(title: str) -> Article:
    article = db.session.scalar(select(Article).where(Article.title == title))
    assert article is not None, title
    return article


def test_import_kb_publishes_each_file(staff, docs):
    report = import_kb(docs, "how-to")

    assert (report.files, report.created, report.updated, report.unchanged) == (6, 4, 0, 0)
    assert sorted((n.where, n.detail) for n in report.skipped) == [
        ("image.md", "binary file, not text"),
        ("short.md", "body: Write 20 to 100000 characters."),
    ]
    password = _article("Reset your password")
    assert password.status == ArticleStatus.PUBLISHED and password.owner_id == staff.id
    assert password.slug == "password-reset"
    assert [label.name for label in password.labels] == ["accounts", "login-help"]
    assert password.published_revision is not None
    assert "<h1>Not the title</h1>" in password.published_revision.body_html
    proxy = _article("Configure the proxy")
    assert proxy.published_revision is not None
    assert "Configure the proxy" not in proxy.published_revision.body_source
    assert "<code>timeout = 60</code>" in proxy.published_revision.body_html
    assert _article("Nightly backups").section.slug == "how-to"
    assert (
        "café opens at 8:00 – closes"
        in _article("Café opening hours").published_revision.body_source
    )  # type: ignore[union-attr]


def test_import_kb_articles_are_public_and_searchable(staff, docs, client):
    import_kb(docs, "how-to")

    assert client.get("/kb/articles/password-reset").status_code == 200
    hits = client.get("/api/v1/search?q=proxy.conf&type=article").get_json()["items"]
    assert [hit["title"] for hit in hits] == ["Configure the proxy"]


def test_import_kb_twice_skips_unchanged_files(staff, docs):
    import_kb(docs, "how-to")
    revisions = db.session.scalar(select(func.count()).select_from(Revision))

    report = import_kb(docs, "how-to")

    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    assert db.session.scalar(select(func.count()).select_from(Revision)) == revisions
    assert db.session.scalar(select(func.count()).select_from(Article)) == 4


def test_import_kb_revises_a_changed_file(staff, docs):
    import_kb(docs, "how-to")
    (docs / "proxy.md").write_text(HEADING.replace("60", "90"))

    report = import_kb(docs, "how-to")

    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    proxy = _article("Configure the proxy")
    assert proxy.published_revision is not None
    assert proxy.published_revision.number == 2
    assert "timeout = 90" in proxy.published_revision.body_source
    assert not proxy.has_pending_draft


def test_import_kb_as_drafts(staff, docs):
    report = import_kb(docs, "how-to", draft=True)

    assert report.created == 4
    assert {a.status for a in db.session.scalars(select(Article))} == {ArticleStatus.DRAFT}


def test_parse_document_falls_back_to_the_file_name():
    document = parse_document("Just text, no heading at all in here.\n", "getting_started-guide")

    assert document.title == "Getting started guide"
    assert document.body == "Just text, no heading at all in here.\n"


def test_parse_document_reads_yaml_style_lists():
    document = parse_document("---\ntitle: Lists\ntags:\n  - one\n  - 'two'\n---\nBody\n", "x")

    assert (document.title, document.labels, document.body) == ("Lists", ("one", "two"), "Body\n")


# --- the command -------------------------------------------------------------------------------


def test_cli_import_kb_reports(app, runner, docs):
    with app.app_context():
        sam = make_user("sam", role=Role.ADMIN)
        kb_services.create_section(sam, "How-to guides", "how-to")

    result = runner.invoke(args=["import", "kb", str(docs), "--section", "how-to"])

    assert result.exit_code == 0, result.output
    assert "Read 6 files in" in result.output
    assert "4 created, 0 updated (published), 0 unchanged, 2 not imported." in result.output
    assert "  image.md: binary file, not text\n" in result.output
    again = runner.invoke(args=["import", "kb", str(docs), "--section", "how-to"])
    assert "0 created, 0 updated (published), 4 unchanged, 2 not imported." in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{docs}", "--section", "nope"], "No KB section with the slug 'nope' (sections: how-to)."),
        (["{docs}/missing", "--section", "how-to"], "missing is not a folder."),
        (["{docs}", "--section", "how-to", "--owner", "mo"], "mo cannot own imported articles"),
        (["{docs}", "--section", "how-to", "--owner", "ghost"], "No user named 'ghost'."),
    ],
)
def test_cli_import_kb_refuses_bad_input(app, runner, docs, args, message):
    with app.app_context():
        sam = make_user("sam", role=Role.ADMIN)
        make_user("mo", role=Role.MEMBER)
        kb_services.create_section(sam, "How-to guides", "how-to")
    args = [a.replace("{docs}", str(docs)) for a in args]

    result = runner.invoke(args=["import", "kb", *args])

    assert result.exit_code == 1
    assert message in result.output


def test_cli_import_kb_needs_an_admin_when_no_owner_is_given(app, runner, docs):
    with app.app_context():
        staff = make_user("stan", role=Role.STAFF)
        kb_services.create_section(staff, "How-to guides", "how-to")

    result = runner.invoke(args=["import", "kb", str(docs), "--section", "how-to"])

    assert result.exit_code == 1
    assert "No admin account to own the articles" in result.output
