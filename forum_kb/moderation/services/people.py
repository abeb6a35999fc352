"""People: silence and suspend with a reason and an expiry, lift early, private notes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from forum_kb.accounts import services as accounts
from forum_kb.accounts.models import User
from forum_kb.db import after_commit, unit_of_work, utcnow
from forum_kb.errors import Conflict, PermissionDenied, ValidationFailed
from forum_kb.extensions import db
from forum_kb.mail import Mail, send_mail
from forum_kb.moderation import policies
from forum_kb.moderation.models import Sanction, SanctionKind, UserNote
from forum_kb.moderation.services.audit import log_user
from forum_kb.notifications import services as notifications

REASON_MAX = 500
NOTE_MAX = 5000
MAX_DAYS = 3650


def _until(days: int | None, until: datetime | None) -> datetime:
    now = utcnow()
    if until is not None:
        if until <= now:
            raise ValidationFailed([("until", "Choose a time in the future.")])
        if until > now + timedelta(days=MAX_DAYS):
            raise ValidationFailed([("until", f"Choose at most {MAX_DAYS} days ahead.")])
        return until
    if days is None or not 1 <= days <= MAX_DAYS:
        raise ValidationFailed([("days", f"Choose 1 to {MAX_DAYS} days.")])
    return now + timedelta(days=days)


def _sanction(
    actor: User,
    user: User,
    kind: SanctionKind,
    reason: str,
    days: int | None,
    until: datetime | None,
) -> Sanction:
    if not policies.can_sanction(actor, user):
        raise PermissionDenied("You cannot sanction this person.")
    reason = " ".join(reason.split())
    errors: list[tuple[str, str]] = []
    if not reason:
        errors.append(("reason", "Give a reason: the person is told it."))
    elif len(reason) > REASON_MAX:
        errors.append(("reason", f"Keep the reason under {REASON_MAX} characters."))
    try:
        ends_at = _until(days, until)
    except ValidationFailed as exc:
        errors += exc.errors
    if errors:
        raise ValidationFailed(errors)
    when = ends_at.strftime("%Y-%m-%d %H:%M UTC")
    with unit_of_work():
        # A new sanction of the same kind replaces the one in force.
        for old in _active(user, kind):
            old.lifted_at, old.lifted_by_id = utcnow(), actor.id
        sanction = Sanction(
            user_id=user.id, kind=kind, reason=reason, ends_at=ends_at, created_by_id=actor.id
        )
        db.session.add(sanction)
        if kind is SanctionKind.SILENCE:
            accounts.set_silence(user, ends_at, reason)
            title = f"A moderator has silenced your account until {when}"
        else:
            accounts.set_suspension(user, ends_at, reason)
            title = f"Your account is suspended until {when}"
        log_user(actor, f"user.{kind.value}", user, reason, until=ends_at.isoformat())
        if kind is SanctionKind.SILENCE:
            notifications.notify(
                [user], kind="user_silence", title=title, body=f"Reason: {reason}",
                url="/account/", actor=actor,
            )  # fmt: skip
        else:
            # They cannot sign in to read a notification: email them, whatever their settings.
            mail = Mail(
                to=user.email,
                subject=title,
                body=f"{title}.\n\nReason: {reason}\n\nYou can sign in again after {when}.",
            )
            after_commit(lambda: send_mail(mail))
        db.session.flush()
    return sanction


def silence_user(
    actor: User, user: User, *, reason: str, days: int | None = None, until: datetime | None = None
) -> Sanction:
    """Stop a person from posting until a given time (they can still sign in and read).

    Raises:
        PermissionDenied: the actor may not sanction this person.
        ValidationFailed: no reason, or a duration that is not 1 day to 10 years.
    """
    return _sanction(actor, user, SanctionKind.SILENCE, reason, days, until)


def suspend_user(
    actor: User, user: User, *, reason: str, days: int | None = None, until: datetime | None = None
) -> Sanction:
    """Stop a person from signing in until a given time; ends their sessions and tokens.

    Raises:
        PermissionDenied: the actor may not sanction this person.
        ValidationFailed: no reason, or a duration that is not 1 day to 10 years.
    """
    return _sanction(actor, user, SanctionKind.SUSPEND, reason, days, until)


def _active(user: User, kind: SanctionKind) -> list[Sanction]:
    now = utcnow()
    return list(
        db.session.scalars(
            select(Sanction).where(
                Sanction.user_id == user.id,
                Sanction.kind == kind,
                Sanction.lifted_at.is_(None),
                Sanction.ends_at > now,
            )
        )
    )


def lift_sanction(actor: User, sanction: Sanction, reason: str = "") -> Sanction:
    """End a silence or suspension early.

    Raises:
        PermissionDenied: the actor may not sanction this person.
        Conflict: the sanction is already over.
    """
    user = sanction.user
    if not policies.can_sanction(actor, user):
        raise PermissionDenied("You cannot change this person's sanctions.")
    if not sanction.is_active_at(utcnow()):
        raise Conflict("This sanction is already over.")
    with unit_of_work():
        sanction.lifted_at, sanction.lifted_by_id = utcnow(), actor.id
        if sanction.kind is SanctionKind.SILENCE:
            accounts.set_silence(user, None)
            title = "You can post again: your silence was lifted"
        else:
            accounts.set_suspension(user, None)
            title = "Your suspension was lifted: you can sign in again"
        log_user(actor, f"user.un{sanction.kind.value}", user, reason.strip())
        notifications.notify(
            [user], kind="sanction_lifted", title=title, body=reason.strip(), url="/",
            actor=actor,
        )  # fmt: skip
    return sanction


def add_user_note(actor: User, user: User, body: str) -> UserNote:
    """Keep a private note about a person (only moderators and staff read them).

    Raises:
        PermissionDenied: the actor is not a moderator.
        ValidationFailed: an empty or too long note.
    """
    if not policies.can_see_user_notes(actor):
        raise PermissionDenied("Only moderators keep notes on people.")
    body = body.strip()
    if not body or len(body) > NOTE_MAX:
        raise ValidationFailed([("body", f"Write 1 to {NOTE_MAX} characters.")])
    with unit_of_work():
        note = UserNote(user_id=user.id, author_id=actor.id, body=body)
        db.session.add(note)
        log_user(actor, "user.note", user)
        db.session.flush()
    return note
