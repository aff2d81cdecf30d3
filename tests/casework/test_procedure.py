"""The procedure table (casework/law/procedure.py) answers for every state and every step, and
the district chooses which grounds the precinct commission inspects."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.calendar import WorkingCalendar
from casework.law.procedure import (
    GUARDS,
    STARTS_FROM,
    CaseFacts,
    HearingFacts,
    Step,
    blocked,
)
from casework.law.rules import Ground, RefusalGround
from casework.law.status import TRANSITIONS, Status
from casework.law.terms import Term
from casework.steps import commission
from casework.system.env import CaseEnv
from tests.builders import local, take_in_signed
from tests.casework.helpers import draft
from tests.fakes.clock import FixedClock

CAL = WorkingCalendar(timezone="Asia/Almaty")
NOW = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # Tuesday 1 December, 10:00 in Almaty

# The state each step moves a case to, where it moves one.
MOVES_TO = {
    Step.REGISTER: Status.REGISTERED,
    Step.FORWARD_TO_PRECINCT: Status.AT_PRECINCT_COMMISSION,
    Step.RECORD_INCOMES: Status.INCOME_COMPUTED,
    Step.TO_SPECIAL_COMMISSION: Status.AT_SPECIAL_COMMISSION,
    Step.PRELIMINARY_REFUSAL: Status.PRELIMINARY_REFUSAL,
    Step.RECORD_OBJECTION: Status.OBJECTION_RECEIVED,
    Step.HOLD_HEARING: Status.HEARING_HELD,
    Step.MAKE_PROTOCOL: Status.PROTOCOL_MADE,
    Step.RECORD_REMARKS: Status.REMARKS_RECEIVED,
    Step.GRANT: Status.GRANTED,
    Step.REFUSE: Status.REFUSED,
    Step.TERMINATE: Status.TERMINATED,
}


def everything_done(status: Status, *, windows_open: bool = False) -> CaseFacts:
    """A case on which every fact a guard asks for holds and the applicant's windows have
    closed (or are still open, for the steps that need them open)."""
    window_ends = date(2026, 12, 1) if windows_open else date(2026, 11, 19)
    hearing = HearingFacts(
        grounds=frozenset(RefusalGround),
        issued_on=date(2026, 11, 17),
        scheduled_at=datetime(2026, 11, 19, 6, 0, tzinfo=UTC),
        received_on=date(2026, 11, 17),
        held=False,
        objection=False,
        oral=False,
        protocol_made=False,
        protocol_read=False,
        remarks_given=False,
    )
    return CaseFacts(
        status=status,
        now=NOW,
        today=CAL.local_date(NOW),
        calendar=CAL,
        ground=Ground.LOW_INCOME,
        needs_inspection=True,
        income_dependent=True,
        inspection_recorded=True,
        per_capita_income=Decimal("30000"),
        income_threshold=Decimal("50851"),
        conclusion_recorded=True,
        deadlines={
            Term.DECISION: date(2026, 12, 10),
            Term.PRELIMINARY_REFUSAL_LATEST: date(2026, 12, 7),
            Term.OBJECTION: window_ends,
            Term.PROTOCOL_REMARKS: window_ends,
        },
        hearing=hearing,
    )


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("step", list(Step))
def test_every_state_and_step_is_answered_by_the_table(status: Status, step: Step) -> None:
    windows_open = step in (Step.RECORD_OBJECTION, Step.RECORD_REMARKS)
    reasons = blocked(step, everything_done(status, windows_open=windows_open))
    if status in STARTS_FROM[step]:
        assert reasons == []
        if step in MOVES_TO:  # and the transition table lets the step move the case
            assert MOVES_TO[step] in TRANSITIONS[status]
    else:
        assert [r.rule for r in reasons] == ["state"]


def test_every_guard_cites_the_law_and_is_reachable() -> None:
    for step, guards in GUARDS.items():
        assert STARTS_FROM[step], step
        for guard in guards:
            assert "§" in guard.law or "art." in guard.law, (step, guard.rule)


@pytest.mark.parametrize(
    ("change", "step", "rule"),
    [
        ({"conclusion_recorded": False}, Step.GRANT, "commission_conclusion"),
        ({"per_capita_income": Decimal("61000")}, Step.GRANT, "income_within_threshold"),
        ({"per_capita_income": None}, Step.GRANT, "income_within_threshold"),
        ({"inspection_recorded": False}, Step.TO_SPECIAL_COMMISSION, "inspection_first"),
        ({"per_capita_income": None}, Step.TO_SPECIAL_COMMISSION, "income_first"),
        ({"needs_inspection": False}, Step.FORWARD_TO_PRECINCT, "inspected_ground"),
        ({"now": datetime(2026, 12, 8, 5, tzinfo=UTC)}, Step.PRELIMINARY_REFUSAL, None),
    ],
)
def test_each_missing_fact_blocks_with_its_rule(
    change: dict[str, object], step: Step, rule: str | None
) -> None:
    facts = dataclasses.replace(everything_done(Status.AT_SPECIAL_COMMISSION), **change)
    if "now" in change:  # a week later: past the last day for a preliminary refusal
        facts = dataclasses.replace(facts, today=date(2026, 12, 8))
        rule = "preliminary_refusal_in_time"
    status = Status.AT_PRECINCT_COMMISSION if step is Step.TO_SPECIAL_COMMISSION else facts.status
    status = Status.REGISTERED if step is Step.FORWARD_TO_PRECINCT else status
    reasons = blocked(step, dataclasses.replace(facts, status=status))
    assert [r.rule for r in reasons] == [rule]


async def test_a_district_reading_dr_14_inspects_every_ground(
    sessions: async_sessionmaker[AsyncSession], env: CaseEnv, clock: FixedClock
) -> None:
    every = CaseEnv(
        clock=env.clock,
        calendar=env.calendar,
        district=env.district.model_copy(update={"inspected_grounds": frozenset(Ground)}),
    )
    clock.set(local(2026, 11, 16, 10))
    async with sessions() as session, session.begin():
        app = await draft(session, every, ground=Ground.DISEASE)
        assert await take_in_signed(session, every, app, actor="applicant")
        assert app.deadline(Term.PRECINCT_FORWARDING) == date(2026, 11, 17)
        await commission.forward_to_precinct(session, every, app, actor="Омарова")
        assert app.status is Status.AT_PRECINCT_COMMISSION

        other = await draft(session, env, ground=Ground.DISEASE)
        assert await take_in_signed(session, env, other, actor="applicant")
        assert other.deadline(Term.PRECINCT_FORWARDING) is None  # SR §7's reading, the default
