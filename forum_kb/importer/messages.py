"""Reading mailing-list archives: mbox files and Maildir folders, message by message, into
plain values (no database). Real archives are messy, so every header and part is read
defensively: a broken message is reported, never fatal.
"""

from __future__ import annotations

import codecs
import email
import email.header
import email.policy
import email.utils
import hashlib
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path

from forum_kb.importer import bodies

KEY_MAX = 200
_ID_RE = re.compile(r"<([^<>\s]+)>")
# A real mbox separator: "From sender Tue Jan  1 00:00:00 2002" (also "From - Tue ...").
# Python's mailbox splits on any line starting with "From "; lines that fail this pattern
# were an unescaped "From " in a body and are joined back to their message.
_FROM_LINE_RE = re.compile(
    rb"^From \S*\s+[A-Z][a-z]{2},?\s+[A-Z][a-z]{2}\s+\d{1,2}\s+\d{1,2}:\d{2}", re.ASCII
)
_HEADER_LINE_RE = re.compile(rb"^[!-9;-~]+:", re.ASCII)
_MBOXRD_RE = re.compile(rb"^>(>*From )", re.MULTILINE)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_VIA_RE = re.compile(r"\s+via\s+\S.*$", re.IGNORECASE)
# Labels that are usually wrong: Windows-1252 is a superset of them, and UTF-8 sent as
# "latin-1" is common, so these try UTF-8 first and then Windows-1252 (as browsers do).
_WEAK_CHARSETS = {"ascii", "latin_1", "iso8859_1", "cp1252", "iso8859_15"}
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


