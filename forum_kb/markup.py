"""User text to safe HTML. The only module that imports markdown and bleach (STYLE 4.7)."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from functools import partial

import bleach
import markdown
from bleach.linkifier import LinkifyFilter
from markupsafe import Markup

#: Bumped whenever the renderer's output changes, so stored HTML can be re-rendered.
RENDERER_VERSION = 2

# Never enable attr_list or md_in_html for user input: they let authors write attributes.
_EXTENSIONS = ["fenced_code", "tables", "sane_lists", "codehilite", "nl2br"]
_EXTENSION_CONFIGS = {"codehilite": {"css_class": "highlight", "guess_lang": False}}

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "kbd", "li", "ol", "p", "pre", "s",
        "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title"],
    "abbr": ["title"],
    "code": ["class"],
    "div": ["class"],
    "span": ["class"],
    "th": ["align"],
    "td": ["align"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Only Pygments' short token classes and our own code-block classes survive on span/div/code.
_CLASS_RE = re.compile(r"^(highlight|language-[\w-]+|[a-z]{1,3}\d?)$")
_LINK_REL = "nofollow ugc noopener"


def _filter_class(tag: str, name: str, value: str) -> bool:
    if name != "class":
        return name in ALLOWED_ATTRIBUTES.get(tag, [])
    return all(_CLASS_RE.match(part) for part in value.split())


_TOC_ID_RE = re.compile(r"^toc-[a-z0-9_-]{1,80}$")


def _attribute_filter(tag: str, name: str, value: str) -> bool:
    if tag in ("h2", "h3", "h4") and name == "id":
        # Only ids made by render_article's table of contents ("toc-..."): author-chosen ids
        # could clobber the page's own elements.
        return bool(_TOC_ID_RE.match(value))
    if tag == "a":
        return name in ("href", "title")
    if tag in ("span", "div", "code"):
        return _filter_class(tag, name, value)
    return name in ALLOWED_ATTRIBUTES.get(tag, [])


def _set_rel(
    attrs: MutableMapping[tuple[str | None, str], str], new: bool = False
) -> MutableMapping[tuple[str | None, str], str]:
    href = attrs.get((None, "href"), "")
    if href.startswith(("http:", "https:", "mailto:")) or href.startswith("//"):
        attrs[(None, "rel")] = _LINK_REL
    return attrs


def _make_cleaner(*, linkify: bool) -> bleach.Cleaner:
    # Linkify in the same pass as cleaning: a second Linker pass over serialized HTML escapes
    # the text inside <code> twice (``a < b`` would show as ``a &lt; b``).
    filters = (
        [partial(LinkifyFilter, callbacks=[_set_rel], skip_tags={"pre", "code"}, parse_email=False)]
        if linkify
        else []
    )
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_attribute_filter,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=filters,
    )


# bleach Cleaners keep html5lib parser state between calls, so one shared by threads (gunicorn's
# gthread workers) corrupts it: "IndexError: pop from empty list" in html5lib, seen under load.
# One of each per thread, like the Markdown converters below.
_cleaners = threading.local()


def _thread_cleaner(name: str, make: Callable[[], bleach.Cleaner]) -> bleach.Cleaner:
    cleaner: bleach.Cleaner | None = getattr(_cleaners, name, None)
    if cleaner is None:
        cleaner = make()
        setattr(_cleaners, name, cleaner)
    return cleaner


def _cleaner() -> bleach.Cleaner:
    return _thread_cleaner("plain", partial(_make_cleaner, linkify=False))


def _cleaner_linkify() -> bleach.Cleaner:
    return _thread_cleaner("linkify", partial(_make_cleaner, linkify=True))


def _highlight_cleaner() -> bleach.Cleaner:
    return _thread_cleaner(
        "highlight",
        partial(bleach.Cleaner, tags={"mark"}, attributes={}, strip=True, strip_comments=True),
    )


# Code is left alone when looking for @mentions: fenced blocks, then inline code spans.
_CODE_RE = re.compile(r"(^(```|~~~)[^\n]*\n.*?^\2[ \t]*$|`[^`\n]+`)", re.MULTILINE | re.DOTALL)
MENTION_RE = re.compile(r"(?<![\w@/\[])@([A-Za-z0-9](?:[A-Za-z0-9_.-]{0,30}[A-Za-z0-9])?)")


def _outside_code(source: str) -> list[tuple[bool, str]]:
    parts: list[tuple[bool, str]] = []
    position = 0
    for match in _CODE_RE.finditer(source):
        parts.append((False, source[position : match.start()]))
        parts.append((True, match.group(0)))
        position = match.end()
    parts.append((False, source[position:]))
    return parts


def extract_mentions(source: str) -> set[str]:
    """Lower-cased usernames mentioned as ``@name`` outside code."""
    return {
        name.lower()
        for is_code, text in _outside_code(source)
        if not is_code
        for name in MENTION_RE.findall(text)
    }


def _link_mentions(source: str, mentions: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        href = mentions.get(match.group(1).lower())
        return f"[@{match.group(1)}]({href})" if href else match.group(0)

    return "".join(
        text if is_code else MENTION_RE.sub(replace, text)
        for is_code, text in _outside_code(source)
    )


_local = threading.local()


def _post_converter() -> markdown.Markdown:
    # Building a Markdown instance costs more than converting a short post; one per thread
    # (instances are not thread-safe), reset before each use, as Python-Markdown documents.
    converter: markdown.Markdown | None = getattr(_local, "post", None)
    if converter is None:
        converter = _local.post = markdown.Markdown(
            extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIGS, output_format="html"
        )
    return converter.reset()


def render_markdown(source: str, mentions: Mapping[str, str] | None = None) -> Markup:
    """Render user Markdown to sanitized HTML safe to insert into a page.

    ``mentions`` maps lower-cased usernames that exist to their profile links; ``@name`` outside
    code becomes a link for those names only.
    """
    if mentions:
        source = _link_mentions(source, mentions)
    raw_html = _post_converter().convert(source)
    return Markup(_cleaner_linkify().clean(raw_html))  # noqa: S704 - sanitized by the allow-list above


def clean_html(fragment: str) -> Markup:
    """Sanitize an HTML fragment (e.g. a search highlight) with the same allow-list."""
    return Markup(_cleaner().clean(fragment))  # noqa: S704 - sanitized by the allow-list above


def clean_highlight(fragment: str) -> Markup:
    """Sanitize a search snippet: escaped text in which only bare ``<mark>`` tags survive."""
    return Markup(_highlight_cleaner().clean(fragment))  # noqa: S704 - only <mark> is allowed


_TAG_RE = re.compile(r"<[^>]+>")
_SPACE_RE = re.compile(r"\s+")


def html_to_text(fragment: str) -> str:
    """Plain text of rendered HTML, for indexing, snippets and emails."""
    stripped = bleach.clean(fragment, tags=set(), strip=True)
    return _SPACE_RE.sub(" ", html.unescape(_TAG_RE.sub(" ", stripped))).strip()


# A plain-text variant used where no Markdown is wanted (bios, short notes).
escape_text = partial(html.escape, quote=True)

_LINK_RE = re.compile(r"https?://|www\.", re.IGNORECASE)


def count_links(source: str) -> int:
    """How many web links a Markdown source contains (for new-account limits)."""
    return len(_LINK_RE.findall(source))


@dataclass(frozen=True)
class TocEntry:
    level: int
    anchor: str
    title: str


def _toc_slug(value: str, separator: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:60] or "section"
    return f"toc-{slug}"


def render_article(source: str) -> tuple[Markup, list[TocEntry]]:
    """Render a KB article: like posts, plus heading anchors and a table of contents (h2-h3)."""
    converter = markdown.Markdown(
        extensions=[*_EXTENSIONS, "toc"],
        extension_configs={
            **_EXTENSION_CONFIGS,
            "toc": {"slugify": _toc_slug, "toc_depth": "2-3", "permalink": False},
        },
        output_format="html",
    )
    raw_html = converter.convert(source)
    entries: list[TocEntry] = []

    def walk(tokens: list[dict[str, object]]) -> None:
        for token in tokens:
            entries.append(
                TocEntry(
                    int(str(token["level"])), str(token["id"]), html.unescape(str(token["name"]))
                )
            )
            walk(token.get("children", []))  # type: ignore[arg-type]

    walk(getattr(converter, "toc_tokens", []))
    return Markup(_cleaner_linkify().clean(raw_html)), entries  # noqa: S704 - sanitized above


_HEADING_RE = re.compile(r'<h([23]) id="(toc-[a-z0-9_-]+)">(.*?)</h\1>', re.DOTALL)


def toc_from_html(fragment: str) -> list[TocEntry]:
    """The table of contents of HTML made by ``render_article`` (read from its headings)."""
    return [
        TocEntry(int(level), anchor, html_to_text(inner))
        for level, anchor, inner in _HEADING_RE.findall(fragment)
    ]
