"""The store's tables (SQLAlchemy Core), as the code reads and writes them.

The same tables serve both backends. Times are stored in UTC (SQLite keeps them as ISO text
without a zone, PostgreSQL as ``timestamptz``); positions as WGS84 ``lon``/``lat`` floats and,
on PostGIS, also as a generated ``geometry(Point, 4326)`` column with a GiST index. Grid
geometries are stored as WKB (plus a generated PostGIS geometry column). On PostGIS ``events`` is
partitioned by UTC month of ``reported_at`` (primary key ``(id, reported_at)``) and ids are kept
unique by ``event_ids``; SQLite keeps one plain table (:mod:`gridgeo.store.partitions`).

These definitions are what the queries use; the database itself is created and upgraded by
the Alembic revisions in ``gridgeo/store/migrations/versions/`` (see :mod:`gridgeo.store.migrate`).
A change here needs a new revision there.

``event_counts`` holds the aggregates behind /risk and /stats: the number of events per UTC
hour of ``reported_at`` (``bucket``), grid/community/street code ('' for none), level,
category and status. Every event insert and every status change updates it in the same
transaction (:mod:`gridgeo.store.counts`). ``open_windows`` and ``open_counts`` hold the rolling
sums of open cases per area and level for the /risk windows (:mod:`gridgeo.store.open_windows`),
kept in the same transactions.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

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
    sa.Column("reporter_name", sa.Text),
    sa.Column("reporter_phone", sa.Text),
    # the service network (revision 0014): hall, nearest station, escalation, reporter's rating
    sa.Column("hall_code", sa.Text),
    sa.Column("station_code", sa.Text),
    sa.Column("handling_tier", sa.Text),
    sa.Column("escalations", sa.SmallInteger, nullable=False, server_default="0"),
    sa.Column("escalated_at", sa.DateTime(timezone=True)),
    sa.Column("rating", sa.Text),
    sa.Column("rated_at", sa.DateTime(timezone=True)),
    sa.Index("ix_events_reported_at", "reported_at"),
    sa.Index("ix_events_grid", "grid_code"),
    sa.Index("ix_events_community", "community_code"),
    sa.Index("ix_events_street", "street_code"),
    sa.Index("ix_events_status", "status"),
    sa.Index("ix_events_hall", "hall_code"),
)

# PostGIS only (revision 0010): ``events`` is partitioned by month on ``reported_at`` with primary
# key (id, reported_at); this table keeps ids unique across partitions, takes intake's
# ON CONFLICT (id), tells an update which partition holds an id, and is what the history refers
# to (see gridgeo.store.partitions). On SQLite ``events.id`` is the primary key itself.
event_ids = sa.Table(
    "event_ids", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
)

event_history = sa.Table(
    "event_history", metadata,
    sa.Column("hid", sa.Integer, primary_key=True, autoincrement=True),
    # references events.id on SQLite, event_ids.id on PostGIS (not declared here: either way)
    sa.Column("event_id", sa.Text, nullable=False, index=True),
    sa.Column("from_status", sa.Text),
    sa.Column("to_status", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("note", sa.Text),
)


event_counts = sa.Table(
    "event_counts", metadata,
    sa.Column("bucket", sa.DateTime(timezone=True), nullable=False),
    sa.Column("grid_code", sa.Text, nullable=False),
    sa.Column("community_code", sa.Text, nullable=False),
    sa.Column("street_code", sa.Text, nullable=False),
    sa.Column("level", sa.SmallInteger, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("status", "bucket", "grid_code", "community_code", "street_code", "level",
                            "category", name="pk_event_counts"),
    sqlite_with_rowid=False,
)


open_windows = sa.Table(
    "open_windows", metadata,
    sa.Column("span_s", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("start", sa.DateTime(timezone=True), nullable=False),
    sa.Column("until", sa.DateTime(timezone=True), nullable=False),
)

open_counts = sa.Table(
    "open_counts", metadata,
    sa.Column("grid_code", sa.Text, nullable=False),
    sa.Column("community_code", sa.Text, nullable=False),
    sa.Column("street_code", sa.Text, nullable=False),
    *[sa.Column(f"{span}_{lv}", sa.Integer, nullable=False, server_default="0")
      for span in ("h24", "d7", "d30") for lv in (1, 2, 3, 4)],
    sa.PrimaryKeyConstraint("grid_code", "community_code", "street_code", name="pk_open_counts"),
    sqlite_with_rowid=False,
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


# vector tile sources (gridgeo.tiles): each grid set version's features per tile layer, and a
# marker row once a version's features are all written
tile_features = sa.Table(
    "tile_features", metadata,
    sa.Column("version", sa.Integer, sa.ForeignKey("grid_sets.version"), nullable=False),
    sa.Column("layer", sa.Text, nullable=False),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("fid", sa.BigInteger, nullable=False),
    sa.Column("wkb", sa.LargeBinary, nullable=False),
    sa.PrimaryKeyConstraint("version", "layer", "code", name="pk_tile_features"),
)

tile_feature_sets = sa.Table(
    "tile_feature_sets", metadata,
    sa.Column("version", sa.Integer, sa.ForeignKey("grid_sets.version"), primary_key=True),
    sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("n_features", sa.Integer, nullable=False),
)
