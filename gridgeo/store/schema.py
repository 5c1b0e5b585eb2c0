"""The store's tables (SQLAlchemy Core) and its versioned schema migrations.

The same tables serve both backends. Times are stored in UTC (SQLite keeps them as ISO text
without a zone, PostgreSQL as ``timestamptz``); positions as WGS84 ``lon``/``lat`` floats and,
on PostGIS, also as a generated ``geometry(Point, 4326)`` column with a GiST index. Grid
geometries are stored as WKB (plus a generated PostGIS geometry column).

Migrations are numbered; ``schema_migrations`` records which ran. Pending ones run in one
transaction on open (a store made by an older gridgeo upgrades itself).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

metadata = sa.MetaData()

schema_migrations = sa.Table(
    "schema_migrations", metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)

grid_sets = sa.Table(
    "grid_sets", metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("comment", sa.Text, nullable=False, default=""),
    sa.Column("n_grids", sa.Integer, nullable=False),
    sa.Column("is_current", sa.Boolean, nullable=False, default=False),
)

grid_set_grids = sa.Table(
    "grid_set_grids", metadata,
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

events = sa.Table(
    "events", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("crs_in", sa.Text, nullable=False),
    sa.Column("lon_in", sa.Float),
    sa.Column("lat_in", sa.Float),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("level", sa.SmallInteger, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False, default=""),
    sa.Column("list_type", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("status_notes", sa.Text),
    sa.Column("grid_code", sa.Text),
    sa.Column("community_code", sa.Text),
    sa.Column("street_code", sa.Text),
    sa.Column("grid_set_version", sa.Integer),
    sa.Column("out_of_area", sa.Boolean, nullable=False),
    sa.Column("dispatch_target", sa.Text, nullable=False),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("accepted_at", sa.DateTime(timezone=True)),
    sa.Column("resolved_at", sa.DateTime(timezone=True)),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_events_reported_at", "reported_at"),
    sa.Index("ix_events_grid", "grid_code"),
    sa.Index("ix_events_community", "community_code"),
    sa.Index("ix_events_street", "street_code"),
    sa.Index("ix_events_status", "status"),
)

event_history = sa.Table(
    "event_history", metadata,
    sa.Column("hid", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.Text, sa.ForeignKey("events.id"), nullable=False, index=True),
    sa.Column("from_status", sa.Text),
    sa.Column("to_status", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("note", sa.Text),
)


atlases = sa.Table(
    "atlases", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=False),
    sa.Column("is_demo", sa.Boolean, nullable=False, default=False),
    sa.Column("district_code", sa.Text),
    sa.Column("n_streets", sa.Integer, nullable=False),
    sa.Column("n_communities", sa.Integer, nullable=False),
    sa.Column("n_grids", sa.Integer, nullable=False),
    sa.Column("n_units", sa.Integer, nullable=False),
    sa.Column("grid_set_version", sa.Integer),
    sa.Column("meta", sa.JSON),
    sa.Column("source", sa.JSON),
    sa.UniqueConstraint("name", "version", name="uq_atlases_name_version"),
)

atlas_features = sa.Table(
    "atlas_features", metadata,
    sa.Column("atlas_id", sa.Integer, sa.ForeignKey("atlases.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("layer", sa.Text, primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("code", sa.Text),
    sa.Column("attrs", sa.JSON),
    sa.Column("wkb", sa.LargeBinary),
)


def _m1_core(conn: sa.Connection) -> None:
    metadata.create_all(conn, tables=[grid_sets, grid_set_grids, events, event_history])


def _m2_spatial(conn: sa.Connection) -> None:
    """PostGIS only: generated geometry columns with GiST indexes (SQLite: nothing to do)."""
    if conn.dialect.name != "postgresql":
        return
    conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
    conn.exec_driver_sql(
        "ALTER TABLE events ADD COLUMN geom geometry(Point, 4326) "
        "GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED")
    conn.exec_driver_sql("CREATE INDEX ix_events_geom ON events USING gist (geom)")
    conn.exec_driver_sql(
        "ALTER TABLE grid_set_grids ADD COLUMN geom geometry(Geometry, 4326) "
        "GENERATED ALWAYS AS (ST_SetSRID(ST_GeomFromWKB(wkb), 4326)) STORED")
    conn.exec_driver_sql("CREATE INDEX ix_grid_set_grids_geom ON grid_set_grids USING gist (geom)")


def _m3_history_time(conn: sa.Connection) -> None:
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_event_history_at ON event_history (at)")


def _m4_atlases(conn: sa.Connection) -> None:
    """Stored atlases (issue 10): one row per saved version, its features by layer as WKB + JSON
    attributes; on PostGIS also a generated geometry column with a GiST index. Idempotent (a store
    whose migration records were lost upgrades again without error)."""
    metadata.create_all(conn, tables=[atlases, atlas_features])
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_atlas_features_code ON atlas_features (atlas_id, layer, code)")
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "ALTER TABLE atlas_features ADD COLUMN IF NOT EXISTS geom geometry(Geometry, 4326) "
            "GENERATED ALWAYS AS (ST_SetSRID(ST_GeomFromWKB(wkb), 4326)) STORED")
        conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_atlas_features_geom ON atlas_features USING gist (geom)")


# (version, name, function): append only; never edit a released migration.
MIGRATIONS: list[tuple[int, str, Callable[[sa.Connection], None]]] = [
    (1, "core tables: grid sets, events, history", _m1_core),
    (2, "PostGIS geometry columns and GiST indexes", _m2_spatial),
    (3, "index on history time", _m3_history_time),
    (4, "stored atlases and their features", _m4_atlases),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]
