"""The search page (a GET form that works without JavaScript), the click-tracking redirect
and the staff's content-gap report."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from forum_kb.accounts.auth import role_required
from forum_kb.accounts.models import Role
from forum_kb.errors import NotFound
from forum_kb.markup import clean_highlight
from forum_kb.search import forms, queries, services
from forum_kb.search.limits import search_limit
from forum_kb.search.services import Hit, SearchQuery, SearchResults

bp = Blueprint("search", __name__, url_prefix="/search")

#: Deeper pages are of no use to anyone, and each costs a larger top-N collection.
MAX_PAGE = 1000
FILTERS = ("type", "category", "tag", "solved")
TYPE_LABELS = {"thread": "Thread", "post": "Answer", "article": "KB article"}
FACET_TYPE_LABELS = {k: v for k, v in forms.TYPE_LABELS.items() if k}
SOLVED_LABELS = {k: v for k, v in forms.SOLVED_LABELS.items() if k}
FACET_LIMIT = 12
#: Facets with a handful of known values keep one order; the others rank by count.
FIXED_ORDER = {"type": list(FACET_TYPE_LABELS), "solved": list(SOLVED_LABELS)}


@dataclass(frozen=True)
class Pager:
    """What ``_macros/pagination.html`` needs from a page of search results."""

    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _page() -> int:
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)


def _snippet(hit: Hit) -> Markup:
    # whoosh escaped the text and added our <mark> tags; the cleaner keeps only those.
    return clean_highlight(hit.snippet_html)


def _int_arg(name: str, maximum: int) -> int | None:
    value = request.args.get(name, type=int)
    return value if value is not None and 1 <= value <= maximum else None


def _facets(results: SearchResults | None, args: dict[str, str]) -> dict[str, list[Any]]:
    """Facet values as ``(value, label, count)``; an active filter is always listed so that
    it can be removed."""
    counts = dict(results.facets) if results is not None else {}
    counts["tag"] = counts.pop("tags", {})
    ranked: dict[str, list[tuple[str, int]]] = {}
    for name in FILTERS:
        found = dict(counts.get(name, {}))
        active = args.get(name, "")
        if active:
            found.setdefault(active, 0)
        if name in FIXED_ORDER:
            values = [(v, found[v]) for v in FIXED_ORDER[name] if v in found]
        else:
            values = sorted(found.items(), key=lambda item: (-item[1], item[0]))[:FACET_LIMIT]
        if active and active not in dict(values):
            values.append((active, found[active]))
        ranked[name] = values
    labels = {
        "type": FACET_TYPE_LABELS,
        "category": queries.category_names(v for v, _ in ranked["category"]),
        "solved": SOLVED_LABELS,
    }
    return {
        name: [(v, labels.get(name, {}).get(v, v), n) for v, n in values]
        for name, values in ranked.items()
    }


def _search(form: forms.SearchForm, args: dict[str, str]) -> SearchResults | None:
    if not form.q.data or form.q.errors:
        return None  # nothing asked yet, or a query too long to run
    query = SearchQuery(
        form.q.data, args["type"], args["category"], args["tag"], args["solved"], args["sort"],
        _page(), current_app.config["SEARCH_PER_PAGE"],
    )  # fmt: skip
    return services.search(query, user_id=_user_id(), origin="page")


def _search_url(current: dict[str, str], **changes: Any) -> str:
    """This search with some arguments changed (None removes one); always page 1."""
    merged = {**current, **changes}
    return url_for("search.index", **{k: v for k, v in merged.items() if v})


@bp.get("/")
@search_limit
def index():
    form = forms.SearchForm(formdata=request.args)
    form.validate()
    args = {name: form.value(name) for name in (*FILTERS, "sort")}
    results = _search(form, args)
    # Only page 1 is logged; later pages carry its id so that their clicks still count.
    log_id = results.log_id if results is not None else None
    if results is not None and log_id is None:
        log_id = _int_arg("sl", queries.MAX_ID)
    current = {
        "q": form.q.data or "",
        **{k: v for k, v in args.items() if v not in ("", "relevance")},
    }
    return render_template(
        "search/index.html",
        form=form,
        results=results,
        args=args,
        facets=_facets(results, args),
        search_url=functools.partial(_search_url, current),
        pager=Pager(results.query.page, results.pages) if results is not None else None,
        pager_args={**current, "sl": log_id} if log_id else current,
        log_id=log_id,
        type_labels=TYPE_LABELS,
        snippet=_snippet,
    )


@bp.get("/go")
def result_open():
    """Open a search result and remember the click. Only analytics change on this GET (like
    a view counter); the target is looked up from the index, never taken from the request."""
    doc_id = request.args.get("doc", "")
    url = queries.result_url(doc_id)
    if url is None:
        raise NotFound("That result is no longer available.")
    log_id = _int_arg("sl", queries.MAX_ID)
    if log_id is not None:
        services.record_click(log_id, doc_id, _user_id())
    return redirect(url, 302)


@bp.get("/insights")
@role_required(Role.STAFF)
def insights():
    form = forms.InsightsForm(formdata=request.args)
    form.validate()
    period = queries.report_period(
        None if form.since.errors else form.since.data,
        None if form.until.errors else form.until.data,
    )
    if not form.since.errors and not form.until.errors:
        form.since.data, form.until.data = period.first, period.last
    asked = queries.searched_then_asked(period)
    composed = queries.posted_despite_suggestions(period)
    return render_template(
        "search/insights.html",
        form=form,
        period=period,
        summary=queries.search_summary(period),
        top=queries.top_queries(period),
        zero=queries.zero_result_queries(period),
        asked=asked,
        composing=queries.composing_summary(period),
        composed=composed,
        titles=queries.thread_titles({row.thread_id for row in asked + composed}),
    )
