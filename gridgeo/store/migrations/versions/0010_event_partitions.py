"""PostGIS only: ``events`` partitioned by month (declarative RANGE partitioning on
``reported_at``), with ``event_ids`` beside it for unique ids (SQLite: nothing to do).

A partitioned table's unique keys must hold the partition key, so ``events`` gets primary key
``(id, reported_at)`` and the global uniqueness of ``id`` (intake's ``ON CONFLICT (id)``, the
history foreign key) moves to ``event_ids (id primary key, reported_at)``. A store with events is
converted in place: the old table is renamed, every row copied into the partitioned one (a
partition per month of the data, see :mod:`gridgeo.store.partitions`, plus a DEFAULT partition),
the ids into ``event_ids``, the history foreign key pointed at ``event_ids``, the old table
dropped. History rows and aggregates are not touched. A store already partitioned (one stamped
from before Alembic after it was made) is left as it is.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COLUMNS = """
    id text NOT NULL,
    reported_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    lon double precision NOT NULL,
    lat double precision NOT NULL,
    crs_in text NOT NULL,
    lon_in double precision,
    lat_in double precision,
    category text NOT NULL,
    level smallint NOT NULL,
    channel text NOT NULL,
    text text NOT NULL,
    list_type text NOT NULL,
    status text NOT NULL,
    status_notes text,
    grid_code text,
    community_code text,
    street_code text,
    grid_set_version integer,
    out_of_area boolean NOT NULL,
    dispatch_target text NOT NULL,
    due_at timestamptz NOT NULL,
    accepted_at timestamptz,
    resolved_at timestamptz,
    updated_at timestamptz NOT NULL,
    reporter_name text,
    reporter_phone text,
    geom geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED
"""
COPIED = ("id, reported_at, received_at, lon, lat, crs_in, lon_in, lat_in, category, level, channel, text, "
          "list_type, status, status_notes, grid_code, community_code, street_code, grid_set_version, "
          "out_of_area, dispatch_target, due_at, accepted_at, resolved_at, updated_at, reporter_name, "
          "reporter_phone")
INDEXES = (("ix_events_reported_at", "(reported_at)"), ("ix_events_grid", "(grid_code)"),
           ("ix_events_community", "(community_code)"), ("ix_events_street", "(street_code)"),
           ("ix_events_status", "(status)"), ("ix_events_geom", "USING gist (geom)"))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if bind.exec_driver_sql("SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'events'::regclass").first():
        return
    from gridgeo.store import partitions

    for (fk,) in bind.exec_driver_sql(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'event_history'::regclass "
            "AND confrelid = 'events'::regclass AND contype = 'f'"):
        op.execute(f'ALTER TABLE event_history DROP CONSTRAINT "{fk}"')
    op.execute("ALTER TABLE events RENAME TO events_0009")
    for (pk,) in bind.exec_driver_sql("SELECT conname FROM pg_constraint WHERE conrelid = 'events_0009'::regclass "
                                      "AND contype = 'p'"):
        op.execute(f'ALTER TABLE events_0009 RENAME CONSTRAINT "{pk}" TO events_0009_pkey')
    for name, _ in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("CREATE TABLE event_ids (id text PRIMARY KEY, reported_at timestamptz NOT NULL)")
    op.execute(f"CREATE TABLE events ({COLUMNS}, CONSTRAINT events_pkey PRIMARY KEY (id, reported_at)) "
               "PARTITION BY RANGE (reported_at)")
    op.execute(f"CREATE TABLE {partitions.DEFAULT_PARTITION} PARTITION OF events DEFAULT")
    months = bind.exec_driver_sql(
        "SELECT DISTINCT extract(year FROM reported_at AT TIME ZONE 'UTC')::int, "
        "extract(month FROM reported_at AT TIME ZONE 'UTC')::int FROM events_0009").all()
    for month in sorted((int(y), int(m)) for y, m in months):
        if partitions.has_own_partition(month):
            partitions.create_month(bind, month)
    op.execute(f"INSERT INTO events ({COPIED}) SELECT {COPIED} FROM events_0009")
    op.execute("INSERT INTO event_ids (id, reported_at) SELECT id, reported_at FROM events_0009")
    op.execute("DROP TABLE events_0009")
    for name, spec in INDEXES:  # on the parent: every partition, present and future, gets its own
        op.execute(f"CREATE INDEX {name} ON events {spec}")
    op.execute("ALTER TABLE event_history ADD CONSTRAINT event_history_event_id_fkey "
               "FOREIGN KEY (event_id) REFERENCES event_ids (id)")
    op.execute("ANALYZE events")
    op.execute("ANALYZE event_ids")
