"""Transactions: the unit of work, post-commit effects, and the typed ``Model`` alias."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from sqlalchemy import DateTime, Table, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.types import TypeDecorator

from forum_kb.extensions import Base, db

# mypy rejects ``class X(db.Model)`` (flask-sqlalchemy #1112/#1186), so type checkers see the
# declarative Base while the runtime uses db.Model (which adds ``query_class`` and table naming).
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model

P = ParamSpec("P")
R = TypeVar("R")

_DEPTH = "forum_kb.uow_depth"
_CALLBACKS = "forum_kb.after_commit"


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite stores datetimes without a zone, so values come back naive; this type stores UTC and
    always returns aware datetimes, so comparisons with ``utcnow()`` work on SQLite and PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


@contextmanager
def _unit_of_work() -> Iterator[None]:
    info = db.session.info
    depth = info.get(_DEPTH, 0)
    info[_DEPTH] = depth + 1
    if depth == 0:
        info[_CALLBACKS] = []
    try:
        yield
        if depth == 0:
            db.session.commit()
    except BaseException:
        if depth == 0:
            db.session.rollback()
            info[_CALLBACKS] = []
        raise
    finally:
        info[_DEPTH] = depth
    if depth == 0:
        callbacks: list[Callable[[], object]] = info.pop(_CALLBACKS, [])
        for callback in callbacks:
            callback()


class _UnitOfWork:
    """Context manager and decorator; only the outermost level commits (STYLE 4.5)."""

    def __enter__(self) -> None:
        self._cm = _unit_of_work()
        self._cm.__enter__()

    def __exit__(self, *exc: Any) -> bool | None:
        return self._cm.__exit__(*exc)

    def __call__(self, func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with _unit_of_work():
                return func(*args, **kwargs)

        return wrapper


def unit_of_work() -> _UnitOfWork:
    """Open (or join) a transaction; the outermost level commits, or rolls back on error."""
    return _UnitOfWork()


def after_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` once the outermost unit of work has committed.

    Raises:
        RuntimeError: when called outside a unit of work.
    """
    callbacks = db.session.info.get(_CALLBACKS)
    if db.session.info.get(_DEPTH, 0) == 0 or callbacks is None:
        raise RuntimeError("after_commit() needs an open unit_of_work()")
    callbacks.append(callback)


def count_daily(model: type[Base], key: dict[str, Any], column: str = "views") -> None:
    """Add one to ``column`` of the ``model`` row with primary key ``key``, creating the row.

    One statement (an upsert), so concurrent requests never lose a count or collide on the key.
    Runs in the caller's transaction.
    """
    table = model.__table__
    assert isinstance(table, Table)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(**key, **{column: 1})
    db.session.execute(
        stmt.on_conflict_do_update(index_elements=list(key), set_={column: table.c[column] + 1})
    )


def no_durability_wait() -> None:
    """On PostgreSQL, let this transaction's commit return before its WAL record reaches the
    disk (``synchronous_commit = off``, for this transaction only): for statistics (view
    counts, the search log) a crash may lose the last fraction of a second of them, never
    corrupt anything, and the request no longer waits for a disk flush (5 to 30 ms here).
    (SQLite files run with ``synchronous=NORMAL`` in WAL mode, which already behaves so.)
    Call inside the unit of work, before its first write."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def _enable_sqlite_foreign_keys(dbapi_connection: Any, connection_record: Any) -> None:
    # SQLite ignores FOREIGN KEY constraints unless asked, per connection.
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # A database file (not :memory:) runs in WAL mode: readers never wait for a writer
        # (backups, searches during a post), and with synchronous=NORMAL a commit no longer
        # waits for a disk flush (30 ms under load here); a power cut may lose the last
        # commits, never corrupt the file.
        if any(row[2] for row in cursor.execute("PRAGMA database_list")):
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.OperationalError:  # locked by another process: keep its mode
                pass
        cursor.close()


def init_app(app: Any) -> None:
    """Per-connection database settings."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", _enable_sqlite_foreign_keys):
        event.listen(Engine, "connect", _enable_sqlite_foreign_keys)
