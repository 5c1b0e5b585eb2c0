"""App sign-ins that last (issue 20, branch appaccess): one row per signed-in browser, named by
the SHA-256 of the random id its HttpOnly cookie carries; the user's token generation when it
began (disabling the account or a new password ends it), when it was last used (the idle limit,
GRIDGEO_APP_SESSION_IDLE_H) and when it was ended (sign-out).

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_sessions",
        sa.Column("id_hash", sa.Text, primary_key=True),
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("generation", sa.Integer, nullable=False, server_default="0"),
        sa.Column("client", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_app_sessions_username", "app_sessions", ["username"])


def downgrade() -> None:
    op.drop_index("ix_app_sessions_username", table_name="app_sessions")
    op.drop_table("app_sessions")
