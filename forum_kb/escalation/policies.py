"""Who may do what with escalations. Pure predicates (STYLE 4.2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from forum_kb.accounts.policies import is_moderator, is_staff, role_of
from forum_kb.community.models import Thread


def can_work_queue(user: Any) -> bool:
    """Staff (and admins) work the escalation queue, see internal notes and manage webhooks
    and service-level policies."""
    return is_staff(user)


def can_escalate(user: Any, thread: Thread, now: datetime, available_at: datetime) -> bool:
    """Moderators escalate any live thread; the asker may "Ask staff" about an unsolved
    question once it has waited long enough."""
    if thread.is_deleted or thread.is_hidden or thread.is_pending:
        return False
    if is_moderator(user):
        return True
    return (
        role_of(user) is not None
        and user.id == thread.author_id
        and thread.is_question
        and not thread.is_solved
        and now >= available_at
    )