class ImportFailed(Exception):
    """An import cannot start: a missing path, an unknown category or section, no owner
    (the CLI prints the message and exits non-zero)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RawMessage:
    position: int
    data: bytes
    #: The mbox "From " line (a date of last resort), empty for Maildir.
    from_line: bytes = b""


@dataclass
class ParsedMessage:
    """One message reduced to what an import needs."""

    position: int
    key: str
    has_message_id: bool
    #: Keys of the messages it answers, nearest first (In-Reply-To, then References).
    parents: list[str]
    subject: str
    author_name: str
    author_address: str
    date: datetime | None
    date_source: str
    text: str
    attachments: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """How the report names it: position and Message-ID."""
        return f"#{self.position}" + (f" <{self.key}>" if self.has_message_id else "")


# --- archives ----------------------------------------------------------------------------------


def read_archive(path: Path) -> Iterator[RawMessage]:
    """The raw messages of an mbox file or a Maildir folder, in archive order.

    Raises:
        ImportFailed: the path does not exist or is neither an mbox file nor a Maildir.
    """
    if not path.exists():
        raise ImportFailed(f"{path} does not exist.")
    if path.is_dir():
        if not ((path / "cur").is_dir() and (path / "new").is_dir()):
            raise ImportFailed(f"{path} is a folder but not a Maildir (it needs cur/ and new/).")
        return _read_maildir(path)
    return _read_mbox(path)


def _read_maildir(path: Path) -> Iterator[RawMessage]:
    box = mailbox.Maildir(str(path), factory=None, create=False)
    # Maildir has no order; names start with the delivery time, so sorting is chronological.
    for position, key in enumerate(sorted(box.iterkeys(), key=_maildir_order), start=1):
        yield RawMessage(position, box.get_bytes(key))


def _maildir_order(key: str) -> tuple[int, str]:
    head = key.split(".", 1)[0]
    return (int(head) if head.isdigit() else 0, key)


def _read_mbox(path: Path) -> Iterator[RawMessage]:
    box = mailbox.mbox(str(path), factory=None, create=False)
    pending: tuple[bytes, bytes] | None = None
    position = 0
    try:
        for key in box.iterkeys():
            data = box.get_bytes(key, from_=True)
            from_line, _, rest = data.partition(b"\n")
            if pending is not None and not _FROM_LINE_RE.match(from_line):
                # An unescaped "From " line inside the previous message's body.
                pending = (pending[0], pending[1] + b"\n" + data)
                continue
            if pending is not None:
                position += 1
                yield RawMessage(position, _MBOXRD_RE.sub(rb"\1", pending[1]), pending[0])
            pending = (from_line, rest)
        if pending is not None:
            yield RawMessage(position + 1, _MBOXRD_RE.sub(rb"\1", pending[1]), pending[0])
    finally:
        box.close()


# --- messages ----------------------------------------------------------------------------------


class UnreadableMessage(Exception):
    """A message that cannot be imported; the reason goes into the report."""

    def __init__(self, reason: str, message_id: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.message_id = message_id


def parse_message(raw: RawMessage, now: datetime) -> ParsedMessage:
    """Decode one raw message: headers, the date, and the body as plain text.

    Raises:
        UnreadableMessage: it has no headers, no text to import, or the parser gave up.
    """
    try:
        return _parse(raw, now)
    except UnreadableMessage:
        raise
    except Exception as exc:
        raise UnreadableMessage(f"could not be parsed ({type(exc).__name__})") from exc


def _parse(raw: RawMessage, now: datetime) -> ParsedMessage:
    first_line = raw.data.lstrip(b"\r\n").split(b"\n", 1)[0]
    if not _HEADER_LINE_RE.match(first_line):
        raise UnreadableMessage("not a mail message (no headers)")
    msg = email.message_from_bytes(raw.data, policy=email.policy.compat32)
    message_id = normalize_id(header(msg, "message-id"))
    name, address = _author(msg)
    subject = header(msg, "subject")
    date, source = message_date(msg, raw.from_line, now)
    text, html, attachments = _body(msg)
    if not text.strip() and html.strip():
        text = bodies.html_to_text(html)
    if not text.strip():
        reason = "empty body"
        if attachments:
            reason += f" (only attachments: {', '.join(attachments)})"
        raise UnreadableMessage(reason, message_id or "")
    key = message_id or _content_key(address, header(msg, "date"), subject, text)
    parents = [normalize_id(header(msg, "in-reply-to")) or ""]
    parents += reversed(_ID_RE.findall(header(msg, "references")))
    return ParsedMessage(
        position=raw.position,
        key=key,
        has_message_id=message_id is not None,
        parents=_unique([limit_key(p) for p in parents if p and limit_key(p) != key]),
        subject=subject,
        author_name=name,
        author_address=address,
        date=date,
        date_source=source,
        text=text,
        attachments=attachments,
    )


def normalize_id(value: str) -> str | None:
    """The bare Message-ID in a header value (without <>), or None."""
    match = _ID_RE.search(value)
    bare = match.group(1) if match else value.strip().strip("<>")
    if not bare or any(c.isspace() for c in bare):
        return None
    return limit_key(bare)


def limit_key(value: str) -> str:
    """Keys longer than the column are stored as their hash."""
    if len(value) <= KEY_MAX:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def _content_key(address: str, date: str, subject: str, text: str) -> str:
    # Deterministic, so a message without a Message-ID is still recognised on re-import.
    digest = hashlib.sha256("\x00".join((address, date, subject, text)).encode("utf-8", "replace"))
    return "sha256:" + digest.hexdigest()


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- headers -----------------------------------------------------------------------------------
# Headers are read raw (policy compat32) and decoded here: policy.default's header objects
# cost about 5 ms a message and raise on some malformed values; this is ten times faster
# and never raises.


def _raw(msg: Message, name: str) -> str:
    # raw_items(): the undecoded strings (get() wraps 8-bit values in Header objects).
    for key, value in msg.raw_items():
        if key.lower() == name:
            return value if isinstance(value, str) else str(value)
    return ""


def header(msg: Message, name: str) -> str:
    """A header's decoded text ("" when missing): RFC 2047 encoded-words and undeclared
    8-bit bytes decoded, folding and control characters removed."""
    return clean_text(" ".join(decode_encoded_words(_raw(msg, name)).split()))


def decode_encoded_words(raw: str) -> str:
    """RFC 2047 encoded-words, decoding each with the charset fallbacks of ``decode_bytes``."""
    raw = _fix_surrogates(raw)
    if "=?" not in raw:
        return raw
    try:
        chunks = email.header.decode_header(raw)
    except Exception:
        return raw
    return "".join(c if isinstance(c, str) else decode_bytes(c, charset) for c, charset in chunks)


def _fix_surrogates(text: str) -> str:
    # Undeclared 8-bit bytes in headers come back as surrogate escapes.
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    return decode_bytes(text.encode("utf-8", "surrogateescape"), None)


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text from bytes in a declared (possibly wrong or unknown) charset."""
    declared = _codec(charset)
    candidates = ["utf-8", "cp1252"]
    if declared and declared not in _WEAK_CHARSETS:
        candidates.insert(0, declared)
    for name in candidates:
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        return codecs.lookup(charset.strip().strip('"').lower()).name.replace("-", "_")
    except (LookupError, ValueError):
        return None


