"""Markdown is rendered, then sanitized with an allow-list."""

from __future__ import annotations

import pytest

from forum_kb.markup import html_to_text, render_markdown


def test_render_markdown_formats_and_links_get_rel():
    html = render_markdown("**bold** and [a link](https://example.com)")
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.com"' in html
    assert 'rel="nofollow ugc noopener"' in html


def test_fenced_code_is_highlighted_with_classes_only():
    html = render_markdown("```python\nprint('hi')\n```")
    assert 'class="highlight"' in html
    assert "style=" not in html


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        "<svg onload=alert(1)>",
        '<iframe src="https://evil.example"></iframe>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        "<scr<script>ipt>alert(1)</script>",
    ],
)
def test_render_markdown_strips_dangerous_markup(payload):
    html = render_markdown(payload).lower()
    for needle in (
        "<script",
        "onerror",
        "onload",
        "javascript:",
        "data:",
        "<iframe",
        "<svg",
        "style=",
    ):
        assert needle not in html


def test_html_to_text_strips_tags_and_entities():
    assert html_to_text("<p>Fish &amp; <b>chips</b></p>") == "Fish & chips"


def test_code_is_escaped_exactly_once():
    html = render_markdown("Use `a < b && c`\n\n```\nif a < b: pass\n```")
    assert "<code>a &lt; b &amp;&amp; c</code>" in html
    assert "if a &lt; b: pass" in html
    assert "&amp;lt;" not in html


def test_bare_urls_become_links_but_not_inside_code():
    html = render_markdown("See https://example.com and `https://not-a-link.example`")
    assert '<a href="https://example.com" rel="nofollow ugc noopener">' in html
    assert "<code>https://not-a-link.example</code>" in html
