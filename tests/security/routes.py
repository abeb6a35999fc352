"""The authorization table: every rule of the URL map, by method, with the answer each role
gets for each kind of object. ``test_route_inventory`` fails when a rule is missing here, so a
new route cannot ship without someone deciding who may use it.

Columns are the roles of ``world.ROLES``: anonymous, member, moderator, staff, admin. Cells:

- ``200``, ``301``, ``302``, ``401``, ``403``, ``404``...: that status (and, for a refused
  request, no change to any row);
- ``L``: a redirect to the sign-in page (pages), with nothing changed;
- ``N``: the object is invisible to the role, so the answer must be *identical* to the one for
  the ``missing`` variant of the same route (status and body): a forbidden object looks the
  same as one that does not exist;
- ``-``: the role may do this; not exercised here (the feature suites test what it does).

A variant names the object filled into the URL (see ``VARIANTS``); ``""`` means the route's
default objects. A ``?query`` after the variant name is added to the URL.
"""

from __future__ import annotations

from typing import Any

from tests.security.world import MISSING_ID, MISSING_NAME, World

ALL = "200 200 200 200 200"
LOGIN = "L 200 200 200 200"  # signed-in members
MODS = "L 403 200 200 200"
STAFF = "L 403 403 200 200"
ADMIN = "L 403 403 403 200"
DO_MEMBER = "L - - - -"  # POST: any signed-in member may
DO_MODS = "L 403 - - -"
DO_STAFF = "L 403 403 - -"
DO_ADMIN = "L 403 403 403 -"
DO_ANYONE = "- - - - -"

API_ALL = ALL
API_LOGIN = "401 200 200 200 200"
API_MODS = "401 403 200 200 200"
API_STAFF = "401 403 403 200 200"
API_DO_MEMBER = "401 - - - -"
API_DO_MODS = "401 403 - - -"
API_DO_STAFF = "401 403 403 - -"
API_DO_ADMIN = "401 403 403 403 -"

THREADS = ("thread", "own_thread", "hidden_thread", "deleted_thread", "pending_thread")
POSTS = ("reply", "alice_reply", "hidden_post", "deleted_post", "pending_post")
ARTICLES = ("published", "draft", "review", "archived")


def same(expectation: str, *variants: str) -> dict[str, str]:
    """One expectation for several variants, plus the missing object (404 for everyone
    allowed past the role check)."""
    return dict.fromkeys(variants, expectation)


# --- HTML pages -------------------------------------------------------------------------

