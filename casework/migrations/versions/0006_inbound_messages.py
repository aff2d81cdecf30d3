"""inbound_messages: an SMS is acted on once, however often it is delivered

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import casework.tables.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("received_at", casework.tables.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_messages")),
        sa.UniqueConstraint(
            "provider", "message_id", name=op.f("uq_inbound_messages_provider")
        ),
    )


def downgrade() -> None:
    op.drop_table("inbound_messages")
