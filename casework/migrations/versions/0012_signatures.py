"""one_time_codes and signatures: a bot filing is certified by a code sent to the MCDB phone;
the IIN of the person a representative files for

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

import casework.tables.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UTC = casework.tables.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("represented_iin", sa.String(length=12), nullable=True))
    op.create_table(
        "one_time_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_one_time_codes_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_time_codes")),
    )
    op.create_index(op.f("ix_one_time_codes_application_id"), "one_time_codes", ["application_id"])
    op.create_table(
        "signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column(
            "method",
            sa.Enum("sms_code", "in_person", name="signmethod", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("signer_iin", sa.String(length=12), nullable=False),
        sa.Column("phone_masked", sa.String(length=20), nullable=True),
        sa.Column("code_id", sa.Integer(), nullable=True),
        sa.Column("witnessed_by", sa.String(length=200), nullable=True),
        sa.Column("signed_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_signatures_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["code_id"], ["one_time_codes.id"], name=op.f("fk_signatures_code_id_one_time_codes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatures")),
    )
    op.create_index(op.f("ix_signatures_application_id"), "signatures", ["application_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_signatures_application_id"), table_name="signatures")
    op.drop_table("signatures")
    op.drop_index(op.f("ix_one_time_codes_application_id"), table_name="one_time_codes")
    op.drop_table("one_time_codes")
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("represented_iin")
