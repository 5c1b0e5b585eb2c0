"""Hotline work orders that could not be placed by their address wait in ``hotline_queue`` for a
person (issue 22): the address, the event without a position, why it was queued, the candidate
grids, and once placed who placed it, how and when.

Revision ID: 0013
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hotline_queue",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("status", sa.Text, nullable=False, server_default="queued"),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.Text, nullable=False, server_default=""),
        sa.Column("event", sa.JSON, nullable=False),
        sa.Column("reporter_name", sa.Text),
        sa.Column("reporter_phone", sa.Text),
        sa.Column("method", sa.Text, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False, server_default="0"),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("reason_en", sa.Text, nullable=False, server_default=""),
        sa.Column("candidates", sa.JSON, nullable=False),
        sa.Column("district_code", sa.Text),
        sa.Column("street_code", sa.Text),
        sa.Column("community_code", sa.Text),
        sa.Column("placed_at", sa.DateTime(timezone=True)),
        sa.Column("placed_by", sa.Text),
        sa.Column("placed_how", sa.Text),
        sa.Column("grid_code", sa.Text),
        sa.Column("actor", sa.Text, nullable=False, server_default="ingest"),
    )
    op.create_index("ix_hotline_queue_status", "hotline_queue", ["status", "reported_at"])


def downgrade() -> None:
    op.drop_index("ix_hotline_queue_status", table_name="hotline_queue")
    op.drop_table("hotline_queue")
