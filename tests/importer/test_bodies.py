"""Mail text to post bodies, and message parsing details: pure functions, no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from forum_kb.importer import bodies
from forum_kb.importer.messages import (
    RawMessage,
    UnreadableMessage,
    decode_bytes,
    normalize_id,
    parse_message,
)
from forum_kb.importer.services import normalize_subject, strip_prefixes
from forum_kb.markup import html_to_text, render_markdown

NOW = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "# not a heading",
        "1. not a list",
        "- not a list either",
        "Title\n=====",
        "<script>alert(1)</script> & <b>bold</b>",
        "*stars* _under_ `code` [link](http://x.test) | pipe | ~~~",
        "    four spaces are not code",
        "back\\slash and > arrow",
    ],
)
def test_to_markdown_renders_plain_text_as_written(text):
    html = str(render_markdown(bodies.to_markdown(text)))

    assert html_to_text(html) == " ".join(text.split())
    assert "<script" not in html and "<h1" not in html and "<li" not in html
    assert "<pre" not in html and "<a " not in html.replace('<a href="http://x.test"', "")


def test_fold_keeps_the_new_text_only():
    text = (
        "Agreed.\n\nOn Tue, Jan 1, 2019 at 10:00 AM Bob <\nbob@example.org> wrote:\n> old\n> text\n"
    )

    assert bodies.fold(text) == "Agreed."


def test_fold_nested_quotes_preview_the_outer_level():
    text = "> > deep\n> outer line\n> more\n\nMy answer.\n"

    assert bodies.fold(text) == "> outer line …\n\nMy answer."


def test_strip_addresses_names_known_senders_only():
    text = "Ask Bob <bob@example.org> or mail carol@example.com, see mailto:dan@example.net"

    result = bodies.strip_addresses(text, {"carol@example.com": "Carol"}.get)

    assert result == "Ask Bob or mail Carol, see dan@…"


def test_html_to_text_keeps_paragraphs_lists_and_quotes():
    html = "<p>One</p><ul><li>a</li><li>b</li></ul><blockquote>q</blockquote><pre>x\n  y</pre>"

    assert bodies.html_to_text(html) == "One\n- a\n- b\n\n> q\nx\n  y"


@pytest.mark.parametrize(
    ("data", "charset", "expected"),
    [
        ("naïve".encode(), "us-ascii", "naïve"),
        ("naïve".encode("latin-1"), "utf-8", "naïve"),
        (b"\x93quoted\x94", "iso-8859-1", "“quoted”"),
        ("день".encode("koi8-r"), "koi8-r", "день"),
        (b"ok", "x-unknown", "ok"),
    ],
)
def test_decode_bytes_survives_wrong_labels(data, charset, expected):
    assert decode_bytes(data, charset) == expected


def test_subject_prefixes_are_stripped():
    assert strip_prefixes("Re: [users] AW: Fwd: SV:  Proxy") == "Proxy"
    assert normalize_subject("RE: [users]  Proxy   SETTINGS") == "proxy settings"


def test_normalize_id_handles_junk():
    assert normalize_id("  <abc@example.org> (added by list)") == "abc@example.org"
    assert normalize_id("") is None
    assert normalize_id("no id here") is None
    assert normalize_id("<" + "x" * 300 + "@y>").startswith("sha256:")  # type: ignore[union-attr]


def test_parse_message_future_date_falls_back_to_from_line():
    raw = RawMessage(
        1,
        b"From: a@example.org\nSubject: s\nDate: Mon, 1 Jan 2999 00:00:00 +0000\n\nbody\n",
        b"From a@example.org Tue Jan  1 00:00:00 2002",
    )

    parsed = parse_message(raw, NOW)

    assert (parsed.date, parsed.date_source) == (datetime(2002, 1, 1, tzinfo=UTC), "From line")
    assert parsed.key.startswith("sha256:")


def test_parse_message_without_text_is_unreadable():
    with pytest.raises(UnreadableMessage, match="empty body"):
        parse_message(RawMessage(1, b"From: a@example.org\nSubject: s\n\n\n"), NOW)
