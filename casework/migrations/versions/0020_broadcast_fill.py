"""broadcasts filled in the background: their cases, and how far the filling got

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

import casework.tables.base

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

UTC = casework.tables.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.add_column(sa.Column("payload", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("targets", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("filled", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("filled_at", UTC, nullable=True))
        batch.add_column(sa.Column("fill_beat_at", UTC, nullable=True))
    # Broadcasts written before were filled in their own transaction.
    op.execute("UPDATE broadcasts SET filled_at = created_at")
    op.create_table(
        "broadcast_targets",
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("filled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["broadcast_id"], ["broadcasts.id"], name="fk_broadcast_targets_broadcast_id_broadcasts"
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name="fk_broadcast_targets_application_id_applications",
        ),
        sa.PrimaryKeyConstraint("broadcast_id", "application_id", name="pk_broadcast_targets"),
    )
    op.create_index(
        "ix_broadcast_targets_broadcast_id_filled", "broadcast_targets", ["broadcast_id", "filled"]
    )


def downgrade() -> None:
    op.drop_index("ix_broadcast_targets_broadcast_id_filled", table_name="broadcast_targets")
    op.drop_table("broadcast_targets")
    with op.batch_alter_table("broadcasts") as batch:
        for column in ("fill_beat_at", "filled_at", "filled", "targets", "payload"):
            batch.drop_column(column)
