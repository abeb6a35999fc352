"""Community JSON API (API.md): categories, threads, posts, votes, accepted answers, watches."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, request, url_for
from sqlalchemy import Select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound as HTTPNotFound

from forum_kb.accounts.auth import api_user, require_api_user
from forum_kb.accounts.models import Role
from forum_kb.accounts.policies import is_moderator
from forum_kb.api import MAX_PER_PAGE, int_arg, json_body, paginated, paginated_list, string_field
from forum_kb.community import policies, queries, services
from forum_kb.community.limits import posting_limit
from forum_kb.community.models import Category, Post, Thread, ThreadKind
from forum_kb.community.serializers import (
    category_json,
    post_json,
    revision_json,
    tag_json,
    thread_json,
    thread_summary_json,
)
from forum_kb.errors import BadRequest, NotFound, ValidationFailed
from forum_kb.extensions import db

api_bp = Blueprint("community_api", __name__)

#: Values of ``GET /threads?status=``; ``locked`` is an addition to API.md.
THREAD_STATUSES = ("open", "solved", "unanswered", "locked")
#: More tags than any community uses; ``queries.list_tags`` has no unlimited form.
TAG_LIST_LIMIT = 1000
# Ids are 32-bit INTEGER columns and OFFSET is 64-bit: larger numbers from a client would
# reach the database as a driver overflow (a 500), so they are refused here.
MAX_ID = 2**31 - 1
MAX_PAGE = 1_000_000


@api_bp.url_value_preprocessor
def _check_ids(endpoint: str | None, values: dict[str, Any] | None) -> None:
    for name, value in (values or {}).items():
        if name.endswith("_id") and isinstance(value, int) and value > MAX_ID:
            raise NotFound(f"No such {name.removesuffix('_id')}.")


@api_bp.before_request
def _check_page() -> None:
    int_arg("page", 1, maximum=MAX_PAGE)


# --- categories ---------------------------------------------------------------------------------


@api_bp.get("/categories")
def category_list():
    return paginated_list(queries.list_categories(), category_json)


@api_bp.post("/categories")
def category_create():
    actor = require_api_user(Role.ADMIN)
    data = json_body()
    category = services.create_category(
        actor,
        _text(data, "name"),
        _text(data, "slug", required=False),
        _text(data, "description", required=False),
        {"sla_policy": data["sla_policy"]} if data.get("sla_policy") is not None else None,
    )
    return category_json(category), 201


# --- threads ------------------------------------------------------------------------------------


@api_bp.get("/threads")
def thread_list():
    category = _arg("category")
    filters = queries.ThreadFilter(
        category_id=_category_from_arg(category).id if category else None,
        kind=_choice_arg("kind", ThreadKind),
        tag=_arg("tag").lower() or None,
        sort=_choice_arg("sort", queries.ThreadSort) or queries.ThreadSort.LATEST,
    )
    stmt = _with_status(queries.list_threads(filters), _arg("status"))
    return paginated(stmt, thread_summary_json)


@api_bp.post("/threads")
@posting_limit
def thread_create():
    actor = require_api_user()
    data = json_body()
    thread = services.create_thread(
        actor,
        services.NewThread(
            category_id=_category_id_field(data),
            kind=_text(data, "kind"),
            title=_text(data, "title"),
            body=_text(data, "body"),
            tags=_tags_field(data),
        ),
    )
    location = url_for(".thread_detail", thread_id=thread.id)
    return _thread_response(thread, actor, page=1), 201, {"Location": location}


@api_bp.get("/threads/<int:thread_id>")
def thread_detail(thread_id: int):
    viewer = api_user()
    # A merged thread's posts live on in its target, so its address moves there for good.
    merged = db.session.get(Thread, thread_id)
    if merged is not None and merged.merged_into_id is not None:
        return redirect(url_for(".thread_detail", thread_id=merged.merged_into_id), 301)
    thread = queries.get_thread_or_404(thread_id, viewer)
    return _thread_response(thread, viewer, page=int_arg("page", 1))


@api_bp.post("/threads/<int:thread_id>/posts")
@posting_limit
def post_create(thread_id: int):
    actor = require_api_user()
    thread = queries.get_thread_or_404(thread_id, actor)
    post = services.reply_to_thread(actor, thread, _text(json_body(), "body"))
    return post_json(post, actor), 201


@api_bp.post("/threads/<int:thread_id>/accept")
def thread_accept(thread_id: int):
    actor = require_api_user()
    thread = queries.get_thread_or_404(thread_id, actor)
    data = json_body()
    if "post_id" not in data:
        raise ValidationFailed([("post_id", "Give the answer's id, or null to un-accept.")])
    post_id = data["post_id"]
    if post_id is None:
        services.unaccept_answer(actor, thread)
    else:
        if not isinstance(post_id, int) or isinstance(post_id, bool):
            raise ValidationFailed([("post_id", "Must be an integer or null.")])
        services.accept_answer(actor, thread, _answer(post_id, actor))
    return _thread_response(thread, actor, page=1)


@api_bp.post("/threads/<int:thread_id>/watch")
def thread_watch(thread_id: int):
    actor = require_api_user()
    thread = queries.get_thread_or_404(thread_id, actor)
    watching = json_body().get("watching")
    if not isinstance(watching, bool):
        raise ValidationFailed([("watching", "Must be true or false.")])
    services.watch_thread(actor, thread, watching)
    return {"watching": watching}


# --- posts --------------------------------------------------------------------------------------


@api_bp.patch("/posts/<int:post_id>")
@posting_limit
def post_edit(post_id: int):
    actor = require_api_user()
    post = queries.get_post_or_404(post_id, actor)
    data = json_body()
    title = _text(data, "title", required=False) if "title" in data else None
    # A title-only edit keeps the body as it is.
    body = _text(data, "body", required=title is None, default=post.body_source)
    reason = _text(data, "reason", required=False)
    post = services.edit_post(actor, post, body, title=title, reason=reason)
    return post_json(post, actor)


@api_bp.delete("/posts/<int:post_id>")
def post_delete(post_id: int):
    actor = require_api_user()
    services.delete_post(actor, queries.get_post_or_404(post_id, actor))
    return "", 204


@api_bp.post("/posts/<int:post_id>/vote")
def post_vote(post_id: int):
    actor = require_api_user()
    post = queries.get_post_or_404(post_id, actor)
    value = json_body().get("value")
    # bool is an int subclass, but "true" is not a vote.
    if not isinstance(value, int) or isinstance(value, bool) or value not in (1, -1, 0):
        raise ValidationFailed([("value", "Vote 1 (up), -1 (down) or 0 (withdraw).")])
    return {"score": services.vote(actor, post, value), "value": value}


@api_bp.get("/posts/<int:post_id>/revisions")
def post_revisions(post_id: int):
    viewer = api_user()
    post = queries.get_post_or_404(post_id, viewer)
    if not policies.can_see_history(viewer, post):
        raise NotFound("No such post.")
    revisions = [view.revision for view in queries.revision_history(post)]
    return paginated_list(revisions, revision_json)


# --- tags ---------------------------------------------------------------------------------------


@api_bp.get("/tags")
def tag_list():
    rows = queries.list_tags(limit=TAG_LIST_LIMIT)
    return paginated_list(rows, lambda row: tag_json(*row))


# --- helpers ------------------------------------------------------------------------------------


def _thread_response(thread: Thread, viewer: Any, *, page: int) -> dict[str, Any]:
    """The thread with its opening post (on page 1) and one page of replies, oldest first.

    Deleted replies keep their place; hidden ones are listed for moderators only, as on the
    thread page.
    """
    per_page = int_arg(
        "per_page", current_app.config["COMMUNITY_POSTS_PER_PAGE"], maximum=MAX_PER_PAGE
    )
    replies_stmt = (
        thread.posts.select()
        .where(Post.is_opening.is_(False))
        .options(selectinload(Post.author), selectinload(Post.edited_by))
        .order_by(Post.created_at, Post.id)
    )
    if not is_moderator(viewer):
        replies_stmt = replies_stmt.where(Post.is_hidden.is_(False))
    replies = db.paginate(replies_stmt, page=page, per_page=per_page, error_out=False)
    posts: list[Post] = list(replies.items)
    if page == 1:
        posts.insert(0, services.opening_post(thread))
    return thread_json(
        thread, posts, viewer, page=page, per_page=per_page, total=replies.total or 0
    )


def _text(data: dict[str, Any], name: str, *, required: bool = True, default: str = "") -> str:
    # PostgreSQL refuses NUL in text: without this check it would be a 500, not a 422.
    value = string_field(data, name, required=required, default=default)
    if "\x00" in value:
        raise ValidationFailed([(name, "Must not contain NUL characters.")])
    return value


def _arg(name: str) -> str:
    value = request.args.get(name, "").strip()
    if "\x00" in value:
        raise BadRequest(f"'{name}' must not contain NUL characters.")
    return value


def _choice_arg(name: str, choices: Any) -> Any:
    raw = _arg(name)
    if not raw:
        return None
    try:
        return choices(raw)
    except ValueError:
        allowed = ", ".join(choice.value for choice in choices)
        raise BadRequest(f"Unknown {name} '{raw}': use one of {allowed}.") from None


def _with_status(stmt: Select[Thread], status: str) -> Select[Thread]:
    """open: neither solved nor locked; solved: has an accepted answer (even if since locked);
    unanswered: no replies yet; locked: closed to replies."""
    if not status:
        return stmt
    if status == "open":
        return stmt.where(Thread.is_locked.is_(False), Thread.accepted_post_id.is_(None))
    if status == "solved":
        return stmt.where(Thread.accepted_post_id.is_not(None))
    if status == "unanswered":
        return stmt.where(Thread.reply_count == 0)
    if status == "locked":
        return stmt.where(Thread.is_locked.is_(True))
    raise BadRequest(f"Unknown status '{status}': use one of {', '.join(THREAD_STATUSES)}.")


def _category_from_arg(value: str) -> Category:
    """A category by slug (or by id, for digits that are no slug).

    Raises:
        BadRequest: no such category; a list filter by a missing category is a client error,
            not an empty list.
    """
    category = _find_category(value)
    if category is None:
        raise BadRequest(f"Unknown category '{value}': use a slug from GET /api/v1/categories.")
    return category


def _find_category(value: str) -> Category | None:
    if "\x00" in value:
        return None
    try:
        return queries.get_category_by_slug_or_404(value)
    except HTTPNotFound:
        pass
    if value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID:
        return db.session.get(Category, int(value))
    return None


def _category_id_field(data: dict[str, Any]) -> int:
    """The ``category`` member: a slug or an id (the service checks that an id exists)."""
    value = data.get("category")
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 < value <= MAX_ID:
            raise ValidationFailed([("category", f"No category {value}.")])
        return value
    if isinstance(value, str) and value.strip():
        category = _find_category(value.strip())
        if category is None:
            raise ValidationFailed([("category", f"No category '{value}'.")])
        return category.id
    if value is None:
        raise ValidationFailed([("category", "This field is required.")])
    raise ValidationFailed([("category", "Give a category slug or id.")])


def _tags_field(data: dict[str, Any]) -> list[str]:
    tags = data.get("tags")
    if tags is None:
        return []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise ValidationFailed([("tags", "Must be a list of strings.")])
    return tags


def _answer(post_id: int, viewer: Any) -> Post:
    try:
        if not 0 < post_id <= MAX_ID:
            raise NotFound
        return queries.get_post_or_404(post_id, viewer)
    except NotFound:
        raise ValidationFailed([("post_id", "Choose an answer in this thread.")]) from None
