"""Benchmark `flask import mbox`: a generated mailing-list archive into a fresh database.

Writes an mbox of realistic threads (1 to 12 messages each, References chains, quoted
replies, signatures, list footers, some QP/base64 and Latin-1 bodies, a few broken
messages), imports it through ``forum_kb.importer.services.import_mail``, then applies the
queued search changes and imports the archive again (every message a duplicate):

    .venv/bin/python bench/import_mail.py                   # 5,000 messages, SQLite file
    .venv/bin/python bench/import_mail.py --messages 20000
    .venv/bin/python bench/import_mail.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import mailbox
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import database  # the same fresh-database helper

from forum_kb import create_app
from forum_kb.community.models import Category
from forum_kb.extensions import db
from forum_kb.importer.services import import_mail
from forum_kb.search import services as search

WORDS = [
    "install",
    "upgrade",
    "error",
    "config",
    "server",
    "proxy",
    "timeout",
    "cache",
    "database",
    "backup",
    "restore",
    "login",
    "password",
    "email",
    "notification",
    "search",
    "index",
    "thread",
    "reply",
    "version",
    "release",
    "package",
    "build",
    "deploy",
    "docker",
    "kernel",
    "driver",
    "network",
    "firewall",
    "certificate",
    "token",
    "session",
    "cookie",
    "browser",
    "the",
    "a",
    "to",
    "of",
    "and",
    "in",
    "is",
    "it",
    "that",
    "for",
    "on",
    "with",
    "this",
    "you",
    "be",
    "are",
    "not",
    "have",
    "but",
    "can",
    "was",
    "what",
]
NAMES = [
    "Alice Martin", "Bob Stone", "Chloé Dupont", "Dmitri Ivanov", "Eve Chen", "Frank O'Neil",
    "Grace Hopper", "Hiro Tanaka", "Ingrid Berg", "José García",
] + [f"User {n}" for n in range(60)]  # fmt: skip


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
    return " ".join(words).capitalize() + "."


def _paragraphs(rng: random.Random, count: int) -> str:
    return "\n\n".join(
        " ".join(_sentence(rng) for _ in range(rng.randint(1, 4))) for _ in range(count)
    )


def _address(name: str) -> str:
    return (
        name.lower().replace(" ", ".").replace("'", "").encode("ascii", "ignore").decode()
        + "@example.org"
    )


def build_archive(path: Path, total: int, seed: int = 7) -> None:
    """Write ``total`` messages (about 1% of them broken) to an mbox at ``path``."""
    rng = random.Random(seed)
    box = mailbox.mbox(str(path), create=True)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    written = 0
    thread_no = 0
    while written < total:
        thread_no += 1
        subject = f"[users] {_sentence(rng)[:60]}"
        when = start + timedelta(hours=thread_no * 3)
        ids: list[str] = []
        for n in range(min(rng.randint(1, 12), total - written)):
            name = rng.choice(NAMES)
            msg = EmailMessage()
            msg["From"] = f"{name} <{_address(name)}>"
            msg["To"] = "users@lists.example.org"
            msg["Subject"] = subject if n == 0 else f"Re: {subject}"
            msg["Date"] = format_datetime(when + timedelta(minutes=37 * n))
            message_id = f"<t{thread_no}.m{n}.{rng.getrandbits(32)}@example.org>"
            msg["Message-ID"] = message_id
            body = _paragraphs(rng, rng.randint(1, 4))
            if ids:
                msg["In-Reply-To"] = ids[-1]
                msg["References"] = " ".join(ids[-8:])
                quote = "\n".join("> " + line for line in _paragraphs(rng, 2).split("\n"))
                body = f"{body}\n\nOn Mon, someone <x@example.org> wrote:\n{quote}"
            body += f"\n\n-- \n{name}\nhttps://example.org/~{thread_no}"
            body += "\n_______________________________________________\nusers mailing list\n"
            charset = "iso-8859-1" if rng.random() < 0.1 else "utf-8"
            msg.set_content(
                body, charset=charset, cte="quoted-printable" if rng.random() < 0.3 else None
            )
            if rng.random() < 0.01:
                box.add(b"From broken Mon Jan  1 00:00:00 2001\n\x00\xff garbage without headers\n")
            else:
                box.add(msg)
            ids.append(message_id)
            written += 1
    box.flush()
    box.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, database(args.database_url, Path(tmp)) as url:
        archive = Path(tmp) / "archive.mbox"
        started = time.monotonic()
        build_archive(archive, args.messages)
        print(f"archive: {args.messages} messages, {archive.stat().st_size / 1e6:.1f} MB "
              f"(written in {time.monotonic() - started:.1f} s)")  # fmt: skip
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SEARCH_INDEXER": "off",
             "SEARCH_INDEX_DIR": str(Path(tmp) / "index")},
            instance_path=str(Path(tmp) / "instance"),
        )  # fmt: skip
        with app.app_context():
            db.create_all()
            db.session.add(Category(name="Users list", slug="users"))
            db.session.commit()
            cpu = time.process_time()
            report = import_mail(archive, "users", batch_size=args.batch_size)
            cpu = time.process_time() - cpu
            print(f"import: {report.seconds:.2f} s ({report.messages / report.seconds:.0f} "
                  f"messages/s): {report.threads} threads, {report.replies} replies, "
                  f"{report.accounts} accounts, {len(report.skipped)} not imported; "
                  f"{cpu:.2f} s of CPU time")  # fmt: skip
            started = time.monotonic()
            applied = search.drain()
            print(f"search: {applied} queued changes applied in {time.monotonic() - started:.2f} s")
            again = import_mail(archive, "users", batch_size=args.batch_size)
            print(f"re-run: {again.seconds:.2f} s, {len(again.duplicates)} duplicates, "
                  f"{again.threads + again.replies} added")  # fmt: skip
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
