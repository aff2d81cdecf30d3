"""payments: the recipient's IBAN, budgets, payment schedules, registers and result imports

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

import casework.tables.base

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_STATUS = sa.Enum(
    "scheduled",
    "sent",
    "paid",
    "returned",
    "cancelled",
    name="paymentstatus",
    native_enum=False,
    length=40,
)
_MONEY = sa.Numeric(precision=14, scale=2)
_AT = casework.tables.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("iban", sa.String(length=34), nullable=True))
    op.create_table(
        "budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.Column("set_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budgets")),
        sa.UniqueConstraint("year", "kind", name=op.f("uq_budgets_year")),
    )
    op.create_table(
        "payment_registers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("format_version", sa.Integer(), nullable=False),
        sa.Column("periodic", sa.Boolean(), nullable=False),
        sa.Column("payment_month", sa.Date(), nullable=False),
        sa.Column("formed_on", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("total", _MONEY, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("application_received_on", sa.Date(), nullable=True),
        sa.Column("application_amount", _MONEY, nullable=True),
        sa.Column("transferred_on", sa.Date(), nullable=True),
        sa.Column("transferred_amount", _MONEY, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_registers")),
    )
    op.create_index(
        op.f("ix_payment_registers_payment_month"), "payment_registers", ["payment_month"]
    )
    op.create_table(
        "payment_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assistance_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("periodic", sa.Boolean(), nullable=False),
        sa.Column("payment_month", sa.Date(), nullable=False),
        sa.Column("period_starts", sa.Date(), nullable=False),
        sa.Column("period_ends", sa.Date(), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("status", _STATUS, nullable=False),
        sa.Column("register_id", sa.Integer(), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("iban", sa.String(length=34), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("overpaid_on", sa.Date(), nullable=True),
        sa.Column("refund_due_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_payment_entries_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["assistance_id"],
            ["assistance.id"],
            name=op.f("fk_payment_entries_assistance_id_assistance"),
        ),
        sa.ForeignKeyConstraint(
            ["register_id"],
            ["payment_registers.id"],
            name=op.f("fk_payment_entries_register_id_payment_registers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_entries")),
        sa.UniqueConstraint("register_id", "line", name=op.f("uq_payment_entries_register_id")),
    )
    for column in ("application_id", "assistance_id", "payment_month", "register_id", "status"):
        op.create_index(op.f(f"ix_payment_entries_{column}"), "payment_entries", [column])
    op.create_table(
        "payment_result_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("register_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("paid", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("imported_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["register_id"],
            ["payment_registers.id"],
            name=op.f("fk_payment_result_imports_register_id_payment_registers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_result_imports")),
        sa.UniqueConstraint("sha256", name=op.f("uq_payment_result_imports_sha256")),
    )
    op.create_index(
        op.f("ix_payment_result_imports_register_id"), "payment_result_imports", ["register_id"]
    )


def downgrade() -> None:
    op.drop_table("payment_result_imports")
    op.drop_table("payment_entries")
    op.drop_table("payment_registers")
    op.drop_table("budgets")
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("iban")
