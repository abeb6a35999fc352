"""Notification use cases: in-app notices, immediate and digest email, per-user settings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from functools import partial
from typing import Any, cast

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import CursorResult, or_, select, update

from forum_kb.accounts.models import User
from forum_kb.db import after_commit, unit_of_work, utcnow
from forum_kb.errors import NotFound, ValidationFailed
from forum_kb.extensions import db
from forum_kb.mail import Mail, send_mail
from forum_kb.notifications.models import EmailMode, Notification, NotificationSetting
from forum_kb.notifications.queries import default_settings, settings_by_user
from forum_kb.notifications.queries import unread_count as unread_count  # callers' one entry point
from forum_kb.security import is_safe_redirect

# Services run without a request (CLI, other features' services), so they cannot call url_for;
# keep these in step with the rules in views.py (a test checks they match).
SETTINGS_PATH = "/notifications/settings"
UNSUBSCRIBE_PATH = "/notifications/unsubscribe/"
UNSUBSCRIBE_SALT = "forum_kb.unsubscribe"
EMAIL_FLAGS = ("replies", "mentions")
TITLE_MAX = 200
KIND_MAX = 32
URL_MAX = 500
# Rows per UPDATE ... WHERE id IN (...): stays under SQLite's bound-parameter limit.
_ID_BATCH = 500


# --- settings ----------------------------------------------------------------------------------


def get_settings(user: User) -> NotificationSetting:
    """The user's notification settings, creating the row with the defaults on first use."""
    with unit_of_work():
        setting = db.session.get(NotificationSetting, user.id)
        if setting is None:
            setting = default_settings(user.id)
            db.session.add(setting)
            db.session.flush()
    return setting


def update_settings(
    actor: User, email_mode: EmailMode | str, email_replies: bool, email_mentions: bool
) -> NotificationSetting:
    """Change how the actor is emailed about their notifications.

    Switching to the digest starts it from now, so notices that were never emailed before
    (email off, or a flag off) do not all arrive in the first digest.

    Raises:
        ValidationFailed: ``email_mode`` is not one of the modes.
    """
    try:
        mode = EmailMode(email_mode)
    except ValueError:
        raise ValidationFailed([("email_mode", "Choose one of the listed options.")]) from None
    with unit_of_work():
        setting = get_settings(actor)
        if mode == EmailMode.DIGEST and setting.email_mode != EmailMode.DIGEST:
            setting.last_digest_at = utcnow()
        setting.email_mode = mode
        setting.email_replies = bool(email_replies)
        setting.email_mentions = bool(email_mentions)
    return setting


def _flag_on(setting: NotificationSetting, email_flag: str | None) -> bool:
    if email_flag == "replies":
        return setting.email_replies
    if email_flag == "mentions":
        return setting.email_mentions
    return True


# --- unsubscribe links -------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user: User) -> str:
    """The stateless token of the user's unsubscribe link (valid until SECRET_KEY changes)."""
    return _serializer().dumps(user.id)


def user_for_unsubscribe_token(token: str) -> User:
    """The user an unsubscribe token was made for.

    Raises:
        NotFound: the token is malformed, forged, or its user no longer exists.
    """
    try:
        user_id = _serializer().loads(token)
    except BadData:
        raise NotFound("This unsubscribe link is not valid.") from None
    user = db.session.get(User, user_id) if type(user_id) is int else None
    if user is None:
        raise NotFound("This unsubscribe link is not valid.")
    return user


def unsubscribe(token: str) -> User:
    """Turn off all notification email for the token's user (in-app notices continue).

    Raises:
        NotFound: the token is malformed, forged, or its user no longer exists.
    """
    user = user_for_unsubscribe_token(token)
    with unit_of_work():
        get_settings(user).email_mode = EmailMode.NEVER
    return user


# --- notifying ---------------------------------------------------------------------------------


def notify(
    recipients: Iterable[User],
    *,
    kind: str,
    title: str,
    body: str,
    url: str,
    actor: User | None = None,
    email_flag: str | None = None,
) -> list[Notification]:
    """Notify each distinct active recipient except the actor, by email as their settings say.

    Joins the caller's unit of work; immediate emails go out only after it commits.

    Raises:
        ValueError: ``kind``, ``url`` or ``email_flag`` is invalid (a bug in the caller).
    """
    if not kind or len(kind) > KIND_MAX:
        raise ValueError(f"notification kind must be 1 to {KIND_MAX} characters: {kind!r}")
    if not is_safe_redirect(url) or len(url) > URL_MAX:
        raise ValueError(f"notification url must be a site-relative path: {url!r}")
    if email_flag is not None and email_flag not in EMAIL_FLAGS:
        raise ValueError(f"unknown email_flag {email_flag!r}; use one of {EMAIL_FLAGS}")
    targets = _distinct_recipients(recipients, actor)
    if not targets:
        return []
    title = _clip(" ".join(title.split()), TITLE_MAX)
    body = body.strip()
    created: list[Notification] = []
    with unit_of_work():
        # Missing settings rows mean the defaults. Creating them here could make two concurrent
        # replies collide on the same new row and fail the reply itself.
        saved = settings_by_user([user.id for user in targets])
        now = utcnow()
        for user in targets:
            setting = saved.get(user.id) or default_settings(user.id)
            email_now = setting.email_mode == EmailMode.IMMEDIATE and _flag_on(setting, email_flag)
            notification = Notification(
                user_id=user.id,
                kind=kind,
                actor_id=actor.id if actor is not None else None,
                title=title,
                body=body,
                url=url,
                email_flag=email_flag,
                created_at=now,
                # Set before the commit: after_commit effects cannot write any more.
                emailed_at=now if email_now else None,
            )
            db.session.add(notification)
            created.append(notification)
            if email_now:
                after_commit(partial(send_mail, _notification_mail(user, notification)))
        db.session.flush()
    return created


