"""terminations.began_on: payments stop by the day the circumstance began (DR §24)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("terminations") as batch:
        batch.add_column(sa.Column("began_on", sa.Date(), nullable=True))
    # Earlier rows knew only the day it was found: the best we have for when it began.
    op.execute("UPDATE terminations SET began_on = found_on")
    with op.batch_alter_table("terminations") as batch:
        batch.alter_column("began_on", existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("terminations") as batch:
        batch.drop_column("began_on")
