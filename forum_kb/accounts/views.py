"""Account pages: sign-up, sign-in, passwords, profiles and the admin user list."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from forum_kb.accounts import forms, queries, services
from forum_kb.accounts.auth import role_required
from forum_kb.accounts.limits import (
    login_per_account,
    login_per_ip,
    mark_login_failed,
    signup_per_ip,
)
from forum_kb.accounts.models import Role, User
from forum_kb.errors import ValidationFailed
from forum_kb.extensions import db
from forum_kb.forms import apply_errors
from forum_kb.security import safe_next

bp = Blueprint("accounts", __name__)


def _home() -> str:
    return url_for("community.index")


@bp.route("/register", methods=["GET", "POST"])
@signup_per_ip
def register():
    if current_user.is_authenticated:
        return redirect(_home())
    form = forms.RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(form.username.data, form.email.data, form.password.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            login_user(user)
            flash(f"Welcome, {user.username}! Your account is ready.", "success")
            return redirect(safe_next(request.args.get("next"), _home()))
    return render_template("accounts/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@login_per_ip
@login_per_account
def login():
    if current_user.is_authenticated:
        return redirect(_home())
    form = forms.LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.login.data, form.password.data)
        except ValidationFailed as exc:
            mark_login_failed()
            apply_errors(form, exc)
        else:
            login_user(user, remember=form.remember.data)
            flash(f"Signed in as {user.username}.", "success")
            return redirect(safe_next(request.args.get("next"), _home()))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        services.end_all_sessions(current_user._get_current_object())
        logout_user()
        flash("Signed out on every device.", "info")
    return redirect(_home())


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password_change():
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, form.current_password.data, form.new_password.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            # Other sessions ended with the old generation; keep this one signed in.
            login_user(user)
            flash("Password changed. Other devices have been signed out.", "success")
            return redirect(url_for("accounts.profile", username=user.username))
    return render_template("accounts/password_change.html", form=form)


@bp.route("/account/reset", methods=["GET", "POST"])
@signup_per_ip
def password_reset_request():
    form = forms.ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(
            form.email.data,
            lambda token: url_for("accounts.password_reset", token=token, _external=True),
        )
        flash(
            "If an account uses that address, we have emailed it a link to choose a new "
            "password. The link works once.",
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/password_reset_request.html", form=form)


@bp.route("/account/reset/<token>", methods=["GET", "POST"])
def password_reset(token: str):
    if services.find_valid_reset_token(token) is None:
        return render_template("accounts/password_reset_invalid.html"), 404
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            logout_user()
            flash("Your password has been reset. Sign in with the new one.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/password_reset.html", form=form)


@bp.get("/u/<username>")
def profile(username: str):
    user = queries.get_user_by_username_or_404(username)
    providers = current_app.extensions.get("forum_kb.profile_sections", [])
    sections = [provider(user) for provider in providers]
    return render_template("accounts/profile.html", user=user, sections=sections)


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def profile_edit():
    user = current_user._get_current_object()
    form = forms.ProfileForm(obj=user)
    if form.validate_on_submit():
        try:
            services.update_profile(user, user, form.display_name.data or "", form.bio.data or "")
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash("Profile saved.", "success")
            return redirect(url_for("accounts.profile", username=user.username))
    return render_template("accounts/profile_edit.html", form=form, user=user)


@bp.get("/admin/users")
@role_required(Role.ADMIN)
def admin_users():
    q = request.args.get("q", "").strip()[:100]
    role = request.args.get("role", "")
    role_filter = Role(role) if role in Role._value2member_map_ else None
    pagination = db.paginate(
        queries.list_users(q, role_filter),
        per_page=current_app.config["ACCOUNTS_ADMIN_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "accounts/admin_users.html",
        pagination=pagination,
        q=q,
        role=role_filter,
        roles=list(Role),
        role_form=forms.RoleForm(),
    )


@bp.post("/admin/users/<int:user_id>/role")
@role_required(Role.ADMIN)
def admin_user_role(user_id: int):
    user = db.get_or_404(User, user_id, description="No such user.")
    form = forms.RoleForm()
    if not form.validate_on_submit():
        flash("Choose one of the listed roles.", "error")
        return redirect(url_for("accounts.admin_users"))
    try:
        services.change_role(current_user._get_current_object(), user, Role(form.role.data))
    except ValidationFailed as exc:
        flash(exc.message, "error")
    else:
        flash(f"{user.username} is now {user.role.label.lower()}.", "success")
    return redirect(safe_next(request.form.get("next"), url_for("accounts.admin_users")))
