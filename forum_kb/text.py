"""Small text helpers shared by features (slugs)."""

from __future__ import annotations

import difflib
import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(value: str, max_length: int = 80) -> str:
    """ASCII, lower-case, hyphen-separated slug; empty when nothing usable remains."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    slug = _NON_WORD.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def line_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Line-by-line changes from ``old`` to ``new`` as ``(op, line)`` with op in
    ``"equal"``, ``"delete"`` and ``"insert"`` (for revision histories)."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    result: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result.extend(("equal", line) for line in old_lines[i1:i2])
            continue
        result.extend(("delete", line) for line in old_lines[i1:i2])
        result.extend(("insert", line) for line in new_lines[j1:j2])
    return result


def normalize_whitespace(value: str) -> str:
    """Collapse runs of white space, for comparing texts that differ only in spacing."""
    return " ".join(value.split())
