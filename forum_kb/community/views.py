"""Community pages: thread lists, threads, posting, editing, votes, answers, tags and watches."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from forum_kb.accounts.auth import role_required
from forum_kb.accounts.models import Role, User
from forum_kb.community import forms, paths, policies, queries, services
from forum_kb.community.limits import posting_limit
from forum_kb.community.models import Category, Post, Thread, ThreadKind
from forum_kb.community.queries import ThreadSort
from forum_kb.community.services.content import silence_message
from forum_kb.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from forum_kb.extensions import db
from forum_kb.forms import apply_errors
from forum_kb.search import services as search_services

bp = Blueprint("community", __name__)

#: Thread ids this browser session has already been counted as viewing (newest last).
VIEWED_KEY = "community.viewed"
VIEWED_MAX = 50
#: Deeper pages are refused: huge offsets would overflow the database's integers.
MAX_PAGE = 10_000
POST_RULE = "/posts/<int:post_id>"
#: Longer ``?tag=`` values cannot name a tag; cut them before they reach the query.
TAG_ARG_MAX = 30
PENDING_MESSAGE = "Your post is waiting for a moderator's approval."

E = TypeVar("E", bound=enum.Enum)


# --- helpers ---------------------------------------------------------------------------------


def _actor() -> User:
    return current_user._get_current_object()


def _page() -> int:
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)


def _enum_arg(name: str, enum_cls: type[E]) -> E | None:
    """The query argument as a member of ``enum_cls``, or None for a missing or unknown value."""
    value = request.args.get(name, "")
    return next((member for member in enum_cls if member.value == value), None)


def _thread_list(endpoint: str, url_args: dict[str, Any], **fixed: Any) -> dict[str, Any]:
    """Template context for a sortable, filterable thread list (bad arguments fall back).

    ``url_args`` build the page's own URL; ``fixed`` are filters the page implies (its category
    or tag), which the query arguments cannot change.
    """
    tag = request.args.get("tag", "").strip().lower().lstrip("#")[:TAG_ARG_MAX] or None
    options = {
        "sort": _enum_arg("sort", ThreadSort) or ThreadSort.LATEST,
        "kind": _enum_arg("kind", ThreadKind),
        "tag": tag,
    }
    filters = queries.ThreadFilter(**(options | fixed))
    threads = db.paginate(
        queries.list_threads(filters),
        page=_page(),
        per_page=current_app.config["COMMUNITY_THREADS_PER_PAGE"],
        error_out=False,
    )
    return {
        "threads": threads,
        "filters": filters,
        "sorts": list(ThreadSort),
        "kinds": list(ThreadKind),
        "list_endpoint": endpoint,
        "list_args": url_args,
        "tag_filter": "tag" not in fixed,
    }


def _permalink(post: Post) -> str:
    return paths.thread_path(post.thread_id, post.id)


def _thread_url(thread_id: int) -> str:
    return url_for("community.thread_detail", thread_id=thread_id)


def _post_url(post_id: int) -> str:
    return _permalink(queries.get_post_or_404(post_id, current_user))


F = TypeVar("F", bound=Callable[..., Any])


def _sign_in_first(back: Callable[..., str]) -> Callable[[F], F]:
    """``login_required`` for POST-only actions: after signing in, the visitor returns to
    ``back(**view_args)``, a page, rather than to a URL that only accepts POST."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                flash("Please sign in first.", "info")
                return redirect(url_for("accounts.login", next=back(**kwargs)))
            return view(**kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def _count_view(thread: Thread) -> None:
    viewed = session.get(VIEWED_KEY)
    viewed = viewed if isinstance(viewed, list) else []
    if thread.id in viewed:
        return
    services.record_view(thread)
    session[VIEWED_KEY] = [*viewed, thread.id][-VIEWED_MAX:]


def _render_thread(thread: Thread, reply_form: forms.ReplyForm):
    page = queries.thread_page(
        thread, current_user, _page(), current_app.config["COMMUNITY_POSTS_PER_PAGE"]
    )
    moderating = policies.can_moderate(current_user)
    return render_template(
        "community/thread_detail.html",
        thread=thread,
        page=page,
        reply_form=reply_form,
        silence_notice=silence_message(current_user) if _is_silenced() else "",
        related=search_services.related(
            thread.id, " ".join([thread.title, *(tag.name for tag in thread.tags)])
        ),
        categories=queries.list_categories() if moderating else [],
    )


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _is_silenced() -> bool:
    return bool(current_user.is_authenticated and current_user.is_silenced)


def _watch(change: Callable[[User, bool], None], noun: str, back: str):
    form = forms.WatchForm()
    if form.validate_on_submit():
        change(_actor(), form.watch.data)
        if form.watch.data:
            flash(f"You are watching {noun}: we will notify you of new posts.", "success")
        else:
            flash(f"You stopped watching {noun}.", "info")
    return redirect(back)


# --- lists -----------------------------------------------------------------------------------


@bp.get("/")
def index():
    return render_template(
        "community/index.html",
        categories=queries.list_categories(),
        thread_counts=queries.category_thread_counts(),
        **_thread_list("community.index", {}),
    )


@bp.get("/c/<slug>")
def category_detail(slug: str):
    category = queries.get_category_by_slug_or_404(slug)
    watching = policies.can_watch(current_user) and queries.is_watching_category(
        current_user, category
    )
    return render_template(
        "community/category_detail.html",
        category=category,
        watching=watching,
        **_thread_list(
            "community.category_detail", {"slug": category.slug}, category_id=category.id
        ),
    )


@bp.post("/c/<slug>/watch")
@_sign_in_first(lambda slug: url_for("community.category_detail", slug=slug))
def category_watch(slug: str):
    category = queries.get_category_by_slug_or_404(slug)
    return _watch(
        lambda actor, on: services.watch_category(actor, category, on),
        f"new threads in {category.name}",
        url_for("community.category_detail", slug=category.slug),
    )


@bp.get("/tags")
def tag_list():
    return render_template("community/tag_list.html", tags=queries.list_tags(limit=500))


@bp.get("/tags/<name>")
def tag_detail(name: str):
    tag = queries.get_tag_or_404(name)
    watching = policies.can_watch(current_user) and queries.is_watching_tag(current_user, tag)
    return render_template(
        "community/tag_detail.html",
        tag=tag,
        watching=watching,
        **_thread_list("community.tag_detail", {"name": tag.name}, tag=tag.name),
    )


@bp.post("/tags/<name>/watch")
@_sign_in_first(lambda name: url_for("community.tag_detail", name=name))
def tag_watch(name: str):
    tag = queries.get_tag_or_404(name)
    return _watch(
        lambda actor, on: services.watch_tag(actor, tag, on),
        f"the tag {tag.name}",
        url_for("community.tag_detail", name=tag.name),
    )


# --- threads ---------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@login_required
@posting_limit
def thread_create():
    categories = queries.list_categories()
    form = forms.ThreadForm()
    form.set_categories(categories)
    if not form.is_submitted():
        wanted = request.args.get("category")
        form.category.data = next((c.id for c in categories if c.slug == wanted), None)
        # "Ask the community" from a search that found nothing starts from its words.
        form.title.data = request.args.get("title", "").strip()[:200]
    title = form.title.data or ""
    similar = search_services.similar(title, user_id=_user_id()) if len(title) >= 8 else []
    if form.validate_on_submit():
        try:
            thread = services.create_thread(
                _actor(),
                services.NewThread(
                    category_id=form.category.data,
                    kind=form.kind.data,
                    title=form.title.data,
                    body=form.body.data,
                    tags=form.tags.data or [],
                ),
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            if thread.is_pending:
                flash(PENDING_MESSAGE, "info")
            else:
                flash("Your thread is posted.", "success")
            return redirect(_thread_url(thread.id))
    return render_template("community/thread_create.html", form=form, similar=similar)


@bp.get(paths.THREAD_RULE)
def thread_detail(thread_id: int):
    # A merged thread is deleted, so follow the merge before the visibility check.
    target = queries.merged_into(thread_id)
    if target is not None:
        return redirect(_thread_url(target), 301)
    thread = queries.get_thread_or_404(thread_id, current_user)
    _count_view(thread)
    return _render_thread(thread, forms.ReplyForm())


@bp.post(paths.THREAD_RULE + "/reply")
@_sign_in_first(_thread_url)
@posting_limit
def thread_reply(thread_id: int):
    thread = queries.get_thread_or_404(thread_id, current_user)
    form = forms.ReplyForm()
    if form.validate_on_submit():
        try:
            post = services.reply_to_thread(_actor(), thread, form.body.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            if post.is_pending:
                flash(PENDING_MESSAGE, "info")
            else:
                flash("Your reply is posted.", "success")
            return redirect(_permalink(post))
    return _render_thread(thread, form)


@bp.get(paths.THREAD_RULE + "/p/<int:post_id>")
def post_permalink(thread_id: int, post_id: int):
    target = queries.merged_into(thread_id)
    if target is not None:
        return redirect(paths.thread_path(target, post_id), 301)
    post = queries.get_post_or_404(post_id, current_user)
    if post.thread_id != thread_id:
        raise NotFound("No such post in this thread.")
    page = queries.reply_page_number(
        post, current_user, current_app.config["COMMUNITY_POSTS_PER_PAGE"]
    )
    return redirect(
        url_for(
            "community.thread_detail",
            thread_id=thread_id,
            page=page if page > 1 else None,
            _anchor=f"post-{post.id}",
        )
    )


@bp.post(paths.THREAD_RULE + "/watch")
@_sign_in_first(_thread_url)
def thread_watch(thread_id: int):
    thread = queries.get_thread_or_404(thread_id, current_user)
    return _watch(
        lambda actor, on: services.watch_thread(actor, thread, on),
        "this thread",
        _thread_url(thread.id),
    )


@bp.post(paths.THREAD_RULE + "/accept")
@_sign_in_first(_thread_url)
def thread_accept(thread_id: int):
    thread = queries.get_thread_or_404(thread_id, current_user)
    form = forms.AcceptForm()
    if not form.validate_on_submit():
        flash("Choose an answer to accept.", "error")
        return redirect(_thread_url(thread.id))
    post = queries.get_post_or_404(form.post_id.data, current_user)
    try:
        services.accept_answer(_actor(), thread, post)
    except ValidationFailed as exc:
        flash(exc.message, "error")
        return redirect(_thread_url(thread.id))
    flash("Marked as the accepted answer. Thanks for closing the loop!", "success")
    return redirect(_permalink(post))


@bp.post(paths.THREAD_RULE + "/unaccept")
@_sign_in_first(_thread_url)
def thread_unaccept(thread_id: int):
    thread = queries.get_thread_or_404(thread_id, current_user)
    previous = thread.accepted_post_id
    if forms.ConfirmForm().validate_on_submit():
        services.unaccept_answer(_actor(), thread)
        flash("The question is open again.", "info")
    return redirect(paths.thread_path(thread.id, previous) if previous else _thread_url(thread.id))


# --- posts -----------------------------------------------------------------------------------


@bp.route(POST_RULE + "/edit", methods=["GET", "POST"])
@login_required
@posting_limit
def post_edit(post_id: int):
    post = queries.get_post_or_404(post_id, current_user)
    if not policies.can_edit_post(current_user, post):
        raise PermissionDenied("You cannot edit this post.")
    thread = post.thread
    form = forms.PostEditForm(
        data={
            "title": thread.title,
            "body": post.body_source,
            "tags": [t.name for t in thread.tags],
        }
    )
    if not post.is_opening:
        del form.title
        del form.tags
    if form.validate_on_submit():
        try:
            _save_edit(_actor(), post, form)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash("Your changes are saved.", "success")
            return redirect(_permalink(post))
    return render_template("community/post_edit.html", form=form, post=post, thread=thread)


def _save_edit(actor: User, post: Post, form: forms.PostEditForm) -> None:
    reason = form.reason.data or ""
    if not post.is_opening:
        services.edit_post(actor, post, form.body.data, reason=reason)
        return
    services.edit_post(
        actor, post, form.body.data, title=form.title.data, tags=form.tags.data or [], reason=reason
    )


@bp.get(POST_RULE + "/revisions")
def post_revisions(post_id: int):
    post = queries.get_post_or_404(post_id, current_user)
    if not policies.can_see_history(current_user, post):
        # As in the API: a post whose body the viewer may not see looks like no post at all.
        raise NotFound("No such post.")
    return render_template(
        "community/post_revisions.html",
        post=post,
        thread=post.thread,
        revisions=queries.revision_history(post),
    )


@bp.post(POST_RULE + "/delete")
@_sign_in_first(_post_url)
def post_delete(post_id: int):
    post = queries.get_post_or_404(post_id, current_user)
    if not forms.ConfirmForm().validate_on_submit():
        return redirect(_permalink(post))
    services.delete_post(_actor(), post)
    if post.is_opening:
        flash("The thread is deleted.", "info")
        return redirect(url_for("community.category_detail", slug=post.thread.category.slug))
    flash("The post is deleted.", "info")
    return redirect(_permalink(post))


@bp.post(POST_RULE + "/vote")
@_sign_in_first(_post_url)
def post_vote(post_id: int):
    post = queries.get_post_or_404(post_id, current_user)
    form = forms.VoteForm()
    if not form.validate_on_submit():
        flash("Vote up or down, or click your vote again to withdraw it.", "error")
    else:
        try:
            services.vote(_actor(), post, form.value.data)
        except ValidationFailed as exc:
            flash(exc.message, "error")
    return redirect(_permalink(post))


# --- category administration ---------------------------------------------------------------


@bp.route("/admin/categories", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def category_admin():
    form = forms.CategoryForm()
    if form.validate_on_submit():
        try:
            category = services.create_category(
                _actor(), form.name.data, form.slug.data or "", form.description.data or ""
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            # API.md makes a duplicate slug a 409; on a form it belongs next to the field.
            apply_errors(form, ValidationFailed([("slug", exc.message)]))
        else:
            flash(f"Category “{category.name}” created.", "success")
            return redirect(url_for("community.category_admin"))
    return render_template(
        "community/category_admin.html",
        form=form,
        categories=queries.list_categories(),
        counts=queries.category_thread_counts(),
        move_form=forms.MoveForm(),
    )


@bp.route("/admin/categories/<int:category_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def category_edit(category_id: int):
    category = db.get_or_404(Category, category_id, description="No such category.")
    form = forms.CategoryForm(obj=category)
    if form.validate_on_submit():
        try:
            services.update_category(
                _actor(),
                category,
                form.name.data,
                form.slug.data or "",
                form.description.data or "",
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            # API.md makes a duplicate slug a 409; on a form it belongs next to the field.
            apply_errors(form, ValidationFailed([("slug", exc.message)]))
        else:
            flash("Category saved.", "success")
            return redirect(url_for("community.category_admin"))
    return render_template("community/category_edit.html", form=form, category=category)


@bp.post("/admin/categories/<int:category_id>/move")
@role_required(Role.ADMIN)
def category_move(category_id: int):
    category = db.get_or_404(Category, category_id, description="No such category.")
    form = forms.MoveForm()
    if form.validate_on_submit():
        services.move_category(_actor(), category, form.offset.data)
    return redirect(url_for("community.category_admin"))
