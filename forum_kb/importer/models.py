"""What was imported from where: one row per imported message or file, so re-running an
import adds nothing twice and a later archive's replies find their parents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum_kb.db import Model, UTCDateTime, utcnow


class ImportRecord(Model):
    """An imported mail message (``kind="mail"``, keyed by Message-ID) or Markdown file
    (``kind="kb"``, keyed by its path relative to the imported folder)."""

    __tablename__ = "import_records"
    __table_args__ = (
        UniqueConstraint("kind", "key"),
        Index("ix_import_records_kind_parent_key", "kind", "parent_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "mail" or "kb".
    kind: Mapped[str] = mapped_column(String(10))
    #: The Message-ID (or "sha256:<hex>" of the message when it has none, or when it is too
    #: long), or the file's relative path.
    key: Mapped[str] = mapped_column(String(255))
    #: What it became: "post" (mail) or "article" (kb), and that row's id.
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int]
    #: SHA-256 of the imported text: an unchanged file is skipped on re-import.
    content_hash: Mapped[str] = mapped_column(String(64))
    #: A message that started a thread only because the message it answers was not imported
    #: yet: that message's key. When it arrives, the thread moves under it.
    parent_key: Mapped[str | None] = mapped_column(String(255))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
