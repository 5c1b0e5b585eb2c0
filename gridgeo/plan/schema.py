"""Tables of plan versions and the audit log, in the same database as the event store.

Migrations follow the store's pattern (numbered, append only, each in its own transaction) but
are recorded in their own table ``plan_schema_migrations`` so the store's schema version is
left alone.

- ``plan_atom_sets``: each atom set once, by content key (GeoParquet bytes);
- ``plans``: a plan's name, atom set, size band, ``head_version`` (the optimistic-concurrency
  token: a save must name it as its base) and the version published last;
- ``plan_versions``: every saved version whole (assignment, grid attributes), with author, time,
  comment, base version, the edits that led to it and its summary figures;
- ``plan_audit``: who did what when (create, save, refused stale save, publish).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa

metadata = sa.MetaData()

plan_schema_migrations = sa.Table(
    "plan_schema_migrations", metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)

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


def _m1_tables(conn: sa.Connection) -> None:
    metadata.create_all(conn, tables=[plan_atom_sets, plans, plan_versions, plan_audit])


MIGRATIONS: list[tuple[int, str, Callable[[sa.Connection], None]]] = [
    (1, "plan atom sets, plans, versions, audit log", _m1_tables),
]


def migrate(engine: sa.Engine) -> int:
    """Apply pending plan migrations on ``engine`` (the store's write engine); return the version."""
    with engine.begin() as conn:
        plan_schema_migrations.create(conn, checkfirst=True)
        done = int(conn.execute(sa.select(sa.func.max(plan_schema_migrations.c.version))).scalar() or 0)
    for version, name, fn in MIGRATIONS:
        if version <= done:
            continue
        with engine.begin() as conn:
            # re-check inside the write transaction: another process may have migrated meanwhile
            now = int(conn.execute(sa.select(sa.func.max(plan_schema_migrations.c.version))).scalar() or 0)
            if version <= now:
                continue
            fn(conn)
            conn.execute(plan_schema_migrations.insert().values(
                version=version, name=name, applied_at=datetime.now(UTC)))
    return MIGRATIONS[-1][0]
