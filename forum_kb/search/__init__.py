"""Search: one box over threads, answers and KB articles.

Public API (STYLE 4.8): ``SearchDocument``, ``Source``, ``register_source`` and
``indexable_text`` (stored HTML to words) for features that feed the index, ``index_later``
to queue a change inside a transaction, and the read side in ``forum_kb.search.services``.
"""

from __future__ import annotations

from flask import Flask

from forum_kb.search.index import SearchDocument
from forum_kb.search.services import Source, index_later, register_source
from forum_kb.search.text import indexable_text

__all__ = [
    "SearchDocument",
    "Source",
    "bp",
    "index_later",
    "indexable_text",
    "init_app",
    "register_source",
]


def init_app(app: Flask) -> None:
    from forum_kb.api import register_api
    from forum_kb.search import services
    from forum_kb.search.api import api_bp
    from forum_kb.search.views import bp

    services.init_app(app)
    app.register_blueprint(bp)
    register_api(app, api_bp)
    # Servers start their background indexer with the first request (after any fork).
    app.before_request(lambda: services.start_indexer(app))


def __getattr__(name: str) -> object:
    if name == "bp":
        from forum_kb.search.views import bp

        return bp
    raise AttributeError(name)
