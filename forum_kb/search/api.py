"""Search JSON API (API.md): one query over threads, answers and KB articles, and similar
content for a draft title. Only public content is indexed, so every caller sees the same."""

from __future__ import annotations

from flask import Blueprint, current_app, request
from flask_login import current_user

from forum_kb.accounts.auth import api_user
from forum_kb.api import MAX_PER_PAGE, int_arg
from forum_kb.errors import ValidationFailed
from forum_kb.search import forms, services
from forum_kb.search.index import QUERY_MAX_LENGTH
from forum_kb.search.limits import search_limit
from forum_kb.search.serializers import hit_json, results_json
from forum_kb.search.services import SearchQuery

api_bp = Blueprint("search_api", __name__)

#: Deeper pages are of no use, and each costs a larger top-N collection in the index.
MAX_PAGE = 1000


def _caller_id() -> int | None:
    user = api_user()
    if user is None and current_user.is_authenticated:
        # The new-thread form asks from the page with its session cookie (a read; the
        # composing log is what the deflection reports count).
        user = current_user
    return user.id if user is not None else None


def _form_errors(form: forms.SearchForm) -> ValidationFailed:
    return ValidationFailed(
        [(name, message) for name, messages in form.errors.items() for message in messages]
    )


@api_bp.get("/search")
@search_limit
def search():
    form = forms.SearchForm(formdata=request.args)
    if not form.validate():
        raise _form_errors(form)
    page = int_arg("page", 1, maximum=MAX_PAGE)
    per_page = int_arg("per_page", current_app.config["SEARCH_PER_PAGE"], maximum=MAX_PER_PAGE)
    query = SearchQuery(
        form.q.data or "", form.type.data, form.category.data or "", form.tag.data or "",
        form.solved.data, form.sort.data, page, per_page,
    )  # fmt: skip
    results = services.search(query, user_id=_caller_id(), origin="api")
    return results_json(results)


@api_bp.get("/search/similar")
@search_limit
def similar():
    title = request.args.get("title")
    if title is None:
        raise ValidationFailed([("title", "Send the draft title as ?title=.")])
    if len(title) > QUERY_MAX_LENGTH:
        raise ValidationFailed([("title", f"Titles are at most {QUERY_MAX_LENGTH} characters.")])
    hits = services.similar(title, user_id=_caller_id())
    return {"items": [hit_json(hit) for hit in hits]}
