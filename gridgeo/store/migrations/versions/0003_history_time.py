"""Index on the history's time.

Revision ID: 0003
Revises: 0002
(was store migration 3)
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS ix_event_history_at ON event_history (at)")
