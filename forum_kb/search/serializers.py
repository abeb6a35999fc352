"""JSON shapes of search results (API.md)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from forum_kb.api import iso
from forum_kb.markup import clean_highlight
from forum_kb.search.services import Hit, SearchResults

#: The index calls the tag facet "tags"; API.md names every facet after its filter.
FACET_NAMES = {"type": "type", "category": "category", "tags": "tag", "solved": "solved"}


def snippet_html(hit: Hit) -> str:
    """The highlighted excerpt: whoosh escapes the text and adds our <mark> tags; the cleaner
    keeps exactly those (a second guard should the index ever hold markup)."""
    return str(clean_highlight(hit.snippet_html))


def hit_json(hit: Hit) -> dict[str, Any]:
    created = hit.created_at.replace(tzinfo=UTC) if hit.created_at is not None else None
    return {
        "type": hit.type,
        "id": hit.object_id,
        "doc_id": hit.doc_id,
        "title": hit.title,
        "url": hit.url,
        "snippet_html": snippet_html(hit),
        "score": round(hit.score, 4),
        "thread_id": hit.thread_id,
        "category": hit.category,
        "category_name": hit.category_name,
        "tags": list(hit.tags),
        "kind": hit.kind,
        "solved": hit.solved,
        "accepted": hit.accepted,
        "official": hit.type == "article",
        "author": hit.author,
        "created_at": iso(created),
    }


def facets_json(facets: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {FACET_NAMES[name]: dict(facets.get(name, {})) for name in FACET_NAMES}


def results_json(results: SearchResults) -> dict[str, Any]:
    return {
        "items": [hit_json(hit) for hit in results.items],
        "facets": facets_json(results.facets),
        "suggestion": results.suggestion,
        "total": results.total,
        "page": results.query.page,
        "per_page": results.query.per_page,
    }
