"""Knowledge-base pages: home, sections, articles, writing, the review lifecycle, health."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from forum_kb.accounts.models import User
from forum_kb.accounts.policies import is_staff
from forum_kb.db import utcnow
from forum_kb.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from forum_kb.extensions import db, login_manager
from forum_kb.forms import apply_errors
from forum_kb.kb import forms, policies, queries, services
from forum_kb.kb.models import Article, Revision
from forum_kb.markup import toc_from_html

bp = Blueprint("kb", __name__, url_prefix="/kb")

#: Article ids this browser session has already been counted as viewing (newest last).
VIEWED_KEY = "kb.viewed"
VIEWED_MAX = 50
#: A random token that lets anonymous readers answer "was this helpful?" once (and change it).
FEEDBACK_KEY = "kb_feedback_key"
#: A table of contents is worth showing from this many headings on.
TOC_MIN = 3
MOST_VIEWED = 5
ARTICLE_RULE = "/articles/<int:article_id>"
#: The longest title a prefill link may suggest (the form's own limit).
TITLE_MAX = 200

F = TypeVar("F", bound=Callable[..., Any])


# --- helpers ---------------------------------------------------------------------------------


def _actor() -> User:
    return current_user._get_current_object()


def _back(kwargs: dict[str, Any]) -> str:
    """The page to return to after signing in from a POST-only action."""
    if "article_id" in kwargs:
        return url_for("kb.article_detail", key=str(kwargs["article_id"]))
    return url_for("kb.index")


def _allowed(predicate: Callable[[Any], bool], message: str) -> Callable[[F], F]:
    """Sign-in required (back to a page after it), then ``predicate(current_user)`` or 403."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                if request.method != "POST":
                    return login_manager.unauthorized()
                flash("Please sign in first.", "info")
                return redirect(url_for("accounts.login", next=_back(kwargs)))
            if not predicate(current_user):
                raise PermissionDenied(message)
            return view(**kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


_writers_only = _allowed(policies.can_write_articles, "Only moderators and staff write articles.")
_staff_only = _allowed(is_staff, "Only staff see this page.")
_signed_in_only = _allowed(lambda _user: True, "")


def _article_url(article: Article, **args: Any) -> str:
    return url_for("kb.article_detail", key=article.slug, **args)


def _count_view(article: Article) -> None:
    viewed = session.get(VIEWED_KEY)
    viewed = viewed if isinstance(viewed, list) else []
    if article.id in viewed:
        return
    services.record_view(article)
    session[VIEWED_KEY] = [*viewed, article.id][-VIEWED_MAX:]


def _feedback_session_key() -> str:
    key = session.get(FEEDBACK_KEY)
    if not isinstance(key, str) or not key:
        key = session[FEEDBACK_KEY] = secrets.token_urlsafe(24)
    return key


def _render_article(
    article: Article,
    revision: Revision,
    *,
    feedback_form: forms.FeedbackForm | None = None,
    report_form: forms.ReportForm | None = None,
):
    can_feedback = policies.can_see_feedback(current_user, article)
    return render_template(
        "kb/article_detail.html",
        article=article,
        revision=revision,
        is_draft_view=revision.id != article.published_revision_id,
        toc=toc_from_html(revision.body_html),
        toc_min=TOC_MIN,
        related=queries.related_articles(article) if article.is_published else [],
        my_feedback=queries.viewer_feedback(
            article, user=current_user, session_key=session.get(FEEDBACK_KEY)
        )
        if article.is_published
        else None,
        feedback_form=feedback_form or forms.FeedbackForm(),
        report_form=report_form or forms.ReportForm(prefix="report"),
        action_form=forms.NoteForm(),
        comments=queries.feedback_comments(article, limit=10) if can_feedback else [],
        reports=queries.open_inaccuracy_reports(article) if can_feedback else [],
    )


def _lifecycle(article_id: int, change: Callable[..., Article], done: str):
    """Run a one-click lifecycle service. A Conflict ("already published") is an ordinary
    situation here, so it becomes a message; PermissionDenied still becomes a 403."""
    article = queries.get_article_or_404(article_id, current_user)
    form = forms.NoteForm()
    if not form.validate_on_submit():
        flash("Keep the note under 200 characters.", "error")
        return redirect(_article_url(article))
    try:
        change(_actor(), article, note=form.note.data or "")
    except Conflict as exc:
        flash(exc.message, "warning")
    else:
        flash(done, "success")
    return redirect(_article_url(article))


# --- reading ---------------------------------------------------------------------------------


@bp.get("/")
def index():
    return render_template(
        "kb/index.html",
        sections=queries.list_sections(),
        counts=queries.published_counts(),
        most_viewed=queries.most_viewed_articles(MOST_VIEWED),
    )


@bp.get("/sections/<slug>")
def section_detail(slug: str):
    section = queries.get_section_by_slug_or_404(slug)
    unpublished: list[Article] = []
    if policies.can_see_unpublished(current_user):
        stmt = queries.list_articles(current_user, section_id=section.id)
        unpublished = [a for a in db.session.scalars(stmt) if not a.is_published]
    return render_template(
        "kb/section_detail.html",
        section=section,
        articles=queries.section_articles(section),
        unpublished=unpublished,
    )


@bp.get("/articles/<key>")
def article_detail(key: str):
    lookup = queries.find_article_or_404(key, current_user)
    article = lookup.article
    if lookup.moved:
        return redirect(_article_url(article, **request.args.to_dict()), 301)
    wants_draft = request.args.get("draft") == "1"
    revision = queries.reader_revision(article, current_user, draft=wants_draft)
    if revision is None:
        raise NotFound("No such article.")
    if article.is_published:
        _count_view(article)
    return _render_article(article, revision)


@bp.post(ARTICLE_RULE + "/feedback")
def article_feedback(article_id: int):
    article = queries.get_article_or_404(article_id, current_user)
    form = forms.FeedbackForm()
    if form.validate_on_submit():
        user = _actor() if current_user.is_authenticated else None
        try:
            services.give_feedback(
                article,
                form.helpful.data == "yes",
                user=user,
                session_key=None if user else _feedback_session_key(),
                comment=form.comment.data or "",
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash("Thanks for your feedback!", "success")
            return redirect(_article_url(article, _anchor="feedback"))
    revision = queries.reader_revision(article, current_user)
    assert revision is not None
    return _render_article(article, revision, feedback_form=form)


@bp.post(ARTICLE_RULE + "/report")
@_signed_in_only
def article_report(article_id: int):
    article = queries.get_article_or_404(article_id, current_user)
    form = forms.ReportForm(prefix="report")
    if form.validate_on_submit():
        try:
            services.report_inaccurate(article, form.comment.data, reporter=_actor())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash("Thanks: the article's owner will check it.", "success")
            return redirect(_article_url(article))
    revision = queries.reader_revision(article, current_user)
    assert revision is not None
    return _render_article(article, revision, report_form=form)


# --- writing ---------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@_writers_only
def article_create():
    sections = queries.list_sections()
    form = forms.ArticleForm()
    form.set_sections(sections)
    if not form.is_submitted():
        wanted = request.args.get("section")
        form.section_id.data = next((s.id for s in sections if s.slug == wanted), None)
        # A content gap from the staff dashboard: its search becomes the working title.
        form.title.data = " ".join(request.args.get("title", "").split())[:TITLE_MAX]
    if form.validate_on_submit():
        try:
            article = services.create_article(
                _actor(),
                services.ArticleDraft(
                    section_id=form.section_id.data,
                    title=form.title.data,
                    body=form.body.data,
                    labels=form.labels.data or [],
                    note=form.note.data or "",
                ),
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash("Draft saved. Send it to review when it is ready.", "success")
            return redirect(_article_url(article))
    return render_template("kb/article_create.html", form=form, sections=sections)


@bp.route(ARTICLE_RULE + "/edit", methods=["GET", "POST"])
@_writers_only
def article_edit(article_id: int):
    article = queries.get_article_or_404(article_id, current_user)
    if not policies.can_edit_article(current_user, article):
        raise PermissionDenied("Only staff edit archived articles.")
    base = article.draft_revision or article.published_revision
    assert base is not None
    form = forms.ArticleForm(
        data={
            "section_id": article.section_id,
            "title": base.title,
            "body": base.body_source,
            "labels": [label.name for label in article.labels],
        }
    )
    form.set_sections(queries.list_sections())
    if form.validate_on_submit():
        try:
            services.edit_article(
                _actor(),
                article,
                title=form.title.data,
                body=form.body.data,
                section_id=form.section_id.data,
                labels=form.labels.data or [],
                note=form.note.data or "",
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash("Saved. Readers see the changes once they are published.", "success")
            return redirect(
                _article_url(
                    article, draft=1 if article.is_published and article.has_pending_draft else None
                )
            )
    return render_template("kb/article_edit.html", form=form, article=article)


# --- lifecycle -------------------------------------------------------------------------------


@bp.post(ARTICLE_RULE + "/submit")
@_writers_only
def article_submit(article_id: int):
    return _lifecycle(article_id, services.submit_for_review, "Sent to review.")


@bp.post(ARTICLE_RULE + "/return")
@_writers_only
def article_return(article_id: int):
    return _lifecycle(article_id, services.return_to_draft, "Returned to the writer as a draft.")


@bp.post(ARTICLE_RULE + "/publish")
@_writers_only
def article_publish(article_id: int):
    return _lifecycle(article_id, services.publish_article, "Published: readers see it now.")


@bp.post(ARTICLE_RULE + "/archive")
@_writers_only
def article_archive(article_id: int):
    return _lifecycle(article_id, services.archive_article, "Archived: readers no longer see it.")


@bp.get(ARTICLE_RULE + "/history")
@_writers_only
def article_history(article_id: int):
    article = queries.get_article_or_404(article_id, current_user)
    return render_template(
        "kb/article_history.html",
        article=article,
        revisions=queries.revision_history(article),
        events=queries.article_events(article),
        restore_form=forms.ConfirmForm(),
    )


@bp.post(ARTICLE_RULE + "/revisions/<int:number>/restore")
@_writers_only
def article_restore(article_id: int, number: int):
    article = queries.get_article_or_404(article_id, current_user)
    revision = queries.get_revision_or_404(article, number)
    if forms.ConfirmForm().validate_on_submit():
        services.restore_revision(_actor(), article, revision)
        flash(f"Revision {number} is the new draft. Publish it to make it live.", "success")
    return redirect(url_for("kb.article_history", article_id=article.id))


@bp.route(ARTICLE_RULE + "/owner", methods=["GET", "POST"])
@_allowed(policies.can_publish, "Only staff assign article owners.")
def article_owner(article_id: int):
    article = queries.get_article_or_404(article_id, current_user)
    form = forms.OwnerForm(data={"owner_id": article.owner_id, "review_by": article.review_by})
    form.set_owners(queries.list_writers())
    if form.validate_on_submit():
        try:
            services.set_ownership(_actor(), article, form.owner_id.data, form.review_by.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash("Owner and review date saved.", "success")
            return redirect(_article_url(article))
    return render_template("kb/article_owner.html", form=form, article=article)


# --- staff pages -----------------------------------------------------------------------------


@bp.get("/review")
@_writers_only
def review_queue():
    return render_template("kb/review_queue.html", articles=queries.review_queue())


@bp.get("/health")
@_staff_only
def article_health():
    return render_template(
        "kb/article_health.html",
        today=utcnow().date(),
        stale=queries.stale_articles(),
        poorly_rated=queries.poorly_rated_articles(),
        most_viewed=queries.most_viewed_articles(10),
        reported=queries.reported_articles(),
    )


@bp.route("/sections", methods=["GET", "POST"])
@_allowed(policies.can_manage_sections, "Only staff manage sections.")
def section_admin():
    form = forms.SectionForm()
    if form.validate_on_submit():
        try:
            section = services.create_section(
                _actor(), form.name.data, form.slug.data or "", form.description.data or ""
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            # A taken slug is a 409 for the API; on a form it belongs next to the field.
            apply_errors(form, ValidationFailed([("slug", exc.message)]))
        else:
            flash(f"Section “{section.name}” created.", "success")
            return redirect(url_for("kb.section_admin"))
    return render_template(
        "kb/section_admin.html",
        form=form,
        sections=queries.list_sections(),
        counts=queries.published_counts(),
    )


@bp.route("/sections/<int:section_id>/edit", methods=["GET", "POST"])
@_allowed(policies.can_manage_sections, "Only staff manage sections.")
def section_edit(section_id: int):
    section = queries.get_section_or_404(section_id)
    form = forms.SectionForm(obj=section)
    if form.validate_on_submit():
        try:
            services.update_section(
                _actor(), section, form.name.data, form.slug.data or "", form.description.data or ""
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            # A taken slug is a 409 for the API; on a form it belongs next to the field.
            apply_errors(form, ValidationFailed([("slug", exc.message)]))
        else:
            flash("Section saved.", "success")
            return redirect(url_for("kb.section_admin"))
    return render_template("kb/section_edit.html", form=form, section=section)


@bp.post("/sections/<int:section_id>/move")
@_allowed(policies.can_manage_sections, "Only staff manage sections.")
def section_move(section_id: int):
    section = queries.get_section_or_404(section_id)
    form = forms.MoveForm()
    if form.validate_on_submit():
        services.move_section(_actor(), section, form.offset.data)
    return redirect(url_for("kb.section_admin"))


@bp.post("/reports/<int:report_id>/resolve")
@login_required
def report_resolve(report_id: int):
    report = queries.get_report_or_404(report_id)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            services.resolve_report(_actor(), report)
        except Conflict as exc:
            flash(exc.message, "info")
        else:
            flash("Report marked as resolved.", "success")
    article = queries.get_article_or_404(report.article_id, current_user)
    return redirect(url_for("kb.article_detail", key=article.slug))
