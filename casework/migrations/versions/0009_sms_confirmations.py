"""sms confirmations: an objection by SMS waits for "yes"; "СТОП" recorded on the applicant

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

import casework.tables.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sms_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("first_at", casework.tables.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", casework.tables.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", casework.tables.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("objection_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_sms_confirmations_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["objection_id"],
            ["objections.id"],
            name=op.f("fk_sms_confirmations_objection_id_objections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_confirmations")),
    )
    op.create_index(
        op.f("ix_sms_confirmations_phone"), "sms_confirmations", ["phone"], unique=False
    )
    op.create_index(
        op.f("ix_sms_confirmations_application_id"),
        "sms_confirmations",
        ["application_id"],
        unique=False,
    )
    with op.batch_alter_table("applicants") as batch:
        batch.add_column(
            sa.Column(
                "sms_opt_out_at", casework.tables.base.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("applicants") as batch:
        batch.drop_column("sms_opt_out_at")
    op.drop_index(op.f("ix_sms_confirmations_application_id"), table_name="sms_confirmations")
    op.drop_index(op.f("ix_sms_confirmations_phone"), table_name="sms_confirmations")
    op.drop_table("sms_confirmations")
