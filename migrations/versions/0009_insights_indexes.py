"""Insights: covering indexes for the staff dashboard's long periods (the search log, votes,
thread and article views per day), replacing the single-column indexes on the same dates.

On SQLite a date-range index without the columns a report reads makes a table lookup per row,
several times slower than reading the index alone (bench/insights.py, 365 days).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 23:40:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COVERING = {
    "search_log": (
        "ix_search_log_created_at",
        ["created_at", "origin", "result_count", "followed_by_thread_id", "clicked_doc", "query"],
        ["created_at"],
    ),
    "post_votes": ("ix_post_votes_created_at", ["created_at", "value", "post_id"], ["created_at"]),
    "thread_daily_views": ("ix_thread_daily_views_day", ["day", "views"], ["day"]),
    "kb_article_daily_views": (
        "ix_kb_article_daily_views_day",
        ["day", "article_id", "views"],
        ["day"],
    ),
}


def _replace(columns_at: int) -> None:
    for table, spec in COVERING.items():
        name, columns = spec[0], spec[columns_at]
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
            batch_op.create_index(name, columns, unique=False)


def upgrade():
    _replace(1)


def downgrade():
    _replace(2)
