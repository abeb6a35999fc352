"""Watched words and pre-moderation: the screen every new thread and reply passes."""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forum_kb.accounts.models import User
from forum_kb.accounts.policies import is_moderator
from forum_kb.community.hooks import Screening, Verdict
from forum_kb.community.models import Category, Post
from forum_kb.db import unit_of_work
from forum_kb.errors import Conflict, PermissionDenied, ValidationFailed
from forum_kb.extensions import db
from forum_kb.moderation import policies
from forum_kb.moderation.models import WatchedWord, WatchedWordAction
from forum_kb.moderation.services.audit import log_action

WORD_MAX = 100


def _normalize(word: str) -> str:
    return " ".join(word.lower().split())


def add_watched_word(actor: User, word: str, action: str) -> WatchedWord:
    """Watch a word or phrase in new posts: ``block`` refuses the post, ``queue`` sends it to
    the review queue. Matching is whole-word and case-insensitive.

    Raises:
        PermissionDenied: the actor is not a moderator.
        ValidationFailed: an empty or too long word, or an unknown action.
        Conflict: the word is already watched.
    """
    if not policies.can_manage_watched_words(actor):
        raise PermissionDenied("Only moderators manage watched words.")
    word = _normalize(word)
    errors: list[tuple[str, str]] = []
    if not word or len(word) > WORD_MAX or not re.search(r"\w", word):
        errors.append(("word", f"Give a word or phrase of 1 to {WORD_MAX} characters."))
    if action not in WatchedWordAction._value2member_map_:
        errors.append(("action", "Choose block or queue."))
    if errors:
        raise ValidationFailed(errors)
    if db.session.scalar(select(WatchedWord.id).where(WatchedWord.word == word)) is not None:
        raise Conflict(f"“{word}” is already watched.")
    try:
        with unit_of_work():
            entry = WatchedWord(word=word, action=WatchedWordAction(action), created_by_id=actor.id)
            db.session.add(entry)
            db.session.flush()
            log_action(actor, "word.add", "word", entry.id, label=word, details={"action": action})
    except IntegrityError as exc:  # added by another moderator at the same moment
        raise Conflict(f"“{word}” is already watched.") from exc
    return entry


def remove_watched_word(actor: User, entry: WatchedWord) -> None:
    """Stop watching a word.

    Raises:
        PermissionDenied: the actor is not a moderator.
    """
    if not policies.can_manage_watched_words(actor):
        raise PermissionDenied("Only moderators manage watched words.")
    with unit_of_work():
        log_action(actor, "word.remove", "word", entry.id, label=entry.word)
        db.session.delete(entry)


def _pattern(words: list[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    # Longest first, so a phrase wins over a word inside it; \s+ lets phrases span line breaks.
    alternatives = [r"\s+".join(map(re.escape, w.split())) for w in sorted(words, key=len)[::-1]]
    return re.compile(r"(?<!\w)(" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def matched_words(text: str) -> dict[WatchedWordAction, list[str]]:
    """The watched words found in ``text``, by action."""
    found: dict[WatchedWordAction, list[str]] = {}
    rows = db.session.execute(select(WatchedWord.word, WatchedWord.action)).all()
    for action in WatchedWordAction:
        pattern = _pattern([word for word, act in rows if act is action])
        if pattern is None:
            continue
        hits = sorted({" ".join(m.group(1).lower().split()) for m in pattern.finditer(text)})
        if hits:
            found[action] = hits
    return found


def needs_premoderation(actor: User, category: Category) -> bool:
    """In a pre-moderated category, accounts with few approved posts wait for review."""
    if not category.premoderate or is_moderator(actor):
        return False
    approved = db.session.scalar(
        select(func.count())
        .select_from(Post)
        .where(
            Post.author_id == actor.id,
            Post.is_pending.is_(False),
            Post.deleted_at.is_(None),
            Post.is_hidden.is_(False),
        )
    )
    return (approved or 0) < current_app.config["MODERATION_PREMODERATE_POSTS"]


def screen_post(actor: User, category: Category, text: str) -> Screening:
    """The community's post screen (registered in init_app): blocked words refuse the post;
    queued words and pre-moderation send it to the review queue."""
    if is_moderator(actor):
        return Screening(Verdict.ALLOW)
    found = matched_words(text)
    if WatchedWordAction.BLOCK in found:
        words = ", ".join(f"“{w}”" for w in found[WatchedWordAction.BLOCK])
        return Screening(Verdict.BLOCK, f"Your post contains words that are not allowed: {words}.")
    if WatchedWordAction.QUEUE in found:
        return Screening(
            Verdict.QUEUE, "Watched words: " + ", ".join(found[WatchedWordAction.QUEUE])
        )
    if needs_premoderation(actor, category):
        return Screening(Verdict.QUEUE, "First posts of a new account")
    return Screening(Verdict.ALLOW)
