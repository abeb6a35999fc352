"""Property tests (hypothesis) of the Markdown sanitizer in ``forum_kb.markup``: whatever an
author writes, the HTML that reaches a page holds only allow-listed tags and attributes, no
script, no event handler and no script URL, and sanitizing it again changes nothing."""

from __future__ import annotations

import html
from html.parser import HTMLParser

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from forum_kb.markup import (
    ALLOWED_PROTOCOLS,
    ALLOWED_TAGS,
    clean_highlight,
    clean_html,
    render_article,
    render_markdown,
)

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: For the slower renderers (articles build a table of contents; mentions rewrite the source).
FEWER = settings(SETTINGS, max_examples=60)
#: Attributes any allowed tag may keep (beyond them, see ``_allowed_attribute``).
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "xlink:href"}

# --- what authors may write ------------------------------------------------------------------

HOSTILE_TAGS = [
    "script", "style", "iframe", "object", "embed", "svg", "math", "img", "form", "input",
    "button", "textarea", "base", "link", "meta", "details", "template", "video", "audio",
    "a", "div", "span", "code", "p", "table", "td", "h2", "noscript", "xmp", "plaintext",
]  # fmt: skip
EVENTS = ["onerror", "onload", "onclick", "onmouseover", "onfocus", "ontoggle", "ONERROR"]
SCHEMES = [
    "javascript:", "JaVaScRiPt:", " javascript:", "java\tscript:", "java&#x0A;script:",
    "&#106;avascript:", "vbscript:", "data:text/html;base64,PHNjcmlwdD4=", "data:", "file:",
    "http://ok.example/", "mailto:a@b.example", "//evil.example/",
]  # fmt: skip
ATTRIBUTES = ["href", "src", "style", "class", "id", "title", "align", "formaction", "srcdoc"]
PAYLOAD = st.sampled_from(["alert(1)", "x", "'", '"', "<", ">", "&amp;", "&#0;", "`", "\\"])


@st.composite
def attribute(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(EVENTS + ATTRIBUTES))
    value = draw(st.sampled_from(SCHEMES)) + draw(PAYLOAD)
    quote = draw(st.sampled_from(['"', "'", ""]))
    return f" {name}={quote}{value}{quote}"


@st.composite
def element(draw: st.DrawFn) -> str:
    tag = draw(st.sampled_from(HOSTILE_TAGS))
    attrs = "".join(draw(st.lists(attribute(), max_size=3)))
    inner = draw(st.one_of(PAYLOAD, st.text(max_size=20)))
    closing = draw(st.sampled_from([f"</{tag}>", "", f"</{tag}", "</>"]))
    return f"<{tag}{attrs}>{inner}{closing}"


@st.composite
def markdownish(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(SCHEMES))
    payload = draw(PAYLOAD)
    return draw(
        st.sampled_from(
            [
                f"[link]({scheme}{payload})",
                f"![image]({scheme}{payload})",
                f"<{scheme}{payload}>",
                f"[ref][1]\n\n[1]: {scheme}{payload}",
                f"```\n<script>{payload}</script>\n```",
                f"`<b onclick={payload}>`",
                f'{{: onclick="{payload}" }}',
                f"# Heading {{#evil onclick={payload}}}",
                f"| a | b |\n|---|---|\n| <img src=x onerror={payload}> | {scheme} |",
                f"&lt;script&gt;{payload}",
                f"<!-- <script>{payload}</script> -->",
                f"<![CDATA[<script>{payload}</script>]]>",
            ]
        )
    )


FRAGMENT = st.one_of(element(), markdownish(), st.text(max_size=30))
SEPARATOR = st.sampled_from(["", " ", "\n", "\n\n"])
DOCUMENT = st.lists(st.tuples(FRAGMENT, SEPARATOR), min_size=1, max_size=6).map(
    lambda parts: "".join(fragment + separator for fragment, separator in parts)
)


# --- what must come out ----------------------------------------------------------------------


class Audit(HTMLParser):
    """Every tag and attribute of an HTML fragment, and what is wrong with them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if not _allowed_attribute(tag, name, value or ""):
                self.problems.append(f"<{tag} {name}={value!r}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment {data[:30]!r}")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration {decl[:30]!r}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction {data[:30]!r}")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"declaration {data[:30]!r}")


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name.startswith("on") or name == "style":
        return False
    if name in URL_ATTRIBUTES:
        return name == "href" and tag == "a" and _safe_url(value)
    allowed = {
        "a": {"title", "rel"},
        "abbr": {"title"},
        "code": {"class"},
        "div": {"class"},
        "span": {"class"},
        "th": {"align"},
        "td": {"align"},
        "h2": {"id"},
        "h3": {"id"},
        "h4": {"id"},
    }
    if name == "id":
        return tag in allowed and value.startswith("toc-")
    return name in allowed.get(tag, set())


def _safe_url(value: str) -> bool:
    """A relative URL, or one with an allowed scheme (as a browser would read it)."""
    cleaned = "".join(ch for ch in html.unescape(value) if ch > " ").lower()
    scheme, colon, _ = cleaned.partition(":")
    if not colon or "/" in scheme or "?" in scheme or "#" in scheme:
        return True  # relative
    return scheme in ALLOWED_PROTOCOLS


def audit(fragment: str) -> list[str]:
    checker = Audit()
    checker.feed(fragment)
    checker.close()
    lowered = fragment.lower()
    if "<script" in lowered:
        checker.problems.append("<script")
    return checker.problems


# --- properties -------------------------------------------------------------------------------


@SETTINGS
@given(st.text(max_size=300))
def test_any_text_renders_to_allowed_html(source: str) -> None:
    assert audit(str(render_markdown(source))) == []


@SETTINGS
@given(DOCUMENT)
@example("<script>alert(1)</script>")
@example('<a href="java\tscript:alert(1)">x</a>')
@example("[x](&#106;avascript:alert(1))")
@example("<scr<script>ipt>alert(1)</scr</script>ipt>")
@example("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>")
def test_hostile_markup_renders_to_allowed_html_that_a_second_pass_keeps(source: str) -> None:
    once = str(render_markdown(source))
    assert audit(once) == []
    # The second pass keeps everything but the rel="..." the first pass's linkifier added.
    assert str(clean_html(once)) == once.replace(' rel="nofollow ugc noopener"', "")


@FEWER
@given(DOCUMENT)
def test_articles_render_to_allowed_html(source: str) -> None:
    rendered, _toc = render_article("## Steps\n\n" + source)
    assert audit(str(rendered)) == []


@FEWER
@given(DOCUMENT, st.dictionaries(st.sampled_from(["bob", "alice"]), st.just("/u/bob")))
def test_mentions_do_not_open_a_hole(source: str, mentions: dict[str, str]) -> None:
    assert audit(str(render_markdown("@bob @alice " + source, mentions))) == []


@SETTINGS
@given(DOCUMENT)
def test_search_highlights_keep_only_bare_marks(fragment: str) -> None:
    cleaned = str(clean_highlight(fragment.replace("x", "<mark>x</mark>")))
    checker = Audit()
    checker.feed(cleaned.replace("<mark>", "").replace("</mark>", ""))
    assert checker.problems == []
    assert "<" not in cleaned.replace("<mark>", "").replace("</mark>", "")


def test_the_audit_can_fail() -> None:
    assert audit('<p onclick="x">a</p>') != []
    assert audit('<a href="javascript:alert(1)">a</a>') != []
    assert audit('<a href="java&#9;script:alert(1)">a</a>') != []
    assert audit("<img src=x>") != []
    assert audit('<a href="/t/1" title="t">ok</a><span class="k">x</span>') == []