PAGES: dict[str, dict[str, str]] = {
    # Public reading.
    "GET community.index": {"": ALL},
    "GET community.tag_list": {"": ALL},
    "GET community.tag_detail": {"": ALL, "missing": "404 404 404 404 404"},
    "GET community.category_detail": {"": ALL, "missing": "404 404 404 404 404"},
    "GET community.thread_detail": {
        "thread": ALL,
        "own_thread": ALL,
        "hidden_thread": "N N 200 200 200",
        "deleted_thread": "N N 200 200 200",
        "pending_thread": "N N 200 200 200",
        "missing": "404 404 404 404 404",
    },
    "GET community.post_permalink": {
        "alice_reply": "302 302 302 302 302",
        # A hidden reply keeps its place (a placeholder) in a visible thread.
        "hidden_post": "302 302 302 302 302",
        "hidden_thread_post": "N N 302 302 302",
        "pending_post": "N N 302 302 302",
        "missing": "404 404 404 404 404",
    },
    "GET community.post_revisions": {
        "alice_reply": ALL,
        "hidden_post": "N N 200 200 200",
        "deleted_post": "N N 200 200 200",
        "pending_post": "N N 200 200 200",
        "hidden_thread_post": "N N 200 200 200",
        "missing": "404 404 404 404 404",
    },
    "GET accounts.profile": {"alice": ALL, "bob": ALL, "missing": "404 404 404 404 404"},
    "GET kb.index": {"": ALL},
    "GET kb.section_detail": {"": ALL, "missing": "404 404 404 404 404"},
    "GET kb.article_detail": {
        "published": ALL,
        "published_by_id": "301 301 301 301 301",
        "draft": "N N 301 301 301",
        "review": "N N 301 301 301",
        "archived": "N N 301 301 301",
        "missing": "404 404 404 404 404",
    },
    "GET search.index": {"": ALL, "?q=printer": ALL},
    "GET search.result_open": {
        "?doc=thread:{thread_id}": "302 302 302 302 302",
        "?doc=article:{published_id}": "302 302 302 302 302",
        # Only public content is indexed: hidden things are not found, for anyone.
        "hidden?doc=thread:{hidden_thread_id}": "N N N N N",
        "draft?doc=article:{draft_id}": "N N N N N",
        "missing?doc=thread:987654": "404 404 404 404 404",
    },
    "GET static": {"": ALL, "missing": "404 404 404 404 404"},
    # Accounts.
    "GET accounts.login": {"": "200 302 302 302 302"},
    "POST accounts.login": {"": DO_ANYONE},
    "GET accounts.register": {"": "200 302 302 302 302"},
    "POST accounts.register": {"": DO_ANYONE},
    "POST accounts.logout": {"": DO_MEMBER},
    "GET accounts.password_reset_request": {"": ALL},
    "POST accounts.password_reset_request": {"": DO_ANYONE},
    "GET accounts.password_reset": {"": "404 404 404 404 404"},  # a made-up token
    "POST accounts.password_reset": {"": "404 404 404 404 404"},
    "GET accounts.password_change": {"": LOGIN},
    "POST accounts.password_change": {"": DO_MEMBER},
    "GET accounts.profile_edit": {"": LOGIN},
    "POST accounts.profile_edit": {"": DO_MEMBER},
    "GET accounts.admin_users": {"": ADMIN},
    "POST accounts.admin_user_role": {"": DO_ADMIN},
    # Community.
    "GET community.thread_create": {"": LOGIN},
    "POST community.thread_create": {"": DO_MEMBER},
    "POST community.thread_reply": {
        "thread": DO_MEMBER,
        "hidden_thread": "L N - - -",
        "deleted_thread": "L N - - -",
        "pending_thread": "L N - - -",
        "missing": "L 404 - - -",
    },
    "POST community.thread_watch": {
        "thread": DO_MEMBER,
        "hidden_thread": "L N - - -",
        "pending_thread": "L N - - -",
        "missing": "L 404 - - -",
    },
    "POST community.thread_accept": {
        "thread": "L 403 - - -",  # alice's question: only she (or a moderator) accepts
        "hidden_thread": "L N - - -",
        "missing": "L 404 - - -",
    },
    "POST community.thread_unaccept": {
        "thread": "L 403 - - -",
        "hidden_thread": "L N - - -",
        "missing": "L 404 - - -",
    },
    "GET community.post_edit": {
        "reply": LOGIN,  # bob's own answer
        "alice_reply": MODS,
        "hidden_post": MODS,
        "deleted_post": MODS,
        "pending_post": "L N 200 200 200",
        "hidden_thread_post": "L N 200 200 200",
        "missing": "L 404 404 404 404",
    },
    "POST community.post_edit": {
        "reply": DO_MEMBER,
        "alice_reply": DO_MODS,
        "hidden_post": DO_MODS,
        "pending_post": "L N - - -",
        "hidden_thread_post": "L N - - -",
        "missing": "L 404 - - -",
    },
    "POST community.post_delete": {
        "reply": DO_MEMBER,
        "alice_reply": DO_MODS,
        "hidden_post": DO_MODS,
        "pending_post": "N N - - -",
        "hidden_thread_post": "N N - - -",
        "missing": "404 404 - - -",
    },
    "POST community.post_vote": {
        "alice_reply": DO_MEMBER,
        "reply": "L 403 - - -",  # one's own answer
        "hidden_post": "L 403 - - -",
        "pending_post": "N N - - -",
        "hidden_thread_post": "N N - - -",
        "missing": "404 404 - - -",
    },
    "POST community.category_watch": {"": DO_MEMBER, "missing": "L 404 - - -"},
    "POST community.tag_watch": {"": DO_MEMBER, "missing": "L 404 - - -"},
    "GET community.category_admin": {"": ADMIN},
    "POST community.category_admin": {"": DO_ADMIN},
    "GET community.category_edit": {"": ADMIN, "missing": "L 403 403 403 404"},
    "POST community.category_edit": {"": DO_ADMIN},
    "POST community.category_move": {"": DO_ADMIN},
    # Notifications.
    "GET notifications.index": {"": LOGIN},
    "POST notifications.mark_read": {
        "": DO_MEMBER,
        # Someone else's notification: "done", and nothing changes.
        "alice_notification": "L 302 302 302 302",
    },
    "GET notifications.settings": {"": LOGIN},
    "POST notifications.settings": {"": DO_MEMBER},
    "GET notifications.unsubscribe": {"": ALL, "missing": "404 404 404 404 404"},
    "POST notifications.unsubscribe": {"": DO_ANYONE, "missing": "404 404 404 404 404"},
    # Knowledge base.
    "GET kb.article_create": {"": MODS},
    "POST kb.article_create": {"": DO_MODS},
    "GET kb.article_edit": {
        **same(MODS, "published", "draft", "review"),
        "archived": STAFF,
        "missing": "L 403 404 404 404",
    },
    "POST kb.article_edit": {**same(DO_MODS, *ARTICLES[:3]), "archived": DO_STAFF},
    "GET kb.article_history": {**same(MODS, *ARTICLES), "missing": "L 403 404 404 404"},
    "GET kb.article_owner": {**same(STAFF, *ARTICLES), "missing": "L 403 403 404 404"},
    "POST kb.article_owner": {"": DO_STAFF},
    "POST kb.article_submit": same(DO_MODS, *ARTICLES),
    "POST kb.article_return": same(DO_STAFF, *ARTICLES),
    "POST kb.article_publish": same(DO_STAFF, *ARTICLES),
    "POST kb.article_archive": same(DO_STAFF, *ARTICLES),
    "POST kb.article_restore": same(DO_MODS, *ARTICLES),
    "POST kb.article_feedback": {
        "published": DO_ANYONE,
        **same("N N - - -", "draft", "review", "archived"),
        "missing": "404 404 - - -",
    },
    "POST kb.article_report": {
        "published": DO_MEMBER,
        **same("L N - - -", "draft", "review", "archived"),
        "missing": "L 404 - - -",
    },
    "GET kb.review_queue": {"": MODS},
    "GET kb.article_health": {"": STAFF},
    "POST kb.report_resolve": {"": DO_STAFF},
    "GET kb.section_admin": {"": STAFF},
    "POST kb.section_admin": {"": DO_STAFF},
    "GET kb.section_edit": {"": STAFF, "missing": "L 403 403 404 404"},
    "POST kb.section_edit": {"": DO_STAFF},
    "POST kb.section_move": {"": DO_STAFF},
    # Moderation.
    "GET moderation.queue": {"": MODS},
    "GET moderation.audit_log": {"": MODS},
    "GET moderation.settings": {"": MODS},
    "GET moderation.user_record": {"": MODS, "missing": "L 403 404 404 404"},
    "GET moderation.post_flag": {
        "alice_reply": LOGIN,
        "reply": MODS,  # nobody flags their own post
        "pending_post": "L N 403 403 403",
        "hidden_thread_post": "L N 200 200 200",
        "missing": "L 404 404 404 404",
    },
    "POST moderation.post_flag": {
        "alice_reply": DO_MEMBER,
        "reply": DO_MODS,
        "pending_post": "L N - - -",
        "hidden_thread_post": "L N - - -",
        "missing": "L 404 - - -",
    },
    "GET moderation.post_promote": {
        "alice_reply": MODS,
        **same("L 403 403 403 403", "hidden_post", "deleted_post", "pending_post"),
        "missing": "L 403 404 404 404",
    },
    "POST moderation.post_promote": {"": DO_MODS},
    "POST moderation.flags_resolve": {"": DO_MODS},
    "POST moderation.pending_review": {"": DO_MODS},
    "POST moderation.post_action": same(DO_MODS, *POSTS),
    "POST moderation.thread_action": same(DO_MODS, *THREADS),
    "POST moderation.thread_close": {"": DO_MODS},
    "POST moderation.thread_merge": {"": DO_MODS},
    "POST moderation.thread_move": {"": DO_MODS},
    "POST moderation.thread_reopen": {"": DO_MODS},
    "POST moderation.user_note": {"": DO_MODS},
    "POST moderation.user_sanction": {"": DO_MODS},
    "POST moderation.sanction_lift": {"": DO_MODS},
    "POST moderation.category_premoderation": {"": DO_MODS},
    "POST moderation.word_add": {"": DO_MODS},
    "POST moderation.word_remove": {"": DO_MODS},
    # Escalation (staff).
    "POST escalation.thread_escalate": {
        "thread": "L 403 - - -",  # alice's question, and too early for its own asker
        "own_thread": "L 403 - - -",
        "hidden_thread": "L N - - -",
        "missing": "L 404 - - -",
    },
    "GET escalation.queue": {"": STAFF},
    "GET escalation.escalation_detail": {"": STAFF, "missing": "L 403 403 404 404"},
    "POST escalation.escalation_assign": {"": DO_STAFF},
    "POST escalation.escalation_note": {"": DO_STAFF},
    "POST escalation.escalation_reply": {"": DO_STAFF},
    "POST escalation.escalation_resolve": {"": DO_STAFF},
    "POST escalation.escalation_status": {"": DO_STAFF},
    "GET escalation.groups": {"": STAFF},
    "POST escalation.groups": {"": DO_STAFF},
    "GET escalation.group_edit": {"": STAFF, "missing": "L 403 403 404 404"},
    "POST escalation.group_edit": {"": DO_STAFF},
    "GET escalation.policies": {"": STAFF},
    "POST escalation.policy_create": {"": DO_STAFF},
    "GET escalation.policy_edit": {"": STAFF, "missing": "L 403 403 404 404"},
    "POST escalation.policy_edit": {"": DO_STAFF},
    "POST escalation.category_policy": {"": DO_STAFF},
    "GET escalation.webhooks": {"": STAFF},
    "POST escalation.webhook_create": {"": DO_STAFF},
    "GET escalation.webhook_detail": {"": STAFF, "missing": "L 403 403 404 404"},
    "POST escalation.webhook_delete": {"": DO_STAFF},
    "GET search.insights": {"": STAFF},
    # Insights (staff).
    "GET insights.dashboard": {"": STAFF},
    "GET insights.problem_threads": {"": STAFF},
    "GET insights.export_csv": {"insights_table": STAFF, "missing": "L 403 403 404 404"},
}

