"""Aggregates: event counts per UTC hour, area codes, level, category and status, filled from
the events already stored (afterwards kept in the transaction of every event write).
Primary key (status, bucket, codes, level, category); SQLite: WITHOUT ROWID (clustered).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

KEY = ("bucket", "grid_code", "community_code", "street_code", "level", "category", "status")
# primary key order: status first, then time, so a window of some statuses (the open ones, for
# /risk) is a few contiguous range scans; on SQLite the table is clustered on it (WITHOUT ROWID)
PK = ("status", "bucket", "grid_code", "community_code", "street_code", "level", "category")


def upgrade() -> None:
    op.create_table(
        "event_counts",
        sa.Column("bucket", sa.DateTime(timezone=True), nullable=False),
        sa.Column("grid_code", sa.Text, nullable=False),
        sa.Column("community_code", sa.Text, nullable=False),
        sa.Column("street_code", sa.Text, nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint(*PK, name="pk_event_counts"),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        hour = "date_trunc('hour', reported_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
    else:  # the text form SQLAlchemy stores DateTime in on SQLite
        hour = "strftime('%Y-%m-%d %H:00:00.000000', reported_at)"
    op.execute(
        f"INSERT INTO event_counts ({', '.join(KEY)}, n) "
        f"SELECT {hour}, coalesce(grid_code, ''), coalesce(community_code, ''), coalesce(street_code, ''), "
        f"level, category, status, count(*) FROM events GROUP BY 1, 2, 3, 4, 5, 6, 7")
