"""conversations: the Telegram assistant's FSM storage

Revision ID: 0003
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import casework.tables.base

revision = "0003"
down_revision = "0001"
branch_labels = ("conversations",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=200), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", casework.tables.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_conversations")),
    )


def downgrade() -> None:
    op.drop_table("conversations")
