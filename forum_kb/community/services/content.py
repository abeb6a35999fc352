"""Shared rules for what members write: rendering, length and abuse limits, tags."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from forum_kb.accounts.models import User
from forum_kb.accounts.policies import is_moderator
from forum_kb.community import hooks
from forum_kb.community.models import Category, Post, PostRevision, Tag
from forum_kb.community.paths import profile_path
from forum_kb.db import utcnow
from forum_kb.errors import PermissionDenied, RateLimited, ValidationFailed
from forum_kb.extensions import db
from forum_kb.markup import RENDERER_VERSION, count_links, extract_mentions, render_markdown
from forum_kb.search import index_later
from forum_kb.text import normalize_whitespace

TAG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TAG_MAX_LENGTH = 30


@dataclass(frozen=True)
class Rendered:
    html: str
    version: int
    mentioned: list[User]


def render_post(source: str) -> Rendered:
    """Render a post body, linking @mentions of existing, active users."""
    names = extract_mentions(source)
    users: list[User] = []
    if names:
        users = list(
            db.session.scalars(
                select(User).where(User.username_key.in_(names), User.is_active.is_(True))
            )
        )
    links = {user.username_key: profile_path(user.username) for user in users}
    return Rendered(str(render_markdown(source, links)), RENDERER_VERSION, users)


def add_post(
    actor: User,
    thread_id: int,
    body: str,
    rendered: Rendered,
    *,
    is_opening: bool = False,
    title: str | None = None,
    now: datetime | None = None,
    pending_reason: str | None = None,
) -> Post:
    """Insert a post and its first revision (inside the caller's unit of work)."""
    post = Post(
        thread_id=thread_id,
        author_id=actor.id,
        is_opening=is_opening,
        is_pending=pending_reason is not None,
        pending_reason=(pending_reason or "")[:200],
        body_source=body,
        body_html=rendered.html,
        renderer_version=rendered.version,
        created_at=now or utcnow(),
    )
    db.session.add(post)
    db.session.flush()
    db.session.add(
        PostRevision(post_id=post.id, number=1, editor_id=actor.id, title=title, body_source=body)
    )
    return post


def index_post_later(post: Post) -> None:
    """Queue a post's search documents for re-indexing (inside the caller's transaction):
    an opening post re-indexes its whole thread, whose title its answers carry too."""
    if post.is_opening:
        index_later("thread", post.thread_id)
    else:
        index_later("post", post.id)


def body_errors(body: str, field: str = "body") -> list[tuple[str, str]]:
    config = current_app.config
    minimum, maximum = config["COMMUNITY_BODY_MIN_LENGTH"], config["COMMUNITY_BODY_MAX_LENGTH"]
    length = len(body.strip())
    if length < minimum:
        return [(field, f"Write at least {minimum} characters.")]
    if length > maximum:
        return [(field, f"Write at most {maximum} characters.")]
    return []


def title_errors(title: str) -> list[tuple[str, str]]:
    config = current_app.config
    minimum, maximum = config["COMMUNITY_TITLE_MIN_LENGTH"], config["COMMUNITY_TITLE_MAX_LENGTH"]
    if not minimum <= len(title) <= maximum:
        return [("title", f"Write a title of {minimum} to {maximum} characters.")]
    return []


def normalize_title(title: str) -> str:
    return normalize_whitespace(title)


def is_new_account(user: User) -> bool:
    """New accounts have little reputation; their posting is limited until they earn some."""
    return user.reputation < current_app.config[
        "COMMUNITY_TRUSTED_REPUTATION"
    ] and not is_moderator(user)


def check_posting_limits(actor: User, body: str) -> None:
    """Abuse limits for a new post: daily quota and links for new accounts, no repeats.

    Raises:
        RateLimited: a new account used up its posts for the day.
        ValidationFailed: too many links, or the same text as the actor's previous post.
    """
    config = current_app.config
    if is_new_account(actor):
        since = utcnow() - timedelta(days=1)
        today = db.session.scalar(
            select(func.count())
            .select_from(Post)
            .where(Post.author_id == actor.id, Post.created_at >= since)
        )
        if (today or 0) >= config["COMMUNITY_NEW_USER_POSTS_PER_DAY"]:
            raise RateLimited(
                "New accounts can post "
                f"{config['COMMUNITY_NEW_USER_POSTS_PER_DAY']} times a day. "
                "Earn reputation with helpful posts to lift the limit."
            )
        if count_links(body) > config["COMMUNITY_NEW_USER_MAX_LINKS"]:
            raise ValidationFailed(
                [("body", f"New accounts can include at most "
                  f"{config['COMMUNITY_NEW_USER_MAX_LINKS']} links in a post.")]
            )  # fmt: skip
    previous = db.session.scalar(
        select(Post.body_source)
        .where(Post.author_id == actor.id, Post.deleted_at.is_(None))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(1)
    )
    if previous is not None and normalize_whitespace(previous) == normalize_whitespace(body):
        raise ValidationFailed([("body", "You just posted exactly this. Add something new.")])


def silence_message(user: User) -> str:
    """What a silenced user is told: why, and until when."""
    until = user.silenced_until.strftime("%Y-%m-%d %H:%M UTC") if user.silenced_until else ""
    reason = f" Reason: {user.silence_reason}" if user.silence_reason else ""
    return f"A moderator has silenced your account until {until}.{reason}"


def check_not_silenced(actor: User) -> None:
    """Raises:
    PermissionDenied: the actor is silenced (the message says why and until when).
    """
    if getattr(actor, "is_authenticated", False) and actor.is_silenced:
        raise PermissionDenied(silence_message(actor))


def screen(actor: User, category: Category, text: str) -> str | None:
    """Run the registered screens over new content: why it must wait for review, or None.

    Raises:
        ValidationFailed: a screen blocks the content (e.g. a blocked watched word).
    """
    screening = hooks.screen_post(actor, category, text)
    if screening.verdict is hooks.Verdict.BLOCK:
        raise ValidationFailed([("body", screening.reason or "This post cannot be published.")])
    if screening.verdict is hooks.Verdict.QUEUE:
        return screening.reason or "Sent to review"
    return None


def parse_tags(raw: list[str] | str) -> tuple[list[str], list[tuple[str, str]]]:
    """Normalised, de-duplicated tag names from a list or a comma/space separated string."""
    items = re.split(r"[,\s]+", raw) if isinstance(raw, str) else raw
    names: list[str] = []
    for item in items:
        name = item.strip().lower().lstrip("#")
        if name and name not in names:
            names.append(name)
    maximum = current_app.config["COMMUNITY_MAX_TAGS"]
    errors: list[tuple[str, str]] = []
    bad = [n for n in names if len(n) > TAG_MAX_LENGTH or len(n) < 2 or not TAG_RE.match(n)]
    if bad:
        errors.append((
            "tags",
            f"Tags use 2 to {TAG_MAX_LENGTH} lower-case letters, digits and single hyphens: "
            + ", ".join(bad[:3]),
        ))  # fmt: skip
    if len(names) > maximum:
        errors.append(("tags", f"Use at most {maximum} tags."))
    return names, errors


def get_or_create_tags(names: list[str]) -> list[Tag]:
    """The Tag rows for these names, creating missing ones (inside the caller's transaction)."""
    if not names:
        return []
    existing = {t.name: t for t in db.session.scalars(select(Tag).where(Tag.name.in_(names)))}
    for name in names:
        if name not in existing:
            existing[name] = Tag(name=name)
            db.session.add(existing[name])
    return [existing[name] for name in names]
