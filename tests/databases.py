"""Test databases: in-memory SQLite by default, or a private schema on PostgreSQL.

With ``FORUM_KB_TEST_DATABASE_URL`` set, each test run creates its own schema (so parallel runs
never collide) and drops it at the end; tables are emptied between tests.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ENV_VAR = "FORUM_KB_TEST_DATABASE_URL"


def postgres_base_url() -> str | None:
    """The PostgreSQL URL given to the test run, if any."""
    url = os.environ.get(ENV_VAR, "").strip()
    return url or None


@contextmanager
def private_schema(base_url: str, label: str = "t") -> Iterator[str]:
    """Create a uniquely named schema; yield a URL whose connections use it; drop it after."""
    schema = f"fkb_{label}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
