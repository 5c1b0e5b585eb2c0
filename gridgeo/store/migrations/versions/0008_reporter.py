"""Events get the reporter's name and phone (optional personal data, masked by role).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("events", sa.Column("reporter_name", sa.Text))
    op.add_column("events", sa.Column("reporter_phone", sa.Text))


def downgrade() -> None:
    op.drop_column("events", "reporter_phone")
    op.drop_column("events", "reporter_name")
