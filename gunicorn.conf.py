"""gunicorn settings for ``make serve`` (read with ``gunicorn --config gunicorn.conf.py``).

Every value can be changed from the environment:

- ``HOST`` / ``PORT``: where to listen (default ``127.0.0.1:8000``; put a reverse proxy such
  as nginx in front, and set ``FORUM_KB_PROXY_FIX_X_FOR=1`` so client addresses are right);
- ``WEB_CONCURRENCY``: worker processes (default 2 x CPUs + 1);
- ``GUNICORN_THREADS``: threads per worker (default 2; more than 1 uses the gthread worker);
- ``GUNICORN_TIMEOUT``: seconds before a silent worker is restarted (default 30);
- ``GUNICORN_ACCESS_LOG`` / ``GUNICORN_ERROR_LOG``: file paths, ``-`` for the terminal.

The app is not preloaded: each worker builds its own app after the fork, so database
connection pools and the search indexer thread are never shared between processes.
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}") from None


wsgi_app = "forum_kb.wsgi:app"
bind = [f"{os.environ.get('HOST', '127.0.0.1')}:{_int('PORT', 8000)}"]
workers = _int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
threads = _int("GUNICORN_THREADS", 2)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, staggered, so slow leaks never build up.
max_requests = 5000
max_requests_jitter = 500
preload_app = False
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss "%(a)s"'
proc_name = "forum_kb"
# gunicorn 27's control socket is one path per user (~/.gunicorn/gunicorn.ctl): two servers
# on one machine would fight over it, and nothing here uses it.
control_socket_disable = True
