"""Plan tables: atom sets, plans, versions, audit log (idempotent: an older store may have
made them through its separate ``plan_schema_migrations``).

Revision ID: 0004
Revises: 0003
(was plan migration 1)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("plans"):
        return  # made by the plan schema's own migration before the store moved to Alembic
    op.create_table(
        "plan_atom_sets",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("n_atoms", sa.Integer, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("atom_set", sa.Text, sa.ForeignKey("plan_atom_sets.key"), nullable=False),
        sa.Column("band", sa.JSON, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("head_version", sa.Integer, nullable=False),
        sa.Column("published_version", sa.Integer),
        sa.Column("published_grid_set", sa.Integer),
    )
    op.create_table(
        "plan_versions",
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("base_version", sa.Integer),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("assignment", sa.JSON, nullable=False),
        sa.Column("grids", sa.JSON, nullable=False),
        sa.Column("edits", sa.JSON),
        sa.Column("summary", sa.JSON),
        sa.Column("published_at", TZ),
        sa.Column("grid_set_version", sa.Integer),
    )
    op.create_table(
        "plan_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("plan_id", sa.Integer),
        sa.Column("version", sa.Integer),
        sa.Column("detail", sa.JSON),
    )
    op.create_index("ix_plan_audit_plan", "plan_audit", ["plan_id"])
