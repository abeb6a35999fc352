"""Staff pages: the escalation queue and workflow, service-level policies, staff groups and
webhooks; and the thread page's "Ask staff" / "Escalate to staff" action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from forum_kb.community import queries as community_queries
from forum_kb.community.models import Category
from forum_kb.community.paths import thread_path
from forum_kb.errors import Conflict, PermissionDenied, ValidationFailed
from forum_kb.escalation import forms, queries, services
from forum_kb.escalation.models import Escalation, EscalationStatus
from forum_kb.extensions import db
from forum_kb.forms import apply_errors

bp = Blueprint("escalation", __name__, url_prefix="/staff")

MAX_PAGE = 10_000
MAX_ID = 2**31 - 1
ESCALATION_RULE = "/escalations/<int:escalation_id>"
staff_only = role_required(Role.STAFF)


def _actor() -> User:
    return current_user._get_current_object()


def _page() -> int:
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)


def _user(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id and 0 < user_id <= MAX_ID else None


# --- asking staff (thread page) ------------------------------------------------------------------


@bp.post("/threads/<int:thread_id>/escalate")
@login_required
def thread_escalate(thread_id: int):
    thread = community_queries.get_thread_or_404(thread_id, current_user)
    form = forms.EscalateForm()
    if not form.validate_on_submit():
        flash(" ".join(form.reason.errors) or "Please try again.", "error")
        return redirect(thread_path(thread.id))
    try:
        services.escalate_thread(_actor(), thread, form.reason.data or "")
    except (ValidationFailed, Conflict) as exc:
        flash(exc.message, "info" if isinstance(exc, Conflict) else "error")
    else:
        flash("Sent to staff: they will look into it and reply here.", "success")
    return redirect(thread_path(thread.id))


# --- the queue -----------------------------------------------------------------------------------


def _queue_filter(form: forms.QueueFilterForm) -> queries.QueueFilter:
    status = form.status.data or ""
    group = None if form.group.errors else form.group.data
    return queries.QueueFilter(
        status=EscalationStatus(status) if status in EscalationStatus._value2member_map_ else None,
        assignee=form.assignee.data if form.assignee.data in ("mine", "unassigned") else "",
        group_id=group if group is not None and 0 < group <= MAX_ID else None,
        breached=bool(form.breached.data),
    )


@bp.get("/queue")
@staff_only
def queue():
    form = forms.QueueFilterForm(formdata=request.args)
    form.set_groups(queries.list_groups())
    form.validate()
    pagination = db.paginate(
        queries.queue(_queue_filter(form), _actor()),
        page=_page(),
        per_page=current_app.config["ESCALATION_QUEUE_PER_PAGE"],
        error_out=False,
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "escalation/queue.html",
        form=form,
        pagination=pagination,
        args=args,
        assign_form=forms.ConfirmForm(),
    )


# --- one escalation ------------------------------------------------------------------------------


def _detail_url(escalation: Escalation, anchor: str | None = None) -> str:
    return url_for("escalation.escalation_detail", escalation_id=escalation.id, _anchor=anchor)


def _render_detail(escalation: Escalation, **bound: Any):
    """The escalation's page; ``bound`` holds a submitted form to show with its errors."""
    blank: dict[str, Any] = {
        "assign_form": forms.AssignForm,
        "note_form": forms.NoteForm,
        "status_form": forms.StatusForm,
        "reply_form": forms.ReplyForm,
        "resolve_form": forms.ResolveForm,
    }
    # formdata=None: the other forms must not pick up the submitted request's fields.
    made = {name: bound.get(name) or cls(formdata=None) for name, cls in blank.items()}
    made["assign_form"].set_staff(queries.staff_users())
    if "status_form" not in bound:
        made["status_form"].status.data = escalation.status.value
    return render_template(
        "escalation/escalation_detail.html",
        escalation=escalation,
        notes=queries.escalation_notes(escalation),
        events=queries.escalation_events(escalation),
        **made,
    )


def _submit(
    escalation: Escalation, name: str, form: Any, change: Callable[[], Any], done: str, anchor: str
):
    """Validate, run one service, redirect (PRG). Invalid input shows the page again with the
    form's errors; a conflict (already resolved, a disallowed status) is a message."""
    if form.validate_on_submit():
        try:
            change()
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except (Conflict, PermissionDenied) as exc:
            flash(exc.message, "error")
            return redirect(_detail_url(escalation))
        else:
            flash(done, "success")
            return redirect(_detail_url(escalation, anchor))
    return _render_detail(escalation, **{name: form})


