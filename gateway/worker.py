"""The delivery worker: drains the outbox, never holding a transaction during an HTTP call.

One pass (`drain`) is a pipeline: a feeder claims due notices in batches (one UPDATE … RETURNING,
with FOR UPDATE SKIP LOCKED on PostgreSQL so several workers share the queue) into one lane per
channel, `concurrency` senders per lane pace and send them, and a writer records the results in
batches (one driver-level executemany per batch). A claimed row carries a token; results are
written only where the token still matches, so a row re-queued by the sweeper and claimed again
is never overwritten by the first claimer.

Transient failures come back with exponential backoff and jitter; permanent ones and exhausted
retries fall back to print, as the law says (SR §15). The sweeper re-queues rows stuck in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import operator
import random
import secrets
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Dialect,
    String,
    Table,
    bindparam,
    case,
    select,
    type_coerce,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.notices import (
    CASE_MOVING_KINDS,
    NoticeChannel,
    NoticeKind,
    NoticeStatus,
    Outcome,
    may_move,
)
from casework.steps import reminders
from casework.steps.delivery import after_send, claimable, fallback_columns, notices_reached
from casework.system.clock import Clock
from casework.system.db import transaction
from casework.system.env import CaseEnv, current
from casework.system.runtime import Runtime
from casework.tables.notices import Notice
from gateway.mcdb import configure_registry
from gateway.providers import build_providers
from gateway.providers.base import Outgoing, Provider, SendResult, describe
from gateway.sms import segments

log = logging.getLogger(__name__)

NOTICES: Table = Notice.__table__  # type: ignore[assignment]
KINDS: Mapping[str, NoticeKind] = {k.value: k for k in NoticeKind}
CHANNELS: Mapping[str, NoticeChannel] = {c.value: c for c in NoticeChannel}
# A claim and the sweeper's re-queue are moves of the one notice table too.
QUEUED, SENDING = NoticeStatus.QUEUED, NoticeStatus.SENDING
assert may_move(QUEUED, SENDING) and may_move(SENDING, QUEUED)


@dataclass(frozen=True)
class WorkerConfig:
    concurrency: int = 20  # senders per channel
    batch_size: int = 500  # prefetch: senders never wait for a claim's commit
    max_attempts: int = 6
    backoff_base: float = 5.0  # seconds before the first retry, doubled each time
    backoff_cap: float = 1800.0
    stuck_after: timedelta = timedelta(minutes=10)
    poll_interval: float = 1.0
    flush_size: int = 500
    flush_interval: float = 0.25
    remind_every: timedelta = timedelta(minutes=5)  # the reminders' pass (steps/reminders.py)


@dataclass(slots=True)
class Claimed:
    """A notice this worker owns until its result is written, with the message ready to go."""

    id: int
    token: str
    channel: NoticeChannel
    attempts: int
    message: Outgoing

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
def _result_update(columns: tuple[str, ...]) -> Any:
    """Results land only on rows this claim still owns and that are still in flight: a delivery
    receipt that raced ahead of the writer has already moved the row on.

    Every value is a named parameter, none a literal: SQLAlchemy then builds each row's
    parameters without re-resolving literals per row, which is most of an executemany's cost.
    """
    return (
        update(NOTICES)
        .where(
            NOTICES.c.id == bindparam("b_id"),
            NOTICES.c.claim_token == bindparam("b_token"),
            NOTICES.c.status == bindparam("w_status", type_=NOTICES.c.status.type),
        )
        .values({c: bindparam(f"b_{c}", type_=NOTICES.c[c].type) for c in columns})
    )


@dataclass(frozen=True)
class _Bulk:
    """A compiled statement for the driver's executemany: the SQL, and for each of its
    positional parameters its name and its type's bind processor."""

    sql: str
    params: tuple[tuple[str, Callable[[Any], Any] | None], ...]
    row: Callable[[Mapping[str, Any]], tuple[Any, ...]]  # a row's values in the SQL's order


@functools.lru_cache(maxsize=32)
def _bulk(stmt: Any, dialect: Dialect) -> _Bulk:
    compiled = stmt.compile(dialect=dialect)
    names = compiled.positiontup
    pick = operator.itemgetter(*names)
    return _Bulk(
        str(compiled),
        tuple(
            # The dialect's own implementation of each type: SQLite stores datetimes as text.
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in names
        ),
        (lambda row: (pick(row),)) if len(names) == 1 else pick,
    )


