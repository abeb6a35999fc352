"""Read helpers for notifications (STYLE 4.2): lists return ``Select`` for ``db.paginate``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from forum_kb.accounts.models import User
from forum_kb.extensions import db
from forum_kb.notifications.models import EmailMode, Notification, NotificationSetting


def list_notifications(user: User) -> Select[Notification]:
    """The user's notifications, newest first."""
    return (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread."""
    stmt = select(func.count()).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    return db.session.scalar(stmt) or 0


def unread_notifications(user: Any) -> int:
    """The unread count for the page header: 0 for anonymous visitors."""
    if not isinstance(user, User) or not user.is_authenticated:
        return 0
    return unread_count(user)


def default_settings(user_id: int) -> NotificationSetting:
    """Unsaved settings with the defaults, for users who never changed theirs."""
    return NotificationSetting(
        user_id=user_id, email_mode=EmailMode.IMMEDIATE, email_replies=True, email_mentions=True
    )


def settings_for(user: User) -> NotificationSetting:
    """The user's saved settings, or unsaved defaults (reading never creates the row)."""
    return db.session.get(NotificationSetting, user.id) or default_settings(user.id)


def settings_by_user(user_ids: list[int]) -> dict[int, NotificationSetting]:
    """Saved settings of many users in one query, keyed by user id (missing = defaults)."""
    if not user_ids:
        return {}
    rows = db.session.scalars(
        select(NotificationSetting).where(NotificationSetting.user_id.in_(user_ids))
    )
    return {row.user_id: row for row in rows}
