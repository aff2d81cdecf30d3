"""staff lookups: the audit of who searched for whom

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

import casework.tables.base

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_lookups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("at", casework.tables.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "iin", "deadline", "status", "all",
                name="lookupkind", native_enum=False, length=40,
            ),
            nullable=False,
        ),
        sa.Column("iin", sa.String(length=12), nullable=True),
        sa.Column("filters", sa.String(length=1000), nullable=False),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_lookups_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_lookups")),
    )
    op.create_index(op.f("ix_staff_lookups_at"), "staff_lookups", ["at"], unique=False)
    op.create_index(op.f("ix_staff_lookups_iin"), "staff_lookups", ["iin"], unique=False)
    op.create_index(op.f("ix_staff_lookups_staff_id"), "staff_lookups", ["staff_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_staff_lookups_staff_id"), table_name="staff_lookups")
    op.drop_index(op.f("ix_staff_lookups_iin"), table_name="staff_lookups")
    op.drop_index(op.f("ix_staff_lookups_at"), table_name="staff_lookups")
    op.drop_table("staff_lookups")
