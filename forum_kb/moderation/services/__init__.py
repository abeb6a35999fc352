"""Moderation use cases (STYLE 4.2): flags and the queue, actions on threads and posts,
sanctions and notes, watched words and pre-moderation, promotion to the KB. Every one of
them writes the audit log inside its own transaction."""

from __future__ import annotations

from forum_kb.moderation.services.actions import (
    PostAction,
    ThreadAction,
    close_as_duplicate,
    merge_threads,
    moderate_post,
    moderate_thread,
    move_thread,
    reopen_thread,
    set_premoderation,
)
from forum_kb.moderation.services.audit import log_action
from forum_kb.moderation.services.flags import (
    FlagAction,
    PendingAction,
    flag_post,
    resolve_flag,
    resolve_many,
    resolve_post_flags,
    review_pending,
    review_pending_many,
)
from forum_kb.moderation.services.people import (
    add_user_note,
    lift_sanction,
    silence_user,
    suspend_user,
)
from forum_kb.moderation.services.promotion import (
    PromotionResult,
    prefill,
    promote_post,
    promotion_for,
)
from forum_kb.moderation.services.words import add_watched_word, remove_watched_word

__all__ = [
    "FlagAction",
    "PendingAction",
    "PostAction",
    "PromotionResult",
    "ThreadAction",
    "add_user_note",
    "add_watched_word",
    "close_as_duplicate",
    "flag_post",
    "lift_sanction",
    "log_action",
    "merge_threads",
    "moderate_post",
    "moderate_thread",
    "move_thread",
    "prefill",
    "promote_post",
    "promotion_for",
    "remove_watched_word",
    "reopen_thread",
    "resolve_flag",
    "resolve_many",
    "resolve_post_flags",
    "review_pending",
    "review_pending_many",
    "set_premoderation",
    "silence_user",
    "suspend_user",
]
