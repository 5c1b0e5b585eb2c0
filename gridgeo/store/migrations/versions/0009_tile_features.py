"""Vector tile sources: the features of each grid set version per tile layer (grids and the
districts, streets and communities dissolved from them), written once per version by
:mod:`gridgeo.tiles.features`. PostGIS adds a generated geometry column with a GiST index.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tile_features",
        sa.Column("version", sa.Integer, sa.ForeignKey("grid_sets.version"), nullable=False),
        sa.Column("layer", sa.Text, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("fid", sa.BigInteger, nullable=False),
        sa.Column("wkb", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("version", "layer", "code", name="pk_tile_features"),
    )
    op.create_table(
        "tile_feature_sets",
        sa.Column("version", sa.Integer, sa.ForeignKey("grid_sets.version"), primary_key=True),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("n_features", sa.Integer, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE tile_features ADD COLUMN geom geometry(Geometry, 4326) "
                   "GENERATED ALWAYS AS (ST_SetSRID(ST_GeomFromWKB(wkb), 4326)) STORED")
        op.execute("CREATE INDEX ix_tile_features_geom ON tile_features USING gist (geom)")
