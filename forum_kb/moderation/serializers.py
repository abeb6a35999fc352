"""JSON shapes of moderation objects (moderators and staff read most of them)."""

from __future__ import annotations

from typing import Any

from forum_kb.accounts.models import User
from forum_kb.accounts.serializers import user_json
from forum_kb.api import iso
from forum_kb.community.models import Post
from forum_kb.community.paths import thread_path
from forum_kb.db import utcnow
from forum_kb.moderation.models import Flag, ModerationAction, Sanction, UserNote, WatchedWord
from forum_kb.moderation.queries import UserRecord


def _user_or_none(user: User | None) -> dict[str, Any] | None:
    return user_json(user) if user is not None else None


def flagged_post_json(post: Post) -> dict[str, Any]:
    """The post a flag is about, as moderators review it (what it says, even if hidden)."""
    return {
        "id": post.id,
        "thread_id": post.thread_id,
        "thread_title": post.thread.title,
        "author": user_json(post.author),
        "body": post.body_source,
        "body_html": post.body_html,
        "is_opening": post.is_opening,
        "hidden": post.is_hidden,
        "deleted": post.is_deleted,
        "created_at": iso(post.created_at),
        "url": thread_path(post.thread_id, None if post.is_opening else post.id),
    }


def flag_json(flag: Flag) -> dict[str, Any]:
    return {
        "id": flag.id,
        "post_id": flag.post_id,
        "reason": flag.reason.value,
        "note": flag.note,
        "status": flag.status.value,
        "reporter": user_json(flag.reporter),
        "created_at": iso(flag.created_at),
        "resolved_at": iso(flag.resolved_at),
        "resolved_by": _user_or_none(flag.resolved_by),
        "post": flagged_post_json(flag.post),
    }


def pending_post_json(post: Post) -> dict[str, Any]:
    """A post waiting for pre-moderation, with why it waits."""
    data = flagged_post_json(post)
    data.update(
        {
            "is_pending": post.is_pending,
            "pending_reason": post.pending_reason,
            "category": {"id": post.thread.category.id, "slug": post.thread.category.slug},
        }
    )
    return data


def action_json(entry: ModerationAction) -> dict[str, Any]:
    """One audit-log entry; ``actor`` is null when the system acted by itself."""
    return {
        "id": entry.id,
        "actor": _user_or_none(entry.actor),
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target_label": entry.target_label,
        "target_url": entry.target_url,
        "reason": entry.reason,
        "details": entry.details,
        "created_at": iso(entry.created_at),
    }


def sanction_json(sanction: Sanction) -> dict[str, Any]:
    return {
        "id": sanction.id,
        "user": sanction.user.username,
        "kind": sanction.kind.value,
        "reason": sanction.reason,
        "starts_at": iso(sanction.starts_at),
        "ends_at": iso(sanction.ends_at),
        "lifted_at": iso(sanction.lifted_at),
        "created_by": _user_or_none(sanction.created_by),
        "lifted_by": _user_or_none(sanction.lifted_by),
        "is_active": sanction.is_active_at(utcnow()),
    }


def note_json(note: UserNote) -> dict[str, Any]:
    return {
        "id": note.id,
        "user_id": note.user_id,
        "author": _user_or_none(note.author),
        "body": note.body,
        "created_at": iso(note.created_at),
    }


def user_record_json(user: User, record: UserRecord) -> dict[str, Any]:
    """A person's moderation record: sanctions, private notes, counts, recent actions."""
    return {
        "user": user_json(user),
        "is_active": user.is_active,
        "silenced_until": iso(user.silenced_until) if user.is_silenced else None,
        "suspended_until": iso(user.suspended_until) if user.is_suspended else None,
        "sanctions": [sanction_json(s) for s in record.sanctions],
        "notes": [note_json(note) for note in record.notes],
        "counts": {
            "flags_received": record.flags_received,
            "flags_upheld": record.flags_upheld,
            "hidden_posts": record.hidden_posts,
        },
        "actions": [action_json(entry) for entry in record.actions],
    }


def watched_word_json(word: WatchedWord) -> dict[str, Any]:
    return {
        "id": word.id,
        "word": word.word,
        "action": word.action.value,
        "created_at": iso(word.created_at),
    }
