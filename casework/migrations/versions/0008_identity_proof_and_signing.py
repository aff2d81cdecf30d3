"""A Telegram account's link to an IIN carries its proof; every link and revoke is kept

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

import casework.tables.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applicants") as batch:
        batch.add_column(
            sa.Column(
                "telegram_verified_at",
                casework.tables.base.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("telegram_verified_how", sa.String(length=200), nullable=True))
    # Links made before proof was required count as proven only where the shared phone is the
    # one the mobile citizens database registers to the IIN.
    op.execute(
        "UPDATE applicants SET telegram_verified_at = created_at, "
        "telegram_verified_how = 'mcdb_phone' "
        "WHERE telegram_id IS NOT NULL AND EXISTS (SELECT 1 FROM mcdb_entries m "
        "WHERE m.iin = applicants.iin AND m.phone = applicants.phone)"
    )
    op.create_table(
        "account_link_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("how", sa.String(length=200), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", casework.tables.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["applicants.id"],
            name=op.f("fk_account_link_events_applicant_id_applicants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_link_events")),
    )
    op.create_index(
        op.f("ix_account_link_events_applicant_id"),
        "account_link_events",
        ["applicant_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_account_link_events_applicant_id"), table_name="account_link_events")
    op.drop_table("account_link_events")
    with op.batch_alter_table("applicants") as batch:
        batch.drop_column("telegram_verified_how")
        batch.drop_column("telegram_verified_at")
