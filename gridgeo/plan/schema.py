"""Tables of plan versions and the audit log, in the same database as the event store.

These are the definitions the queries use; the tables are created (and later changed) by the
store's Alembic revisions (``gridgeo/store/migrations/versions/0004_plans.py``), which run when
the store is opened: one migration system for the whole database.

- ``plan_atom_sets``: each atom set once, by content key (GeoParquet bytes);
- ``plans``: a plan's name, atom set, size band, ``head_version`` (the optimistic-concurrency
  token: a save must name it as its base) and the version published last;
- ``plan_versions``: every saved version whole (assignment, grid attributes), with author, time,
  comment, base version, the edits that led to it and its summary figures;
- ``plan_audit``: who did what when (create, save, refused stale save, publish).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

plan_atom_sets = sa.Table(
    "plan_atom_sets", metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("n_atoms", sa.Integer, nullable=False),
    sa.Column("source", sa.Text, nullable=False, default=""),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

plans = sa.Table(
    "plans", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("atom_set", sa.Text, sa.ForeignKey("plan_atom_sets.key"), nullable=False),
    sa.Column("band", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("head_version", sa.Integer, nullable=False),
    sa.Column("published_version", sa.Integer),
    sa.Column("published_grid_set", sa.Integer),
    sa.Column("base_grid_set", sa.Integer),  # the grid set current when the plan started (revision 0012)
)

plan_versions = sa.Table(
    "plan_versions", metadata,
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("base_version", sa.Integer),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("comment", sa.Text, nullable=False, default=""),
    sa.Column("assignment", sa.JSON, nullable=False),
    sa.Column("grids", sa.JSON, nullable=False),
    sa.Column("edits", sa.JSON),
    sa.Column("summary", sa.JSON),
    sa.Column("published_at", sa.DateTime(timezone=True)),
    sa.Column("grid_set_version", sa.Integer),
)

plan_audit = sa.Table(
    "plan_audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("plan_id", sa.Integer),
    sa.Column("version", sa.Integer),
    sa.Column("detail", sa.JSON),
    sa.Index("ix_plan_audit_plan", "plan_id"),
)
