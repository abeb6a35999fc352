"""Notification pages: the list, marking read, email settings and one-click unsubscribe."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum_kb.errors import ValidationFailed
from forum_kb.extensions import csrf, db
from forum_kb.forms import apply_errors
from forum_kb.notifications import forms, queries, services
from forum_kb.notifications.models import EmailMode
from forum_kb.security import safe_next

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

PER_PAGE = 30


@bp.get("/")
@login_required
def index():
    pagination = db.paginate(
        queries.list_notifications(current_user._get_current_object()),
        per_page=PER_PAGE,
        max_per_page=100,
        error_out=False,
    )
    return render_template("notifications/index.html", pagination=pagination)


@bp.post("/read")
@login_required
def mark_read():
    form = forms.MarkReadForm()
    if form.validate_on_submit():
        one = form.notification_id.data
        ids = None if one is None else [one]
        count = services.mark_read(current_user._get_current_object(), ids)
        flash(f"Marked {count} notification{'' if count == 1 else 's'} as read.", "success")
    else:
        flash("That notification could not be marked as read.", "error")
    return redirect(safe_next(request.form.get("next"), url_for("notifications.index")))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    user = current_user._get_current_object()
    form = forms.SettingsForm(obj=queries.settings_for(user))
    if form.validate_on_submit():
        try:
            services.update_settings(
                user, form.email_mode.data, form.email_replies.data, form.email_mentions.data
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash("Notification settings saved.", "success")
            return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the RFC 8058 one-click target: see forms.UnsubscribeForm
def unsubscribe(token: str):
    form = forms.UnsubscribeForm()
    if form.validate_on_submit():
        user = services.unsubscribe(token)
        # Rendered, not redirected: mail providers' one-click POSTs expect a plain success.
        return render_template("notifications/unsubscribed.html", user=user)
    user = services.user_for_unsubscribe_token(token)
    is_unsubscribed = queries.settings_for(user).email_mode == EmailMode.NEVER
    return render_template(
        "notifications/unsubscribe.html", form=form, user=user, is_unsubscribed=is_unsubscribed
    )
