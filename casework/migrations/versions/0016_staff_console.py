"""the staff console: passwords, lockout, each member's language, signed-in sessions

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

import casework.tables.base

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

UTC = casework.tables.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(length=200), nullable=True))
        batch.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_until", UTC, nullable=True))
        batch.add_column(
            sa.Column("locale", sa.String(length=2), nullable=False, server_default="kk")
        )
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("last_seen_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_index("ix_staff_sessions_staff_id", "staff_sessions", ["staff_id"])


def downgrade() -> None:
    op.drop_index("ix_staff_sessions_staff_id", table_name="staff_sessions")
    op.drop_table("staff_sessions")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("locale")
        batch.drop_column("locked_until")
        batch.drop_column("failed_logins")
        batch.drop_column("password_hash")
