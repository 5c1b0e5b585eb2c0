"""Events get their service point and escalation state (issue 23): ``hall_code`` (the responsible
hall), ``station_code`` (the nearest station), ``handling_tier`` (station, community, street or
district: where the case is now), ``escalations`` (how many tiers it climbed) and
``escalated_at``; and the reporter's rating of the feedback step (``rating``, ``rated_at``).

Revision ID: 0014
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

COLUMNS = (
    ("hall_code", sa.Text, {}), ("station_code", sa.Text, {}), ("handling_tier", sa.Text, {}),
    ("escalations", sa.SmallInteger, {"nullable": False, "server_default": "0"}),
    ("escalated_at", sa.DateTime(timezone=True), {}), ("rating", sa.Text, {}),
    ("rated_at", sa.DateTime(timezone=True), {}),
)


def upgrade() -> None:
    for name, kind, options in COLUMNS:
        op.add_column("events", sa.Column(name, kind, **options))
    op.create_index("ix_events_hall", "events", ["hall_code"])


def downgrade() -> None:
    op.drop_index("ix_events_hall", "events")
    for name, _kind, _options in reversed(COLUMNS):
        op.drop_column("events", name)
