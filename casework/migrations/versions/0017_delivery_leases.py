"""delivery at scale: leases, the legal "deliver by" moment, notice events, worker heartbeats

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

import casework.tables.base

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

UTC = casework.tables.base.UTCDateTime(timezone=True)
STATUS = sa.Enum(
    "queued",
    "sending",
    "sent",
    "delivered",
    "to_print",
    "handed_over",
    "withdrawn",
    name="noticestatus",
    native_enum=False,
    length=40,
)
CHANNEL = sa.Enum("sms", "chat", "print", name="noticechannel", native_enum=False, length=40)

EVENT_COLUMNS = (
    "notice_id, status, channel, at, attempts, claimed_by, provider, provider_id, "
    "provider_status, error_code"
)
EVENT_VALUES = (
    "NEW.id, NEW.status, NEW.channel, NEW.updated_at, NEW.attempts, NEW.claimed_by, "
    "NEW.provider, NEW.provider_id, NEW.provider_status, NEW.error_code"
)

# Every insert and every change of status or channel leaves an event: the proof of notice is
# written by the database, whichever path moved the notice.
SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER notice_events_insert AFTER INSERT ON notices
    BEGIN INSERT INTO notice_events ({EVENT_COLUMNS}) VALUES ({EVENT_VALUES}); END""",
    f"""CREATE TRIGGER notice_events_update AFTER UPDATE OF status, channel ON notices
    WHEN NEW.status IS NOT OLD.status OR NEW.channel IS NOT OLD.channel
    BEGIN INSERT INTO notice_events ({EVENT_COLUMNS}) VALUES ({EVENT_VALUES}); END""",
)
POSTGRES_TRIGGERS = (
    f"""CREATE FUNCTION notice_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status
           OR NEW.channel IS DISTINCT FROM OLD.channel THEN
            INSERT INTO notice_events ({EVENT_COLUMNS}) VALUES ({EVENT_VALUES});
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER notice_events AFTER INSERT OR UPDATE OF status, channel ON notices
    FOR EACH ROW EXECUTE FUNCTION notice_event()""",
)


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("lease_until", UTC, nullable=True))
        batch.add_column(sa.Column("deliver_by", UTC, nullable=True))
        batch.create_index("ix_notices_status_lease_until", ["status", "lease_until"])
        batch.create_index("ix_notices_status_deliver_by", ["status", "deliver_by"])
    op.create_table(
        "notice_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("channel", CHANNEL, nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("provider", sa.String(length=20), nullable=True),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("provider_status", sa.String(length=30), nullable=True),
        sa.Column("error_code", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name="fk_notice_events_notice_id_notices"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_notice_events"),
    )
    op.create_index("ix_notice_events_notice_id", "notice_events", ["notice_id"])
    op.create_table(
        "worker_beats",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("beat_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_worker_beats"),
    )
    bind = op.get_bind()
    triggers = POSTGRES_TRIGGERS if bind.dialect.name == "postgresql" else SQLITE_TRIGGERS
    for sql in triggers:
        op.execute(sql)
    # The notices already written get their first event: their present status.
    op.execute(
        f"INSERT INTO notice_events ({EVENT_COLUMNS}) SELECT "
        + EVENT_VALUES.replace("NEW.", "")
        + " FROM notices"
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER notice_events ON notices")
        op.execute("DROP FUNCTION notice_event()")
    else:
        op.execute("DROP TRIGGER notice_events_insert")
        op.execute("DROP TRIGGER notice_events_update")
    op.drop_table("worker_beats")
    op.drop_index("ix_notice_events_notice_id", table_name="notice_events")
    op.drop_table("notice_events")
    with op.batch_alter_table("notices") as batch:
        batch.drop_index("ix_notices_status_deliver_by")
        batch.drop_index("ix_notices_status_lease_until")
        batch.drop_column("deliver_by")
        batch.drop_column("lease_until")
        batch.drop_column("claimed_by")
