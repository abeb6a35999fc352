"""Knowledge-base JSON API (API.md): sections, articles and their lifecycle, revisions, feedback.

Unpublished articles are 404 for callers who may not see them, never 403, so drafts do not
leak their existence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, request, url_for
from flask_limiter.util import get_remote_address
from sqlalchemy.orm import selectinload

from forum_kb.accounts.auth import api_user, require_api_user
from forum_kb.accounts.models import Role
from forum_kb.api import (
    json_body,
    paginated,
    paginated_list,
    string_field,
)
from forum_kb.errors import BadRequest, ForumKBError, NotFound, PermissionDenied, ValidationFailed
from forum_kb.extensions import db, limiter
from forum_kb.kb import policies, queries, services
from forum_kb.kb.models import Article, ArticleStatus, Section
from forum_kb.kb.serializers import (
    article_json,
    article_summary_json,
    feedback_counts_json,
    report_json,
    revision_json,
    section_json,
)

api_bp = Blueprint("kb_api", __name__)

# Ids are 32-bit INTEGER columns: larger numbers would reach PostgreSQL as a driver overflow.
MAX_ID = 2**31 - 1
#: Anonymous readers identify their feedback with a stable random key of their own.
FEEDBACK_KEY_HEADER = "X-Feedback-Key"
_FEEDBACK_KEY = re.compile(r"[A-Za-z0-9._~-]{8,60}")
# Kept apart from the site's own session keys; with the prefix it fits Feedback.session_key (64).
_FEEDBACK_KEY_PREFIX = "api:"


def _reader_key() -> str:
    try:
        user = api_user()
    except ForumKBError:
        user = None
    return f"user:{user.id}" if user is not None else f"ip:{get_remote_address()}"


# Feedback and reports are open to anonymous callers, and reports notify the owner by email.
reader_limit = limiter.shared_limit(
    lambda: str(current_app.config["RATELIMIT_POSTING"]),
    scope="kb_reader",
    key_func=_reader_key,
    methods=["POST"],
)


# --- sections ----------------------------------------------------------------------------------


@api_bp.get("/kb/sections")
def section_list():
    counts = queries.published_counts()
    return paginated_list(queries.list_sections(), lambda s: section_json(s, counts.get(s.id, 0)))


@api_bp.post("/kb/sections")
def section_create():
    actor = require_api_user(Role.STAFF)
    data = json_body()
    section = services.create_section(
        actor,
        string_field(data, "name"),
        string_field(data, "slug", required=False),
        string_field(data, "description", required=False),
    )
    return section_json(section), 201


# --- articles ----------------------------------------------------------------------------------


@api_bp.get("/articles")
def article_list():
    viewer = api_user()
    section = _arg("section")
    stmt = queries.list_articles(
        viewer,
        status=_status_arg(viewer),
        section_id=_section_from_arg(section).id if section else None,
    )
    return paginated(stmt.options(selectinload(Article.labels)), article_summary_json)


@api_bp.post("/articles")
def article_create():
    actor = require_api_user(Role.MODERATOR)
    data = json_body()
    labels = _labels_field(data)
    article = services.create_article(
        actor,
        services.ArticleDraft(
            section_id=_section_field(data, "section"),
            title=string_field(data, "title"),
            body=string_field(data, "body"),
            labels=labels or (),
            owner_id=_owner_field(data),
            note=string_field(data, "note", required=False),
        ),
    )
    location = url_for(".article_detail", key=article.id)
    return article_json(article, actor), 201, {"Location": location}


@api_bp.get("/articles/<key>")
def article_detail(key: str):
    viewer = api_user()
    article = _article(key, viewer)
    # An id or an earlier slug still answers; this names the current address.
    location = url_for(".article_detail", key=article.slug)
    return article_json(article, viewer), 200, {"Content-Location": location}


@api_bp.patch("/articles/<key>")
def article_edit(key: str):
    actor = require_api_user(Role.MODERATOR)
    article = _article(key, actor)
    data = json_body()
    section_field = "kb_category" if "kb_category" in data else "section"
    services.edit_article(
        actor,
        article,
        title=_optional_text(data, "title"),
        body=_optional_text(data, "body"),
        section_id=_section_field(data, section_field, required=False),
        labels=_labels_field(data),
        note=string_field(data, "note", required=False),
    )
    return article_json(article, actor)


@api_bp.post("/articles/<key>/submit")
def article_submit(key: str):
    return _transition(key, Role.MODERATOR, services.submit_for_review)


@api_bp.post("/articles/<key>/return")
def article_return(key: str):
    return _transition(key, Role.STAFF, services.return_to_draft)


@api_bp.post("/articles/<key>/publish")
def article_publish(key: str):
    return _transition(key, Role.STAFF, services.publish_article)


@api_bp.post("/articles/<key>/archive")
def article_archive(key: str):
    return _transition(key, Role.STAFF, services.archive_article)


@api_bp.get("/articles/<key>/revisions")
def article_revisions(key: str):
    actor = require_api_user(Role.MODERATOR)
    article = _article(key, actor)
    return paginated_list(queries.revision_history(article), revision_json)


@api_bp.post("/articles/<key>/revisions/<int:number>/restore")
def revision_restore(key: str, number: int):
    actor = require_api_user(Role.MODERATOR)
    article = _article(key, actor)
    services.restore_revision(actor, article, queries.get_revision_or_404(article, number))
    return article_json(article, actor)


# --- readers -----------------------------------------------------------------------------------


@api_bp.post("/articles/<key>/feedback")
@reader_limit
def article_feedback(key: str):
    viewer = api_user()
    article = _article(key, viewer)
    data = json_body()
    helpful = data.get("helpful")
    # bool only: 1 and "yes" are not answers to "was this helpful?".
    if not isinstance(helpful, bool):
        raise ValidationFailed([("helpful", "Must be true or false.")])
    comment = string_field(data, "comment", required=False)
    feedback = services.give_feedback(
        article,
        helpful,
        user=viewer,
        session_key=None if viewer is not None else _feedback_key(data),
        comment=comment,
    )
    return {"helpful": feedback.helpful, **feedback_counts_json(article)}


@api_bp.post("/articles/<key>/report")
@reader_limit
def article_report(key: str):
    viewer = api_user()
    article = _article(key, viewer)
    comment = string_field(json_body(), "comment")
    return report_json(services.report_inaccurate(article, comment, reporter=viewer)), 201


# --- helpers -----------------------------------------------------------------------------------


def _article(key: str, viewer: Any) -> Article:
    """The article at ``key`` (id, slug or earlier slug) if the viewer may see it.

    Raises:
        NotFound: no such article, or not visible to the viewer.
    """
    # Slugs are ASCII. find_article_or_404 int()s any str.isdigit() key, and non-ASCII digits
    # such as "²" make int() fail (a 500); a NUL in the path would be a PostgreSQL error.
    if not key.isascii() or "\x00" in key:
        raise NotFound("No such article.")
    return queries.find_article_or_404(key, viewer).article


def _transition(key: str, role: Role, action: Callable[..., Article]) -> dict[str, Any]:
    actor = require_api_user(role)
    article = _article(key, actor)
    data = _optional_body()
    action(actor, article, string_field(data, "note", required=False))
    return article_json(article, actor)


def _optional_body() -> dict[str, Any]:
    """The JSON object of a request whose body may be left out."""
    if not request.get_data(cache=True):
        return {}
    return json_body()


def _arg(name: str) -> str:
    return request.args.get(name, "").strip()


def _status_arg(viewer: Any) -> ArticleStatus | None:
    """``?status=``: anyone may ask for published articles, only writers for the others.

    Raises:
        BadRequest: an unknown status.
        PermissionDenied: a non-writer asks for unpublished articles.
    """
    raw = _arg("status")
    if not raw:
        return None
    try:
        status = ArticleStatus(raw)
    except ValueError:
        allowed = ", ".join(s.value for s in ArticleStatus)
        raise BadRequest(f"Unknown status '{raw}': use one of {allowed}.") from None
    if status != ArticleStatus.PUBLISHED and not policies.can_see_unpublished(viewer):
        raise PermissionDenied("Only staff and moderators see unpublished articles.")
    return status


def _find_section(value: str) -> Section | None:
    """A section by slug, or by id for digits that are no slug."""
    try:
        return queries.get_section_by_slug_or_404(value)
    except NotFound:
        pass
    if value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID:
        return db.session.get(Section, int(value))
    return None


def _section_from_arg(value: str) -> Section:
    """Raises: BadRequest: no such section (a filter by a missing section is a client error)."""
    section = _find_section(value)
    if section is None:
        raise BadRequest(f"Unknown section '{value}': use a slug from GET /api/v1/kb/sections.")
    return section


def _section_field(data: dict[str, Any], name: str, *, required: bool = True) -> Any:
    """The section member (a slug or an id) as a section id; None when optional and absent.

    Raises:
        ValidationFailed: missing when required, of the wrong type, or no such section.
    """
    value = data.get(name)
    if value is None:
        if required:
            raise ValidationFailed([(name, "This field is required.")])
        return None
    section: Section | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        section = db.session.get(Section, value) if 0 < value <= MAX_ID else None
    elif isinstance(value, str) and value.strip():
        section = _find_section(value.strip())
    else:
        raise ValidationFailed([(name, "Give a section slug or id.")])
    if section is None:
        raise ValidationFailed([(name, f"No section {value!r}: see GET /api/v1/kb/sections.")])
    return section.id


def _optional_text(data: dict[str, Any], name: str) -> str | None:
    if data.get(name) is None:
        return None
    return string_field(data, name)


def _labels_field(data: dict[str, Any]) -> list[str] | None:
    labels = data.get("labels")
    if labels is None:
        return None
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise ValidationFailed([("labels", "Must be a list of strings.")])
    return labels


def _owner_field(data: dict[str, Any]) -> int | None:
    owner_id = data.get("owner_id")
    if owner_id is None:
        return None
    if not isinstance(owner_id, int) or isinstance(owner_id, bool) or not 0 < owner_id <= MAX_ID:
        raise ValidationFailed([("owner_id", "Give the id of a staff member or moderator.")])
    return owner_id


def _feedback_key(data: dict[str, Any]) -> str:
    """An anonymous caller's stable key: the X-Feedback-Key header, or ``session_key``.

    Raises:
        ValidationFailed: no key, or not 8 to 60 letters, digits or ``.``, ``_``, ``~``, ``-``.
    """
    key = request.headers.get(FEEDBACK_KEY_HEADER) or data.get("session_key")
    if key is None:
        raise ValidationFailed(
            [
                (
                    "session_key",
                    f"Sign in, or send a stable random key of your own in the {FEEDBACK_KEY_HEADER}"
                    " header (or as session_key) so your answer is counted once.",
                )
            ]
        )
    if not isinstance(key, str) or not _FEEDBACK_KEY.fullmatch(key):
        raise ValidationFailed(
            [
                (
                    "session_key",
                    f"Make the {FEEDBACK_KEY_HEADER} (or session_key) 8 to 60 letters, digits"
                    " or the characters . _ ~ -.",
                )
            ]
        )
    return _FEEDBACK_KEY_PREFIX + key