async def executemany(
    session: AsyncSession, stmt: Any, same: Mapping[str, Any], rows: list[dict[str, Any]]
) -> None:
    """`session.execute(stmt, [{**same, **row} …])`, less SQLAlchemy's per-row work.

    Values shared by every row (status, timestamps) go through their type's processor once per
    batch instead of once per row, and rows go to the driver's executemany as tuples: the same
    statement and guards, at a fraction of the CPU, which is what sending competes for.
    """
    conn = await session.connection()
    dialect = conn.dialect
    if not dialect.positional:  # every driver we ship is positional; keep the general path
        await session.execute(stmt, [{**same, **row} for row in rows])
        return
    bulk = _bulk(stmt, dialect)
    shared = {
        name: proc(same[name]) if proc else same[name] for name, proc in bulk.params if name in same
    }
    processed = [(name, proc) for name, proc in bulk.params if proc and name not in same]
    values = []
    for row in rows:
        merged = {**shared, **row}
        for name, proc in processed:
            merged[name] = proc(merged[name])
        values.append(bulk.row(merged))
    await conn.exec_driver_sql(bulk.sql, values)


class Worker:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        env: CaseEnv,
        providers: Mapping[NoticeChannel, Provider],
        *,
        config: WorkerConfig | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.sessions = sessions
        self.env = env
        self.providers = dict(providers)
        self.config = config or WorkerConfig()
        self.clock = clock or env.clock
        self._pg = sessions.kw["bind"].dialect.name == "postgresql"
        # SQLite has one writer at a time and its busy handler sleeps in steps of up to 100 ms:
        # claim and record would stall each other. Taking turns in-process costs nothing.
        self._db_turn: contextlib.AbstractAsyncContextManager[Any] = (
            contextlib.nullcontext() if self._pg else asyncio.Lock()
        )

    # ------------------------------------------------------------------ claiming and sweeping

    async def claim(
        self, limit: int, channels: Collection[NoticeChannel] | None = None
    ) -> list[Claimed]:
        """Take up to `limit` due notices for this worker, in one short transaction."""
        now = self.clock.now()
        token = secrets.token_hex(8)
        due = (
            select(NOTICES.c.id)
            .where(
                NOTICES.c.status == QUEUED,
                NOTICES.c.due_at <= now,
                NOTICES.c.channel.in_(list(self.providers if channels is None else channels)),
                claimable(self.env, now),
            )
            .order_by(NOTICES.c.due_at, NOTICES.c.id)
            .limit(limit)
        )
        if self._pg:
            due = due.with_for_update(skip_locked=True)
        stmt = (
            update(NOTICES)
            .where(NOTICES.c.id.in_(due.scalar_subquery()))
            .values(
                status=SENDING,
                claim_token=token,
                claimed_at=now,
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
            )
        )
        async with self._db_turn, transaction(self.sessions) as session:
            rows = [tuple(r) for r in (await session.execute(stmt))]
        rows.sort()  # by id: RETURNING has no order; keep the queue's
        return [
            Claimed(
                id_,
                token,
                CHANNELS[channel],
                attempts,
                Outgoing(id_, application_id, KINDS[kind], locale, address or "", body),
            )
            for id_, application_id, kind, locale, channel, address, attempts, body in rows
        ]

    async def sweep(self) -> int:
        """Re-queue notices claimed longer ago than `stuck_after` (their worker died)."""
        now = self.clock.now()
        stmt = (
            update(NOTICES)
            .where(
                NOTICES.c.status == SENDING,
                NOTICES.c.claimed_at < now - self.config.stuck_after,
            )
            .values(status=QUEUED, claim_token=None, due_at=now, updated_at=now)
        )
        async with transaction(self.sessions) as session:
            result = cast(CursorResult[Any], await session.execute(stmt))
            count = result.rowcount or 0
        if count:
            log.warning("sweeper re-queued %d notices stuck in flight", count)
        return count

    # ------------------------------------------------------------------ one pass

    async def drain(self) -> int:
        """Send every notice due now; returns how many results were recorded.

        Each channel has its own lane (queue and `concurrency` senders), so a provider that is
        paced or paused never holds up another. The feeder claims for the lanes running low, so
        senders never wait for a claim's commit, and at most about `batch_size` notices per lane
        are in memory: claimed notices must not sit long enough for the sweeper to re-queue them.
        """
        # Staff may have made a day off since the last pass: the objection window a delivery
        # starts is counted on today's calendar, not the one this worker started with.
        async with self.sessions() as session:
            self.env = await current(session, self.env)
        cfg = self.config
        lanes: dict[NoticeChannel, asyncio.Queue[Claimed | None]] = {
            channel: asyncio.Queue() for channel in self.providers
        }
        results: list[tuple[Claimed, SendResult]] = []
        wake = asyncio.Event()  # the writer: a batch of results is ready
        hungry = asyncio.Event()  # the feeder: a lane is running low
        low_water = max(2 * cfg.concurrency, cfg.batch_size // 2)
        done = 0

        async def feed() -> None:
            # A small first claim gets the senders going; later ones refill ahead of need.
            limit = min(cfg.batch_size, 2 * cfg.concurrency)
            due = set(lanes)  # channels that may still have due notices
            try:
                while due:
                    low = [ch for ch in due if lanes[ch].qsize() <= low_water]
                    if not low:
                        hungry.clear()
                        await hungry.wait()
                        continue
                    batch = await self.claim(limit, low)
                    for item in batch:
                        lanes[item.channel].put_nowait(item)
                    if len(batch) < limit:
                        due.difference_update(low)  # all they had; the next pass takes the rest
                    limit = cfg.batch_size
            finally:
                for lane in lanes.values():
                    for _ in range(cfg.concurrency):
                        lane.put_nowait(None)

        async def send(provider: Provider, lane: asyncio.Queue[Claimed | None]) -> None:
            while (item := await lane.get()) is not None:
                if lane.qsize() <= low_water:
                    hungry.set()
                try:
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
            send(self.providers[channel], lane)
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

    async def remind(self) -> int:
        """One pass of the reminders: withdraw stale ones, write those due now."""
        async with transaction(self.sessions) as session:
            self.env = await current(session, self.env)
            return await reminders.send_due(session, self.env)

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set: sweep, remind every few minutes, drain, and rest a moment
        when nothing is due."""
        next_reminders = self.clock.now()
        while not stop.is_set():
            sent = 0
            try:
                await self.sweep()
                if self.clock.now() >= next_reminders:
                    next_reminders = self.clock.now() + self.config.remind_every
                    await self.remind()
                sent = await self.drain()
            except Exception:
                log.exception("delivery pass failed; retrying")
            if not sent:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.config.poll_interval)

    # ------------------------------------------------------------------ recording results

    def _outcome(self, item: Claimed, result: SendResult) -> Outcome:
        if result.outcome is Outcome.TRANSIENT and item.attempts >= self.config.max_attempts:
            return Outcome.PERMANENT  # retries exhausted: the law's fallback is print
        return result.outcome

    def _statement(
        self, outcome: Outcome, channel: NoticeChannel, now: datetime
    ) -> tuple[Any, dict[str, Any]]:
        """One UPDATE per kind of result, and the values it sets alike on every row."""
        same: dict[str, Any] = {
            "w_status": SENDING,
            "b_claim_token": None,
            "b_updated_at": now,
            "b_provider": self.providers[channel].name,
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
        columns = tuple(k[2:] for k in same if k.startswith("b_")) + per_row
        return _result_update(columns), same

    def _params(
        self, outcome: Outcome, item: Claimed, result: SendResult, now: datetime
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            "b_id": item.id,
            "b_token": item.token,
            "b_error_code": result.error_code,
            "b_error_message": result.error_message,
        }
        if outcome is Outcome.TRANSIENT:
            delay = backoff(item.attempts, self.config, result.retry_after)
            params["b_due_at"] = now + timedelta(seconds=delay)
            return params
        sms = item.channel is NoticeChannel.SMS
        params["b_segments"] = (result.segments or segments(item.text)) if sms else None
        if outcome is not Outcome.PERMANENT:
            params["b_provider_id"] = result.provider_id
            params["b_provider_status"] = result.provider_status
        return params

    async def _record(self, batch: list[tuple[Claimed, SendResult]]) -> None:
        now = self.clock.now()
        groups: dict[tuple[Outcome, NoticeChannel], list[dict[str, Any]]] = {}
        for item, result in batch:
            outcome = self._outcome(item, result)
            groups.setdefault((outcome, item.channel), []).append(
                self._params(outcome, item, result, now)
            )
        async with self._db_turn, transaction(self.sessions) as session:
            for (outcome, channel), rows in groups.items():
                stmt, same = self._statement(outcome, channel, now)
                await executemany(session, stmt, same, rows)
        reached = [
            (item.application_id, item.kind, now, item.channel.value)
            for item, result in batch
            if result.outcome is Outcome.DELIVERED and item.kind in CASE_MOVING_KINDS
        ]
        if reached:
            await notices_reached(self.sessions, self.env, reached)


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
    worker = Worker(runtime.sessions, env, build_providers(runtime.settings), config=config)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop), name="komek-delivery-worker")
    return RunningWorker(worker, task, stop)
