"""Mail text to a post body: quoted text folded, attributions, signatures, list footers and
email addresses removed, and everything escaped so the Markdown renderer shows the text as
written (mail is plain text: ``*``, ``#``, ``<b>`` or ``1.`` must not become markup).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

QUOTE_PREVIEW = 120
_QUOTE_RE = re.compile(r"^\s*>")
_ATTRIBUTION_RE = re.compile(
    r"(wrote|writes|schrieb|a écrit|escribió|ha scritto|schreef|skrev|kirjoitti|napisał)\s*:\s*$",
    re.IGNORECASE,
)
_ATTRIBUTION_START_RE = re.compile(r"^(On|Am|Le|El|Il|Op|Den|På|W dniu)\b", re.IGNORECASE)
_ORIGINAL_RE = re.compile(
    r"^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht)\s*-{2,}\s*$", re.I
)
_UNDERSCORES_RE = re.compile(r"^\s*_{10,}\s*$")
_FOOTER_LINES = 8
EMAIL_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_NAMED_ADDRESS_RE = re.compile(
    r"\s*(?:<|&lt;|\[mailto:)\s*(" + EMAIL_RE.pattern + r")\s*(?:>|&gt;|\])"
)
_MAILTO_RE = re.compile(r"mailto:", re.IGNORECASE)

# Characters that Markdown (or the HTML inside it) would read as markup, as numeric
# references: they render as themselves, and the renderer stays the project's own.
_ESCAPES = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", "\\": "&#92;", "`": "&#96;", "*": "&#42;",
    "_": "&#95;", "[": "&#91;", "]": "&#93;", "|": "&#124;", "~": "&#126;", "#": "&#35;",
}  # fmt: skip
_ESCAPE_RE = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")
# Line starts that would make a list, a heading underline or a horizontal rule.
_LINE_START_RE = re.compile(r"^([-+=]|\d+(?=[.)]\s))")


# --- folding -----------------------------------------------------------------------------------


def fold(text: str) -> str:
    """The new text of a message: without the signature, the list footer, a trailing
    quote of the message it answers and its attribution line; quotes between the writer's
    own lines shrink to one ``> first line …``."""
    lines = _cut_tail(text.split("\n"))
    blocks = _split_quotes(lines)
    out: list[str] = []
    for index, (quoted, block) in enumerate(blocks):
        if not quoted:
            out.extend(block)
            continue
        _drop_attribution(out)
        if not any(not q and any(s.strip() for s in b) for q, b in blocks[index + 1 :]):
            break  # the rest is quoted text: it is in the thread already
        preview = _preview(block)
        if preview:
            out.extend(["", "> " + preview, ""])
    return _tidy(out)


def _cut_tail(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if line.rstrip() in ("--", "-- ") and not _QUOTE_RE.match(line):
            return lines[:index]
        if _ORIGINAL_RE.match(line):
            return lines[:index]
        if _UNDERSCORES_RE.match(line):
            rest = [s for s in lines[index + 1 :] if s.strip()]
            if len(rest) <= _FOOTER_LINES or (rest and rest[0].lstrip().startswith("From:")):
                return lines[:index]
    return lines


def _split_quotes(lines: list[str]) -> list[tuple[bool, list[str]]]:
    blocks: list[tuple[bool, list[str]]] = []
    for line in lines:
        quoted = bool(_QUOTE_RE.match(line))
        if not line.strip() and blocks:
            blocks[-1][1].append(line)  # blank lines join the block before them
            continue
        if blocks and blocks[-1][0] == quoted:
            blocks[-1][1].append(line)
        else:
            blocks.append((quoted, [line]))
    return blocks


def _drop_attribution(out: list[str]) -> None:
    while out and not out[-1].strip():
        out.pop()
    if out and _ATTRIBUTION_RE.search(out[-1]):
        last = out.pop()
        # A long attribution wraps: "On Tue, ... Bob <" / "bob@example.com> wrote:".
        if out and not _ATTRIBUTION_START_RE.match(last) and _ATTRIBUTION_START_RE.match(out[-1]):
            out.pop()


def _preview(block: list[str]) -> str:
    depth = min(_depth(line) for line in block if line.strip())
    texts = [_unquote(line) for line in block if line.strip() and _depth(line) == depth]
    texts = [t for t in texts if t and not _ATTRIBUTION_RE.search(t)]
    if not texts:
        return ""
    first = texts[0]
    if len(first) > QUOTE_PREVIEW:
        return first[:QUOTE_PREVIEW].rsplit(" ", 1)[0] + " …"
    more = sum(1 for line in block if line.strip() and not _ATTRIBUTION_RE.search(line)) > 1
    return first + (" …" if more else "")


def _depth(line: str) -> int:
    return len(re.match(r"^[\s>]*", line).group(0).replace(" ", ""))  # type: ignore[union-attr]


def _unquote(line: str) -> str:
    return re.sub(r"^[\s>]*", "", line).strip()


def _tidy(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


# --- addresses ---------------------------------------------------------------------------------


def strip_addresses(text: str, name_for: Callable[[str], str | None]) -> str:
    """Remove email addresses: ``Name <a@b>`` keeps the name, a bare address becomes the
    name of the account it belongs to, or its local part followed by ``@…``."""
    text = _NAMED_ADDRESS_RE.sub("", text)
    text = _MAILTO_RE.sub("", text)

    def replace(match: re.Match[str]) -> str:
        address = match.group(0)
        return name_for(address.lower()) or address.split("@", 1)[0] + "@…"

    return EMAIL_RE.sub(replace, text)


# --- Markdown ----------------------------------------------------------------------------------


def to_markdown(text: str) -> str:
    """Markdown that renders exactly as this plain text (with ``> `` lines as quotes)."""
    out: list[str] = []
    for line in text.split("\n"):
        if line.startswith("> "):
            out.append("> " + escape_line(line[2:]))
        else:
            out.append(escape_line(line))
    return "\n".join(out)


def escape_line(line: str) -> str:
    """One line of plain text as Markdown that shows it as is."""
    stripped = line.lstrip(" \t")
    indent = len(line.expandtabs(4)) - len(stripped.expandtabs(4)) if stripped else 0
    escaped = _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], stripped)
    escaped = _LINE_START_RE.sub(lambda m: "".join(f"&#{ord(c)};" for c in m.group(0)), escaped)
    # Indentation as no-break spaces: four spaces would start a code block.
    return "&#160;" * indent + escaped


# --- HTML --------------------------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    _SKIP = frozenset({"script", "style", "head", "title"})
    _BLOCK = frozenset(
        {"p", "div", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = [(0, "")]
        self.depth = 0
        self.skipping = 0
        self.pre = 0
        self.href = ""

    def _newline(self) -> None:
        if self.lines[-1][1].strip() or self.lines[-1][0] != self.depth:
            self.lines.append((self.depth, ""))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag == "br":
            self.lines.append((self.depth, ""))
        elif tag == "blockquote":
            self.depth += 1
            self._newline()
        elif tag == "li":
            self._newline()
            self.handle_data("- ")
        elif tag in self._BLOCK:
            self.pre += tag == "pre"
            self._newline()
        elif tag == "a":
            self.href = dict(attrs).get("href") or ""
        elif tag == "img":
            self.handle_data(dict(attrs).get("alt") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self.depth = max(0, self.depth - 1)
            self._newline()
        elif tag in self._BLOCK or tag == "li":
            self.pre -= tag == "pre" and self.pre > 0
            self._newline()
        elif tag == "a":
            self.href = ""

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.pre:
            first, *rest = data.split("\n")
            self._append(first)
            for line in rest:
                self.lines.append((self.depth, line))
            return
        text = re.sub(r"\s+", " ", data)
        if self.href.startswith(("http://", "https://")) and text.strip() != self.href:
            text = f"{text} ({self.href})"
            self.href = ""
        self._append(text)

    def _append(self, text: str) -> None:
        depth, current = self.lines[-1]
        if depth != self.depth:
            self.lines.append((self.depth, text.lstrip()))
        else:
            self.lines[-1] = (depth, current + text if current else text.lstrip())


def html_to_text(html: str) -> str:
    """Plain text of an HTML mail body; ``<blockquote>`` becomes ``>`` quoting."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    out: list[str] = []
    for depth, line in parser.lines:
        text = line.rstrip()
        out.append(("> " * depth + text) if depth and text else text)
    return _tidy(out)
