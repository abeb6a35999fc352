"""Moderation pages: the review queue, actions from thread pages, flagging, promotion to the
KB, people's records and sanctions, the audit log and the settings."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any, TypeVar

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum_kb.accounts import queries as accounts_queries
from forum_kb.accounts.models import User
from forum_kb.community import queries as community_queries
from forum_kb.community.models import Category, Post, Thread
from forum_kb.community.paths import thread_path
from forum_kb.errors import Conflict, PermissionDenied, ValidationFailed
from forum_kb.extensions import db, login_manager
from forum_kb.forms import apply_errors
from forum_kb.kb import queries as kb_queries
from forum_kb.kb.models import Article
from forum_kb.moderation import forms, policies, queries, services
from forum_kb.moderation.limits import flag_limit
from forum_kb.moderation.models import SanctionKind
from forum_kb.moderation.services.promotion import source_kind

# No url_prefix: the rules spell out /moderation/..., so flagging can sit beside the other
# post actions at /posts/<id>/flag.
bp = Blueprint("moderation", __name__)

MAX_PAGE = 10_000
THREAD_RULE = "/moderation/threads/<int:thread_id>"
POST_RULE = "/moderation/posts/<int:post_id>"
USER_RULE = "/moderation/users/<username>"
QUEUE_TABS = ("flagged", "pending")
THREAD_DONE = {
    "lock": "Thread locked: members can no longer reply.",
    "unlock": "Thread unlocked.",
    "pin": "Thread pinned to the top of its category.",
    "unpin": "Thread unpinned.",
    "hide": "Thread hidden: only moderators see it now.",
    "unhide": "Thread visible again.",
}

F = TypeVar("F", bound=Callable[..., Any])


# --- helpers ---------------------------------------------------------------------------------


def _actor() -> User:
    return current_user._get_current_object()


def _page(name: str = "page") -> int:
    return min(max(request.args.get(name, 1, type=int) or 1, 1), MAX_PAGE)


def _moderators_only(view: F) -> F:
    """Sign-in required (a POST returns to the queue after it), then moderators or 403."""

    @functools.wraps(view)
    def wrapper(**kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            if request.method != "POST":
                return login_manager.unauthorized()
            flash("Please sign in first.", "info")
            return redirect(url_for("accounts.login", next=url_for("moderation.queue")))
        if not policies.can_moderate(current_user):
            raise PermissionDenied("Only moderators see this page.")
        return view(**kwargs)

    return wrapper  # type: ignore[return-value]


def _form_problems(form: Any) -> str:
    messages = [m for errors in form.errors.values() for m in errors if isinstance(m, str)]
    return " ".join(messages) or "Please check the form and try again."


def _act(form: Any, back: str, change: Callable[[], Any], done: str | Callable[[Any], str]):
    """Run a one-click moderation action from another page; problems (a bad value, a thread
    already merged...) are ordinary here and come back as a message, never an error page.

    The guard has already let a moderator through, so a PermissionDenied left is about the
    target (silencing a fellow moderator from the queue): a message too."""
    if not form.validate_on_submit():
        flash(_form_problems(form), "error")
        return redirect(back)
    try:
        result = change()
    except (ValidationFailed, Conflict, PermissionDenied) as exc:
        flash(exc.message, "error")
    else:
        flash(done(result) if callable(done) else done, "success")
    return redirect(back)


def _thread(thread_id: int) -> Thread:
    return community_queries.get_thread_or_404(thread_id, current_user)


def _post(post_id: int) -> Post:
    return community_queries.get_post_or_404(post_id, current_user)


def _article_url(article: Article) -> str:
    return url_for("kb.article_detail", key=article.slug)


# --- review queue ----------------------------------------------------------------------------


@bp.get("/moderation/")
@_moderators_only
def queue():
    tab = request.args.get("tab") if request.args.get("tab") in QUEUE_TABS else "flagged"
    per_page = current_app.config["MODERATION_QUEUE_PER_PAGE"]
    if tab == "flagged":
        items, pagination = queries.flag_queue(_page(), per_page)
    else:
        pagination = db.paginate(
            queries.pending_posts(), page=_page(), per_page=per_page, error_out=False
        )
        items = list(pagination.items)
    return render_template(
        "moderation/queue.html",
        tab=tab,
        items=items,
        pagination=pagination,
        counts=queries.queue_counts(),
        flag_form=forms.FlagBatchForm(),
        pending_form=forms.PendingBatchForm(),
    )


@bp.post("/moderation/flags")
@_moderators_only
def flags_resolve():
    form = forms.FlagBatchForm()
    silence = form.silence_days.data if form.action.data == "hide_and_silence" else None
    return _act(
        form,
        url_for("moderation.queue", page=request.args.get("page", type=int)),
        lambda: services.resolve_many(
            _actor(),
            form.post_ids.data,
            form.action.data,
            reason=form.reason.data or "",
            silence_days=silence,
        ),
        lambda done: f"Resolved the flags on {done} post{'' if done == 1 else 's'}.",
    )


@bp.post("/moderation/pending")
@_moderators_only
def pending_review():
    form = forms.PendingBatchForm()
    verb = "Approved" if form.action.data == "approve" else "Rejected"
    return _act(
        form,
        url_for("moderation.queue", tab="pending"),
        lambda: services.review_pending_many(_actor(), form.post_ids.data, form.action.data),
        lambda done: f"{verb} {done} post{'' if done == 1 else 's'}.",
    )


# --- threads and posts -----------------------------------------------------------------------


@bp.post(THREAD_RULE + "/action")
@_moderators_only
def thread_action(thread_id: int):
    thread = _thread(thread_id)
    form = forms.ThreadActionForm()
    return _act(
        form,
        thread_path(thread.id),
        lambda: services.moderate_thread(
            _actor(), thread, form.action.data, form.reason.data or ""
        ),
        lambda changed: THREAD_DONE[form.action.data] if changed else "Nothing to change.",
    )


@bp.post(THREAD_RULE + "/move")
@_moderators_only
def thread_move(thread_id: int):
    thread = _thread(thread_id)
    form = forms.MoveForm()
    form.set_categories(community_queries.list_categories())
    return _act(
        form,
        thread_path(thread.id),
        lambda: services.move_thread(
            _actor(), thread, form.category_id.data, form.reason.data or ""
        ),
        lambda moved: f"Moved to {moved.category.name}.",
    )


@bp.post(THREAD_RULE + "/close")
@_moderators_only
def thread_close(thread_id: int):
    thread = _thread(thread_id)
    form = forms.CloseForm()
    return _act(
        form,
        thread_path(thread.id),
        lambda: services.close_as_duplicate(
            _actor(),
            thread,
            thread_id=form.thread.data,
            article_id=form.article_id.data,
            reason=form.reason.data or "",
        ),
        "Closed as a duplicate, and locked.",
    )


@bp.post(THREAD_RULE + "/reopen")
@_moderators_only
def thread_reopen(thread_id: int):
    thread = _thread(thread_id)
    form = forms.ReasonForm()
    return _act(
        form,
        thread_path(thread.id),
        lambda: services.reopen_thread(_actor(), thread, form.reason.data or ""),
        "Reopened: no longer closed as a duplicate.",
    )


@bp.post(THREAD_RULE + "/merge")
@_moderators_only
def thread_merge(thread_id: int):
    thread = _thread(thread_id)
    form = forms.MergeForm()
    if not form.validate_on_submit():
        flash(_form_problems(form), "error")
        return redirect(thread_path(thread.id))
    target = db.session.get(Thread, form.target.data)
    if target is None:
        flash(f"There is no thread {form.target.data}.", "error")
        return redirect(thread_path(thread.id))
    try:
        services.merge_threads(_actor(), thread, target, form.reason.data or "")
    except (ValidationFailed, Conflict) as exc:
        flash(exc.message, "error")
        return redirect(thread_path(thread.id))
    flash(f"Merged “{thread.title}” into this thread; its old address leads here.", "success")
    return redirect(thread_path(target.id))


@bp.post(POST_RULE + "/action")
@_moderators_only
def post_action(post_id: int):
    post = _post(post_id)
    form = forms.PostActionForm()
    return _act(
        form,
        thread_path(post.thread_id, post.id),
        lambda: services.moderate_post(_actor(), post, form.action.data, form.reason.data or ""),
        lambda changed: (
            ("Post hidden." if form.action.data == "hide" else "Post visible again.")
            if changed
            else "Nothing to change."
        ),
    )


@bp.route(POST_RULE + "/promote", methods=["GET", "POST"])
@_moderators_only
def post_promote(post_id: int):
    post = _post(post_id)
    existing = services.promotion_for(post)
    if existing is not None:
        flash("This post was already promoted: here is its article.", "info")
        return redirect(_article_url(existing.article))
    if not policies.can_promote(current_user, post):
        raise PermissionDenied("Only live posts can be promoted to the knowledge base.")
    title, body = services.prefill(post)
    form = forms.PromoteForm(data={"title": title, "body": body})
    form.set_sections(kb_queries.list_sections())
    if form.validate_on_submit():
        try:
            result = services.promote_post(
                _actor(), post, section_id=form.section_id.data, title=form.title.data,
                body=form.body.data, labels=form.labels.data or [], note=form.note.data or "",
            )  # fmt: skip
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash("Draft article created. Staff publish it after review.", "success")
            return redirect(_article_url(result.article))
    return render_template(
        "moderation/post_promote.html", form=form, post=post, source_kind=source_kind(post)
    )


# --- flagging (members) ----------------------------------------------------------------------


@bp.route("/posts/<int:post_id>/flag", methods=["GET", "POST"])
@login_required
@flag_limit
def post_flag(post_id: int):
    post = _post(post_id)
    if not policies.can_flag(current_user, post):
        raise PermissionDenied("You cannot flag this post.")
    form = forms.FlagForm()
    if form.validate_on_submit():
        try:
            services.flag_post(_actor(), post, form.reason.data, form.note.data or "")
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            flash(exc.message, "info")
            return redirect(thread_path(post.thread_id, post.id))
        else:
            flash("Thanks, a moderator will review it.", "success")
            return redirect(thread_path(post.thread_id, post.id))
    return render_template("moderation/post_flag.html", form=form, post=post)


# --- people ----------------------------------------------------------------------------------


def _render_user(
    user: User,
    sanction_form: forms.SanctionForm | None = None,
    note_form: forms.NoteForm | None = None,
):
    return render_template(
        "moderation/user_record.html",
        user=user,
        record=queries.user_record(user),
        sanction_form=sanction_form or forms.SanctionForm(),
        note_form=note_form or forms.NoteForm(),
        confirm_form=forms.ConfirmForm(),
    )


@bp.get(USER_RULE)
@_moderators_only
def user_record(username: str):
    return _render_user(accounts_queries.get_user_by_username_or_404(username))


@bp.post(USER_RULE + "/sanction")
@_moderators_only
def user_sanction(username: str):
    user = accounts_queries.get_user_by_username_or_404(username)
    form = forms.SanctionForm()
    if form.validate_on_submit():
        sanction = services.silence_user if form.kind.data == "silence" else services.suspend_user
        try:
            done = sanction(_actor(), user, reason=form.reason.data, days=form.duration())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(f"{done.kind.label} until {done.ends_at:%Y-%m-%d %H:%M} UTC.", "success")
            return redirect(url_for("moderation.user_record", username=user.username))
    return _render_user(user, sanction_form=form)


@bp.post("/moderation/sanctions/<int:sanction_id>/lift")
@_moderators_only
def sanction_lift(sanction_id: int):
    sanction = queries.get_sanction_or_404(sanction_id)
    noun = "silence" if sanction.kind is SanctionKind.SILENCE else "suspension"
    return _act(
        forms.ReasonForm(),
        url_for("moderation.user_record", username=sanction.user.username),
        lambda: services.lift_sanction(_actor(), sanction),
        f"The {noun} is lifted.",
    )


@bp.post(USER_RULE + "/notes")
@_moderators_only
def user_note(username: str):
    user = accounts_queries.get_user_by_username_or_404(username)
    form = forms.NoteForm()
    if form.validate_on_submit():
        try:
            services.add_user_note(_actor(), user, form.body.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash("Note saved.", "success")
            return redirect(
                url_for("moderation.user_record", username=user.username, _anchor="notes")
            )
    return _render_user(user, note_form=form)


# --- audit log -------------------------------------------------------------------------------


def _audit_filter(form: forms.AuditFilterForm) -> queries.AuditFilter:
    """The valid filters of the form (an invalid date is ignored, and shown as an error)."""

    def midnight(day: Any, plus: int = 0) -> datetime | None:
        return datetime.combine(day, time(), UTC) + timedelta(days=plus) if day else None

    return queries.AuditFilter(
        actor=(form.actor.data or "").strip(),
        action=form.action.data or "",
        target_type=form.target_type.data or "",
        target_id=None if form.target_id.errors else form.target_id.data,
        since=None if form.since.errors else midnight(form.since.data),
        until=None if form.until.errors else midnight(form.until.data, 1),
    )


@bp.get("/moderation/log")
@_moderators_only
def audit_log():
    form = forms.AuditFilterForm(formdata=request.args)
    form.set_actions(queries.audit_action_names())
    form.validate()
    entries = db.paginate(
        queries.audit_log(_audit_filter(form)),
        page=_page(),
        per_page=current_app.config["MODERATION_LOG_PER_PAGE"],
        error_out=False,
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("moderation/audit_log.html", form=form, entries=entries, args=args)


# --- settings --------------------------------------------------------------------------------


def _render_settings(word_form: forms.WatchedWordForm | None = None):
    return render_template(
        "moderation/settings.html",
        words=queries.list_watched_words(),
        categories=community_queries.list_categories(),
        word_form=word_form or forms.WatchedWordForm(),
        confirm_form=forms.ConfirmForm(),
    )


@bp.get("/moderation/settings")
@_moderators_only
def settings():
    return _render_settings()


@bp.post("/moderation/settings/words")
@_moderators_only
def word_add():
    form = forms.WatchedWordForm()
    if form.validate_on_submit():
        try:
            entry = services.add_watched_word(_actor(), form.word.data, form.action.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            apply_errors(form, ValidationFailed([("word", exc.message)]))
        else:
            flash(f"Watching “{entry.word}”.", "success")
            return redirect(url_for("moderation.settings"))
    return _render_settings(word_form=form)


@bp.post("/moderation/settings/words/<int:word_id>/remove")
@_moderators_only
def word_remove(word_id: int):
    entry = queries.get_watched_word_or_404(word_id)
    word = entry.word
    return _act(
        forms.ConfirmForm(),
        url_for("moderation.settings"),
        lambda: services.remove_watched_word(_actor(), entry),
        f"No longer watching “{word}”.",
    )


@bp.post("/moderation/settings/categories/<int:category_id>/premoderation")
@_moderators_only
def category_premoderation(category_id: int):
    category = db.get_or_404(Category, category_id, description="No such category.")
    form = forms.PremoderationForm()
    state = "on" if form.enabled.data else "off"
    return _act(
        form,
        url_for("moderation.settings"),
        lambda: services.set_premoderation(_actor(), category, bool(form.enabled.data)),
        f"Pre-moderation is {state} in {category.name}.",
    )
