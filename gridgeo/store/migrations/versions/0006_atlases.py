"""Stored atlases (issue 10): one row per saved version of a district's atlas, its features by
layer as WKB with JSON attributes; on PostGIS also a generated geometry column with a GiST index.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "atlases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("is_demo", sa.Boolean, nullable=False),
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
    op.create_table(
        "atlas_features",
        sa.Column("atlas_id", sa.Integer, sa.ForeignKey("atlases.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("layer", sa.Text, primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("code", sa.Text),
        sa.Column("attrs", sa.JSON),
        sa.Column("wkb", sa.LargeBinary),
    )
    op.create_index("ix_atlas_features_code", "atlas_features", ["atlas_id", "layer", "code"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE atlas_features ADD COLUMN geom geometry(Geometry, 4326) "
                   "GENERATED ALWAYS AS (ST_SetSRID(ST_GeomFromWKB(wkb), 4326)) STORED")
        op.execute("CREATE INDEX ix_atlas_features_geom ON atlas_features USING gist (geom)")


def downgrade() -> None:
    op.drop_table("atlas_features")
    op.drop_table("atlases")