@bp.get(ESCALATION_RULE)
@staff_only
def escalation_detail(escalation_id: int):
    return _render_detail(queries.get_escalation_or_404(escalation_id))


@bp.post(ESCALATION_RULE + "/assign")
@staff_only
def escalation_assign(escalation_id: int):
    escalation = queries.get_escalation_or_404(escalation_id)
    if request.args.get("from") == "queue":
        # The queue's one-click "Assign to me".
        try:
            if not forms.ConfirmForm().validate_on_submit():
                raise Conflict("The form expired: please try again.")
            services.assign(_actor(), escalation)
        except (ValidationFailed, Conflict) as exc:
            flash(exc.message, "error")
        else:
            flash(f"Assigned to you: “{escalation.thread.title}”.", "success")
        return redirect(url_for("escalation.queue"))
    form = forms.AssignForm()
    form.set_staff(queries.staff_users())
    return _submit(
        escalation,
        "assign_form",
        form,
        lambda: services.assign(_actor(), escalation, _user(form.user.data)),
        "Assigned.",
        "assign",
    )


@bp.post(ESCALATION_RULE + "/notes")
@staff_only
def escalation_note(escalation_id: int):
    escalation = queries.get_escalation_or_404(escalation_id)
    form = forms.NoteForm()
    return _submit(
        escalation,
        "note_form",
        form,
        lambda: services.add_note(_actor(), escalation, form.body.data),
        "Note added.",
        "notes",
    )


@bp.post(ESCALATION_RULE + "/status")
@staff_only
def escalation_status(escalation_id: int):
    escalation = queries.get_escalation_or_404(escalation_id)
    form = forms.StatusForm()
    return _submit(
        escalation,
        "status_form",
        form,
        lambda: services.set_status(_actor(), escalation, form.status.data),
        "Status changed.",
        "workflow",
    )


@bp.post(ESCALATION_RULE + "/reply")
@staff_only
def escalation_reply(escalation_id: int):
    escalation = queries.get_escalation_or_404(escalation_id)
    form = forms.ReplyForm()
    return _submit(
        escalation,
        "reply_form",
        form,
        lambda: services.staff_reply(
            _actor(), escalation, form.body.data, waiting=bool(form.waiting.data)
        ),
        "Reply posted in the thread.",
        "reply",
    )


@bp.post(ESCALATION_RULE + "/resolve")
@staff_only
def escalation_resolve(escalation_id: int):
    escalation = queries.get_escalation_or_404(escalation_id)
    form = forms.ResolveForm()
    return _submit(
        escalation,
        "resolve_form",
        form,
        lambda: services.resolve(
            _actor(), escalation, form.resolution.data, accept=bool(form.accept.data)
        ),
        "Resolved: the answer is in the thread and the customer was told.",
        "resolution",
    )


# --- service-level policies ----------------------------------------------------------------------


def _policy_fields(form: forms.PolicyForm) -> services.PolicyFields:
    return services.PolicyFields(
        name=form.name.data or "",
        unanswered_hours=form.unanswered_hours.data or 0,
        unsolved_days=form.unsolved_days.data or 0,
        first_response_hours=form.first_response_hours.data or 0,
        resolution_hours=form.resolution_hours.data or 0,
        is_default=bool(form.is_default.data),
        business_hours=bool(form.business_hours.data),
        business_start=form.business_start.data or 0,
        business_end=form.business_end.data or 0,
        business_days="".join(form.business_days.data or []),
    )


def _render_policies(form: forms.PolicyForm | None = None):
    return render_template(
        "escalation/policies.html",
        policies=queries.list_policies(),
        categories=queries.category_policies(),
        form=form or forms.PolicyForm(formdata=None),
    )


@bp.get("/policies")
@staff_only
def policies():
    return _render_policies()


@bp.post("/policies")
@staff_only
def policy_create():
    form = forms.PolicyForm()
    if form.validate_on_submit():
        try:
            policy = services.create_policy(_actor(), _policy_fields(form))
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(f"Policy “{policy.name}” created.", "success")
            return redirect(url_for("escalation.policies"))
    return _render_policies(form)


@bp.route("/policies/<int:policy_id>", methods=["GET", "POST"])
@staff_only
def policy_edit(policy_id: int):
    policy = queries.get_policy_or_404(policy_id)
    form = forms.PolicyForm(obj=policy)
    if request.method == "GET":
        form.business_days.data = list(policy.business_days)
    if form.validate_on_submit():
        try:
            services.update_policy(_actor(), policy, _policy_fields(form))
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(f"Policy “{policy.name}” saved.", "success")
            return redirect(url_for("escalation.policies"))
    return render_template("escalation/policy_edit.html", form=form, policy=policy)


