# ruff: noqa: RUF001 - real mail is full of non-ASCII look-alikes
"""Mailing-list archives built in the tests: a realistic thread and the broken messages that
real archives contain. Raw bytes where the breakage matters (mailbox would repair it)."""

from __future__ import annotations

import base64
import mailbox
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

LIST = "[users]"
T1 = datetime(2019, 3, 4, 9, 15, tzinfo=UTC)
FROM_LINE = b"From someone@example.org Mon Mar  4 09:15:00 2019\n"


def rfc_date(day: int, hour: int, minute: int = 0) -> str:
    return f"Mon, {day:02d} Mar 2019 {hour:02d}:{minute:02d}:00 +0000"


def message(
    sender: str,
    subject: str,
    body: str,
    *,
    date: str | None,
    message_id: str | None,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "users@lists.example.org"
    msg["Subject"] = subject
    if date is not None:
        msg["Date"] = date
    if message_id is not None:
        msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = " ".join(references)
    msg.set_content(body)
    return msg


ALICE = "Alice Martin <alice@example.org>"
BOB = "Bob Stone <bob@example.org>"
CHLOE = '"Chloé Dupont" <chloe@example.net>'
DMITRI = "Dmitri <dmitri@example.ru>"

OPENING = """Hi all,

Our proxy keeps dropping connections after the upgrade to 2.4. I set
timeout = 30 in proxy.conf but nothing changed.

Any idea? Write to alice@example.org if you prefer.

Alice
"""

REPLY_BOB = """Did you restart the *whole* service, not only the worker? The setting
is read once at start-up.

On Mon, 4 Mar 2019 at 09:15, Alice Martin <alice@example.org> wrote:
> Hi all,
>
> Our proxy keeps dropping connections after the upgrade to 2.4. I set
> timeout = 30 in proxy.conf but nothing changed.

--\x20
Bob Stone | bob@example.org
Sent from my phone
"""

REPLY_ALICE = """Bob Stone wrote:
> Did you restart the *whole* service, not only the worker?

Yes, twice.

> The setting is read once at start-up.

Then the <keepalive> value must be the culprit. #1 suspect.
_______________________________________________
users mailing list
users@lists.example.org
https://lists.example.org/mailman/listinfo/users
"""

REPLY_CHLOE = """Set keepalive_timeout too: both must be larger than 30.

Chloé

-----Original Message-----
From: Alice Martin
Then the keepalive value must be the culprit.
"""

REPLY_BOB_2 = """>> Our proxy keeps dropping connections
> Did you restart

Thanks Chloé, that fixed it for us as well.
"""

REPLY_BY_SUBJECT = """Late to the party: the 2.4 release notes mention this change.
"""


def thread_messages() -> list[EmailMessage]:
    """Five messages with References chains, in archive order (one answer before the
    message it answers), and a reply that only its subject ties to the thread."""
    subject = f"{LIST} Proxy drops connections after upgrade"
    m1, m2, m3, m4, m5 = (f"<m{n}.proxy@example.org>" for n in range(1, 6))
    return [
        message(ALICE, subject, OPENING, date=rfc_date(4, 9, 15), message_id=m1),
        message(
            BOB,
            f"Re: {subject}",
            REPLY_BOB,
            date=rfc_date(4, 10),
            message_id=m2,
            in_reply_to=m1,
            references=[m1],
        ),
        # The answer to m3 comes first in the archive.
        message(
            CHLOE,
            f"RE: {subject}",
            REPLY_CHLOE,
            date=rfc_date(4, 12),
            message_id=m4,
            in_reply_to=m3,
            references=[m1, m2, m3],
        ),
        message(
            ALICE,
            f"Re: Re: {subject}",
            REPLY_ALICE,
            date=rfc_date(4, 11),
            message_id=m3,
            in_reply_to=m2,
            references=[m1, m2],
        ),
        message(
            BOB,
            f"AW: {subject}",
            REPLY_BOB_2,
            date=rfc_date(4, 13),
            message_id=m5,
            references=[m1, m2, m4],
        ),
        message(
            DMITRI,
            "Re: Proxy drops connections after upgrade",
            REPLY_BY_SUBJECT,
            date=rfc_date(5, 8),
            message_id="<late.subject@example.ru>",
        ),
    ]


def raw(headers: str, body: bytes, from_line: bytes = FROM_LINE) -> bytes:
    return from_line + headers.replace("\n", "\r\n").encode("ascii") + b"\r\n" + body + b"\n\n"


KOI8_BODY = "Привет! Прокси работает, спасибо.".encode("koi8-r")
KOI8_SUBJECT = "=?koi8-r?B?" + base64.b64encode("Вопрос о прокси".encode("koi8-r")).decode() + "?="
CP1252_BODY = "It\x92s the \x93timeout\x94 setting \x96 try 60.".encode("latin-1")

HTML_ONLY = b"""<html><head><style>p {color: red}</style></head><body>
<blockquote>Older text that was quoted<br>over two lines</blockquote>
<p>We use <b>nginx</b> in front &amp; it works.</p>
<p>See <a href="https://docs.example.org/proxy">the guide</a>.</p>
<script>alert("x")</script>
</body></html>"""

TRUNCATED_MULTIPART = b"""This is a multi-part message in MIME format.

--XYZ
Content-Type: text/plain; charset=utf-8

The text part survived the truncation.

--XYZ
Content-Type: application/octet-stream; name="dump.bin"
Content-Transfer-Encoding: base64

AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v"""

ATTACHMENT = b"""--B1
Content-Type: text/plain; charset=us-ascii

Logs attached, the error is at the end.

--B1
Content-Type: application/pdf; name="report.pdf"
Content-Disposition: attachment; filename="report.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K
--B1--
"""


def broken_messages() -> bytes:
    """Raw messages: no Message-ID, a broken Date, other charsets and an RFC 2047 subject,
    HTML only, an attachment, an unescaped "From " line in a body, an empty body, a
    truncated multipart and garbage."""
    parts = [
        raw(
            f"From: Eve <eve@example.com>\nSubject: Message without an id\nDate: {rfc_date(6, 9)}",
            b"There is no Message-ID header in this one.",
        ),
        raw(
            "From: Frank <frank@example.com>\nSubject: Broken date\nDate: someday soon\n"
            "Message-ID: <broken.date@example.com>\n"
            "Received: from mx.example.com by lists.example.org; Tue, 7 Mar 2019 10:30:00 +0100",
            b"The Date header of this message cannot be parsed.",
        ),
        raw(
            f"From: Dmitri <dmitri@example.ru>\nSubject: {KOI8_SUBJECT}\nDate: {rfc_date(8, 9)}\n"
            "Message-ID: <koi8@example.ru>\nContent-Type: text/plain; charset=koi8-r\n"
            "Content-Transfer-Encoding: 8bit",
            KOI8_BODY,
        ),
        raw(
            "From: =?iso-8859-1?q?Ren=E9_Faure?= <rene@example.fr>\nSubject: Smart quotes\n"
            f"Date: {rfc_date(8, 10)}\nMessage-ID: <cp1252@example.fr>\n"
            "Content-Type: text/plain; charset=iso-8859-1",
            CP1252_BODY,
        ),
        raw(
            "From: Gina <gina@example.com>\nSubject: Mystery charset\n"
            f"Date: {rfc_date(8, 11)}\nMessage-ID: <unknown.charset@example.com>\n"
            "Content-Type: text/plain; charset=x-unknown",
            "Déjà vu: the proxy works.".encode(),
        ),
        raw(
            "From: Hana <hana@example.com>\nSubject: HTML only\n"
            f"Date: {rfc_date(9, 9)}\nMessage-ID: <html.only@example.com>\n"
            "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8",
            HTML_ONLY,
        ),
        raw(
            "From: Ivan <ivan@example.com>\nSubject: Logs\n"
            f"Date: {rfc_date(9, 10)}\nMessage-ID: <attachment@example.com>\nMIME-Version: 1.0\n"
            'Content-Type: multipart/mixed; boundary="B1"',
            ATTACHMENT,
        ),
        raw(
            "From: Jan <jan@example.com>\nSubject: Quoting history\n"
            f"Date: {rfc_date(9, 11)}\nMessage-ID: <from.line@example.com>",
            b"Some history first.\n\nFrom what I remember, the old proxy had no such limit.\n"
            b"It was added later.",
        ),
        raw(
            "From: Kim <kim@example.com>\nSubject: Empty\n"
            f"Date: {rfc_date(9, 12)}\nMessage-ID: <empty@example.com>",
            b"",
        ),
        raw(
            "From: Lee <lee@example.com>\nSubject: Truncated\n"
            f"Date: {rfc_date(9, 13)}\nMessage-ID: <truncated@example.com>\nMIME-Version: 1.0\n"
            'Content-Type: multipart/mixed; boundary="XYZ"',
            TRUNCATED_MULTIPART,
        ),
        b"From garbage Mon Mar  4 09:15:00 2019\n\x00\x01\xff\xfe\x89PNG binary junk\n\n",
    ]
    return b"".join(parts)


def write_mbox(path: Path, messages: list[EmailMessage], extra: bytes = b"") -> Path:
    """An mbox with ``extra`` raw bytes first, then ``messages`` added through mailbox
    (which escapes "From " lines in bodies as ">From ")."""
    path.write_bytes(extra)
    box = mailbox.mbox(str(path))
    for msg in messages:
        box.add(msg)
    box.flush()
    box.close()
    return path


def write_maildir(path: Path, messages: list[EmailMessage]) -> Path:
    box = mailbox.Maildir(str(path), create=True)
    for msg in messages:
        box.add(msg)
    box.close()
    return path
