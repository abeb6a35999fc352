"""Markup under threads: gunicorn's gthread workers render and sanitize on several threads at
once, and a bleach Cleaner shared between them corrupted its parser state (500s under load)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from forum_kb.markup import clean_highlight, render_markdown

SOURCES = [
    "**Bold** and a [link](https://example.com) in a list:\n\n- one\n- two\n\n> quoted *text*",
    "```python\nprint('<b>')\n```\n\nThen `code` and <em>raw html</em> with www.example.org",
    "# Title\n\n| a | b |\n|---|---|\n| 1 | <script>x</script> |\n\nEnd <div><p>unclosed",
]


def test_rendering_on_many_threads_gives_the_single_thread_results() -> None:
    expected = [str(render_markdown(source)) for source in SOURCES]
    highlight = str(clean_highlight("a <mark>b</mark> <i>c</i> <p>d"))

    def work(n: int) -> tuple[str, str]:
        return str(render_markdown(SOURCES[n % 3])), str(
            clean_highlight("a <mark>b</mark> <i>c</i> <p>d")
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(600)))

    assert [html for html, _ in results] == [expected[n % 3] for n in range(600)]
    assert {mark for _, mark in results} == {highlight}
