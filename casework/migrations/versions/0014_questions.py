"""questions: a person's question to the department and the staff's answer

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

import casework.tables.base

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

UTC = casework.tables.base.UTCDateTime(timezone=True)
INDEXED = ("asked_at", "telegram_id", "phone", "applicant_id", "application_id", "answered_at")


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "via", sa.Enum("chat", "sms", name="via", native_enum=False, length=40), nullable=False
        ),
        sa.Column("asked_at", UTC, nullable=False),
        sa.Column("locale", sa.String(length=2), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("phone", sa.String(length=16), nullable=True),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("applicant_id", sa.Integer(), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", UTC, nullable=True),
        sa.Column("answered_by", sa.String(length=200), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["applicants.id"], name=op.f("fk_questions_applicant_id_applicants")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_questions_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["staff.id"], name=op.f("fk_questions_answered_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    for column in INDEXED:
        op.create_index(op.f(f"ix_questions_{column}"), "questions", [column], unique=False)


def downgrade() -> None:
    for column in INDEXED:
        op.drop_index(op.f(f"ix_questions_{column}"), table_name="questions")
    op.drop_table("questions")
