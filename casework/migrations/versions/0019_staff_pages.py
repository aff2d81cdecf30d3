"""staff pages at scale: each case's next term stored and indexed, the lists' indexes

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

TERMS = (
    "registration",
    "precinct_forwarding",
    "income_computation",
    "decision",
    "preliminary_refusal_latest",
    "objection",
    "protocol_remarks",
    "chat_notice",
)
# law/terms.py LIVE_IN as this revision knew it: a term still runs while its case is in these.
LIVE_PAIRS = (
    ("registration", "accepted"),
    ("registration", "submitted"),
    ("precinct_forwarding", "registered"),
    ("income_computation", "at_precinct_commission"),
    ("income_computation", "income_computed"),
    *(
        ("decision", s)
        for s in (
            "at_precinct_commission",
            "at_special_commission",
            "hearing_held",
            "income_computed",
            "objection_received",
            "preliminary_refusal",
            "protocol_made",
            "registered",
            "remarks_received",
        )
    ),
    *(
        ("preliminary_refusal_latest", s)
        for s in (
            "at_precinct_commission",
            "at_special_commission",
            "income_computed",
            "registered",
        )
    ),
    ("objection", "preliminary_refusal"),
    ("protocol_remarks", "protocol_made"),
    ("chat_notice", "granted"),
    ("chat_notice", "refused"),
)


def _next(column: str) -> str:
    """The case's earliest running term (ties in the law's order), as a correlated subquery."""
    pairs = ", ".join(f"('{t}', '{s}')" for t, s in LIVE_PAIRS)
    order = " ".join(f"WHEN '{t}' THEN {i}" for i, t in enumerate(TERMS))
    return (
        f"(SELECT d.{column} FROM deadlines d WHERE d.application_id = applications.id"
        f" AND d.met_at IS NULL AND (d.term, applications.status) IN ({pairs})"
        f" ORDER BY d.due_on, CASE d.term {order} END LIMIT 1)"
    )


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(
            sa.Column(
                "next_term",
                sa.Enum(*TERMS, name="term", native_enum=False, length=40),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("next_due_on", sa.Date(), nullable=True))
        batch.drop_index("ix_applications_status")
        batch.create_index("ix_applications_status_id", ["status", "id"])
        batch.create_index("ix_applications_next_due", ["next_due_on", "id"])
        batch.create_index("ix_applications_settlement", ["settlement", "status"])
    op.create_index(
        "ix_deadlines_open_term_due",
        "deadlines",
        ["term", "due_on", "application_id"],
        postgresql_where=sa.text("met_at IS NULL"),
        sqlite_where=sa.text("met_at IS NULL"),
    )
    # SR §15, DR §21 owe the chat notice to filings through the bot only: the open ones kept on
    # other cases could never be met and would run forever.
    op.execute(
        "DELETE FROM deadlines WHERE term = 'chat_notice' AND met_at IS NULL AND application_id"
        " IN (SELECT id FROM applications WHERE channel <> 'bot')"
    )
    op.execute(
        f"UPDATE applications SET next_term = {_next('term')}, next_due_on = {_next('due_on')}"
    )


def downgrade() -> None:
    op.drop_index("ix_deadlines_open_term_due", table_name="deadlines")
    with op.batch_alter_table("applications") as batch:
        batch.drop_index("ix_applications_settlement")
        batch.drop_index("ix_applications_next_due")
        batch.drop_index("ix_applications_status_id")
        batch.create_index("ix_applications_status", ["status"])
        batch.drop_column("next_due_on")
        batch.drop_column("next_term")
