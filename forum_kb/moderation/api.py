"""Moderation JSON API (API.md): flags, the review queue, actions, sanctions, promotion.

Every endpoint but flagging is for moderators (and staff and admins): 401 without a token,
403 for a member's. The audit log is read-only here: nothing edits or deletes its entries.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Blueprint, request, url_for
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound as HTTPNotFound

from forum_kb.accounts import queries as accounts_queries
from forum_kb.accounts.auth import require_api_user
from forum_kb.accounts.models import Role, User
from forum_kb.api import json_body, paginated, paginated_list, string_field
from forum_kb.community import policies as community_policies
from forum_kb.community import queries as community_queries
from forum_kb.community.models import Post, Thread
from forum_kb.community.serializers import post_json, thread_state_json
from forum_kb.errors import BadRequest, NotFound, ValidationFailed
from forum_kb.extensions import db
from forum_kb.kb import queries as kb_queries
from forum_kb.kb.models import Section
from forum_kb.kb.serializers import article_json
from forum_kb.moderation import queries, services
from forum_kb.moderation.limits import flag_limit
from forum_kb.moderation.models import Flag, FlagStatus, SanctionKind
from forum_kb.moderation.serializers import (
    action_json,
    flag_json,
    note_json,
    pending_post_json,
    sanction_json,
    user_record_json,
    watched_word_json,
)

api_bp = Blueprint("moderation_api", __name__)

# Ids are 32-bit INTEGER columns: larger numbers would reach PostgreSQL as a driver overflow.
MAX_ID = 2**31 - 1
#: ``POST /moderation/flags/<id>/resolve`` actions (API.md).
RESOLVE_ACTIONS = ("hide", "dismiss")
USERNAME_MAX = 64


@api_bp.url_value_preprocessor
def _check_ids(endpoint: str | None, values: dict[str, Any] | None) -> None:
    for name, value in (values or {}).items():
        if name.endswith("_id") and isinstance(value, int) and value > MAX_ID:
            raise NotFound(f"No such {name.removesuffix('_id')}.")


# --- flags ---------------------------------------------------------------------------------------


@api_bp.post("/posts/<int:post_id>/flags")
@flag_limit
def flag_create(post_id: int):
    actor = require_api_user()
    post = _visible_post(post_id, actor)
    data = json_body()
    reason, note = _text(data, "reason", required=True), _text(data, "note")
    flag = services.flag_post(actor, post, reason, note)
    return flag_json(flag), 201


@api_bp.get("/moderation/flags")
def flag_list():
    _moderator()
    status = _choice_arg("status", FlagStatus)
    stmt = queries.list_flags(status).options(
        selectinload(Flag.post).selectinload(Post.author), selectinload(Flag.resolved_by)
    )
    return paginated(stmt, flag_json)


@api_bp.post("/moderation/flags/<int:flag_id>/resolve")
def flag_resolve(flag_id: int):
    actor = _moderator()
    flag = queries.get_flag_or_404(flag_id)
    data = json_body()
    action = _text(data, "action", required=True)
    if action not in RESOLVE_ACTIONS:
        raise ValidationFailed([("action", "Choose hide or dismiss.")])
    services.resolve_flag(actor, flag, action, reason=_text(data, "reason"))
    return flag_json(flag)


# --- pre-moderation ------------------------------------------------------------------------------


@api_bp.get("/moderation/pending")
def pending_list():
    _moderator()
    return paginated(queries.pending_posts(), pending_post_json)


@api_bp.post("/moderation/pending/<int:post_id>")
def pending_review(post_id: int):
    actor = _moderator()
    post = community_queries.get_post_or_404(post_id, actor)
    data = json_body()
    action = _text(data, "action", required=True)
    services.review_pending(actor, post, action, reason=_text(data, "reason"))
    return pending_post_json(post) | {"action": action}


# --- threads and posts ---------------------------------------------------------------------------


@api_bp.post("/threads/<int:thread_id>/moderate")
def thread_moderate(thread_id: int):
    actor = _moderator()
    thread = community_queries.get_thread_or_404(thread_id, actor)
    data = json_body()
    changed = services.moderate_thread(
        actor, thread, _text(data, "action", required=True), _text(data, "reason")
    )
    return thread_state_json(thread) | {"changed": changed}


@api_bp.post("/posts/<int:post_id>/moderate")
def post_moderate(post_id: int):
    actor = _moderator()
    post = community_queries.get_post_or_404(post_id, actor)
    data = json_body()
    changed = services.moderate_post(
        actor, post, _text(data, "action", required=True), _text(data, "reason")
    )
    return post_json(post, actor) | {"changed": changed}


@api_bp.post("/threads/<int:thread_id>/move")
def thread_move(thread_id: int):
    actor = _moderator()
    thread = community_queries.get_thread_or_404(thread_id, actor)
    data = json_body()
    services.move_thread(actor, thread, _category_id(data), _text(data, "reason"))
    return thread_state_json(thread)


@api_bp.post("/threads/<int:thread_id>/close")
def thread_close(thread_id: int):
    actor = _moderator()
    thread = community_queries.get_thread_or_404(thread_id, actor)
    data = json_body()
    services.close_as_duplicate(
        actor,
        thread,
        thread_id=_id_field(data, "duplicate_of_thread"),
        article_id=_id_field(data, "duplicate_of_article"),
        reason=_text(data, "reason"),
    )
    return thread_state_json(thread)


@api_bp.post("/threads/<int:thread_id>/reopen")
def thread_reopen(thread_id: int):
    actor = _moderator()
    thread = community_queries.get_thread_or_404(thread_id, actor)
    services.reopen_thread(actor, thread, _text(_optional_body(), "reason"))
    return thread_state_json(thread)


@api_bp.post("/threads/<int:thread_id>/merge")
def thread_merge(thread_id: int):
    actor = _moderator()
    source = community_queries.get_thread_or_404(thread_id, actor)
    data = json_body()
    into = _id_field(data, "into", required=True)
    target = db.session.get(Thread, into)
    if target is None:
        raise ValidationFailed([("into", f"No thread {into}.")])
    try:
        services.merge_threads(actor, source, target, _text(data, "reason"))
    except ValidationFailed as exc:
        # The service names the target "target"; this API calls it "into".
        raise ValidationFailed(
            [("into" if field == "target" else field, msg) for field, msg in exc.errors]
        ) from None
    return thread_state_json(target) | {"merged_thread_id": source.id}


# --- promotion to the knowledge base -------------------------------------------------------------


@api_bp.post("/posts/<int:post_id>/promote")
def post_promote(post_id: int):
    actor = _moderator()
    post = community_queries.get_post_or_404(post_id, actor)
    data = _optional_body()
    labels = data.get("labels")
    if labels is not None and (
        not isinstance(labels, list) or not all(isinstance(label, str) for label in labels)
    ):
        raise ValidationFailed([("labels", "Must be a list of strings.")])
    result = services.promote_post(
        actor,
        post,
        section_id=_section_id(data),
        title=_optional_text(data, "title"),
        body=_optional_text(data, "body"),
        labels=labels or (),
    )
    body = article_json(result.article, actor) | {
        "created": result.created,
        "post_id": post.id,
        "thread_id": post.thread_id,
    }
    location = url_for("kb_api.article_detail", key=result.article.id)
    return body, 201 if result.created else 200, {"Location": location}


# --- people --------------------------------------------------------------------------------------


@api_bp.get("/users/<username>/moderation")
def user_record(username: str):
    _moderator()
    user = _user(username)
    return user_record_json(user, queries.user_record(user))


@api_bp.post("/users/<username>/sanctions")
def sanction_create(username: str):
    actor = _moderator()
    user = _user(username)
    data = json_body()
    kind = _text(data, "kind", required=True)
    if kind not in SanctionKind._value2member_map_:
        raise ValidationFailed([("kind", "Choose silence or suspend.")])
    days = data.get("days")
    if days is not None and (not isinstance(days, int) or isinstance(days, bool)):
        raise ValidationFailed([("days", "Must be a whole number of days.")])
    sanction_user = services.silence_user if kind == SanctionKind.SILENCE else services.suspend_user
    sanction = sanction_user(actor, user, reason=_text(data, "reason"), days=days)
    return sanction_json(sanction), 201


@api_bp.post("/sanctions/<int:sanction_id>/lift")
def sanction_lift(sanction_id: int):
    actor = _moderator()
    sanction = queries.get_sanction_or_404(sanction_id)
    services.lift_sanction(actor, sanction, _text(_optional_body(), "reason"))
    return sanction_json(sanction)


@api_bp.post("/users/<username>/notes")
def note_create(username: str):
    actor = _moderator()
    user = _user(username)
    note = services.add_user_note(actor, user, _text(json_body(), "body", required=True))
    return note_json(note), 201


# --- the audit log -------------------------------------------------------------------------------


@api_bp.get("/moderation/log")
def audit_log():
    _moderator()
    filters = queries.AuditFilter(
        actor=_arg("actor"),
        action=_arg("action"),
        target_type=_arg("target_type"),
        target_id=_id_arg("target_id"),
        since=_instant_arg("since"),
        until=_instant_arg("until", end_of_day=True),
    )
    return paginated(queries.audit_log(filters), action_json)


# --- watched words -------------------------------------------------------------------------------


@api_bp.get("/moderation/watched-words")
def watched_word_list():
    _moderator()
    return paginated_list(queries.list_watched_words(), watched_word_json)


@api_bp.post("/moderation/watched-words")
def watched_word_create():
    actor = _moderator()
    data = json_body()
    word = services.add_watched_word(
        actor, _text(data, "word", required=True), _text(data, "action", required=True)
    )
    return watched_word_json(word), 201


@api_bp.delete("/moderation/watched-words/<int:word_id>")
def watched_word_delete(word_id: int):
    actor = _moderator()
    services.remove_watched_word(actor, queries.get_watched_word_or_404(word_id))
    return "", 204


# --- helpers -------------------------------------------------------------------------------------


def _moderator() -> User:
    """Raises: Unauthorized (no token), PermissionDenied (below moderator)."""
    return require_api_user(Role.MODERATOR)


def _visible_post(post_id: int, viewer: User) -> Post:
    """A live post whose content the viewer reads; others are 404, as if they did not exist.

    Raises:
        NotFound: no such post, or hidden, deleted or waiting for review (for this viewer).
    """
    post = community_queries.get_post_or_404(post_id, viewer)
    if post.is_deleted or not community_policies.can_view_post_body(viewer, post):
        raise NotFound("No such post.")
    return post


def _user(username: str) -> User:
    # A NUL would be a PostgreSQL error (a 500); no username is that long.
    if "\x00" in username or len(username) > USERNAME_MAX:
        raise NotFound("No such user.")
    return accounts_queries.get_user_by_username_or_404(username)


def _text(data: dict[str, Any], name: str, *, required: bool = False) -> str:
    # PostgreSQL refuses NUL in text: without this check it would be a 500, not a 422.
    value = string_field(data, name, required=required)
    if "\x00" in value:
        raise ValidationFailed([(name, "Must not contain NUL characters.")])
    return value


def _optional_text(data: dict[str, Any], name: str) -> str | None:
    return None if data.get(name) is None else _text(data, name)


def _optional_body() -> dict[str, Any]:
    """The JSON object of a request whose body may be left out."""
    if not request.get_data(cache=True):
        return {}
    return json_body()


def _id_field(data: dict[str, Any], name: str, *, required: bool = False) -> Any:
    """An id member of the body; None when optional and absent.

    Raises:
        ValidationFailed: missing when required, not a positive integer, or too large.
    """
    value = data.get(name)
    if value is None:
        if required:
            raise ValidationFailed([(name, "This field is required.")])
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_ID:
        raise ValidationFailed([(name, "Give an id (a positive integer).")])
    return value


def _category_id(data: dict[str, Any]) -> int:
    """The ``category`` member, a slug or an id, as an id (the service checks ids exist).

    Raises:
        ValidationFailed: missing, of the wrong type, or no such slug.
    """
    value = data.get("category")
    if isinstance(value, str) and value.strip() and "\x00" not in value:
        slug = value.strip()
        try:
            return community_queries.get_category_by_slug_or_404(slug).id
        except HTTPNotFound:
            if not (slug.isascii() and slug.isdigit()):
                raise ValidationFailed([("category", f"No category '{slug}'.")]) from None
            value = int(slug)
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 < value <= MAX_ID:
            raise ValidationFailed([("category", f"No category {value}.")])
        return value
    raise ValidationFailed([("category", "Give a category slug or id.")])


def _section_id(data: dict[str, Any]) -> int:
    """``kb_category`` (a KB section slug or id); by default the first section by position.

    Raises:
        ValidationFailed: no such section, of the wrong type, or no section exists at all.
    """
    value = data.get("kb_category")
    if value is None:
        sections = kb_queries.list_sections()
        if not sections:
            raise ValidationFailed([("kb_category", "Create a KB section first.")])
        return sections[0].id
    section: Section | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        section = db.session.get(Section, value) if 0 < value <= MAX_ID else None
    elif isinstance(value, str) and value.strip() and "\x00" not in value:
        key = value.strip()
        try:
            section = kb_queries.get_section_by_slug_or_404(key)
        except NotFound:
            if key.isascii() and key.isdigit() and 0 < int(key) <= MAX_ID:
                section = db.session.get(Section, int(key))
    else:
        raise ValidationFailed([("kb_category", "Give a KB section slug or id.")])
    if section is None:
        raise ValidationFailed(
            [("kb_category", f"No section {value!r}: see GET /api/v1/kb/sections.")]
        )
    return section.id


def _arg(name: str) -> str:
    value = request.args.get(name, "").strip()
    if "\x00" in value:
        raise BadRequest(f"'{name}' must not contain NUL characters.")
    return value


def _choice_arg(name: str, choices: type[enum.Enum]) -> Any:
    raw = _arg(name)
    if not raw:
        return None
    try:
        return choices(raw)
    except ValueError:
        allowed = ", ".join(str(choice.value) for choice in choices)
        raise BadRequest(f"Unknown {name} '{raw}': use one of {allowed}.") from None


def _id_arg(name: str) -> int | None:
    raw = _arg(name)
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= MAX_ID:
        raise BadRequest(f"'{name}' must be a positive integer.")
    return int(raw)


def _instant_arg(name: str, *, end_of_day: bool = False) -> datetime | None:
    """An ISO 8601 date or date-time query argument, in UTC (a time without a zone is UTC).

    A bare date means the start of that day; with ``end_of_day`` (for ``until``, which is
    exclusive) the start of the next, so ``until=2026-03-01`` includes the 1st.

    Raises:
        BadRequest: not an ISO 8601 date or date-time, or out of range.
    """
    raw = _arg(name)
    if not raw:
        return None
    try:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            moment = datetime.fromisoformat(raw)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return moment.astimezone(UTC)
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return start + timedelta(days=1) if end_of_day else start
    except (ValueError, OverflowError):
        raise BadRequest(
            f"'{name}' must be an ISO 8601 date or date-time, e.g. 2026-03-01T12:00:00Z."
        ) from None
