"""The paths of /api/v1, one function per feature (add a group to ``PATH_GROUPS``).

Constraints on request members are those of the default configuration; the server checks
them and answers 422 with ``error.fields`` when they are not met.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from forum_kb.openapi.operations import (
    Operation,
    Paths,
    json_response,
    no_content,
    operation,
    page_response,
    paging,
    path_id,
    path_text,
    query,
    request_body,
)
from forum_kb.openapi.schemas import (
    ARTICLE_STATUSES,
    BOOL,
    ESCALATION_STATUSES,
    FLAG_REASONS,
    FLAG_STATUSES,
    MAX_ID,
    THREAD_KINDS,
    WEBHOOK_EVENTS,
    Schema,
    array,
    integer,
    nullable,
    obj,
    ref,
    string,
)

REASON = string(max_length=500, description="Why; kept in the audit log.")
SLUG_OR_ID = {"oneOf": [string(min_length=1, max_length=80), integer(minimum=1, maximum=MAX_ID)]}
THREAD_ID = path_id("thread_id", "thread")
POST_ID = path_id("post_id", "post")
ARTICLE_KEY = path_text("key", "The article's id, its slug, or one of its earlier slugs.")
USERNAME = path_text("username", "The user's name (case-insensitive).")
ESCALATION_ID = path_id("escalation_id", "escalation")
WEBHOOK_ID = path_id("webhook_id", "webhook")
OPTIONAL_NOTE = request_body(
    {"note": string(max_length=200, description="Kept with the article's history.")},
    optional=True,
)


def meta_paths() -> Paths:
    return {
        "/openapi.json": {
            "get": operation(
                "getOpenAPI",
                "This document",
                tag="meta",
                responses={
                    "200": json_response({"type": "object"}, "The OpenAPI 3.1 description."),
                    "304": no_content("Unchanged since the ETag sent in If-None-Match."),
                },
            )
        }
    }


def account_paths() -> Paths:
    return {
        "/tokens": {
            "post": operation(
                "createToken",
                "Sign in: issue a bearer token",
                tag="accounts",
                body=request_body(
                    {
                        "username": string(description="Username or email address."),
                        "password": string(),
                        "name": string(description="A label for the token (first 64 kept)."),
                    },
                    required=("username", "password"),
                ),
                responses={"201": json_response(ref("Token"), "The token, shown once.")},
                errors=("401", "429"),
                description="Wrong credentials and suspended accounts are 401.",
            )
        },
        "/tokens/current": {
            "delete": operation(
                "revokeToken",
                "Revoke the token of this request",
                tag="accounts",
                auth="required",
                responses={"204": no_content("Revoked.")},
            )
        },
        "/me": {
            "get": operation(
                "getMe",
                "The token's user, with their email address",
                tag="accounts",
                auth="required",
                responses={"200": json_response(ref("PrivateUser"))},
            )
        },
        "/users/{username}": {
            "get": operation(
                "getUser",
                "A user's public profile",
                tag="accounts",
                parameters=[USERNAME],
                responses={"200": json_response(ref("User"))},
            )
        },
    }


def community_paths() -> Paths:
    thread = json_response(ref("Thread"), "The thread with one page of its posts.")
    return {
        "/categories": {
            "get": operation(
                "listCategories",
                "Community categories, by position",
                tag="community",
                parameters=paging(),
                responses={"200": page_response("Category")},
            ),
            "post": operation(
                "createCategory",
                "Create a category",
                tag="community",
                auth="required",
                role="admin",
                body=request_body(
                    {
                        "name": string(min_length=1, max_length=80),
                        "slug": string(max_length=80, description="Default: from the name."),
                        "description": string(max_length=1000),
                        "sla_policy": {
                            "oneOf": [string(min_length=1), integer(minimum=1)],
                            "description": "The SLA policy's name or id (default: the "
                            "default policy); 422 when there is no such policy.",
                        },
                    },
                    required=("name",),
                ),
                responses={"201": json_response(ref("Category"), "Created.")},
                errors=("409",),
                description="409 when the slug is taken; 422 for an unknown SLA policy.",
            ),
        },
        "/threads": {
            "get": operation(
                "listThreads",
                "Threads, filtered and sorted",
                tag="community",
                parameters=[
                    query("category", string(), "A category slug (or id)."),
                    query("kind", string(enum=THREAD_KINDS), "Only threads of this kind."),
                    query("tag", string(), "Only threads with this tag."),
                    query(
                        "status",
                        string(enum=["open", "solved", "unanswered", "locked"]),
                        "open: neither solved nor locked; unanswered: no replies yet.",
                    ),
                    query(
                        "sort",
                        string(
                            enum=["latest", "newest", "top", "unanswered", "unsolved", "solved"]
                        ),
                        "Default latest (by last activity).",
                    ),
                    *paging(),
                ],
                responses={"200": page_response("ThreadSummary")},
                description="Unknown categories and filter values are 400.",
            ),
            "post": operation(
                "createThread",
                "Start a thread",
                tag="community",
                auth="required",
                body=request_body(
                    {
                        "category": SLUG_OR_ID,
                        "kind": string(enum=THREAD_KINDS),
                        "title": string(min_length=10, max_length=200),
                        "body": string(min_length=10, max_length=50_000, description="Markdown."),
                        "tags": array(
                            string(min_length=2, max_length=30, pattern="^[a-z0-9]+(-[a-z0-9]+)*$"),
                            maxItems=5,
                        ),
                    },
                    required=("category", "kind", "title", "body"),
                ),
                responses={
                    "201": json_response(
                        ref("Thread"), "Created.", Location="The thread's API address."
                    )
                },
                errors=("403", "429"),
                description="403 for silenced members.",
            ),
        },
        "/threads/{thread_id}": {
            "get": operation(
                "getThread",
                "A thread with one page of its replies (the opening post on page 1)",
                tag="community",
                auth="optional",
                parameters=[THREAD_ID, *paging()],
                responses={
                    "200": thread,
                    "301": {
                        "description": "The thread was merged: Location names its target.",
                        "headers": {"Location": {"schema": string()}},
                    },
                },
            )
        },
        "/threads/{thread_id}/posts": {
            "post": operation(
                "replyToThread",
                "Reply to a thread",
                tag="community",
                auth="required",
                parameters=[THREAD_ID],
                body=request_body(
                    {"body": string(min_length=10, max_length=50_000, description="Markdown.")},
                    required=("body",),
                ),
                responses={"201": json_response(ref("Post"), "Created.")},
                errors=("403", "409", "429"),
                description="409 when the thread is locked.",
            )
        },
        "/threads/{thread_id}/accept": {
            "post": operation(
                "acceptAnswer",
                "Accept an answer (or un-accept with null)",
                tag="community",
                auth="required",
                parameters=[THREAD_ID],
                body=request_body(
                    {"post_id": nullable(integer(minimum=1, maximum=MAX_ID))},
                    required=("post_id",),
                ),
                responses={"200": thread},
                errors=("403", "409"),
                description="For the thread's author and moderators.",
            )
        },
        "/threads/{thread_id}/watch": {
            "post": operation(
                "watchThread",
                "Watch or unwatch a thread",
                tag="community",
                auth="required",
                parameters=[THREAD_ID],
                body=request_body({"watching": BOOL}, required=("watching",)),
                responses={"200": json_response(obj({"watching": BOOL}))},
                errors=("403",),
            )
        },
        "/posts/{post_id}": {
            "patch": operation(
                "editPost",
                "Edit a post (the opening post may change its thread's title)",
                tag="community",
                auth="required",
                parameters=[POST_ID],
                body=request_body(
                    {
                        "body": string(max_length=50_000, description="Required without title."),
                        "title": string(max_length=200),
                        "reason": string(max_length=200),
                    }
                ),
                responses={"200": json_response(ref("Post"), "Edited; a revision is kept.")},
                errors=("403", "409", "429"),
                description="For the author and moderators.",
            ),
            "delete": operation(
                "deletePost",
                "Delete a post",
                tag="community",
                auth="required",
                parameters=[POST_ID],
                responses={"204": no_content("Deleted.")},
                errors=("403", "409"),
            ),
        },
        "/posts/{post_id}/vote": {
            "post": operation(
                "votePost",
                "Vote on someone else's post",
                tag="community",
                auth="required",
                parameters=[POST_ID],
                body=request_body({"value": integer(minimum=-1, maximum=1)}, required=("value",)),
                responses={"200": json_response(obj({"score": integer(), "value": integer()}))},
                errors=("403",),
                description="1 up, -1 down, 0 withdraws the vote.",
            )
        },
        "/posts/{post_id}/revisions": {
            "get": operation(
                "listPostRevisions",
                "A post's edit history",
                tag="community",
                auth="optional",
                parameters=[POST_ID, *paging()],
                responses={"200": page_response("PostRevision")},
            )
        },
        "/tags": {
            "get": operation(
                "listTags",
                "Tags with their thread counts",
                tag="community",
                parameters=paging(),
                responses={"200": page_response("Tag")},
            )
        },
    }


def kb_paths() -> Paths:
    article = json_response(ref("Article"))
    lifecycle = {
        "submit": ("submitArticle", "Send the draft to review", "moderator"),
        "return": ("returnArticle", "Return an article in review to draft", "staff"),
        "publish": ("publishArticle", "Publish the draft", "staff"),
        "archive": ("archiveArticle", "Archive an article", "staff"),
    }
    paths: Paths = {
        "/kb/sections": {
            "get": operation(
                "listSections",
                "Knowledge-base sections with their published counts",
                tag="kb",
                parameters=paging(),
                responses={"200": page_response("Section")},
            ),
            "post": operation(
                "createSection",
                "Create a section",
                tag="kb",
                auth="required",
                role="staff",
                body=request_body(
                    {
                        "name": string(min_length=1, max_length=80),
                        "slug": string(max_length=80),
                        "description": string(max_length=1000),
                    },
                    required=("name",),
                ),
                responses={"201": json_response(ref("Section"), "Created.")},
                errors=("409",),
            ),
        },
        "/articles": {
            "get": operation(
                "listArticles",
                "Articles: published ones for everyone, all for staff and moderators",
                tag="kb",
                auth="optional",
                parameters=[
                    query(
                        "status",
                        string(enum=ARTICLE_STATUSES),
                        "Other than published: staff and moderators only (else 403).",
                    ),
                    query("section", string(), "A section slug (or id)."),
                    *paging(),
                ],
                responses={"200": page_response("ArticleSummary")},
                errors=("403",),
            ),
            "post": operation(
                "createArticle",
                "Write a draft article",
                tag="kb",
                auth="required",
                role="moderator",
                body=request_body(
                    {
                        "section": SLUG_OR_ID,
                        "title": string(min_length=5, max_length=200),
                        "body": string(min_length=20, max_length=100_000, description="Markdown."),
                        "labels": array(string(max_length=30), maxItems=10),
                        "owner_id": integer(minimum=1, maximum=MAX_ID),
                        "note": string(max_length=200),
                    },
                    required=("section", "title", "body"),
                ),
                responses={
                    "201": json_response(ref("Article"), "Created.", Location="Its address.")
                },
            ),
        },
        "/articles/{key}": {
            "get": operation(
                "getArticle",
                "An article (unpublished ones are 404 to readers)",
                tag="kb",
                auth="optional",
                parameters=[ARTICLE_KEY],
                responses={
                    "200": json_response(
                        ref("Article"), "OK", Content_Location="The article's current address."
                    )
                },
            ),
            "patch": operation(
                "editArticle",
                "Edit an article's draft",
                tag="kb",
                auth="required",
                role="moderator",
                parameters=[ARTICLE_KEY],
                body=request_body(
                    {
                        "title": string(min_length=5, max_length=200),
                        "body": string(min_length=20, max_length=100_000),
                        "section": SLUG_OR_ID,
                        "kb_category": SLUG_OR_ID | {"description": "Another name for section."},
                        "labels": array(string(max_length=30), maxItems=10),
                        "note": string(max_length=200),
                    }
                ),
                responses={"200": article},
                errors=("409",),
            ),
        },
        "/articles/{key}/revisions": {
            "get": operation(
                "listArticleRevisions",
                "An article's revisions, newest first",
                tag="kb",
                auth="required",
                role="moderator",
                parameters=[ARTICLE_KEY, *paging()],
                responses={"200": page_response("ArticleRevision")},
            )
        },
        "/articles/{key}/revisions/{number}/restore": {
            "post": operation(
                "restoreArticleRevision",
                "Make an earlier revision the draft",
                tag="kb",
                auth="required",
                role="moderator",
                parameters=[
                    ARTICLE_KEY,
                    {
                        "name": "number",
                        "in": "path",
                        "required": True,
                        "description": "The revision's number.",
                        "schema": integer(minimum=1, maximum=MAX_ID),
                    },
                ],
                responses={"200": article},
                errors=("409",),
            )
        },
        "/articles/{key}/feedback": {
            "post": operation(
                "giveArticleFeedback",
                "Was this article helpful?",
                tag="kb",
                auth="optional",
                parameters=[
                    {
                        "name": "X-Feedback-Key",
                        "in": "header",
                        "description": "Anonymous callers: a stable random key of their own.",
                        "schema": string(pattern="^[A-Za-z0-9._~-]{8,60}$"),
                    },
                    ARTICLE_KEY,
                ],
                body=request_body(
                    {
                        "helpful": BOOL,
                        "comment": string(max_length=2000),
                        "session_key": string(
                            pattern="^[A-Za-z0-9._~-]{8,60}$",
                            description="Instead of the X-Feedback-Key header.",
                        ),
                    },
                    required=("helpful",),
                ),
                responses={"200": json_response(ref("FeedbackResult"))},
                errors=("403", "429"),
                description="One answer per reader; 403 for unpublished articles.",
            )
        },
        "/articles/{key}/report": {
            "post": operation(
                "reportArticle",
                "Report an inaccuracy to the article's owner",
                tag="kb",
                auth="optional",
                parameters=[ARTICLE_KEY],
                body=request_body(
                    {"comment": string(min_length=5, max_length=2000)}, required=("comment",)
                ),
                responses={"201": json_response(ref("InaccuracyReport"), "Reported.")},
                errors=("403", "429"),
            )
        },
    }
    for action, (operation_id, summary, role) in lifecycle.items():
        paths[f"/articles/{{key}}/{action}"] = {
            "post": operation(
                operation_id,
                summary,
                tag="kb",
                auth="required",
                role=role,
                parameters=[ARTICLE_KEY],
                body=OPTIONAL_NOTE,
                responses={"200": article},
                errors=("409",),
            )
        }
    return paths


def search_paths() -> Paths:
    slug = string(max_length=80, pattern="^[a-z0-9][a-z0-9-]*$")
    return {
        "/search": {
            "get": operation(
                "search",
                "Search threads, answers and KB articles",
                tag="search",
                auth="optional",
                parameters=[
                    query("q", string(max_length=200), "The query; empty lists nothing."),
                    query("type", string(enum=["", "thread", "post", "article"]), "What to find."),
                    query("category", slug, "A category slug."),
                    query("tag", string(max_length=40, pattern="^[a-z0-9][a-z0-9-]*$"), "A tag."),
                    query("solved", string(enum=["", "true", "false"]), "Solved threads only."),
                    query("sort", string(enum=["relevance", "date"]), "Default relevance."),
                    *paging(max_page=1000),
                ],
                responses={"200": json_response(ref("SearchResults"))},
                errors=("422", "429"),
                description="Only public content is indexed, so every caller sees the same.",
            )
        },
        "/search/similar": {
            "get": operation(
                "searchSimilar",
                "Up to 5 threads and articles like a draft title",
                tag="search",
                auth="optional",
                parameters=[
                    query("title", string(max_length=200), "The draft title.", required=True)
                ],
                responses={
                    "200": json_response(obj({"items": array(ref("SearchHit"), maxItems=5)}))
                },
                errors=("422", "429"),
                description="Shares the search rate limit (RATELIMIT_SEARCH).",
            )
        },
    }


def _moderator_operation(operation_id: str, summary: str, **kwargs: Any) -> Operation:
    return operation(
        operation_id, summary, tag="moderation", auth="required", role="moderator", **kwargs
    )


def moderation_paths() -> Paths:
    thread_state = json_response(ref("ThreadState"))
    reason_only = request_body({"reason": REASON}, optional=True)
    return {
        "/posts/{post_id}/flags": {
            "post": operation(
                "flagPost",
                "Flag a post for the moderators",
                tag="moderation",
                auth="required",
                parameters=[POST_ID],
                body=request_body(
                    {"reason": string(enum=FLAG_REASONS), "note": string(max_length=1000)},
                    required=("reason",),
                ),
                responses={"201": json_response(ref("Flag"), "Flagged.")},
                errors=("403", "409", "429"),
                description="409 when the caller already flagged the post.",
            )
        },
        "/moderation/flags": {
            "get": _moderator_operation(
                "listFlags",
                "The flag review queue",
                parameters=[
                    query("status", string(enum=FLAG_STATUSES), "Only flags in this state."),
                    *paging(),
                ],
                responses={"200": page_response("Flag")},
            )
        },
        "/moderation/flags/{flag_id}/resolve": {
            "post": _moderator_operation(
                "resolveFlag",
                "Hide the post or dismiss the flag",
                parameters=[path_id("flag_id", "flag")],
                body=request_body(
                    {"action": string(enum=["hide", "dismiss"]), "reason": REASON},
                    required=("action",),
                ),
                responses={"200": json_response(ref("Flag"))},
                errors=("409",),
            )
        },
        "/moderation/pending": {
            "get": _moderator_operation(
                "listPending",
                "Posts waiting for pre-moderation",
                parameters=paging(),
                responses={"200": page_response("PendingPost")},
            )
        },
        "/moderation/pending/{post_id}": {
            "post": _moderator_operation(
                "reviewPending",
                "Approve or reject a waiting post",
                parameters=[POST_ID],
                body=request_body(
                    {"action": string(enum=["approve", "reject"]), "reason": REASON},
                    required=("action",),
                ),
                responses={
                    "200": json_response({"allOf": [ref("PendingPost"), obj({"action": string()})]})
                },
                errors=("409",),
            )
        },
        "/threads/{thread_id}/moderate": {
            "post": _moderator_operation(
                "moderateThread",
                "Lock, unlock, pin, unpin, hide or unhide a thread",
                parameters=[THREAD_ID],
                body=request_body(
                    {
                        "action": string(enum=["lock", "unlock", "pin", "unpin", "hide", "unhide"]),
                        "reason": REASON,
                    },
                    required=("action",),
                ),
                responses={
                    "200": json_response({"allOf": [ref("ThreadState"), obj({"changed": BOOL})]})
                },
            )
        },
        "/posts/{post_id}/moderate": {
            "post": _moderator_operation(
                "moderatePost",
                "Hide or unhide a post",
                parameters=[POST_ID],
                body=request_body(
                    {"action": string(enum=["hide", "unhide"]), "reason": REASON},
                    required=("action",),
                ),
                responses={"200": json_response({"allOf": [ref("Post"), obj({"changed": BOOL})]})},
            )
        },
        "/threads/{thread_id}/move": {
            "post": _moderator_operation(
                "moveThread",
                "Move a thread to another category",
                parameters=[THREAD_ID],
                body=request_body(
                    {"category": SLUG_OR_ID, "reason": REASON}, required=("category",)
                ),
                responses={"200": thread_state},
            )
        },
        "/threads/{thread_id}/close": {
            "post": _moderator_operation(
                "closeThread",
                "Close a thread as a duplicate of a thread or an article",
                parameters=[THREAD_ID],
                body=request_body(
                    {
                        "duplicate_of_thread": integer(minimum=1, maximum=MAX_ID),
                        "duplicate_of_article": integer(minimum=1, maximum=MAX_ID),
                        "reason": REASON,
                    }
                ),
                responses={"200": thread_state},
                errors=("409",),
            )
        },
        "/threads/{thread_id}/reopen": {
            "post": _moderator_operation(
                "reopenThread",
                "Reopen a thread closed as a duplicate",
                parameters=[THREAD_ID],
                body=reason_only,
                responses={"200": thread_state},
                errors=("409",),
            )
        },
        "/threads/{thread_id}/merge": {
            "post": _moderator_operation(
                "mergeThread",
                "Merge this thread into another",
                parameters=[THREAD_ID],
                body=request_body(
                    {"into": integer(minimum=1, maximum=MAX_ID), "reason": REASON},
                    required=("into",),
                ),
                responses={
                    "200": json_response(
                        {"allOf": [ref("ThreadState"), obj({"merged_thread_id": integer()})]},
                        "The target thread.",
                    )
                },
                errors=("409",),
            )
        },
        "/posts/{post_id}/promote": {
            "post": _moderator_operation(
                "promotePost",
                "Promote a post to a KB draft crediting its author",
                parameters=[POST_ID],
                body=request_body(
                    {
                        "title": string(min_length=5, max_length=200),
                        "body": string(min_length=20, max_length=100_000),
                        "kb_category": SLUG_OR_ID,
                        "labels": array(string(max_length=30), maxItems=10),
                    },
                    optional=True,
                ),
                responses={
                    "201": json_response(_promoted(), "Created.", Location="The article."),
                    "200": json_response(_promoted(), "Already promoted: that article."),
                },
            )
        },
        "/users/{username}/moderation": {
            "get": _moderator_operation(
                "getUserRecord",
                "A person's moderation record",
                parameters=[USERNAME],
                responses={"200": json_response(ref("UserRecord"))},
            )
        },
        "/users/{username}/sanctions": {
            "post": _moderator_operation(
                "sanctionUser",
                "Silence or suspend a person",
                parameters=[USERNAME],
                body=request_body(
                    {
                        "kind": string(enum=["silence", "suspend"]),
                        "days": integer(minimum=1, maximum=3650),
                        "reason": REASON,
                    },
                    required=("kind",),
                ),
                responses={"201": json_response(ref("Sanction"), "Sanctioned.")},
            )
        },
        "/sanctions/{sanction_id}/lift": {
            "post": _moderator_operation(
                "liftSanction",
                "End a sanction early",
                parameters=[path_id("sanction_id", "sanction")],
                body=reason_only,
                responses={"200": json_response(ref("Sanction"))},
                errors=("409",),
            )
        },
        "/users/{username}/notes": {
            "post": _moderator_operation(
                "addUserNote",
                "Keep a private note on a person",
                parameters=[USERNAME],
                body=request_body(
                    {"body": string(min_length=1, max_length=2000)}, required=("body",)
                ),
                responses={"201": json_response(ref("UserNote"), "Added.")},
            )
        },
        "/moderation/log": {
            "get": _moderator_operation(
                "auditLog",
                "The audit log, newest first",
                parameters=[
                    query("actor", string(), "A username."),
                    query("action", string(), "An action name, e.g. post.hide."),
                    query("target_type", string(), "thread, post, user, ..."),
                    query("target_id", integer(minimum=1, maximum=MAX_ID), "The target's id."),
                    query("since", string(fmt="date-time"), "ISO 8601 date or date-time."),
                    query("until", string(fmt="date-time"), "Exclusive; a date includes it."),
                    *paging(default_per_page=20),
                ],
                responses={"200": page_response("AuditEntry")},
            )
        },
        "/moderation/watched-words": {
            "get": _moderator_operation(
                "listWatchedWords",
                "Watched words",
                parameters=paging(),
                responses={"200": page_response("WatchedWord")},
            ),
            "post": _moderator_operation(
                "addWatchedWord",
                "Watch a word: block posts with it, or queue them for review",
                body=request_body(
                    {
                        "word": string(min_length=1, max_length=100),
                        "action": string(enum=["block", "queue"]),
                    },
                    required=("word", "action"),
                ),
                responses={"201": json_response(ref("WatchedWord"), "Added.")},
                errors=("409",),
            ),
        },
        "/moderation/watched-words/{word_id}": {
            "delete": _moderator_operation(
                "removeWatchedWord",
                "Stop watching a word",
                parameters=[path_id("word_id", "watched word")],
                responses={"204": no_content("Removed.")},
            )
        },
    }


def _promoted() -> Schema:
    extra = obj({"created": BOOL, "post_id": integer(), "thread_id": integer()})
    return {"allOf": [ref("Article"), extra]}


def _staff_operation(operation_id: str, summary: str, **kwargs: Any) -> Operation:
    return operation(
        operation_id, summary, tag="escalation", auth="required", role="staff", **kwargs
    )


def escalation_paths() -> Paths:
    escalation = json_response(ref("Escalation"))
    return {
        "/threads/{thread_id}/escalate": {
            "post": operation(
                "escalateThread",
                "Ask staff about a thread",
                tag="escalation",
                auth="required",
                parameters=[THREAD_ID],
                body=request_body({"reason": string(max_length=1000)}, optional=True),
                responses={"201": json_response(ref("Escalation"), "Escalated.")},
                errors=("403", "409"),
                description="For the thread's author and moderators; 409 if one is open.",
            )
        },
        "/escalations": {
            "get": _staff_operation(
                "listEscalations",
                "The staff queue, by resolution due time",
                parameters=[
                    query(
                        "status",
                        string(enum=ESCALATION_STATUSES),
                        "Default: every unresolved one.",
                    ),
                    query("assignee", string(), "A username, me, or none (unassigned)."),
                    *paging(),
                ],
                responses={"200": page_response("Escalation")},
            )
        },
        "/escalations/{escalation_id}": {
            "get": _staff_operation(
                "getEscalation",
                "An escalation with its internal notes and history",
                parameters=[ESCALATION_ID],
                responses={"200": json_response(ref("EscalationDetail"))},
            )
        },
        "/escalations/{escalation_id}/assign": {
            "post": _staff_operation(
                "assignEscalation",
                "Assign an escalation (default: to the caller)",
                parameters=[ESCALATION_ID],
                body=request_body(
                    {"user": {"oneOf": [string(min_length=1), integer(minimum=1)]}},
                    optional=True,
                ),
                responses={"200": escalation},
                errors=("409",),
            )
        },
        "/escalations/{escalation_id}/notes": {
            "post": _staff_operation(
                "addEscalationNote",
                "Add an internal note (never shown to customers)",
                parameters=[ESCALATION_ID],
                body=request_body(
                    {"body": string(min_length=1, max_length=10_000)}, required=("body",)
                ),
                responses={"201": json_response(ref("EscalationNote"), "Added.")},
                errors=("409",),
            )
        },
        "/escalations/{escalation_id}/status": {
            "post": _staff_operation(
                "setEscalationStatus",
                "Move an escalation between open, assigned and waiting",
                parameters=[ESCALATION_ID],
                body=request_body(
                    {"status": string(enum=["open", "assigned", "waiting"])}, required=("status",)
                ),
                responses={"200": escalation},
                errors=("409",),
            )
        },
        "/escalations/{escalation_id}/reply": {
            "post": _staff_operation(
                "replyToEscalation",
                "Answer in the thread as staff",
                parameters=[ESCALATION_ID],
                body=request_body(
                    {
                        "body": string(min_length=10, max_length=50_000),
                        "waiting": BOOL | {"description": "Then wait on the customer (default)."},
                    },
                    required=("body",),
                ),
                responses={
                    "201": json_response(
                        obj({"post": ref("Post"), "escalation": ref("Escalation")}), "Posted."
                    )
                },
                errors=("409",),
            )
        },
        "/escalations/{escalation_id}/resolve": {
            "post": _staff_operation(
                "resolveEscalation",
                "Resolve: post the staff answer into the thread",
                parameters=[ESCALATION_ID],
                body=request_body(
                    {
                        "resolution": string(min_length=10, max_length=50_000),
                        "accept": BOOL | {"description": "Accept it as the answer (default)."},
                    },
                    required=("resolution",),
                ),
                responses={"200": escalation},
                errors=("409",),
            )
        },
        "/webhooks": {
            "get": _staff_operation(
                "listWebhooks",
                "Webhook endpoints",
                parameters=paging(),
                responses={"200": page_response("Webhook")},
            ),
            "post": _staff_operation(
                "createWebhook",
                "Register an endpoint",
                body=request_body(
                    {
                        "url": string(fmt="uri", max_length=500),
                        "events": array(string(enum=WEBHOOK_EVENTS), minItems=1),
                        "secret": string(max_length=200, description="Default: generated."),
                        "description": string(max_length=200),
                    },
                    required=("url", "events"),
                ),
                responses={"201": json_response(ref("NewWebhook"), "Registered.")},
            ),
        },
        "/webhooks/{webhook_id}": {
            "delete": _staff_operation(
                "deleteWebhook",
                "Remove an endpoint",
                parameters=[WEBHOOK_ID],
                responses={"204": no_content("Removed.")},
            )
        },
        "/webhooks/{webhook_id}/deliveries": {
            "get": _staff_operation(
                "listWebhookDeliveries",
                "An endpoint's deliveries with their attempts, newest first",
                parameters=[WEBHOOK_ID, *paging()],
                responses={"200": page_response("WebhookDelivery")},
            )
        },
    }


def insights_paths() -> Paths:
    day = string(fmt="date", description="A UTC day, YYYY-MM-DD.")
    figure = obj(
        {
            "label": string(),
            "value": {"type": ["number", "null"], "description": "null: no data."},
            "unit": string(description='"%" for a share from 0 to 1, "h" hours, "x" a ratio.'),
            "definition": string(),
        }
    )
    cell = {"type": ["number", "string", "null"]}
    table = obj(
        {
            "title": string(),
            "definition": string(),
            "columns": array(string()),
            "rows": array({"type": "object", "additionalProperties": cell}),
        }
    )
    body = obj(
        {
            "from": day,
            "to": day,
            "days": integer(minimum=1, maximum=366),
            "figures": {"type": "object", "additionalProperties": figure},
            "tables": {"type": "object", "additionalProperties": table},
        }
    )
    return {
        "/insights": {
            "get": operation(
                "getInsights",
                "The staff dashboard's figures and tables for a period",
                tag="insights",
                auth="required",
                role="staff",
                parameters=[
                    query("from", day, "First day (default: 29 days before `to`)."),
                    query("to", day, "Last day, included (default: today)."),
                ],
                responses={"200": json_response(body)},
                errors=("422",),
                description="Days from 2000-01-01 to 2100-12-31; a range longer than 366 days"
                " is cut to its last 366, and from/to/days say which period was used.",
            )
        }
    }


#: Every group of paths; a new feature's API adds its function here.
PATH_GROUPS: tuple[Callable[[], Paths], ...] = (
    meta_paths,
    account_paths,
    community_paths,
    kb_paths,
    search_paths,
    moderation_paths,
    escalation_paths,
    insights_paths,
)
