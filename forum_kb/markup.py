"""User text to safe HTML. The only module that imports markdown and bleach (STYLE 4.7)."""

from __future__ import annotations

import html
import re
from collections.abc import MutableMapping
from functools import partial

import bleach
import markdown
from bleach.linkifier import Linker
from markupsafe import Markup

#: Bumped whenever the renderer's output changes, so stored HTML can be re-rendered.
RENDERER_VERSION = 1

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


def _attribute_filter(tag: str, name: str, value: str) -> bool:
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


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_attribute_filter,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)
_linker = Linker(callbacks=[_set_rel], skip_tags={"pre", "code"}, parse_email=False)


def render_markdown(source: str) -> Markup:
    """Render user Markdown to sanitized HTML safe to insert into a page."""
    converter = markdown.Markdown(
        extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIGS, output_format="html"
    )
    raw_html = converter.convert(source)
    cleaned = _cleaner.clean(raw_html)
    return Markup(_linker.linkify(cleaned))  # noqa: S704 - sanitized by the allow-list above


def clean_html(fragment: str) -> Markup:
    """Sanitize an HTML fragment (e.g. a search highlight) with the same allow-list."""
    return Markup(_cleaner.clean(fragment))  # noqa: S704 - sanitized by the allow-list above


_TAG_RE = re.compile(r"<[^>]+>")
_SPACE_RE = re.compile(r"\s+")


def html_to_text(fragment: str) -> str:
    """Plain text of rendered HTML, for indexing, snippets and emails."""
    stripped = bleach.clean(fragment, tags=set(), strip=True)
    return _SPACE_RE.sub(" ", html.unescape(_TAG_RE.sub(" ", stripped))).strip()


# A plain-text variant used where no Markdown is wanted (bios, short notes).
escape_text = partial(html.escape, quote=True)
