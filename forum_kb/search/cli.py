"""`flask search ...`: rebuild the index, apply queued changes, run the indexer, statistics."""

from __future__ import annotations

import logging
import time

import click
from flask import current_app
from flask.cli import AppGroup

from forum_kb.extensions import db
from forum_kb.search import services

log = logging.getLogger(__name__)

search_cli = AppGroup("search", help="Search index maintenance.")


def _changes(count: int) -> str:
    return f"{count} queued change{'' if count == 1 else 's'}"


@search_cli.command("reindex")
def reindex() -> None:
    """Rebuild the whole index from the database (built beside the live index, then swapped
    in: search keeps answering meanwhile)."""
    started = time.monotonic()
    count = services.reindex()
    elapsed = time.monotonic() - started
    click.echo(f"Indexed {count} document{'' if count == 1 else 's'} in {elapsed:.1f} s.")


@search_cli.command("drain")
def drain() -> None:
    """Apply the changes waiting in the queue once."""
    click.echo(f"Applied {_changes(services.drain())}.")


@search_cli.command("indexer")
@click.option("--once", is_flag=True, help="Apply what is queued, then exit.")
@click.option(
    "--max-seconds",
    type=click.FloatRange(min=0),
    default=None,
    help="Stop after this long (default: run until interrupted).",
)
def indexer(once: bool, max_seconds: float | None) -> None:
    """Apply queued changes every SEARCH_POLL_INTERVAL seconds until interrupted (for
    deployments with SEARCH_INDEXER = "off")."""
    interval = float(current_app.config["SEARCH_POLL_INTERVAL"])
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    total = 0
    click.echo(f"Indexing queued changes every {interval:g} s. Stop with Ctrl+C.")
    try:
        while True:
            try:
                # Non-blocking: while a reindex holds the writer lock, try again next round.
                applied = services.drain(blocking=False)
            except Exception:  # keep running: the queue keeps the work for the next round
                log.exception("search indexer failed; will retry")
                db.session.rollback()
                applied = 0
            if applied:
                total += applied
                click.echo(f"Applied {_changes(applied)}.")
            if once or (deadline is not None and time.monotonic() >= deadline):
                break
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    finally:
        db.session.remove()
    click.echo(f"Stopped after applying {_changes(total)}.")


@search_cli.command("stats")
def stats() -> None:
    """Show how many documents the index holds and how many changes wait in the queue."""
    found = services.index_stats()
    where = current_app.config.get("SEARCH_INDEX_DIR") or "memory"
    click.echo(f"Index: {where}")
    click.echo(f"Documents: {found['documents']}")
    click.echo(f"Queued changes: {found['queued']}")
