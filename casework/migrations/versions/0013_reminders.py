"""sent_reminders: each reminder sent, once per case, reminder and occasion

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

import casework.tables.base

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UTC = casework.tables.base.UTCDateTime(timezone=True)
REMINDERS = (
    "objection_closes",
    "hearing_soon",
    "protocol_unread",
    "remarks_close",
    "documents_missing",
)


def upgrade() -> None:
    op.create_table(
        "sent_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column(
            "reminder",
            sa.Enum(*REMINDERS, name="reminder", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("occasion", sa.String(length=60), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("sent_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_sent_reminders_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_reminders")),
        sa.UniqueConstraint(
            "application_id",
            "reminder",
            "occasion",
            name=op.f("uq_sent_reminders_application_id"),
        ),
    )
    op.create_index(op.f("ix_sent_reminders_application_id"), "sent_reminders", ["application_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sent_reminders_application_id"), table_name="sent_reminders")
    op.drop_table("sent_reminders")
