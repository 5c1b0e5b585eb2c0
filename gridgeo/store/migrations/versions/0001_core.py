"""Core tables: grid sets, their grids, events and their status history.

Revision ID: 0001
Revises:
(was store migration 1)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "grid_sets",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("published_at", TZ, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("n_grids", sa.Integer, nullable=False),
        sa.Column("is_current", sa.Boolean, nullable=False),
    )
    op.create_table(
        "grid_set_grids",
        sa.Column("version", sa.Integer, sa.ForeignKey("grid_sets.version"), primary_key=True),
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text),
        sa.Column("community_code", sa.Text),
        sa.Column("street_code", sa.Text),
        sa.Column("households", sa.Integer),
        sa.Column("population", sa.Integer),
        sa.Column("attrs", sa.JSON),
        sa.Column("wkb", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("reported_at", TZ, nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("crs_in", sa.Text, nullable=False),
        sa.Column("lon_in", sa.Float),
        sa.Column("lat_in", sa.Float),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("list_type", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("status_notes", sa.Text),
        sa.Column("grid_code", sa.Text),
        sa.Column("community_code", sa.Text),
        sa.Column("street_code", sa.Text),
        sa.Column("grid_set_version", sa.Integer),
        sa.Column("out_of_area", sa.Boolean, nullable=False),
        sa.Column("dispatch_target", sa.Text, nullable=False),
        sa.Column("due_at", TZ, nullable=False),
        sa.Column("accepted_at", TZ),
        sa.Column("resolved_at", TZ),
        sa.Column("updated_at", TZ, nullable=False),
    )
    for name, column in (("reported_at", "reported_at"), ("grid", "grid_code"),
                         ("community", "community_code"), ("street", "street_code"), ("status", "status")):
        op.create_index(f"ix_events_{name}", "events", [column])
    op.create_table(
        "event_history",
        sa.Column("hid", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.Text, sa.ForeignKey("events.id"), nullable=False),
        sa.Column("from_status", sa.Text),
        sa.Column("to_status", sa.Text, nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
    )
    op.create_index("ix_event_history_event_id", "event_history", ["event_id"])