#: Form data for POSTs, so that a request is refused for who sends it, not for bad input.
BODY = "Have you tried cleaning the paper sensor? It fixed error E42 for me."
PAGE_DATA: dict[str, dict[str, str]] = {
    "community.thread_create": {
        "category": "{category_id}",
        "kind": "question",
        "title": "Printer offline again",
        "body": BODY,
    },
    "community.thread_reply": {"body": BODY},
    "community.thread_accept": {"post_id": "{reply_id}"},
    "community.post_edit": {"body": BODY, "reason": "typo"},
    "community.post_vote": {"value": "1"},
    "community.category_admin": {"name": "Scanners", "slug": "scanners"},
    "accounts.admin_user_role": {"role": "admin"},
    "moderation.post_flag": {"reason": "spam"},
    "moderation.post_action": {"action": "hide", "reason": "x"},
    "moderation.thread_action": {"action": "hide", "reason": "x"},
    "moderation.user_sanction": {"kind": "suspend", "days": "3", "reason": "x"},
    "moderation.word_add": {"word": "lottery", "action": "block"},
    "notifications.mark_read": {"notification_id": "{alice_notification_id}"},
    "kb.article_feedback": {"helpful": "yes"},
    "kb.article_report": {"comment": "Step 3 is wrong."},
    "kb.article_publish": {},
    "escalation.thread_escalate": {"reason": "please help"},
    "escalation.escalation_note": {"body": "note"},
    "escalation.webhook_create": {"url": "https://x.example/", "events": "thread.created"},
}

