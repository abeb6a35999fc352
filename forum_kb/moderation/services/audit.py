"""The audit log: every moderator and staff action, written inside the action's transaction."""

from __future__ import annotations

from typing import Any

from forum_kb.accounts.models import User
from forum_kb.community.models import Post, Thread
from forum_kb.community.paths import profile_path, thread_path
from forum_kb.extensions import db
from forum_kb.moderation.models import ModerationAction

LABEL_MAX = 200


def log_action(
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int | None,
    *,
    label: str = "",
    url: str = "",
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> ModerationAction:
    """Append one entry to the audit log (inside the caller's unit of work)."""
    entry = ModerationAction(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=label[:LABEL_MAX],
        target_url=url[:300],
        reason=reason.strip(),
        details=details or {},
    )
    db.session.add(entry)
    return entry


def log_post(
    actor: User | None, action: str, post: Post, reason: str = "", **details: Any
) -> ModerationAction:
    """Audit an action on a post, labelled with its thread's title and author."""
    label = f"{post.author.username} in “{post.thread.title}”"
    return log_action(
        actor, action, "post", post.id, label=label, url=thread_path(post.thread_id, post.id),
        reason=reason, details=details,
    )  # fmt: skip


def log_thread(
    actor: User | None, action: str, thread: Thread, reason: str = "", **details: Any
) -> ModerationAction:
    """Audit an action on a thread."""
    return log_action(
        actor, action, "thread", thread.id, label=thread.title, url=thread_path(thread.id),
        reason=reason, details=details,
    )  # fmt: skip


def log_user(
    actor: User | None, action: str, user: User, reason: str = "", **details: Any
) -> ModerationAction:
    """Audit an action on a person."""
    return log_action(
        actor, action, "user", user.id, label=user.username, url=profile_path(user.username),
        reason=reason, details=details,
    )  # fmt: skip
