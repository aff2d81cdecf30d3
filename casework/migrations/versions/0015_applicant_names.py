"""applicants.name_given_at: only a name the person or staff gave greets anyone in a notice

Until now the bot took the name from the Telegram contact card (a nickname, Latin, emoji). Such a
name stays in the row but no longer counts: the bot asks the person for their name. A name staff
typed from the identity card at a desk (paper intake, holiday lists) counts from the start.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

import casework.tables.base

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

UTC = casework.tables.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("applicants") as batch:
        batch.add_column(sa.Column("name_given_at", UTC, nullable=True))
    # Every case filed anywhere but the bot had its name typed by staff from a document.
    op.execute(
        "UPDATE applicants SET name_given_at = created_at "
        "WHERE last_name <> '' AND EXISTS (SELECT 1 FROM applications "
        "WHERE applications.applicant_id = applicants.id AND applications.channel <> 'bot')"
    )


def downgrade() -> None:
    with op.batch_alter_table("applicants") as batch:
        batch.drop_column("name_given_at")
