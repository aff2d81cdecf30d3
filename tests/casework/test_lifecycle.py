"""The transition table: every illegal move is refused and changes nothing; every legal one is
recorded in the audit trail with who, when, from, to and why."""

from __future__ import annotations

from itertools import product

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.errors import IllegalTransition
from casework.law.rules import Ground
from casework.law.status import TRANSITIONS, Status, allowed
from casework.steps.audit import move
from casework.system.env import CaseEnv
from casework.tables.audit import AuditEvent
from tests.casework.helpers import draft

PAIRS = list(product(Status, Status))


def test_every_state_is_reachable_from_a_draft() -> None:
    seen, todo = {Status.DRAFT}, [Status.DRAFT]
    while todo:
        for nxt in TRANSITIONS.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(Status)


def test_a_refusal_is_never_decided_without_a_preliminary_refusal() -> None:
    assert not allowed(Status.AT_SPECIAL_COMMISSION, Status.REFUSED)
    assert allowed(Status.PRELIMINARY_REFUSAL, Status.REFUSED)


async def test_every_pair_of_states(
    sessions: async_sessionmaker[AsyncSession], env: CaseEnv
) -> None:
    async with sessions() as session, session.begin():
        app = await draft(session, env, ground=Ground.DISEASE)
        audits = lambda: session.scalar(  # noqa: E731
            select(func.count()).select_from(AuditEvent).where(AuditEvent.application_id == app.id)
        )
        refused = recorded = 0
        for current, target in PAIRS:
            app.status = current
            await session.flush()
            before = await audits()
            if not allowed(current, target):
                with pytest.raises(IllegalTransition):
                    await move(session, app, target, actor="tester", at=env.now())
                assert app.status is current
                assert await audits() == before
                refused += 1
                continue
            await move(session, app, target, actor="Ахметова Г.", at=env.now(), reason="test")
            event = (
                await session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
            ).one()
            assert (event.from_status, event.to_status) == (current, target)
            assert (event.actor, event.reason, event.at) == ("Ахметова Г.", "test", env.now())
            recorded += 1
        assert recorded == sum(len(v) for v in TRANSITIONS.values())
        assert refused == len(PAIRS) - recorded
