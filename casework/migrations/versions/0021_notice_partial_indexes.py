"""notices: the provider id and broadcast indexes hold only the rows that have one

Revision ID: 0021
Revises: 0020

Most notices belong to no broadcast, and none has a provider id until it is sent. On PostgreSQL
every update of a notice (its claim, its result) added an entry for it to both indexes all the
same; now only rows that have a value are indexed. Every query on these columns asks for a
value (`= …`), which the planner knows excludes NULL, so they still use the indexes.

"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

COLUMNS = ("broadcast_id", "provider_id")


def upgrade() -> None:
    for column in COLUMNS:
        op.drop_index(f"ix_notices_{column}", table_name="notices")
        op.create_index(
            f"ix_notices_{column}",
            "notices",
            [column],
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
            sqlite_where=sa.text(f"{column} IS NOT NULL"),
        )


def downgrade() -> None:
    for column in COLUMNS:
        op.drop_index(f"ix_notices_{column}", table_name="notices")
        op.create_index(f"ix_notices_{column}", "notices", [column])
