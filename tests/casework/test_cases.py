"""Cases walked through the use cases on real dates, with every stored deadline checked.

The expected dates are worked out by hand from Kazakhstan's 2026 calendar: Nauryz 21–23 March
with 24–25 March moved off (the holiday fell on a weekend), Victory Day moved to 11 May.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law import rules
from casework.law.errors import IllegalTransition, LateError, RuleError
from casework.law.rules import (
    DocumentKind,
    Ground,
    HearingMode,
    Periodicity,
    RefusalGround,
    TerminationGround,
)
from casework.law.status import Status
from casework.law.terms import Term
from casework.steps import case_file, commission, decisions, hearings, intake
from casework.steps.termination import terminate
from casework.system.env import CaseEnv, load_calendar
from casework.tables.audit import AuditEvent
from tests.builders import local, take_in_signed
from tests.casework.helpers import FAMILY, draft
from tests.fakes.clock import FixedClock


def terms(app) -> dict[Term, date]:  # type: ignore[no-untyped-def]
    return {d.term: d.due_on for d in app.deadlines}


async def test_low_income_case_refused_after_objection_hearing_protocol_and_remarks(
    sessions: async_sessionmaker[AsyncSession], env: CaseEnv, clock: FixedClock
) -> None:
    # Filed on Friday 20 March 2026 at 19:00, after closing, just before Nauryz.
    clock.set(local(2026, 3, 20, 19, 0))
    async with sessions() as session, session.begin():
        app = await draft(session, env, ground=Ground.LOW_INCOME)
        await intake.set_family(session, env, app, FAMILY, actor="applicant")
        assert await take_in_signed(session, env, app, actor="applicant")
        app_id = app.id
        # Registered on the first working day after the holidays: Thursday 26 March.
        assert app.registered_on == date(2026, 3, 26)
        assert terms(app) == {
            Term.REGISTRATION: date(2026, 3, 26),
            Term.PRECINCT_FORWARDING: date(2026, 3, 27),
            Term.DECISION: date(2026, 4, 7),
            Term.PRELIMINARY_REFUSAL_LATEST: date(2026, 4, 2),
        }

    async def step(moment, action):  # type: ignore[no-untyped-def]
        clock.set(moment)
        async with sessions() as session, session.begin():
            app = await case_file.load_application(session, app_id)
            await action(session, app)
            return await case_file.reload(session, app)

    await step(
        local(2026, 3, 26, 10),
        lambda s, a: commission.forward_to_precinct(s, env, a, actor="Омарова"),
    )
    app = await step(
        local(2026, 3, 27, 16),
        lambda s, a: commission.record_inspection(s, env, a, "акт №12", actor="Омарова"),
    )
    assert terms(app)[Term.INCOME_COMPUTATION] == date(2026, 3, 30)  # Friday + 1 wd = Monday
    app = await step(
        local(2026, 3, 30, 9), lambda s, a: commission.compute_income(s, env, a, actor="Омарова")
    )
    assert app.per_capita_income == Decimal("30000.00")
    await step(
        local(2026, 3, 30, 9, 30),
        lambda s, a: commission.to_special_commission(s, env, a, actor="Омарова"),
    )
    await step(
        local(2026, 3, 30, 10),
        lambda s, a: commission.record_conclusion(s, env, a, "Көмек керек.", actor="Омарова"),
    )

    # Income is below the threshold: the refusal is on another ground of DR §22.
    async def refuse_prelim(s, a):  # type: ignore[no-untyped-def]
        await hearings.issue_preliminary_refusal(
            s,
            env,
            a,
            grounds=[RefusalGround.FALSE_INFORMATION],
            scheduled_at=local(2026, 4, 2, 11),
            mode=HearingMode.VIDEOCONFERENCE,
            details="https://meet.example/abc",
            actor="Бекова",
        )

    await step(local(2026, 3, 30, 11), refuse_prelim)
    # The notice reaches the applicant on Monday at noon: 2 working days to object.
    app = await step(
        local(2026, 3, 30, 12), lambda s, a: hearings.mark_refusal_received(s, env, a, env.now())
    )
    assert terms(app)[Term.OBJECTION] == date(2026, 4, 1)

    app = await step(
        local(2026, 4, 1, 17, 59),
        lambda s, a: hearings.object_to_refusal(
            s, env, a, text="Табысымды қате есептеген", oral=True, via="bot", actor="applicant"
        ),
    )
    assert app.status is Status.OBJECTION_RECEIVED
    await step(local(2026, 4, 2, 11), lambda s, a: hearings.hold_hearing(s, env, a, actor="Бекова"))
    await step(
        local(2026, 4, 2, 12),
        lambda s, a: hearings.make_protocol(s, env, a, "Хаттама", actor="Бекова"),
    )
    app = await step(local(2026, 4, 2, 15), lambda s, a: hearings.read_protocol(s, env, a))
    assert terms(app)[Term.PROTOCOL_REMARKS] == date(2026, 4, 7)
    await step(
        local(2026, 4, 7, 18),
        lambda s, a: hearings.submit_remarks(s, env, a, "Ескертпе", actor="applicant"),
    )
    app = await step(
        local(2026, 4, 7, 18, 15),
        lambda s, a: decisions.refuse(
            s, env, a, grounds=[RefusalGround.FALSE_INFORMATION], actor="Бекова"
        ),
    )
    assert app.status is Status.REFUSED
    assert terms(app)[Term.CHAT_NOTICE] == date(2026, 4, 8)
    assert {d.term for d in app.deadlines if d.met_at is None} == {Term.CHAT_NOTICE}
    app = await step(
        local(2026, 4, 8, 9),
        lambda s, a: decisions.mark_notified(s, env, a, actor="gateway", via="chat"),
    )
    assert app.status is Status.NOTIFIED_REFUSED

    async with sessions() as session:
        trail = (
            await session.scalars(
                select(AuditEvent.to_status)
                .where(
                    AuditEvent.application_id == app_id,
                    AuditEvent.from_status != AuditEvent.to_status,
                )
                .order_by(AuditEvent.id)
            )
        ).all()
    assert trail == [
        Status.SUBMITTED, Status.ACCEPTED, Status.REGISTERED, Status.AT_PRECINCT_COMMISSION,
        Status.INCOME_COMPUTED, Status.AT_SPECIAL_COMMISSION, Status.PRELIMINARY_REFUSAL,
        Status.OBJECTION_RECEIVED, Status.HEARING_HELD, Status.PROTOCOL_MADE,
        Status.REMARKS_RECEIVED, Status.REFUSED, Status.NOTIFIED_REFUSED,
    ]  # fmt: skip


async def _registered(sessions, env, clock, *, to_commission=False):  # type: ignore[no-untyped-def]
    """A disease case filed on Monday 16 November 2026 at 10:00: registered the same day."""
    clock.set(local(2026, 11, 16, 10))
    async with sessions() as session, session.begin():
        app = await draft(session, env, ground=Ground.DISEASE)
        assert await take_in_signed(session, env, app, actor="applicant")
        if to_commission:
            await commission.to_special_commission(session, env, app, actor="x")
            await commission.record_conclusion(session, env, app, "Көмек керек.", actor="x")
        return app.id


async def test_late_objection_is_refused_with_the_day_that_passed(
    sessions: async_sessionmaker[AsyncSession], env: CaseEnv, clock: FixedClock
) -> None:
    app_id = await _registered(sessions, env, clock, to_commission=True)
    async with sessions() as session, session.begin():
        app = await case_file.load_application(session, app_id)
        await hearings.issue_preliminary_refusal(
            session, env, app, grounds=[RefusalGround.ALREADY_ASSIGNED],
            scheduled_at=local(2026, 11, 20, 11), mode=HearingMode.OTHER, details=None, actor="x",
        )  # fmt: skip
        await hearings.mark_refusal_received(session, env, app, env.now())
    clock.set(local(2026, 11, 19, 9))  # Monday + 2 wd = Wednesday 18th was the last day
    async with sessions() as session, session.begin():
        app = await case_file.load_application(session, app_id)
        with pytest.raises(LateError) as late:
            await hearings.object_to_refusal(
                session, env, app, text="Келіспеймін", oral=False, via="bot", actor="applicant"
            )
        assert late.value.params["deadline"] == date(2026, 11, 18)
        assert app.status is Status.PRELIMINARY_REFUSAL


async def test_preliminary_refusal_needs_three_working_days_before_the_decision(
    sessions: async_sessionmaker[AsyncSession], env: CaseEnv, clock: FixedClock
) -> None:
    app_id = await _registered(sessions, env, clock)
    async with sessions() as session, session.begin():
        app = await case_file.load_application(session, app_id)
        assert app.deadline(Term.DECISION) == date(2026, 11, 26)
        assert app.deadline(Term.PRELIMINARY_REFUSAL_LATEST) == date(2026, 11, 23)
        await commission.to_special_commission(session, env, app, actor="x")
        await commission.record_conclusion(session, env, app, "Көмек керек.", actor="x")
    clock.set(local(2026, 11, 24, 9))
    async with sessions() as session, session.begin():
        app = await case_file.load_application(session, app_id)
        with pytest.raises(LateError) as late:
            await hearings.issue_preliminary_refusal(
                session, env, app, grounds=[RefusalGround.FALSE_INFORMATION],
                scheduled_at=local(2026, 11, 25, 11), mode=HearingMode.OTHER, details=None,
                actor="x",
            )  # fmt: skip
        assert late.value.params["deadline"] == date(2026, 11, 23)
        assert app.status is Status.AT_SPECIAL_COMMISSION and not app.hearings


async def test_extended_case_has_twenty_working_days(
    sessions: async_sessionmaker[AsyncSession], env: CaseEnv, clock: FixedClock
) -> None:
    app_id = await _registered(sessions, env, clock)
    async with sessions() as session, session.begin():
        app = await case_file.load_application(session, app_id)
        await commission.extend(session, env, app, "сұрау салу жауабы күтілуде", actor="Бекова")
        # 20 working days from Monday 16 November 2026: four full weeks.
        assert app.deadline(Term.DECISION) == date(2026, 12, 14)
        assert app.deadline(Term.PRELIMINARY_REFUSAL_LATEST) == date(2026, 12, 9)


async def test_granted_within_the_ceiling_then_terminated_from_next_month(
    sessions: async_sessionmaker[AsyncSession], env: CaseEnv, clock: FixedClock
) -> None:
    app_id = await _registered(sessions, env, clock)
    async with sessions() as session, session.begin():
        app = await case_file.load_application(session, app_id)
        with pytest.raises(RuleError):  # disease is not inspected by the precinct commission
            await commission.forward_to_precinct(session, env, app, actor="x")
        await commission.to_special_commission(session, env, app, actor="x")
        await commission.record_conclusion(session, env, app, "Көмек керек.", actor="x")
        ceiling = env.district.ceiling("disease", 2026)
        with pytest.raises(RuleError):
            await decisions.grant(
                session, env, app, kind="disease", amount=ceiling + 1,
                periodicity=Periodicity.MONTHLY, actor="Бекова",
            )  # fmt: skip
        assert app.status is Status.AT_SPECIAL_COMMISSION
        clock.set(local(2026, 11, 20, 17))
        await decisions.grant(
            session, env, app, kind="disease", amount=ceiling,
            periodicity=Periodicity.MONTHLY, actor="Бекова",
        )  # fmt: skip
        assert app.deadline(Term.CHAT_NOTICE) == date(2026, 11, 23)
        with pytest.raises(IllegalTransition):
            await decisions.refuse(
                session, env, app, grounds=[RefusalGround.FALSE_INFORMATION], actor="Бекова"
            )
        # Died on 18 November, learnt on the 20th: payments stop from 1 December (DR §24).
        termination = await terminate(
            session, env, app, ground=TerminationGround.DEATH, began_on=date(2026, 11, 18),
            found_on=date(2026, 11, 20), actor="Бекова",
        )  # fmt: skip
        assert termination.payment_stops_on == date(2026, 12, 1)
        assert app.status is Status.TERMINATED


def test_false_information_stops_payment_on_the_day_it_began() -> None:
    began = date(2026, 12, 10)
    assert rules.payment_stops_on(TerminationGround.FALSE_INFORMATION, began) == began
    assert rules.payment_stops_on(TerminationGround.MOVED_OUT, date(2026, 12, 31)) == date(
        2027, 1, 1
    )


async def test_incomplete_or_expired_documents_are_refused_to_accept(
    sessions: async_sessionmaker[AsyncSession], env: CaseEnv, clock: FixedClock
) -> None:
    async with sessions() as session, session.begin():
        app = await draft(session, env, ground=Ground.FIRE, documents=[DocumentKind.IDENTITY])
        assert not await take_in_signed(session, env, app, actor="applicant")
        assert app.status is Status.REFUSED_TO_ACCEPT
        assert app.missing_documents == [DocumentKind.FIRE_DAMAGE.value]
        assert app.registered_on is None

        other = await draft(session, env, ground=Ground.DISEASE, iin="900101300811")
        other.documents[0].valid_until = date(2026, 11, 15)  # the identity card expired yesterday
        assert not await take_in_signed(session, env, other, actor="applicant")
        assert other.missing_documents == [DocumentKind.IDENTITY.value]


async def test_calendar_overrides_from_the_database_move_deadlines(
    sessions: async_sessionmaker[AsyncSession], env: CaseEnv, clock: FixedClock
) -> None:
    from casework.tables.calendar import CalendarOverride

    async with sessions() as session, session.begin():
        # The akimat closes the office on Friday 20 November 2026 and works Saturday 28th.
        session.add(CalendarOverride(day=date(2026, 11, 20), working=False, note="санитарлық күн"))
        session.add(CalendarOverride(day=date(2026, 11, 28), working=True, note="ауыстыру"))
    async with sessions() as session:
        calendar = await load_calendar(session, env.district)
    assert not calendar.is_working_day(date(2026, 11, 20))
    assert calendar.is_working_day(date(2026, 11, 28))
    # Monday 16th + 8 wd skips Friday 20th and counts Saturday 28th: 27 November, not 26th.
    assert calendar.add_working_days(date(2026, 11, 16), 8) == date(2026, 11, 27)
    assert calendar.add_working_days(date(2026, 11, 16), 9) == date(2026, 11, 28)


async def test_a_late_decision_notice_leaves_a_terminated_case_alone(
    sessions: async_sessionmaker[AsyncSession], env: CaseEnv, clock: FixedClock
) -> None:
    app_id = await _registered(sessions, env, clock, to_commission=True)
    async with sessions() as session, session.begin():
        app = await case_file.load_application(session, app_id)
        await decisions.grant(
            session, env, app, kind="disease", amount=Decimal(10000),
            periodicity=Periodicity.ONE_OFF, actor="Бекова",
        )  # fmt: skip
        await terminate(
            session, env, app, ground=TerminationGround.DEATH, began_on=date(2026, 11, 15),
            found_on=date(2026, 11, 16), actor="Бекова",
        )  # fmt: skip
        # The printed decision is handed over to the family afterwards.
        await decisions.mark_notified(session, env, app, actor="office", via="print")
        assert app.status is Status.TERMINATED
