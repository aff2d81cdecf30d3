"""notice events: written once per statement on PostgreSQL, no foreign key check per event

Revision ID: 0022
Revises: 0021

The proof of notice is still written by the database for every insert and every change of a
notice's status or channel, whichever path made it (0017). What changes is its cost, which on
PostgreSQL was half of what the database spent delivering a notice:

- PostgreSQL ran a PL/pgSQL function and an INSERT per notice; a statement-level trigger reads
  the statement's rows (transition tables) and writes their events in one INSERT ... SELECT.
- Each event was checked against `notices` by its foreign key (a lookup and a lock on the row the
  same statement had just written): 40 % of the trigger's cost. Events are written only by these
  triggers, from that very row, so the key could never fail; what it also did — refuse deleting
  a notice with events, i.e. any notice — a trigger now does for every notice: they are legal
  records, kept.

SQLite keeps its row triggers (it has no statement-level ones); since the worker writes a batch
of results in one statement, its trigger program runs once per batch already.
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

COLUMNS = (
    "notice_id, status, channel, at, attempts, claimed_by, provider, provider_id, "
    "provider_status, error_code"
)
VALUES = (
    "n.id, n.status, n.channel, n.updated_at, n.attempts, n.claimed_by, n.provider, "
    "n.provider_id, n.provider_status, n.error_code"
)
FK = "fk_notice_events_notice_id_notices"
KEPT = "notices are legal records and are never deleted (the proof of notice refers to them)"

POSTGRES_UP = (
    "DROP TRIGGER notice_events ON notices",
    "DROP FUNCTION notice_event()",
    f"ALTER TABLE notice_events DROP CONSTRAINT {FK}",
    f"""CREATE FUNCTION notice_events_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO notice_events ({COLUMNS}) SELECT {VALUES} FROM new_rows n ORDER BY n.id;
        RETURN NULL;
    END $$""",
    # Transition tables carry no statistics: a nested loop over two of them is quadratic in the
    # rows of the statement, a hash join linear.
    f"""CREATE FUNCTION notice_events_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO notice_events ({COLUMNS})
        SELECT {VALUES} FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.status IS DISTINCT FROM o.status OR n.channel IS DISTINCT FROM o.channel
        ORDER BY n.id;
        RETURN NULL;
    END $$ SET enable_nestloop = off""",
    f"""CREATE FUNCTION notices_kept() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{KEPT}';
    END $$""",
    """CREATE TRIGGER notice_events_insert AFTER INSERT ON notices
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_events_inserted()""",
    # Transition tables cannot go with a column list (UPDATE OF status, channel): every update
    # fires it, and the join keeps the rows whose status or channel changed.
    """CREATE TRIGGER notice_events_update AFTER UPDATE ON notices
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notice_events_updated()""",
    """CREATE TRIGGER notices_kept BEFORE DELETE ON notices
    FOR EACH STATEMENT EXECUTE FUNCTION notices_kept()""",
)
POSTGRES_DOWN = (
    "DROP TRIGGER notices_kept ON notices",
    "DROP TRIGGER notice_events_update ON notices",
    "DROP TRIGGER notice_events_insert ON notices",
    "DROP FUNCTION notices_kept()",
    "DROP FUNCTION notice_events_updated()",
    "DROP FUNCTION notice_events_inserted()",
    f"""ALTER TABLE notice_events ADD CONSTRAINT {FK}
    FOREIGN KEY (notice_id) REFERENCES notices (id)""",
    f"""CREATE FUNCTION notice_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status
           OR NEW.channel IS DISTINCT FROM OLD.channel THEN
            INSERT INTO notice_events ({COLUMNS}) VALUES ({VALUES.replace("n.", "NEW.")});
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER notice_events AFTER INSERT OR UPDATE OF status, channel ON notices
    FOR EACH ROW EXECUTE FUNCTION notice_event()""",
)
SQLITE_TRIGGERS = {
    "notice_events_insert": f"""CREATE TRIGGER notice_events_insert AFTER INSERT ON notices
    BEGIN INSERT INTO notice_events ({COLUMNS}) VALUES ({VALUES.replace("n.", "NEW.")}); END""",
    "notice_events_update": f"""CREATE TRIGGER notice_events_update
    AFTER UPDATE OF status, channel ON notices
    WHEN NEW.status IS NOT OLD.status OR NEW.channel IS NOT OLD.channel
    BEGIN INSERT INTO notice_events ({COLUMNS}) VALUES ({VALUES.replace("n.", "NEW.")}); END""",
}
SQLITE_KEPT = f"""CREATE TRIGGER notices_kept BEFORE DELETE ON notices
    BEGIN SELECT RAISE(ABORT, '{KEPT}'); END"""


def _sqlite_foreign_key(add: bool) -> None:
    # SQLite drops a constraint by copying the table; triggers naming it go while it is rebuilt.
    for name in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    with op.batch_alter_table("notice_events") as batch:
        if add:
            batch.create_foreign_key(FK, "notices", ["notice_id"], ["id"])
        else:
            batch.drop_constraint(FK, type_="foreignkey")
    for sql in SQLITE_TRIGGERS.values():
        op.execute(sql)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for sql in POSTGRES_UP:
            op.execute(sql)
        return
    _sqlite_foreign_key(add=False)
    op.execute(SQLITE_KEPT)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for sql in POSTGRES_DOWN:
            op.execute(sql)
        return
    op.execute("DROP TRIGGER notices_kept")
    _sqlite_foreign_key(add=True)
