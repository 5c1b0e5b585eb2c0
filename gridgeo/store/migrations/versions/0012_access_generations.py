"""Access that holds: a token generation per user (bumped when the account is disabled or its
password changes, so tokens issued before stop working), failed sign-ins per user name and
client address (the throttle: one client's failures slow and block that client, never the
account for everyone), and the grid-set version each plan was started from (publishing a plan
whose base grid set is no longer current is refused).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("token_generation", sa.Integer, nullable=False, server_default="0"))
    op.create_table(
        "login_failures",
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("client", sa.Text, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("username", "client", name="pk_login_failures"),
    )
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("base_grid_set", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("base_grid_set")
    op.drop_table("login_failures")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("token_generation")
