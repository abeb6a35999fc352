"""Community use cases (STYLE 4.2): every state change of categories, threads and posts."""

from __future__ import annotations

from forum_kb.community.services.categories import (
    create_category,
    move_category,
    update_category,
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
    "create_category",
    "create_thread",
    "delete_post",
    "edit_post",
    "move_category",
    "opening_post",
    "record_view",
    "reply_to_thread",
    "rerender_stale_posts",
    "retag_thread",
    "unaccept_answer",
    "update_category",
    "vote",
    "watch_category",
    "watch_tag",
    "watch_thread",
]
