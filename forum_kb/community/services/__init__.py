"""Community use cases (STYLE 4.2): every state change of categories, threads and posts."""

from __future__ import annotations

from forum_kb.community.services.categories import (
    create_category,
    move_category,
    update_category,
)
from forum_kb.community.services.curation import (
    approve_post,
    close_as_duplicate,
    merge_threads,
    move_thread,
    reject_post,
    reopen_thread,
    set_post_hidden,
    set_premoderation,
    set_thread_hidden,
    set_thread_locked,
    set_thread_pinned,
)
from forum_kb.community.services.posts import (
    delete_post,
    edit_post,
    reply_to_thread,
    rerender_stale_posts,
)
from forum_kb.community.services.threads import (
    NewThread,
    create_thread,
    opening_post,
    record_view,
    retag_thread,
)
from forum_kb.community.services.votes import accept_answer, unaccept_answer, vote
from forum_kb.community.services.watches import watch_category, watch_tag, watch_thread

__all__ = [
    "NewThread",
    "accept_answer",
    "approve_post",
    "close_as_duplicate",
    "create_category",
    "create_thread",
    "delete_post",
    "edit_post",
    "merge_threads",
    "move_category",
    "move_thread",
    "opening_post",
    "record_view",
    "reject_post",
    "reopen_thread",
    "reply_to_thread",
    "rerender_stale_posts",
    "retag_thread",
    "set_post_hidden",
    "set_premoderation",
    "set_thread_hidden",
    "set_thread_locked",
    "set_thread_pinned",
    "unaccept_answer",
    "update_category",
    "vote",
    "watch_category",
    "watch_tag",
    "watch_thread",
]
