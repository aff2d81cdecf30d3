"""A large broadcast answers at once and is written in the background, chunk by chunk: a
filler that dies mid-way is taken over once it has been silent, and nobody is notified twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from casework.law.notices import NoticeChannel, NoticeKind
from casework.steps import broadcast_fill, broadcasts
from casework.steps.broadcasts import broadcast_counts, create_broadcast
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.tables.notices import Broadcast, Notice
from gateway.providers.sandbox import SandboxProvider
from gateway.worker import Worker
from tests.fakes.clock import FixedClock
from tests.gateway.conftest import Cases


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    # Five cases stand in for ten thousand: filled in the background, two per transaction.
    monkeypatch.setattr(broadcasts, "SYNC_LIMIT", 2)
    monkeypatch.setattr(broadcast_fill, "CHUNK", 2)


async def _invitations_per_case(cases: Cases, broadcast_id: int) -> dict[int, int]:
    async with cases.sessions() as s:
        rows = await s.execute(
            select(Notice.application_id, func.count())
            .where(Notice.broadcast_id == broadcast_id, Notice.channel == NoticeChannel.SMS)
            .group_by(Notice.application_id)
        )
        return {app_id: n for app_id, n in rows}


@pytest.mark.usefixtures("small_limits")
async def test_large_broadcast_is_queued_at_once_then_written_once_after_a_filler_died(
    case_builder: Cases, env: CaseEnv, clock: FixedClock
) -> None:
    ids = [await case_builder.preliminary_refusal(n) for n in range(1, 6)]
    async with transaction(case_builder.sessions) as s:
        b = await create_broadcast(
            s, env, kind=NoticeKind.HEARING_INVITATION, application_ids=ids, created_by="secretary"
        )
    # Staff see every recipient queued at once, though no notice is written yet.
    async with case_builder.sessions() as s:
        assert (await broadcast_counts(s, b.id))["queued"] == 5
    assert await _invitations_per_case(case_builder, b.id) == {}

    # A filler writes one chunk and dies.
    async with transaction(case_builder.sessions) as s:
        assert await broadcast_fill._take(s, env, b.id)
    async with transaction(case_builder.sessions) as s:
        broadcast = await s.get(Broadcast, b.id)
        assert broadcast is not None
        first = await broadcast_fill._unfilled(s, b.id, broadcast_fill.CHUNK)
        await broadcast_fill.fill_chunk(s, env, broadcast, first)
    # While its heartbeat is fresh nobody else takes the broadcast...
    assert await broadcast_fill.fill_pending(case_builder.sessions, env) == 0
    # ...once it has been silent for a minute, the next pass writes the rest.
    clock.set(clock.now() + broadcast_fill.STALE_AFTER + timedelta(seconds=1))
    assert await broadcast_fill.fill_pending(case_builder.sessions, env) == 3

    assert await _invitations_per_case(case_builder, b.id) == dict.fromkeys(ids, 1)
    async with case_builder.sessions() as s:
        broadcast = await s.get(Broadcast, b.id)
        assert broadcast is not None
        assert (broadcast.filled, broadcast.targets) == (5, 5)
        assert broadcast.filled_at is not None
        assert (await broadcast_counts(s, b.id))["queued"] == 5
    # A later pass finds nothing left to write.
    assert await broadcast_fill.fill_pending(case_builder.sessions, env) == 0

    sandbox = SandboxProvider()
    await Worker(case_builder.sessions, env, {NoticeChannel.SMS: sandbox}).drain()
    async with case_builder.sessions() as s:
        counts = await broadcast_counts(s, b.id)
    assert counts["delivered"] == 5 and counts["queued"] == 0
    invited = [m for m in sandbox.sent if m.kind is NoticeKind.HEARING_INVITATION]
    assert sorted(m.application_id for m in invited) == ids
