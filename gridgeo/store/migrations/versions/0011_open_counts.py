"""Rolling sums of open cases per area and level for the /risk windows: ``open_windows`` (one
row per span: the UTC hour the sums start at) and ``open_counts`` (grid/community/street codes,
then the open cases of levels 1-4 of each span: h24_1..h24_4, d7_*, d30_*). Created empty: the
store builds each span from ``event_counts`` on its first refresh
(:mod:`gridgeo.store.open_windows`).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "open_windows",
        sa.Column("span_s", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "open_counts",
        sa.Column("grid_code", sa.Text, nullable=False),
        sa.Column("community_code", sa.Text, nullable=False),
        sa.Column("street_code", sa.Text, nullable=False),
        *[sa.Column(f"{span}_{lv}", sa.Integer, nullable=False, server_default="0")
          for span in ("h24", "d7", "d30") for lv in (1, 2, 3, 4)],
        sa.PrimaryKeyConstraint("grid_code", "community_code", "street_code", name="pk_open_counts"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("open_counts")
    op.drop_table("open_windows")