# --- JSON API -----------------------------------------------------------------------------

API: dict[str, dict[str, str]] = {
    "POST accounts_api.token_create": {"": DO_ANYONE},
    "DELETE accounts_api.token_revoke": {"": API_DO_MEMBER},
    "GET accounts_api.me": {"": API_LOGIN},
    "GET accounts_api.user_detail": {"alice": API_ALL, "missing": "404 404 404 404 404"},
    "GET community_api.category_list": {"": API_ALL},
    "POST community_api.category_create": {"": API_DO_ADMIN},
    "GET community_api.tag_list": {"": API_ALL},
    "GET community_api.thread_list": {"": API_ALL},
    "POST community_api.thread_create": {"": API_DO_MEMBER},
    "GET community_api.thread_detail": {
        "thread": API_ALL,
        **same("N N 200 200 200", "hidden_thread", "deleted_thread", "pending_thread"),
        "missing": "404 404 404 404 404",
    },
    "POST community_api.post_create": {
        "thread": API_DO_MEMBER,
        **same("401 N - - -", "hidden_thread", "deleted_thread", "pending_thread"),
        "missing": "401 404 - - -",
    },
    "POST community_api.thread_accept": {
        "thread": "401 403 - - -",
        "hidden_thread": "401 N - - -",
        "missing": "401 404 - - -",
    },
    "POST community_api.thread_watch": {
        "thread": API_DO_MEMBER,
        "hidden_thread": "401 N - - -",
        "missing": "401 404 - - -",
    },
    "GET community_api.post_revisions": {
        "alice_reply": API_ALL,
        **same("N N 200 200 200", "hidden_post", "deleted_post", "pending_post"),
        "missing": "404 404 404 404 404",
    },
    "PATCH community_api.post_edit": {
        "reply": API_DO_MEMBER,
        "alice_reply": API_DO_MODS,
        "hidden_post": API_DO_MODS,
        "pending_post": "401 N - - -",
        "hidden_thread_post": "401 N - - -",
        "missing": "401 404 - - -",
    },
    "DELETE community_api.post_delete": {
        "reply": API_DO_MEMBER,
        "alice_reply": API_DO_MODS,
        "pending_post": "401 N - - -",
        "missing": "401 404 - - -",
    },
    "POST community_api.post_vote": {
        "alice_reply": API_DO_MEMBER,
        "reply": "401 403 - - -",
        "pending_post": "401 N - - -",
        "missing": "401 404 - - -",
    },
    "GET kb_api.section_list": {"": API_ALL},
    "POST kb_api.section_create": {"": API_DO_STAFF},
    "GET kb_api.article_list": {"": API_ALL, "?status=draft": "403 403 200 200 200"},
    "POST kb_api.article_create": {"": API_DO_MODS},
    "GET kb_api.article_detail": {
        "published": API_ALL,
        "published_by_id": API_ALL,
        **same("N N 200 200 200", "draft", "review", "archived"),
        "missing": "404 404 404 404 404",
    },
    "GET kb_api.article_revisions": {
        **same(API_MODS, *ARTICLES),
        "missing": "401 403 404 404 404",
    },
    "PATCH kb_api.article_edit": {**same(API_DO_MODS, *ARTICLES[:3]), "archived": API_DO_STAFF},
    "POST kb_api.article_submit": same(API_DO_MODS, *ARTICLES),
    "POST kb_api.article_return": same(API_DO_MODS, *ARTICLES),
    "POST kb_api.article_publish": same(API_DO_STAFF, *ARTICLES),
    "POST kb_api.article_archive": same(API_DO_STAFF, *ARTICLES),
    "POST kb_api.revision_restore": same(API_DO_MODS, *ARTICLES),
    "POST kb_api.article_feedback": {
        "published": DO_ANYONE,
        **same("N N - - -", "draft", "review", "archived"),
        "missing": "404 404 - - -",
    },
    "POST kb_api.article_report": {
        "published": DO_ANYONE,
        **same("N N - - -", "draft", "review", "archived"),
        "missing": "404 404 - - -",
    },
    "GET openapi.openapi_json": {"": API_ALL},
    "GET search_api.search": {"?q=printer": API_ALL},
    "GET insights_api.insights": {"": API_STAFF},
    "GET search_api.similar": {"?title=printer+error": API_ALL},
    "GET moderation_api.flag_list": {"": API_MODS},
    "POST moderation_api.flag_create": {
        "alice_reply": API_DO_MEMBER,
        "reply": "401 403 - - -",  # one's own post
        **same("401 N - - -", "pending_post", "hidden_thread_post"),
        "missing": "401 404 - - -",
    },
    "POST moderation_api.flag_resolve": {"": API_DO_MODS},
    "GET moderation_api.pending_list": {"": API_MODS},
    "POST moderation_api.pending_review": same(API_DO_MODS, *POSTS),
    "GET moderation_api.audit_log": {"": API_MODS},
    "GET moderation_api.watched_word_list": {"": API_MODS},
    "POST moderation_api.watched_word_create": {"": API_DO_MODS},
    "DELETE moderation_api.watched_word_delete": {"": API_DO_MODS},
    "POST moderation_api.post_moderate": same(API_DO_MODS, *POSTS),
    "POST moderation_api.post_promote": same(API_DO_MODS, *POSTS),
    "POST moderation_api.thread_close": same(API_DO_MODS, *THREADS),
    "POST moderation_api.thread_merge": same(API_DO_MODS, *THREADS),
    "POST moderation_api.thread_moderate": same(API_DO_MODS, *THREADS),
    "POST moderation_api.thread_move": same(API_DO_MODS, *THREADS),
    "POST moderation_api.thread_reopen": same(API_DO_MODS, *THREADS),
    "GET moderation_api.user_record": {"": API_MODS, "missing": "401 403 404 404 404"},
    "POST moderation_api.note_create": {"": API_DO_MODS},
    "POST moderation_api.sanction_create": {"": API_DO_MODS},
    "POST moderation_api.sanction_lift": {"": API_DO_MODS},
    "POST escalation_api.thread_escalate": {
        "thread": "401 403 - - -",
        "own_thread": "401 403 - - -",
        "hidden_thread": "401 N - - -",
        "missing": "401 404 - - -",
    },
    "GET escalation_api.escalation_list": {"": API_STAFF},
    "GET escalation_api.escalation_detail": {"": API_STAFF, "missing": "401 403 403 404 404"},
    "POST escalation_api.escalation_assign": {"": API_DO_STAFF},
    "POST escalation_api.escalation_note": {"": API_DO_STAFF},
    "POST escalation_api.escalation_reply": {"": API_DO_STAFF},
    "POST escalation_api.escalation_resolve": {"": API_DO_STAFF},
    "POST escalation_api.escalation_status": {"": API_DO_STAFF},
    "GET escalation_api.webhook_list": {"": API_STAFF},
    "POST escalation_api.webhook_create": {"": API_DO_STAFF},
    "DELETE escalation_api.webhook_delete": {"": API_DO_STAFF},
    "GET escalation_api.webhook_deliveries": {"": API_STAFF, "missing": "401 403 403 404 404"},
}

