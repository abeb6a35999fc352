"""In-app notifications and each user's notification settings."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum_kb.accounts.models import User
from forum_kb.db import Model, UTCDateTime, utcnow


class EmailMode(enum.StrEnum):
    """How a user wants notification email."""

    IMMEDIATE = "immediate"  # one email per notification
    DIGEST = "digest"  # one email a day, from `flask notify digest`
    NEVER = "never"


class Notification(Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: What happened: "reply", "mention", "accepted", ... (features add their own kinds).
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    #: Plain text excerpt (never HTML).
    body: Mapped[str] = mapped_column(Text, default="")
    #: Site-relative link to what the notification is about.
    url: Mapped[str] = mapped_column(String(500))
    #: Which email setting gates this notice ("replies", "mentions"); None = always eligible.
    #: Stored because ``kind`` is free text: the digest re-checks the flag when it runs.
    email_flag: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When it went out by email (immediately or in a digest); None = not (yet) emailed.
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


class NotificationSetting(Model):
    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    email_mode: Mapped[EmailMode] = mapped_column(
        Enum(EmailMode, name="email_mode", values_callable=lambda modes: [m.value for m in modes]),
        default=EmailMode.IMMEDIATE,
    )
    email_replies: Mapped[bool] = mapped_column(default=True)
    email_mentions: Mapped[bool] = mapped_column(default=True)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
