"""PostGIS only: generated geometry columns with GiST indexes (SQLite: nothing to do).

Revision ID: 0002
Revises: 0001
(was store migration 2)
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("ALTER TABLE events ADD COLUMN geom geometry(Point, 4326) "
               "GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED")
    op.execute("CREATE INDEX ix_events_geom ON events USING gist (geom)")
    op.execute("ALTER TABLE grid_set_grids ADD COLUMN geom geometry(Geometry, 4326) "
               "GENERATED ALWAYS AS (ST_SetSRID(ST_GeomFromWKB(wkb), 4326)) STORED")
    op.execute("CREATE INDEX ix_grid_set_grids_geom ON grid_set_grids USING gist (geom)")