#: JSON bodies for API writes (valid, so that only permissions can refuse them).
API_DATA: dict[str, dict[str, Any]] = {
    "community_api.thread_create": {
        "category": "{category_id}",
        "kind": "question",
        "title": "Printer offline again",
        "body": BODY,
    },
    "community_api.post_create": {"body": BODY},
    "community_api.thread_accept": {"post_id": "{reply_id}"},
    "community_api.thread_watch": {"watching": True},
    "community_api.post_edit": {"body": BODY},
    "community_api.post_vote": {"value": 1},
    "community_api.category_create": {"name": "Scanners"},
    "kb_api.article_feedback": {"helpful": True},
    "kb_api.article_report": {"comment": "Step 3 is wrong."},
    "kb_api.section_create": {"name": "Scanner help"},
    "moderation_api.flag_create": {"reason": "spam"},
    "moderation_api.thread_moderate": {"action": "hide"},
    "moderation_api.post_moderate": {"action": "hide"},
    "moderation_api.sanction_create": {"kind": "suspend", "days": 3, "reason": "x"},
    "escalation_api.thread_escalate": {"reason": "please help"},
    "escalation_api.webhook_create": {"url": "https://x.example/", "events": ["thread.created"]},
}

# --- URL values ---------------------------------------------------------------------------