def _distinct_recipients(recipients: Iterable[User], actor: User | None) -> list[User]:
    seen: set[int] = set() if actor is None else {actor.id}
    targets: list[User] = []
    for user in recipients:
        if user.id not in seen and user.is_active:
            seen.add(user.id)
            targets.append(user)
    return targets


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- marking read ------------------------------------------------------------------------------


def redact_excerpts(url: str) -> int:
    """Blank the excerpt of every notification pointing at ``url``: the post was hidden or
    deleted, so its words must stop showing in the lists of those told about it earlier."""
    with unit_of_work():
        result = cast(
            CursorResult[Any],
            db.session.execute(
                update(Notification)
                .where(Notification.url == url, Notification.body != "")
                .values(body="")
                .execution_options(synchronize_session=False)
            ),
        )
    return int(result.rowcount or 0)


def mark_read(actor: User, notification_ids: list[int] | None) -> int:
    """Mark the actor's own unread notifications read (the given ids, or all when None).

    Ids of other users' notifications are ignored. Returns how many were marked.
    """
    if notification_ids is not None and not notification_ids:
        return 0
    stmt = update(Notification).where(
        Notification.user_id == actor.id, Notification.read_at.is_(None)
    )
    if notification_ids is not None:
        stmt = stmt.where(Notification.id.in_(notification_ids))
    with unit_of_work():
        result = cast(CursorResult[Any], db.session.execute(stmt.values(read_at=utcnow())))
    return result.rowcount


# --- digests -----------------------------------------------------------------------------------


def send_digests(now: datetime | None = None) -> int:
    """Send each digest user one email listing their notifications since their last digest.

    Notices whose email flag the user has turned off are marked as handled without being
    sent. Idempotent: a second run sends nothing new. Uses a fixed number of queries (plus
    one UPDATE per 500 notices), however many users and notices there are.
    Returns the number of digest emails sent (mail is best-effort: send_mail logs failures).

    Raises:
        ValueError: ``now`` is a naive datetime.
    """
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("send_digests() needs a timezone-aware datetime")
    with unit_of_work():
        pending = db.session.execute(
            select(Notification, NotificationSetting, User)
            .join(NotificationSetting, NotificationSetting.user_id == Notification.user_id)
            .join(User, User.id == Notification.user_id)
            .where(
                NotificationSetting.email_mode == EmailMode.DIGEST,
                User.is_active.is_(True),
                Notification.emailed_at.is_(None),
                Notification.created_at <= now,
                or_(
                    NotificationSetting.last_digest_at.is_(None),
                    Notification.created_at > NotificationSetting.last_digest_at,
                ),
            )
            .order_by(Notification.user_id, Notification.created_at, Notification.id)
            # Two overlapping cron runs must not both email the same notices (PostgreSQL;
            # SQLite serialises writers anyway and ignores the clause).
            .with_for_update(of=Notification, skip_locked=True)
        ).all()
        by_user: dict[int, tuple[User, list[Notification]]] = {}
        for notification, setting, user in pending:
            if _flag_on(setting, notification.email_flag):
                by_user.setdefault(user.id, (user, []))[1].append(notification)
        mails = [_digest_mail(user, notices) for user, notices in by_user.values()]
        for batch in _batches([notification.id for notification, _, _ in pending]):
            db.session.execute(
                update(Notification).where(Notification.id.in_(batch)).values(emailed_at=now)
            )
        for batch in _batches(list(by_user)):
            db.session.execute(
                update(NotificationSetting)
                .where(NotificationSetting.user_id.in_(batch))
                .values(last_digest_at=now)
            )
        for mail in mails:
            after_commit(partial(send_mail, mail))
    return len(mails)


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _ID_BATCH):
        yield ids[start : start + _ID_BATCH]


# --- email -------------------------------------------------------------------------------------


def _site_url() -> str:
    return str(current_app.config["SITE_URL"]).rstrip("/")


def _mail(user: User, title: str, lines: Sequence[str]) -> Mail:
    """One notification email with the settings and one-click unsubscribe links (RFC 8058)."""
    site_name = current_app.config["SITE_NAME"]
    unsubscribe_url = _site_url() + UNSUBSCRIBE_PATH + unsubscribe_token(user)
    body = "\n".join([
        f"Hello {user.name},",
        "",
        *lines,
        "",
        "-- ",
        f"You get this email because of your notification settings on {site_name}.",
        f"Change your email settings: {_site_url()}{SETTINGS_PATH}",
        f"Unsubscribe from all notification email: {unsubscribe_url}",
        "",
    ])  # fmt: skip
    return Mail(
        to=user.email,
        # Header values must be one line; titles are collapsed by notify() already.
        subject=f"[{site_name}] {' '.join(title.split())}",
        body=body,
        headers=(
            ("List-Unsubscribe", f"<{unsubscribe_url}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ("Auto-Submitted", "auto-generated"),  # RFC 3834: no vacation auto-replies
        ),
    )


def _notification_mail(user: User, notification: Notification) -> Mail:
    lines = [notification.title, ""]
    if notification.body:
        lines += [notification.body, ""]
    lines.append(f"Open it: {_site_url()}{notification.url}")
    return _mail(user, notification.title, lines)


def _digest_mail(user: User, notifications: list[Notification]) -> Mail:
    count = len(notifications)
    noun = "notification" if count == 1 else "notifications"
    lines = [f"You have {count} new {noun} on {current_app.config['SITE_NAME']}:", ""]
    for notification in notifications:
        lines += [f"- {notification.title}", f"  {_site_url()}{notification.url}"]
    return _mail(user, f"Your digest: {count} new {noun}", lines)
