"""JSON Schema building blocks and the component schemas of the /api/v1 description.

Response objects list every member as required: the serializers always emit all of them
(null where there is no value), so a client may rely on each key being present. Objects stay
open (no ``additionalProperties: false``) because API.md changes only by adding members.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

#: Ids are 32-bit INTEGER columns; larger ids in a URL are 404s, never database errors.
MAX_ID = 2**31 - 1
MAX_PER_PAGE = 100

ROLES = ["member", "moderator", "staff", "admin"]
THREAD_KINDS = ["question", "howto", "story", "discussion"]
THREAD_STATES = ["open", "solved", "locked"]
ARTICLE_STATUSES = ["draft", "in_review", "published", "archived"]
FLAG_REASONS = ["spam", "offensive", "off_topic", "other"]
FLAG_STATUSES = ["open", "upheld", "dismissed"]
ESCALATION_STATUSES = ["open", "assigned", "waiting", "resolved"]
ESCALATION_SOURCES = ["unanswered", "unsolved", "customer", "moderator", "flag"]
WEBHOOK_EVENTS = [
    "thread.created",
    "thread.solved",
    "escalation.created",
    "escalation.breached",
    "escalation.resolved",
    "article.published",
]


def ref(name: str) -> Schema:
    """A reference to ``components/schemas/<name>``."""
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    """``schema`` or null (OpenAPI 3.1 / JSON Schema style)."""
    if "type" in schema and "enum" not in schema and isinstance(schema["type"], str):
        return schema | {"type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def string(
    *,
    min_length: int | None = None,
    max_length: int | None = None,
    enum: list[str] | None = None,
    pattern: str | None = None,
    fmt: str | None = None,
    description: str | None = None,
) -> Schema:
    """A string schema with the given constraints."""
    schema: Schema = {"type": "string"}
    for key, value in (
        ("minLength", min_length),
        ("maxLength", max_length),
        ("enum", enum),
        ("pattern", pattern),
        ("format", fmt),
        ("description", description),
    ):
        if value is not None:
            schema[key] = value
    return schema


def integer(
    *, minimum: int | None = None, maximum: int | None = None, description: str | None = None
) -> Schema:
    """An integer schema with optional bounds."""
    schema: Schema = {"type": "integer"}
    for key, value in (("minimum", minimum), ("maximum", maximum), ("description", description)):
        if value is not None:
            schema[key] = value
    return schema


def array(items: Schema, **extra: Any) -> Schema:
    return {"type": "array", "items": items} | extra


def obj(properties: dict[str, Schema], *, optional: dict[str, Schema] | None = None) -> Schema:
    """An object whose ``properties`` are all required and ``optional`` ones may be absent."""
    schema: Schema = {"type": "object", "properties": properties | (optional or {})}
    if properties:
        schema["required"] = list(properties)
    return schema


def page_of(item: Schema) -> Schema:
    """The list shape of API.md: one page of items and the total count."""
    return obj(
        {
            "items": array(item),
            "page": integer(minimum=1),
            "per_page": integer(minimum=1, maximum=MAX_PER_PAGE),
            "total": integer(minimum=0),
        }
    )


ID = integer(minimum=1)
TEXT = string()
BOOL = {"type": "boolean"}
COUNT = integer(minimum=0)
DATE_TIME = string(fmt="date-time")
OPT_DATE_TIME = nullable(DATE_TIME)
OPT_ID = nullable(ID)
STRINGS = array(TEXT)
#: Free-form details of an audit or escalation event.
DETAILS: Schema = {"type": "object", "additionalProperties": True}
OPT_USER = nullable(ref("User"))


def _accounts() -> dict[str, Schema]:
    user = {
        "id": ID,
        "username": TEXT,
        "display_name": TEXT,
        "role": string(enum=ROLES),
        "bio": TEXT,
        "reputation": integer(),
        "created_at": DATE_TIME,
    }
    return {
        "User": obj(user),
        "PrivateUser": obj(user | {"email": TEXT}),
        "Token": obj({"token": TEXT, "expires_at": OPT_DATE_TIME}),
    }


def _community() -> dict[str, Schema]:
    summary = {
        "id": ID,
        "title": TEXT,
        "kind": string(enum=THREAD_KINDS),
        "status": string(enum=THREAD_STATES),
        "category": ref("CategoryRef"),
        "tags": STRINGS,
        "author": ref("User"),
        "reply_count": COUNT,
        "score": integer(),
        "view_count": COUNT,
        "is_pinned": BOOL,
        "is_locked": BOOL,
        "created_at": DATE_TIME,
        "last_activity_at": OPT_DATE_TIME,
        "solved_at": OPT_DATE_TIME,
        "accepted_post_id": OPT_ID,
        "url": TEXT,
    }
    duplicate_of = nullable(
        {
            "oneOf": [obj({"thread_id": ID}), obj({"article_id": ID})],
            "description": "The thread or KB article this one duplicates.",
        }
    )
    state = summary | {
        "article_id": nullable(integer(description="The official KB article made from it.")),
        "banners": array(ref("Banner")),
        "is_deleted": BOOL,
        "is_hidden": BOOL,
        "is_pending": BOOL,
        "duplicate_of": duplicate_of,
    }
    return {
        "Category": obj(
            {
                "id": ID,
                "name": TEXT,
                "slug": TEXT,
                "description": TEXT,
                "position": integer(),
            }
        ),
        "CategoryRef": obj({"id": ID, "slug": TEXT, "name": TEXT}),
        "ThreadSummary": obj(summary),
        "Banner": obj({"kind": TEXT, "title": TEXT, "url": TEXT, "text": TEXT}),
        "ThreadState": obj(state),
        "Thread": obj(
            state
            | {
                "posts": array(ref("Post")),
                "page": integer(minimum=1),
                "per_page": integer(minimum=1, maximum=MAX_PER_PAGE),
                "total": integer(minimum=0, description="Replies (the opening post aside)."),
            }
        ),
        "Post": obj(
            {
                "id": ID,
                "thread_id": ID,
                "author": ref("User"),
                "body": nullable(string(description="Markdown; null when deleted or hidden.")),
                "body_html": nullable(TEXT),
                "score": integer(),
                "is_opening": BOOL,
                "is_accepted": BOOL,
                "created_at": DATE_TIME,
                "edited_at": OPT_DATE_TIME,
                "edited_by": OPT_USER,
                "deleted": BOOL,
                "hidden": BOOL,
                "is_pending": BOOL,
                "url": TEXT,
            }
        ),
        "PostRevision": obj(
            {
                "number": integer(minimum=1),
                "post_id": ID,
                "editor": ref("User"),
                "title": nullable(TEXT),
                "body": TEXT,
                "reason": TEXT,
                "created_at": DATE_TIME,
            }
        ),
        "Tag": obj({"name": TEXT, "count": COUNT}),
    }


def _kb() -> dict[str, Schema]:
    summary = {
        "id": ID,
        "slug": TEXT,
        "title": TEXT,
        "status": string(enum=ARTICLE_STATUSES),
        "section": ref("SectionRef"),
        "labels": STRINGS,
        "owner": ref("User"),
        "review_by": nullable(string(fmt="date")),
        "official": BOOL,
        "url": TEXT,
        "has_pending_draft": BOOL,
        "helpful_count": COUNT,
        "not_helpful_count": COUNT,
        "view_count": COUNT,
        "created_at": DATE_TIME,
        "updated_at": DATE_TIME,
        "published_at": OPT_DATE_TIME,
    }
    article = summary | {
        "body": nullable(TEXT),
        "body_html": nullable(TEXT),
        "credited_user": nullable(obj({"username": TEXT, "name": TEXT})),
        "source": nullable(obj({"kind": TEXT, "title": TEXT, "url": TEXT})),
    }
    writers_only = {
        "draft": nullable(ref("ArticleDraft")),
        "draft_in_review": BOOL,
    }
    return {
        "Section": obj(
            {
                "id": ID,
                "name": TEXT,
                "slug": TEXT,
                "description": TEXT,
                "position": integer(),
                "published_count": COUNT,
                "created_at": DATE_TIME,
            }
        ),
        "SectionRef": obj({"id": ID, "slug": TEXT, "name": TEXT}),
        "ArticleSummary": obj(summary),
        "Article": obj(article, optional=writers_only)
        | {"description": "``draft`` and ``draft_in_review`` are sent to staff and moderators."},
        "ArticleDraft": obj(
            {"title": TEXT, "body": TEXT, "body_html": TEXT, "revision": integer(minimum=1)}
        ),
        "ArticleRevision": obj(
            {
                "number": integer(minimum=1),
                "title": TEXT,
                "body": TEXT,
                "body_html": TEXT,
                "note": TEXT,
                "editor": ref("User"),
                "is_published": BOOL,
                "is_draft": BOOL,
                "created_at": DATE_TIME,
            }
        ),
        "FeedbackResult": obj(
            {"helpful": BOOL, "helpful_count": COUNT, "not_helpful_count": COUNT}
        ),
        "InaccuracyReport": obj(
            {"id": ID, "article_id": ID, "comment": TEXT, "created_at": DATE_TIME}
        ),
    }


def _search() -> dict[str, Schema]:
    counts: Schema = {"type": "object", "additionalProperties": COUNT}
    return {
        "SearchHit": obj(
            {
                "type": string(enum=["thread", "post", "article"]),
                "id": ID,
                "doc_id": TEXT,
                "title": TEXT,
                "url": TEXT,
                "snippet_html": string(description="Escaped text with <mark> highlights."),
                "score": {"type": "number"},
                "thread_id": OPT_ID,
                "category": TEXT,
                "category_name": TEXT,
                "tags": STRINGS,
                "kind": TEXT,
                "solved": BOOL,
                "accepted": BOOL,
                "official": BOOL,
                "author": TEXT,
                "created_at": OPT_DATE_TIME,
            }
        ),
        "SearchResults": obj(
            {
                "items": array(ref("SearchHit")),
                "facets": obj(
                    {"type": counts, "category": counts, "tag": counts, "solved": counts}
                ),
                "suggestion": nullable(string(description="A did-you-mean query.")),
                "total": COUNT,
                "page": integer(minimum=1),
                "per_page": integer(minimum=1, maximum=MAX_PER_PAGE),
            }
        ),
    }


def _moderation() -> dict[str, Schema]:
    flagged = {
        "id": ID,
        "thread_id": ID,
        "thread_title": TEXT,
        "author": ref("User"),
        "body": TEXT,
        "body_html": TEXT,
        "is_opening": BOOL,
        "hidden": BOOL,
        "deleted": BOOL,
        "created_at": DATE_TIME,
        "url": TEXT,
    }
    sanction = {
        "id": ID,
        "user": string(description="The sanctioned username."),
        "kind": string(enum=["silence", "suspend"]),
        "reason": TEXT,
        "starts_at": DATE_TIME,
        "ends_at": DATE_TIME,
        "lifted_at": OPT_DATE_TIME,
        "created_by": OPT_USER,
        "lifted_by": OPT_USER,
        "is_active": BOOL,
    }
    return {
        "FlaggedPost": obj(flagged),
        "Flag": obj(
            {
                "id": ID,
                "post_id": ID,
                "reason": string(enum=FLAG_REASONS),
                "note": TEXT,
                "status": string(enum=FLAG_STATUSES),
                "reporter": ref("User"),
                "created_at": DATE_TIME,
                "resolved_at": OPT_DATE_TIME,
                "resolved_by": OPT_USER,
                "post": ref("FlaggedPost"),
            }
        ),
        "PendingPost": obj(
            flagged
            | {
                "is_pending": BOOL,
                "pending_reason": TEXT,
                "category": obj({"id": ID, "slug": TEXT}),
            }
        ),
        "AuditEntry": obj(
            {
                "id": ID,
                "actor": nullable(ref("User")) | {"description": "null when the system acted."},
                "action": TEXT,
                "target_type": TEXT,
                "target_id": OPT_ID,
                "target_label": TEXT,
                "target_url": TEXT,
                "reason": TEXT,
                "details": DETAILS,
                "created_at": DATE_TIME,
            }
        ),
        "Sanction": obj(sanction),
        "UserNote": obj(
            {"id": ID, "user_id": ID, "author": OPT_USER, "body": TEXT, "created_at": DATE_TIME}
        ),
        "UserRecord": obj(
            {
                "user": ref("User"),
                "is_active": BOOL,
                "silenced_until": OPT_DATE_TIME,
                "suspended_until": OPT_DATE_TIME,
                "sanctions": array(ref("Sanction")),
                "notes": array(ref("UserNote")),
                "counts": obj(
                    {"flags_received": COUNT, "flags_upheld": COUNT, "hidden_posts": COUNT}
                ),
                "actions": array(ref("AuditEntry")),
            }
        ),
        "WatchedWord": obj(
            {
                "id": ID,
                "word": TEXT,
                "action": string(enum=["block", "queue"]),
                "created_at": DATE_TIME,
            }
        ),
    }


def _escalation() -> dict[str, Schema]:
    escalation = {
        "id": ID,
        "status": string(enum=ESCALATION_STATUSES),
        "source": string(enum=ESCALATION_SOURCES),
        "reason": TEXT,
        "thread": obj({"id": ID, "title": TEXT, "status": string(enum=THREAD_STATES), "url": TEXT}),
        "policy": nullable(string(description="The SLA policy's name.")),
        "group": nullable(string(description="The staff group's name.")),
        "assignee": OPT_USER,
        "requested_by": OPT_USER,
        "created_at": DATE_TIME,
        "updated_at": DATE_TIME,
        "first_response_due_at": DATE_TIME,
        "due_at": string(fmt="date-time", description="The resolution target."),
        "first_response_at": OPT_DATE_TIME,
        "first_response_breached": BOOL,
        "resolution_breached": BOOL,
        "breached": BOOL,
        "resolved_at": OPT_DATE_TIME,
        "resolved_by": OPT_USER,
        "resolution": TEXT,
        "resolution_post_id": OPT_ID,
    }
    webhook = {
        "id": ID,
        "url": string(fmt="uri"),
        "events": array(string(enum=WEBHOOK_EVENTS)),
        "is_active": BOOL,
        "description": TEXT,
        "created_at": DATE_TIME,
    }
    return {
        "Escalation": obj(escalation),
        "EscalationNote": obj(
            {
                "id": ID,
                "escalation_id": ID,
                "author": OPT_USER,
                "body": TEXT,
                "created_at": DATE_TIME,
            }
        ),
        "EscalationEvent": obj(
            {
                "id": ID,
                "action": TEXT,
                "actor": OPT_USER,
                "details": DETAILS,
                "created_at": DATE_TIME,
            }
        ),
        "EscalationDetail": obj(
            escalation
            | {
                "notes": array(ref("EscalationNote")),
                "events": array(ref("EscalationEvent")),
            }
        ),
        "Webhook": obj(webhook),
        "NewWebhook": obj(webhook | {"secret": string(description="Shown only once.")}),
        "WebhookAttempt": obj(
            {
                "attempted_at": DATE_TIME,
                "status_code": nullable(integer()),
                "error": TEXT,
                "duration_ms": nullable(integer(minimum=0)),
            }
        ),
        "WebhookDelivery": obj(
            {
                "id": ID,
                "webhook_id": ID,
                "event": string(enum=WEBHOOK_EVENTS),
                "status": string(enum=["pending", "delivered", "failed"]),
                "attempts": COUNT,
                "next_attempt_at": DATE_TIME,
                "last_status_code": nullable(integer()),
                "last_error": TEXT,
                "created_at": DATE_TIME,
                "delivered_at": OPT_DATE_TIME,
                "log": array(ref("WebhookAttempt")),
            }
        ),
    }


def _errors() -> dict[str, Schema]:
    return {
        "Error": obj(
            {
                "error": obj(
                    {
                        "code": string(description="bad_request, unauthorized, not_found, ..."),
                        "message": TEXT,
                    },
                    optional={
                        "fields": {
                            "type": "object",
                            "additionalProperties": STRINGS,
                            "description": "Messages by request field (422 only).",
                        }
                    },
                )
            }
        )
    }


def component_schemas() -> dict[str, Schema]:
    """Every named schema, by name."""
    schemas: dict[str, Schema] = {}
    for group in (_accounts, _community, _kb, _search, _moderation, _escalation, _errors):
        schemas.update(group())
    return schemas