def variant_values(world: World, endpoint: str, variant: str) -> dict[str, Any]:
    """The URL values of ``variant`` (over the route's defaults)."""
    w = world
    by_name: dict[str, dict[str, Any]] = {
        "thread": {"thread_id": w.thread_id},
        "own_thread": {"thread_id": w.own_thread_id},
        "hidden_thread": {"thread_id": w.hidden_thread_id},
        "deleted_thread": {"thread_id": w.deleted_thread_id},
        "pending_thread": {"thread_id": w.pending_thread_id},
        "reply": {"post_id": w.reply_id},
        "alice_reply": {"post_id": w.alice_reply_id},
        "hidden_post": {"post_id": w.hidden_post_id},
        "deleted_post": {"post_id": w.deleted_post_id},
        "pending_post": {"post_id": w.pending_post_id, "thread_id": w.pending_thread_id},
        "hidden_thread_post": {"post_id": w.hidden_thread_post_id, "thread_id": w.hidden_thread_id},
        "published": {"article_id": w.published_id, "key": w.published_slug},
        "published_by_id": {"key": str(w.published_id)},
        "draft": {"article_id": w.draft_id, "key": str(w.draft_id)},
        "review": {"article_id": w.review_id, "key": str(w.review_id)},
        "archived": {"article_id": w.archived_id, "key": str(w.archived_id)},
        "alice": {"username": "alice"},
        "bob": {"username": "bob"},
        "alice_notification": {},
        "insights_table": {"name": "sla"},
    }
    if variant == "missing":
        return {"missing": True}
    return by_name.get(variant, {})