def clean_text(text: str) -> str:
    """Unix newlines, no control characters."""
    return _CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _author(msg: Message) -> tuple[str, str]:
    name, address = _first_address(msg, "from")
    # Lists that rewrite From for DMARC ("Bob via list <list@...>") keep the sender in
    # Reply-To or X-Original-From.
    if _VIA_RE.search(name):
        name = _VIA_RE.sub("", name)
        for other in ("x-original-from", "reply-to"):
            _, original = _first_address(msg, other)
            if original:
                address = original
                break
    if "@" in name:
        name = name.split("@", 1)[0]
    return name.strip(" \"'"), address


def _first_address(msg: Message, name: str) -> tuple[str, str]:
    # Split the raw value: a decoded display name may contain commas ("Smith, John").
    pairs = email.utils.getaddresses([_fix_surrogates(_raw(msg, name))])
    for display, address in pairs:
        if "@" in address and not any(c.isspace() for c in address.strip()):
            return _display(display), address.strip().lower()
    return (_display(pairs[0][0]) if pairs else ""), ""


def _display(raw: str) -> str:
    return clean_text(" ".join(decode_encoded_words(raw).split()))


# --- dates -------------------------------------------------------------------------------------


def message_date(msg: Message, from_line: bytes, now: datetime) -> tuple[datetime | None, str]:
    """When the message was sent, and where that came from: the Date header, else the
    earliest Received header, else the mbox From line; None when nothing is usable."""
    found = parse_date(header(msg, "date"), now)
    if found is not None:
        return found, "Date"
    received = [_fix_surrogates(v) for k, v in msg.raw_items() if k.lower() == "received"]
    for value in reversed(received):  # the last one is the first hop
        found = parse_date(value.rpartition(";")[2], now)
        if found is not None:
            return found, "Received"
    parts = from_line.decode("ascii", "replace").split(None, 2)
    if len(parts) == 3:
        found = parse_date(parts[2], now)
        if found is not None:
            return found, "From line"
    return None, "import time"


def parse_date(value: str, now: datetime) -> datetime | None:
    """An aware UTC datetime, or None for a missing, malformed or implausible date."""
    if not value.strip():
        return None
    try:
        found = email.utils.parsedate_to_datetime(value.strip())
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    found = found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)
    if not EARLIEST <= found <= now + timedelta(days=1):
        return None
    return found


# --- bodies ------------------------------------------------------------------------------------


def _body(msg: Message) -> tuple[str, str, list[str]]:
    plain: list[str] = []
    html = ""
    attachments: list[str] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        try:
            ctype = part.get_content_type()
            disposition = part.get_content_disposition()
            filename = decode_encoded_words(part.get_filename() or "")
        except Exception:
            ctype, disposition, filename = "application/octet-stream", "attachment", ""
        if disposition == "attachment" or not ctype.startswith("text/"):
            attachments.append(clean_text(filename) or ctype)
        elif ctype == "text/html":
            html = html or _decode_part(part)
        else:
            plain.append(_decode_part(part))
    return "\n\n".join(p.strip("\n") for p in plain if p.strip()), html, attachments


def _decode_part(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
        charset = part.get_content_charset()
    except Exception:
        payload, charset = None, None
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        payload = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    return clean_text(decode_bytes(payload, charset))
