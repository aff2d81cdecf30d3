"""The delivery worker: drains the outbox, never holding a transaction during an HTTP call.

One pass (`drain`) is a pipeline: a feeder claims due notices in batches (one UPDATE … RETURNING,
with FOR UPDATE SKIP LOCKED on PostgreSQL so several workers share the queue) into one lane per
channel, `concurrency` senders per lane pace and send them, and a writer records the results in
batches (one UPDATE per batch of like results). A claimed row carries a token; results are
written only where the token still matches, so a row another worker took over is never
overwritten by the first claimer.

A claim is a lease: the row names its worker and holds until `lease_until`, which the worker
renews for all its rows in one statement every `renew_every` seconds, with its heartbeat row. A
worker that dies stops renewing; within the lease any other worker takes the notices over. Before
sending again a notice that may already have reached the provider (taken over, or its send ended
without an answer), the worker asks the provider (`Provider.find_sent`): found, the result is
recorded and nothing is sent twice.

Transient failures come back with exponential backoff and jitter for as long as the notice's
legal term (`deliver_by`) allows; permanent ones, and a retry that would come too late for the
term, fall back to print, as the law says (SR §15).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import random
import secrets
import socket
from collections.abc import AsyncIterator, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    JSON,
    CursorResult,
    Integer,
    String,
    Table,
    Text,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.notices import (
    CASE_MOVING_KINDS,
    NoticeChannel,
    NoticeKind,
    NoticeStatus,
    Outcome,
    may_move,
)
from casework.steps import broadcast_fill, reminders
from casework.steps.delivery import (
    NEVER_PRINTED,
    after_send,
    claimable,
    fallback_columns,
    notices_reached,
    opened_today,
)
from casework.system.clock import Clock
from casework.system.db import transaction
from casework.system.env import CaseEnv, current
from casework.system.runtime import Runtime
from casework.system.settings import Settings
from casework.tables.notices import Notice, WorkerBeat
from gateway.mcdb import configure_registry
from gateway.providers import build_providers
from gateway.providers.base import (
    ERROR_MESSAGE_LENGTH,
    Outgoing,
    Provider,
    SendResult,
    describe,
)
from gateway.sms import segments

log = logging.getLogger(__name__)

NOTICES: Table = Notice.__table__  # type: ignore[assignment]
KINDS: Mapping[str, NoticeKind] = {k.value: k for k in NoticeKind}
CHANNELS: Mapping[str, NoticeChannel] = {c.value: c for c in NoticeChannel}
# A claim and a retry's return to the queue are moves of the one notice table too.
QUEUED, SENDING = NoticeStatus.QUEUED, NoticeStatus.SENDING
assert may_move(QUEUED, SENDING) and may_move(SENDING, QUEUED)

# How an attempt ended when the provider may have taken the message without our hearing its
# answer: a timeout or a connection lost after the request went out ("timeout", "network"), a
# provider bug mid-send ("error"), or a reconciliation that could not ask ("reconcile"). The next
# claim asks the provider before sending again.
MAYBE_SENT = ("timeout", "network", "error", "reconcile")
TERM_AT_RISK = "term_at_risk"  # error_code of a notice printed because retries ran out of term


def default_worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"[:64]


@dataclass(frozen=True)
class WorkerConfig:
    concurrency: int = 20  # senders per channel
    batch_size: int = 500  # the largest claim: senders never wait for a claim's commit
    # Claim no more than a rate-limited lane sends in this long: a worker holds only what it
    # will send soon, and leaves the rest of the queue to the other workers.
    prefetch_seconds: float = 10.0
    backoff_base: float = 5.0  # seconds before the first retry, doubled each time
    backoff_cap: float = 900.0
    # A channel that has had nothing but transient failures (no answer, no "retry after") for
    # `outage_after` is down: one waiting notice is tried every `probe_every`, and once one goes
    # through, every notice waiting for a retry there is due at once. Recovery then comes within
    # a minute of the provider's return, and each notice's own backoff (up to backoff_cap) still
    # keeps one bad number from being tried over and over.
    outage_after: timedelta = timedelta(seconds=30)
    probe_every: timedelta = timedelta(seconds=30)
    # Retries go on while the notice's legal term allows (`deliver_by`). A notice with no term
    # gets this long from when it was written: bounded, but a working day's outage never prints.
    default_term: timedelta = timedelta(days=1)
    # Print before the term passes, not at it: staff need time to print the notice and phone
    # the applicant to come for it while the term still runs (half a working day).
    print_margin: timedelta = timedelta(hours=4)
    max_attempts: int | None = None  # an optional hard cap; by default the term decides
    lease: timedelta = timedelta(seconds=30)
    renew_every: float = 10.0  # seconds between lease renewals and heartbeats
    # Twilio stamps date_sent after our claim, but clocks differ: look back a little further.
    reconcile_margin: timedelta = timedelta(minutes=2)
    poll_interval: float = 1.0
    flush_size: int = 500
    flush_interval: float = 0.25
    remind_every: timedelta = timedelta(minutes=5)  # the reminders' pass (steps/reminders.py)

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkerConfig:
        # Renewed three times a lease, and at least as often as /ready expects a heartbeat.
        lease = settings.worker_lease_seconds
        return cls(lease=timedelta(seconds=lease), renew_every=min(cls.renew_every, lease / 3))


@dataclass(slots=True)
class Claimed:
    """A notice this worker owns until its result is written, with the message ready to go."""

    id: int
    token: str
    channel: NoticeChannel
    attempts: int
    message: Outgoing
    # Set when an earlier attempt may have reached the provider: when that attempt began.
    reconcile_since: datetime | None = None

    @property
    def application_id(self) -> int:
        return self.message.application_id

    @property
    def kind(self) -> NoticeKind:
        return self.message.kind

    @property
    def text(self) -> str:
        return self.message.text


def backoff(attempts: int, config: WorkerConfig, retry_after: float | None = None) -> float:
    """Exponential with "equal jitter": half fixed, half random, so retries spread out."""
    delay = min(config.backoff_cap, config.backoff_base * 2 ** max(attempts - 1, 0))
    delay = delay / 2 + random.uniform(0, delay / 2)
    return max(delay, retry_after or 0.0)


@functools.cache
def _result_update(shared: tuple[str, ...], per_row: tuple[str, ...], pg: bool) -> Any:
    """One UPDATE for a batch of results alike (`Worker._statement`): the values they share are
    parameters, each notice's own come from one JSON parameter, `rows` (an array per notice: id,
    claim token, then `per_row`). One statement rather than one per notice: the database runs
    the notice-events trigger's program once, not 500 times, which halved SQLite's time for a
    batch.

    Results land only on rows this claim still owns and that are still in flight: a delivery
    receipt that raced ahead of the writer has already moved the row on.
    """
    rows = bindparam("rows", type_=Text)
    each = (func.json_array_elements(rows.cast(JSON)) if pg else func.json_each(rows)).table_valued(
        "value"
    )
    columns = [NOTICES.c.id, NOTICES.c.claim_token, *(NOTICES.c[c] for c in per_row)]
    picked = [each.c.value.op("->>")(literal_column(str(i))) for i in range(len(columns))]
    # SQLite's ->> gives each JSON value its own SQL type; PostgreSQL's gives text.
    given = select(
        *(
            (value.cast(col.type) if pg else value).label(col.name)
            for value, col in zip(picked, columns, strict=True)
        )
    )
    # Materialized: SQLite would otherwise read the JSON again for every notice it looks at.
    v = given.cte("results").prefix_with("MATERIALIZED")
    return (
        update(NOTICES)
        .where(
            NOTICES.c.id == v.c.id,
            NOTICES.c.claim_token == v.c.claim_token,
            NOTICES.c.status == bindparam("w_status", type_=NOTICES.c.status.type),
        )
        .values(
            {c: bindparam(f"b_{c}", type_=NOTICES.c[c].type) for c in shared}
            | {c: v.c[c] for c in per_row}
        )
    )


@functools.cache
def _claim_statement(pg: bool, *, with_optional: bool) -> Any:
    """The claim, built once per shape (SKIP LOCKED on PostgreSQL; optional messages only in
    working hours), every value bound at execution: composing it took a millisecond a claim.

    Taken: notices due now, and those whose worker's lease lapsed (it died or lost the
    database)."""
    now = bindparam("now", type_=NOTICES.c.due_at.type)
    lapsed = and_(
        NOTICES.c.status == SENDING,
        or_(
            NOTICES.c.lease_until < now,
            # Claimed before leases existed: lapsed once a lease's time has passed.
            and_(
                NOTICES.c.lease_until.is_(None),
                NOTICES.c.claimed_at < bindparam("cutoff", type_=NOTICES.c.claimed_at.type),
            ),
        ),
    )
    opened = bindparam("opened", type_=NOTICES.c.created_at.type) if with_optional else None
    due = (
        select(NOTICES.c.id)
        .where(
            or_(
                and_(NOTICES.c.status == QUEUED, NOTICES.c.due_at <= now, claimable(opened)),
                # A lapsed claim is finished whatever the hour: it may have been sent in time.
                lapsed,
            ),
            NOTICES.c.channel.in_(bindparam("channels", expanding=True)),
        )
        .order_by(NOTICES.c.due_at, NOTICES.c.id)
        .limit(bindparam("limit", type_=Integer))
    )
    if pg:
        due = due.with_for_update(skip_locked=True)
    # A notice that may have reached the provider keeps the time its uncertain attempt began
    # (reconciliation looks from there); any other starts afresh. SET reads the old row.
    maybe_sent = or_(NOTICES.c.status == SENDING, NOTICES.c.error_code.in_(MAYBE_SENT))
    return (
        update(NOTICES)
        .where(NOTICES.c.id.in_(due.scalar_subquery()))
        .values(
            status=SENDING,
            claim_token=bindparam("token", type_=NOTICES.c.claim_token.type),
            claimed_by=bindparam("name", type_=NOTICES.c.claimed_by.type),
            claimed_at=case((maybe_sent, func.coalesce(NOTICES.c.claimed_at, now)), else_=now),
            lease_until=bindparam("lease_until", type_=NOTICES.c.lease_until.type),
            updated_at=now,
            attempts=NOTICES.c.attempts + 1,
        )
        .returning(
            # kind and channel as their plain values: looked up below, not per row by
            # SQLAlchemy's Enum processing.
            NOTICES.c.id,
            NOTICES.c.application_id,
            type_coerce(NOTICES.c.kind, String),
            NOTICES.c.locale,
            type_coerce(NOTICES.c.channel, String),
            NOTICES.c.address,
            NOTICES.c.attempts,
            # Only the text this channel sends: the short one for SMS.
            case(
                (NOTICES.c.channel == NoticeChannel.SMS, NOTICES.c.sms_text),
                else_=NOTICES.c.text,
            ).label("body"),
            # NULL for a fresh claim: only uncertain ones pay for a datetime.
            case(
                (NOTICES.c.claimed_at < now, NOTICES.c.claimed_at),
                else_=None,
            ).label("since"),
        )
    )


class Worker:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        env: CaseEnv,
        providers: Mapping[NoticeChannel, Provider],
        *,
        config: WorkerConfig | None = None,
        clock: Clock | None = None,
        name: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.env = env
        self.providers = dict(providers)
        self.config = config or WorkerConfig()
        self.clock = clock or env.clock
        self.name = (name or default_worker_name())[:64]
        self.started_at = self.clock.now()
        dialect = sessions.kw["bind"].dialect
        self._pg = dialect.name == "postgresql"
        self._time_stored = NOTICES.c.due_at.type.dialect_impl(dialect).bind_processor(dialect)
        # SQLite has one writer at a time and its busy handler sleeps in steps of up to 100 ms:
        # claim and record would stall each other. Taking turns in-process costs nothing.
        self._db_turn: contextlib.AbstractAsyncContextManager[Any] = (
            contextlib.nullcontext() if self._pg else asyncio.Lock()
        )
        # The claims this worker holds (token → notices not yet recorded): what it renews. By
        # token, not by name: a worker restarted under the same name must not keep its dead
        # predecessor's leases alive.
        self._held: dict[str, int] = {}
        self._keepers = 0
        self._keeper: asyncio.Task[None] | None = None
        self._failing_since: dict[NoticeChannel, datetime] = {}  # only transient failures since
        self._probed_at: dict[NoticeChannel, datetime] = {}
        # Loop time until which this worker's leases surely hold (the last renewal's, less a
        # guard): a sender past it leaves its notice for the worker that takes it over.
        self._held_until = float("inf")

    # ------------------------------------------------------------------ claiming

    async def claim(
        self, limit: int, channels: Collection[NoticeChannel] | None = None
    ) -> list[Claimed]:
        """Take up to `limit` notices for this worker, in one short transaction
        (`_claim_statement`)."""
        now = self.clock.now()
        token = secrets.token_hex(8)
        opened = opened_today(self.env, now)
        stmt = _claim_statement(self._pg, with_optional=opened is not None)
        values = dict(
            now=now,
            cutoff=now - self.config.lease,
            channels=list(self.providers if channels is None else channels),
            limit=limit,
            token=token,
            name=self.name,
            lease_until=now + self.config.lease,
        )
        if opened is not None:
            values["opened"] = opened
        async with self._db_turn, transaction(self.sessions) as session:
            rows = [tuple(r) for r in (await session.execute(stmt, values))]
        if rows:
            self._held[token] = len(rows)
        rows.sort()  # by id: RETURNING has no order; keep the queue's
        return [
            Claimed(
                id_,
                token,
                CHANNELS[channel],
                attempts,
                Outgoing(id_, application_id, KINDS[kind], locale, address or "", body),
                since,
            )
            for id_, application_id, kind, locale, channel, address, attempts, body, since in rows
        ]

    # ------------------------------------------------------------------ leases and heartbeat

    def _release(self, items: Collection[Claimed]) -> None:
        """These notices' results are written (or left to another worker): no lease to keep."""
        for item in items:
            left = self._held.get(item.token, 0) - 1
            if left > 0:
                self._held[item.token] = left
            else:
                self._held.pop(item.token, None)

    async def renew(self) -> int:
        """Extend every lease this worker holds and write its heartbeat: one transaction, two
        statements, whatever the number of notices. Returns how many leases were renewed."""
        now = self.clock.now()
        stmt = (
            update(NOTICES)
            .where(NOTICES.c.status == SENDING, NOTICES.c.claim_token.in_(list(self._held)))
            .values(lease_until=now + self.config.lease)
        )
        upsert = (pg_insert if self._pg else sqlite_insert)(WorkerBeat).values(
            name=self.name,
            host=socket.gethostname()[:200],
            pid=os.getpid(),
            started_at=self.started_at,
            beat_at=now,
        )
        upsert = upsert.on_conflict_do_update(
            index_elements=[WorkerBeat.name],
            set_={
                "beat_at": now,
                "host": upsert.excluded.host,
                "pid": upsert.excluded.pid,
                "started_at": upsert.excluded.started_at,
            },
        )
        async with self._db_turn, transaction(self.sessions) as session:
            renewed = 0
            if self._held:
                result = cast(CursorResult[Any], await session.execute(stmt))
                renewed = result.rowcount or 0
            await session.execute(upsert)
            return renewed

    async def _keep_leases(self) -> None:
        loop = asyncio.get_running_loop()
        guard = min(5.0, self.config.renew_every)
        while True:
            started = loop.time()
            try:
                await self.renew()
                self._held_until = started + self.config.lease.total_seconds() - guard
            except Exception:
                log.exception("renewing leases failed; retrying")
            await asyncio.sleep(self.config.renew_every)

    @contextlib.asynccontextmanager
    async def leases(self) -> AsyncIterator[None]:
        """Renew this worker's leases and beat while inside (nested uses share one task)."""
        if self._keepers == 0:
            loop = asyncio.get_running_loop()
            self._held_until = loop.time() + self.config.lease.total_seconds()
            self._keeper = asyncio.create_task(self._keep_leases(), name="komek-leases")
        self._keepers += 1
        try:
            yield
        finally:
            self._keepers -= 1
            if self._keepers == 0 and self._keeper is not None:
                self._keeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._keeper
                self._keeper = None

    def _prefetch(self, provider: Provider) -> int:
        """How many notices a lane claims at most: what it sends in `prefetch_seconds`."""
        limiter = getattr(provider, "limiter", None)
        rate = max(getattr(limiter, "rate", 0), 0)  # 0: no limit
        most = self.config.batch_size
        if rate:
            most = min(most, int(rate * self.config.prefetch_seconds))
        return max(most, 2 * self.config.concurrency)

    # ------------------------------------------------------------------ one pass

    async def drain(self) -> int:
        """Send every notice due now; returns how many results were recorded.

        Each channel has its own lane (queue and `concurrency` senders), so a provider that is
        paced or paused never holds up another. The feeder claims for the lanes running low, so
        senders never wait for a claim's commit, and a lane holds at most what it sends in a
        few seconds: the rest of the queue stays free for other workers.
        """
        # Staff may have made a day off since the last pass: the objection window a delivery
        # starts is counted on today's calendar, not the one this worker started with.
        async with self.sessions() as session:
            self.env = await current(session, self.env)
        async with self.leases():
            return await self._drain()

    async def _drain(self) -> int:
        cfg = self.config
        loop = asyncio.get_running_loop()
        lanes: dict[NoticeChannel, asyncio.Queue[Claimed | None]] = {
            channel: asyncio.Queue() for channel in self.providers
        }
        most = {channel: self._prefetch(p) for channel, p in self.providers.items()}
        low_water = {channel: max(2 * cfg.concurrency, n // 2) for channel, n in most.items()}
        results: list[tuple[Claimed, SendResult]] = []
        wake = asyncio.Event()  # the writer: a batch of results is ready
        hungry = asyncio.Event()  # the feeder: a lane is running low
        done = 0

        async def feed() -> None:
            first = True
            due = set(lanes)  # channels that may still have due notices
            try:
                while due:
                    low = [ch for ch in due if lanes[ch].qsize() <= low_water[ch]]
                    if not low:
                        hungry.clear()
                        await hungry.wait()
                        continue
                    # A small first claim gets the senders going; later ones refill the lane.
                    limit = min(most[ch] - lanes[ch].qsize() for ch in low)
                    if first:
                        limit = min(limit, 2 * cfg.concurrency)
                        first = False
                    batch = await self.claim(limit, low)
                    for item in batch:
                        lanes[item.channel].put_nowait(item)
                    if len(batch) < limit:
                        due.difference_update(low)  # all they had; the next pass takes the rest
            finally:
                for lane in lanes.values():
                    for _ in range(cfg.concurrency):
                        lane.put_nowait(None)

        async def send(provider: Provider, lane: asyncio.Queue[Claimed | None], low: int) -> None:
            while (item := await lane.get()) is not None:
                if lane.qsize() <= low:
                    hungry.set()
                if loop.time() > self._held_until:
                    # Our lease may have lapsed: the worker taking it over sends it.
                    self._release((item,))
                    continue
                try:
                    result = None
                    if item.reconcile_since is not None:
                        result = await self._reconcile(provider, item, item.reconcile_since)
                    if result is None:
                        await provider.pace(item.message)
                        result = await provider.send(item.message)
                except Exception as exc:  # a provider bug must not lose the notice
                    log.exception("provider %s failed on notice %s", provider.name, item.id)
                    result = SendResult(
                        Outcome.TRANSIENT, error_code="error", error_message=describe(exc)
                    )
                results.append((item, result))
                if len(results) >= cfg.flush_size:
                    wake.set()

        async def write() -> None:
            nonlocal done
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), cfg.flush_interval)
                wake.clear()
                if results:
                    batch = results[:]
                    del results[:]
                    await self._record(batch)
                    done += len(batch)
                if stop_writer.is_set() and not results:
                    return

        stop_writer = asyncio.Event()
        writer = asyncio.create_task(write())
        senders = [
            send(self.providers[channel], lane, low_water[channel])
            for channel, lane in lanes.items()
            for _ in range(cfg.concurrency)
        ]
        try:
            await asyncio.gather(feed(), *senders)
        finally:
            stop_writer.set()
            wake.set()
            await writer
        return done

    async def _reconcile(
        self, provider: Provider, item: Claimed, attempted: datetime
    ) -> SendResult | None:
        """For a notice an earlier attempt (begun at `attempted`) may have sent: the provider's
        result for that send, or None when the provider never took it (send it now). When the
        provider cannot tell, a transient result: the notice waits and is asked about again."""
        since = attempted - self.config.reconcile_margin
        try:
            found = await provider.find_sent(item.message, since)
        except Exception as exc:
            log.warning(
                "notice %s: cannot ask %s whether it was sent: %s",
                item.id,
                provider.name,
                describe(exc),
            )
            return SendResult(
                Outcome.TRANSIENT, error_code="reconcile", error_message=describe(exc)
            )
        if found is not None:
            log.info(
                "notice %s: %s already has it (%s); not sent again",
                item.id,
                provider.name,
                found.provider_id,
            )
        return found

    async def remind(self) -> int:
        """One pass of the reminders: withdraw stale ones, write those due now."""
        async with transaction(self.sessions) as session:
            self.env = await current(session, self.env)
            return await reminders.send_due(session, self.env)

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set: keep the leases and the heartbeat, remind every few
        minutes, drain, and rest a moment when nothing is due."""
        next_reminders = self.clock.now()
        async with self.leases():
            filling = asyncio.create_task(self._keep_filling(stop))
            try:
                await self._serve(stop, next_reminders)
            finally:
                await filling

    async def fill(self) -> int:
        """Write the notices of large broadcasts still filling (steps/broadcast_fill.py)."""
        return await broadcast_fill.fill_pending(self.sessions, self.env)

    async def _keep_filling(self, stop: asyncio.Event) -> None:
        # Beside the sending, not in its pass: a 10,000-case broadcast being written must not
        # hold up a decision notice that is due now.
        while not stop.is_set():
            try:
                await self.fill()
            except Exception:
                log.exception("broadcast filling failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.config.poll_interval)

    async def _serve(self, stop: asyncio.Event, next_reminders: datetime) -> None:
        while not stop.is_set():
            sent = 0
            try:
                if self.clock.now() >= next_reminders:
                    next_reminders = self.clock.now() + self.config.remind_every
                    await self.remind()
                await self.probe()
                sent = await self.drain()
            except Exception:
                log.exception("delivery pass failed; retrying")
            if not sent:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.config.poll_interval)

    # ------------------------------------------------------------------ recording results

    async def _terms(self, ids: list[int]) -> dict[int, datetime]:
        """Each notice's last moment for a retry: its legal term, or the default term from when
        it was written. Read only for notices that failed (rare), never on the send path."""
        stmt = select(NOTICES.c.id, NOTICES.c.deliver_by, NOTICES.c.created_at).where(
            NOTICES.c.id.in_(ids)
        )
        async with self.sessions() as session:
            rows = (await session.execute(stmt)).all()
        return {
            id_: deliver_by or created_at + self.config.default_term
            for id_, deliver_by, created_at in rows
        }

    def _out_of_term(self, item: Claimed, retry_at: datetime, term: datetime | None) -> bool:
        """The next try would come too late for the notice's term. Paper needs time to reach
        the applicant; a code or a reminder is never printed, so it may use its term to the end."""
        if term is None:
            return False
        margin = timedelta(0) if item.kind in NEVER_PRINTED else self.config.print_margin
        return retry_at > term - margin

    def _outcome(self, item: Claimed, result: SendResult, out_of_term: bool) -> Outcome:
        if result.outcome is not Outcome.TRANSIENT:
            return result.outcome
        cap = self.config.max_attempts
        if out_of_term or (cap is not None and item.attempts >= cap):
            return Outcome.PERMANENT  # the law's fallback is print
        return Outcome.TRANSIENT

    def _statement(
        self, outcome: Outcome, channel: NoticeChannel, provider: str, now: datetime
    ) -> tuple[Any, dict[str, Any], tuple[str, ...]]:
        """One UPDATE per kind of result, the values it sets alike on every row, and the
        columns each row sets for itself."""
        same: dict[str, Any] = {
            "w_status": SENDING,
            "b_claim_token": None,
            "b_lease_until": None,
            "b_updated_at": now,
            "b_provider": provider,
        }
        per_row: tuple[str, ...] = ("error_code", "error_message")
        # The notice's next status comes from the one table every result goes through.
        if outcome is Outcome.PERMANENT:
            same.update({f"b_{k}": v for k, v in fallback_columns(channel).items()})
            per_row += ("segments",)
        else:
            same["b_status"] = after_send(outcome)
        if outcome is Outcome.ACCEPTED or outcome is Outcome.DELIVERED:
            delivered = outcome is Outcome.DELIVERED
            same.update(b_sent_at=now, b_delivered_at=now if delivered else None)
            per_row += ("provider_id", "provider_status", "segments")
        elif outcome is Outcome.TRANSIENT:
            per_row += ("due_at",)
        shared = tuple(k[2:] for k in same if k.startswith("b_"))
        return _result_update(shared, per_row, self._pg), same, per_row

    def _params(
        self,
        outcome: Outcome,
        item: Claimed,
        result: SendResult,
        retry_at: datetime | None,
        term: datetime | None,
        out_of_term: bool,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            "b_id": item.id,
            "b_token": item.token,
            "b_error_code": result.error_code,
            "b_error_message": result.error_message,
        }
        if outcome is Outcome.TRANSIENT:
            params["b_due_at"] = retry_at
            return params
        if out_of_term and term is not None:
            # Printed for want of time, not for a bad number: say so, and what failed last.
            params["b_error_code"] = TERM_AT_RISK
            params["b_error_message"] = (
                f"the next try would come too late for the term ({term.isoformat()}) after "
                f"{item.attempts} attempts; last: {result.error_code}: {result.error_message}"
            )[:ERROR_MESSAGE_LENGTH]
        sms = item.channel is NoticeChannel.SMS
        params["b_segments"] = (result.segments or segments(item.text)) if sms else None
        if outcome is not Outcome.PERMANENT:
            params["b_provider_id"] = result.provider_id
            params["b_provider_status"] = result.provider_status
        return params

    def _json_time(self, value: datetime) -> str:
        """A time in `_result_update`'s rows as the database keeps it: SQLite's text, or ISO 8601
        with its zone for PostgreSQL to read."""
        stored = self._time_stored(value) if self._time_stored else value
        return stored if isinstance(stored, str) else stored.isoformat()

    async def _record(self, batch: list[tuple[Claimed, SendResult]]) -> None:
        now = self.clock.now()
        failed = [item.id for item, result in batch if result.outcome is Outcome.TRANSIENT]
        terms = await self._terms(failed) if failed else {}
        groups: dict[tuple[Outcome, NoticeChannel, str], list[dict[str, Any]]] = {}
        for item, result in batch:
            retry_at = term = None
            out_of_term = False
            if result.outcome is Outcome.TRANSIENT:
                delay = backoff(item.attempts, self.config, result.retry_after)
                retry_at, term = now + timedelta(seconds=delay), terms.get(item.id)
                out_of_term = self._out_of_term(item, retry_at, term)
            outcome = self._outcome(item, result, out_of_term)
            provider = result.provider or self.providers[item.channel].name
            groups.setdefault((outcome, item.channel, provider), []).append(
                self._params(outcome, item, result, retry_at, term, out_of_term)
            )
        async with self._db_turn, transaction(self.sessions) as session:
            for (outcome, channel, provider), rows in groups.items():
                stmt, same, per_row = self._statement(outcome, channel, provider, now)
                keys = ("b_id", "b_token", *(f"b_{c}" for c in per_row))
                rows_json = json.dumps(
                    [[r[k] for k in keys] for r in rows], default=self._json_time
                )
                await session.execute(stmt, {**same, "rows": rows_json})
        self._release([item for item, _ in batch])
        reached = [
            (item.application_id, item.kind, now, item.channel.value)
            for item, result in batch
            if result.outcome is Outcome.DELIVERED and item.kind in CASE_MOVING_KINDS
        ]
        if reached:
            await notices_reached(self.sessions, self.env, reached)
        await self._note_outages(batch, now)

    # ------------------------------------------------------------------ provider outages

    async def _note_outages(self, batch: list[tuple[Claimed, SendResult]], now: datetime) -> None:
        """A channel whose provider answered again after an outage: its waiting notices now."""
        answered = {
            item.channel
            for item, result in batch
            if result.outcome is not Outcome.TRANSIENT or result.retry_after is not None
        }
        for channel in {item.channel for item, _ in batch} - answered:
            self._failing_since.setdefault(channel, now)
        for channel in answered:
            since = self._failing_since.pop(channel, None)
            self._probed_at.pop(channel, None)
            if since is not None and now - since >= self.config.outage_after:
                moved = await self._due_now(channel, now)
                log.info(
                    "%s is answering again: %d notices waiting for a retry are due",
                    channel.value,
                    moved,
                )

    async def probe(self) -> None:
        """While a channel is down, one notice waiting for a retry is tried every `probe_every`,
        whatever its own backoff: the first to go through ends the outage (`_note_outages`)."""
        now = self.clock.now()
        for channel, since in list(self._failing_since.items()):
            last = self._probed_at.get(channel, since)
            if now - since >= self.config.outage_after and now - last >= self.config.probe_every:
                self._probed_at[channel] = now
                await self._due_now(channel, now, one=True)

    async def _due_now(self, channel: NoticeChannel, now: datetime, *, one: bool = False) -> int:
        waiting = and_(
            NOTICES.c.status == QUEUED,
            NOTICES.c.channel == channel,
            NOTICES.c.due_at > now,
            NOTICES.c.error_code.is_not(None),  # failed before, not scheduled for later
        )
        if one:
            earliest = select(NOTICES.c.id).where(waiting).order_by(NOTICES.c.due_at).limit(1)
            waiting = NOTICES.c.id == earliest.scalar_subquery()
        stmt = update(NOTICES).where(waiting).values(due_at=now)
        async with self._db_turn, transaction(self.sessions) as session:
            return cast(CursorResult[Any], await session.execute(stmt)).rowcount or 0


@dataclass
class RunningWorker:
    worker: Worker
    task: asyncio.Task[None]
    stop: asyncio.Event

    async def close(self) -> None:
        self.stop.set()
        await self.task
        for provider in self.worker.providers.values():
            await provider.close()


async def start_worker(runtime: Runtime, *, config: WorkerConfig | None = None) -> RunningWorker:
    """The worker as a background task of a running process (`komek serve`, `komek worker`)."""
    configure_registry(runtime.settings)
    async with runtime.sessions() as session:
        env = await runtime.env(session)
    worker = Worker(
        runtime.sessions,
        env,
        build_providers(runtime.settings, runtime=runtime),
        config=config or WorkerConfig.from_settings(runtime.settings),
        name=runtime.settings.worker_name,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop), name="komek-delivery-worker")
    return RunningWorker(worker, task, stop)