def url_values(world: World, endpoint: str, arguments: set[str], variant: str) -> dict[str, Any]:
    """Every argument of a rule filled from the world, then from the variant."""
    w = world
    community_slug = endpoint.startswith("community")
    defaults: dict[str, Any] = {
        "thread_id": w.thread_id, "post_id": w.alice_reply_id, "article_id": w.published_id,
        "key": w.published_slug, "username": "alice", "name": w.tag, "number": 1,
        "slug": w.category_slug if community_slug else w.section_slug,
        "user_id": w.alice_id, "category_id": w.category_id, "section_id": w.section_id,
        "escalation_id": w.escalation_id, "report_id": w.report_id, "group_id": w.group_id,
        "policy_id": w.policy_id, "webhook_id": w.webhook_id, "flag_id": w.flag_id,
        "word_id": w.word_id, "sanction_id": w.sanction_id, "filename": "css/app.css",
        "token": w.unsubscribe_token if endpoint.startswith("notifications") else "made-up",
    }  # fmt: skip
    chosen = variant_values(world, endpoint, variant)
    if chosen.pop("missing", False):
        if endpoint == "community.post_permalink":
            return {"thread_id": w.thread_id, "post_id": MISSING_ID}
        chosen = {
            name: MISSING_ID if name.endswith(("_id", "number")) else MISSING_NAME
            for name in arguments
        }
        if "filename" in arguments:
            chosen["filename"] = "css/missing.css"
    values = {name: defaults[name] for name in arguments}
    values.update({k: v for k, v in chosen.items() if k in arguments})
    return values
