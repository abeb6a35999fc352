"""The WSGI entry point for production servers: ``gunicorn forum_kb.wsgi:app``.

``FORUM_KB_INSTANCE_PATH`` moves the instance folder (generated secret key, SQLite file,
search index) out of the code checkout, e.g. to ``/var/lib/forum_kb``; the rest of the
configuration comes from ``<instance>/config.py`` and ``FORUM_KB_<KEY>`` variables.
"""

from __future__ import annotations

import os

from forum_kb import create_app

app = create_app(instance_path=os.environ.get("FORUM_KB_INSTANCE_PATH") or None)
