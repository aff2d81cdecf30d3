"""shared send rates: one row per limited key, taken by one atomic function call

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# One take = one call: lock the key's row (and a wider key's, e.g. a bot's around one chat's,
# always the narrower first and the wider last, so takes never deadlock), read the clock only
# once the locks are held, and hand out `n` consecutive slots `own_interval` apart. With a wider
# key, the start must be the wider key's next slot; if this key is not ready by then, nothing is
# taken and `delay` says when to ask again (so a busy chat never leaves a hole in the bot's rate).
# `mark` is the moment the take left on the key; a sender that could not use its slot passes it
# back as `give_back`, and if nobody took the key since, its slot is free again. `at` is the
# database's clock at the take, so each worker can map slots onto its own clock.
RATE_TAKE = """
CREATE FUNCTION rate_take(own_key text, own_interval float8, n integer,
                          wider_key text, wider_interval float8, give_back float8,
                          OUT granted boolean, OUT delay float8, OUT mark float8,
                          OUT at float8)
LANGUAGE plpgsql AS $$
DECLARE
    own float8;
    wider float8;
    now_ float8;
    start float8;
BEGIN
    INSERT INTO rate_limits (key, next_at) VALUES (own_key, 0) ON CONFLICT (key) DO NOTHING;
    SELECT next_at INTO own FROM rate_limits WHERE key = own_key FOR UPDATE;
    IF own = give_back THEN
        own := own - own_interval;
    END IF;
    IF wider_key IS NOT NULL THEN
        INSERT INTO rate_limits (key, next_at) VALUES (wider_key, 0)
            ON CONFLICT (key) DO NOTHING;
        SELECT next_at INTO wider FROM rate_limits WHERE key = wider_key FOR UPDATE;
    END IF;
    now_ := extract(epoch FROM clock_timestamp());
    at := now_;
    start := greatest(now_, own);
    IF wider_key IS NOT NULL THEN
        IF greatest(now_, wider) < own THEN
            granted := false;
            delay := own - now_;
            RETURN;
        END IF;
        start := greatest(now_, wider);
        UPDATE rate_limits SET next_at = start + n * wider_interval WHERE key = wider_key;
    END IF;
    mark := start + n * own_interval;
    UPDATE rate_limits SET next_at = mark WHERE key = own_key;
    granted := true;
    delay := start - now_;
END $$
"""


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("next_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limits")),
        # Pacing state is worth nothing after a crash: no WAL for a row written 100 times a second.
        prefixes=["UNLOGGED"] if postgres else [],
    )
    if postgres:
        op.execute(RATE_TAKE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION rate_take(text, float8, integer, text, float8, float8)")
    op.drop_table("rate_limits")