@bp.post("/policies/categories/<int:category_id>")
@staff_only
def category_policy(category_id: int):
    category = db.get_or_404(Category, category_id, description="No such category.")
    form = forms.CategoryPolicyForm()
    form.set_policies(queries.list_policies())
    if not form.validate_on_submit():
        flash(" ".join(form.policy_id.errors) or "Please try again.", "error")
        return redirect(url_for("escalation.policies"))
    policy = queries.get_policy_or_404(form.policy_id.data) if form.policy_id.data else None
    services.set_category_policy(_actor(), category, policy)
    flash(f"{category.name} uses {policy.name if policy else 'the default policy'}.", "success")
    return redirect(url_for("escalation.policies", _anchor="categories"))


# --- staff groups --------------------------------------------------------------------------------


def _group_form(obj: Any = None) -> forms.GroupForm:
    form = forms.GroupForm(obj=obj) if obj is not None else forms.GroupForm()
    form.set_choices(
        queries.staff_users(), community_queries.list_categories(), queries.list_all_tags()
    )
    if obj is not None and request.method == "GET":
        form.member_ids.data = [m.id for m in obj.members]
        form.category_ids.data = [c.id for c in obj.categories]
        form.tag_ids.data = [t.id for t in obj.tags]
    return form


def _group_fields(form: forms.GroupForm) -> services.GroupFields:
    return services.GroupFields(
        name=form.name.data or "",
        auto_assign=bool(form.auto_assign.data),
        member_ids=tuple(form.member_ids.data or ()),
        category_ids=tuple(form.category_ids.data or ()),
        tag_ids=tuple(form.tag_ids.data or ()),
    )


@bp.route("/groups", methods=["GET", "POST"])
@staff_only
def groups():
    form = _group_form()
    if form.validate_on_submit():
        try:
            group = services.create_group(_actor(), _group_fields(form))
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(f"Group “{group.name}” created.", "success")
            return redirect(url_for("escalation.groups"))
    return render_template("escalation/groups.html", groups=queries.list_groups(), form=form)


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@staff_only
def group_edit(group_id: int):
    group = queries.get_group_or_404(group_id)
    form = _group_form(group)
    if form.validate_on_submit():
        try:
            services.update_group(_actor(), group, _group_fields(form))
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(f"Group “{group.name}” saved.", "success")
            return redirect(url_for("escalation.groups"))
    return render_template("escalation/group_edit.html", group=group, form=form)


# --- webhooks ------------------------------------------------------------------------------------


def _render_webhooks(form: forms.WebhookForm | None = None):
    return render_template(
        "escalation/webhooks.html",
        rows=queries.list_webhooks(),
        form=form or forms.WebhookForm(formdata=None),
        delete_form=forms.ConfirmForm(),
    )


@bp.get("/webhooks")
@staff_only
def webhooks():
    return _render_webhooks()


@bp.post("/webhooks")
@staff_only
def webhook_create():
    form = forms.WebhookForm()
    if form.validate_on_submit():
        try:
            hook = services.create_webhook(
                _actor(),
                form.url.data,
                form.events.data or [],
                secret=form.secret.data or "",
                description=form.description.data or "",
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            # Only the id travels in the (signed, not encrypted) session cookie; the next page
            # shows the secret once.
            session["new_webhook_id"] = hook.id
            flash("Webhook created. Copy its secret now: it is not shown again.", "success")
            return redirect(url_for("escalation.webhook_detail", webhook_id=hook.id))
    return _render_webhooks(form)


@bp.get("/webhooks/<int:webhook_id>")
@staff_only
def webhook_detail(webhook_id: int):
    hook = queries.get_webhook_or_404(webhook_id)
    pagination = db.paginate(
        queries.webhook_deliveries(hook),
        page=_page(),
        per_page=current_app.config["ESCALATION_QUEUE_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "escalation/webhook_detail.html",
        hook=hook,
        pagination=pagination,
        attempts=queries.attempts_for(list(pagination.items)),
        show_secret=session.pop("new_webhook_id", None) == hook.id,
        delete_form=forms.ConfirmForm(),
    )


@bp.post("/webhooks/<int:webhook_id>/delete")
@staff_only
def webhook_delete(webhook_id: int):
    hook = queries.get_webhook_or_404(webhook_id)
    if forms.ConfirmForm().validate_on_submit():
        url = hook.url
        services.delete_webhook(_actor(), hook)
        flash(f"Webhook {url} deleted, with its delivery log.", "success")
    return redirect(url_for("escalation.webhooks"))
