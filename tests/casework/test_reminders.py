"""Reminders on real dates: due on the right local working day and hour, never on a day off or at
night, never after СТОП, never twice, never for a case that has moved on; never printed.

Kazakhstan's 2026 calendar: Nauryz 21–23 March with 24–25 March moved off, so Friday 20 March is
the last working day before it; Unity Day on Friday 1 May, so Thursday 30 April is the last
working day before Monday 4 May.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.notices import NoticeChannel, NoticeKind, NoticeStatus
from casework.law.reminders import REMINDERS, Reminder
from casework.law.rules import Channel, DocumentKind, Ground, HearingMode, RefusalGround
from casework.law.terms import Term
from casework.steps import case_file, hearings, intake, reminders
from casework.steps.sms_replies import answer_sms
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.tables.applications import Application
from casework.tables.notices import Notice
from casework.tables.reminders import SentReminder
from casework.texts import reminders as reminder_texts
from casework.texts.i18n import LOCALES
from casework.texts.labels import label
from casework.texts.notices import render
from casework.texts.words import SMS_LIMIT, NoticeFacts, sms_units
from tests.builders import iin_for, local, phone_for
from tests.casework.helpers import draft
from tests.fakes.clock import FixedClock
from tests.gateway.conftest import Cases

Step = Callable[[AsyncSession, Application], Awaitable[Any]]


@pytest.fixture
def cases(sessions: async_sessionmaker[AsyncSession], env: CaseEnv) -> Cases:
    return Cases(sessions, env)


async def act(cases: Cases, clock: FixedClock, moment: datetime, app_id: int, step: Step) -> None:
    clock.set(moment)
    async with transaction(cases.sessions) as s:
        await step(s, await case_file.load_application(s, app_id))


async def run(cases: Cases, clock: FixedClock, moment: datetime) -> int:
    """One pass of the reminders at a local moment."""
    clock.set(moment)
    async with transaction(cases.sessions) as s:
        return await reminders.send_due(s, cases.env)


async def sent(cases: Cases, app_id: int) -> list[Notice]:
    return [n for n in await cases.notices(app_id) if n.kind is NoticeKind.REMINDER]


async def refusal_with_hearing(
    cases: Cases,
    clock: FixedClock,
    *,
    registered: datetime,
    issued: datetime,
    hearing: datetime,
    received: datetime | None = None,
    **kw: Any,
) -> int:
    clock.set(registered)
    app_id = await cases.registered(1, **kw)

    async def issue(s: AsyncSession, app: Application) -> None:
        await hearings.issue_preliminary_refusal(
            s,
            cases.env,
            app,
            grounds=[RefusalGround.ALREADY_ASSIGNED],
            scheduled_at=hearing,
            mode=HearingMode.VIDEOCONFERENCE,
            details="https://meet.example/kz",
            actor="test",
        )

    await act(cases, clock, issued, app_id, issue)
    if received is not None:
        await act(
            cases,
            clock,
            received,
            app_id,
            lambda s, app: hearings.mark_refusal_received(s, cases.env, app, received),
        )
    return app_id


# ---------------------------------------------------------------- the acceptance dates


async def test_objection_window_closing_before_nauryz_is_reminded_that_day_in_working_hours(
    cases: Cases, clock: FixedClock
) -> None:
    # Received on Wednesday 18 March: the 2 working days end on Friday 20 March.
    app_id = await refusal_with_hearing(
        cases,
        clock,
        registered=local(2026, 3, 16, 10),
        issued=local(2026, 3, 18, 10),
        hearing=local(2026, 3, 31, 11),
        received=local(2026, 3, 18, 11),
    )
    assert (await cases.application(app_id)).deadline(Term.OBJECTION) == date(2026, 3, 20)
    for moment in (local(2026, 3, 19, 10), local(2026, 3, 20, 8, 59)):
        await run(cases, clock, moment)
        assert await sent(cases, app_id) == []  # the day before, and before opening
    await run(cases, clock, local(2026, 3, 20, 9, 0))
    [notice] = await sent(cases, app_id)  # by SMS: an office filing with a registered phone
    assert notice.payload["reminder"] == Reminder.OBJECTION_CLOSES
    assert notice.created_at == local(2026, 3, 20, 9, 0)
    assert (notice.channel, notice.address) == (NoticeChannel.SMS, phone_for(1))
    assert "20.03.2026" in notice.sms_text and "ҚАРСЫЛЫҚ" in notice.sms_text
    assert "мерзімі бүгін аяқталады" in notice.text
    # Nothing on the holidays that follow, nor later.
    for day in (21, 23, 24, 25, 26):
        await run(cases, clock, local(2026, 3, day, 10))
    assert len(await sent(cases, app_id)) == 1


async def test_a_hearing_right_after_nauryz_is_reminded_before_the_holidays_not_during_them(
    cases: Cases, clock: FixedClock
) -> None:
    app_id = await refusal_with_hearing(
        cases,
        clock,
        registered=local(2026, 3, 16, 10),
        issued=local(2026, 3, 17, 10),
        hearing=local(2026, 3, 26, 11),  # Thursday, the first working day after Nauryz
    )
    await run(cases, clock, local(2026, 3, 19, 17))
    assert await sent(cases, app_id) == []
    await run(cases, clock, local(2026, 3, 20, 18, 29))  # Friday, a minute before closing
    [notice] = await sent(cases, app_id)
    assert notice.payload["reminder"] == Reminder.HEARING_SOON
    assert "келесі жұмыс күні" in notice.text and "26 наурыз" in notice.text
    for day in (23, 24, 25):
        await run(cases, clock, local(2026, 3, day, 10))
    assert len(await sent(cases, app_id)) == 1


async def test_a_monday_hearing_after_a_holiday_is_reminded_on_the_last_working_day_before(
    cases: Cases, clock: FixedClock
) -> None:
    app_id = await refusal_with_hearing(
        cases,
        clock,
        registered=local(2026, 4, 27, 10),
        issued=local(2026, 4, 27, 11),
        hearing=local(2026, 5, 4, 10),
        locale="ru",
    )
    await run(cases, clock, local(2026, 4, 29, 17))
    assert await sent(cases, app_id) == []
    # Thursday 30 April: Friday 1 May is Unity Day, then the weekend.
    await run(cases, clock, local(2026, 4, 30, 9, 30))
    [notice] = await sent(cases, app_id)
    assert notice.payload["reminder"] == Reminder.HEARING_SOON
    assert "в следующий рабочий день" in notice.text  # not "tomorrow": it is a Thursday
    assert "4 мая 2026" in notice.text and "10:00" in notice.text
    assert "https://meet.example/kz" in notice.text
    assert "04.05.2026" in notice.sms_text and "10:00" in notice.sms_text
    for moment in (local(2026, 5, 1, 10), local(2026, 5, 2, 10), local(2026, 5, 4, 9)):
        await run(cases, clock, moment)
    assert len(await sent(cases, app_id)) == 1


async def test_nothing_is_written_at_night_the_reminder_goes_next_morning(
    cases: Cases, clock: FixedClock
) -> None:
    # Set on Monday after closing for Tuesday afternoon: Monday's evening is too late to remind.
    app_id = await refusal_with_hearing(
        cases,
        clock,
        registered=local(2026, 11, 16, 10),
        issued=local(2026, 11, 16, 18),
        hearing=local(2026, 11, 17, 15),
    )
    for moment in (local(2026, 11, 16, 23), local(2026, 11, 17, 3), local(2026, 11, 17, 8, 30)):
        assert await run(cases, clock, moment) == 0
    assert await sent(cases, app_id) == []
    assert await run(cases, clock, local(2026, 11, 17, 9, 0)) == 1
    [notice] = await sent(cases, app_id)
    assert "бүгін өтеді" in notice.text  # read the same morning


async def test_nothing_after_stop_and_a_waiting_reminder_is_withdrawn(
    cases: Cases, clock: FixedClock
) -> None:
    app_id = await refusal_with_hearing(
        cases,
        clock,
        registered=local(2026, 11, 16, 10),
        issued=local(2026, 11, 16, 11),
        hearing=local(2026, 11, 18, 15),
        received=local(2026, 11, 16, 12),
    )
    # Objection window ends Wednesday 18 November; the hearing is that day too.
    await run(cases, clock, local(2026, 11, 17, 10))
    [waiting] = await sent(cases, app_id)  # the hearing is on the next working day
    assert waiting.status is NoticeStatus.QUEUED
    async with transaction(cases.sessions) as s:
        reply = await answer_sms(s, cases.env, phone_for(1), "СТОП")
    assert "міндетті емес" in reply
    await run(cases, clock, local(2026, 11, 17, 10, 5))
    [withdrawn] = await sent(cases, app_id)
    assert withdrawn.status is NoticeStatus.WITHDRAWN
    await run(cases, clock, local(2026, 11, 18, 9, 0))  # the objection's last day
    assert len(await sent(cases, app_id)) == 1
    # The notices the law requires still go.
    async with transaction(cases.sessions) as s:
        app = await case_file.load_application(s, app_id)
        await hearings.reschedule_hearing(
            s, cases.env, app, scheduled_at=local(2026, 11, 18, 16), actor="test"
        )
    kinds = [n.kind for n in await cases.notices(app_id)]
    assert kinds.count(NoticeKind.HEARING_INVITATION) == 1


async def test_never_twice_across_passes_and_again_for_a_new_hearing_time(
    cases: Cases, clock: FixedClock
) -> None:
    app_id = await refusal_with_hearing(
        cases,
        clock,
        registered=local(2026, 11, 16, 10),
        issued=local(2026, 11, 16, 11),
        hearing=local(2026, 11, 18, 15),
        channel=Channel.BOT,
        telegram_id=777,
    )
    for minute in (0, 5, 10):
        await run(cases, clock, local(2026, 11, 17, 10, minute))
    rows = await sent(cases, app_id)
    # One reminder, by each channel the law gives the case: SMS and the chat; never print.
    assert sorted(n.channel for n in rows) == [NoticeChannel.CHAT, NoticeChannel.SMS]
    async with cases.sessions() as s:
        records = (await s.scalars(select(SentReminder))).all()
    assert [(r.reminder, r.messages) for r in records] == [(Reminder.HEARING_SOON, 2)]
    # Moved to Thursday: reminded again on Wednesday, of the new time.
    await act(
        cases,
        clock,
        local(2026, 11, 17, 11),
        app_id,
        lambda s, app: hearings.reschedule_hearing(
            s, cases.env, app, scheduled_at=local(2026, 11, 19, 10), actor="test"
        ),
    )
    await run(cases, clock, local(2026, 11, 17, 12))
    assert len(await sent(cases, app_id)) == 2
    await run(cases, clock, local(2026, 11, 18, 10))
    again = [n for n in await sent(cases, app_id) if "19.11.2026" in n.sms_text]
    assert len(again) == 2 and "ертең өтеді" in again[0].text


async def test_no_hearing_reminder_on_the_day_of_the_invitation_to_that_time(
    cases: Cases, clock: FixedClock
) -> None:
    app_id = await refusal_with_hearing(
        cases,
        clock,
        registered=local(2026, 11, 16, 10),
        issued=local(2026, 11, 16, 11),
        hearing=local(2026, 11, 19, 10),
    )
    # Moved on Tuesday to Wednesday afternoon: the invitation itself names the new time.
    await act(
        cases,
        clock,
        local(2026, 11, 17, 11),
        app_id,
        lambda s, app: hearings.reschedule_hearing(
            s, cases.env, app, scheduled_at=local(2026, 11, 18, 15), actor="test"
        ),
    )
    await run(cases, clock, local(2026, 11, 17, 11, 5))
    assert await sent(cases, app_id) == []
    await run(cases, clock, local(2026, 11, 18, 9, 0))
    [notice] = await sent(cases, app_id)
    assert "бүгін өтеді" in notice.text and "15:00" in notice.text


# ---------------------------------------------------------------- each reminder's trigger


async def test_no_objection_reminder_once_the_objection_is_filed(
    cases: Cases, clock: FixedClock
) -> None:
    app_id = await refusal_with_hearing(
        cases,
        clock,
        registered=local(2026, 11, 16, 10),
        issued=local(2026, 11, 16, 11),
        hearing=local(2026, 11, 20, 15),
        received=local(2026, 11, 16, 12),
    )
    await act(
        cases,
        clock,
        local(2026, 11, 17, 12),
        app_id,
        lambda s, app: hearings.object_to_refusal(
            s, cases.env, app, text="Келіспеймін", oral=False, via="sms", actor="applicant"
        ),
    )
    await run(cases, clock, local(2026, 11, 18, 10))  # the objection's last day
    assert await sent(cases, app_id) == []


async def test_a_reminder_waiting_when_the_case_moves_on_is_withdrawn(
    cases: Cases, clock: FixedClock
) -> None:
    app_id = await refusal_with_hearing(
        cases,
        clock,
        registered=local(2026, 11, 16, 10),
        issued=local(2026, 11, 16, 11),
        hearing=local(2026, 11, 20, 15),
        received=local(2026, 11, 16, 12),
    )
    await run(cases, clock, local(2026, 11, 18, 10))
    [notice] = await sent(cases, app_id)
    assert notice.payload["reminder"] == Reminder.OBJECTION_CLOSES
    await act(
        cases,
        clock,
        local(2026, 11, 18, 10, 1),
        app_id,
        lambda s, app: hearings.object_to_refusal(
            s, cases.env, app, text="Келіспеймін", oral=False, via="bot", actor="applicant"
        ),
    )
    await run(cases, clock, local(2026, 11, 18, 10, 5))
    [notice] = await sent(cases, app_id)
    assert notice.status is NoticeStatus.WITHDRAWN


async def protocol_made(cases: Cases, clock: FixedClock) -> int:
    """An oral objection heard on Wednesday 18 November; the protocol made at 17:00."""
    app_id = await refusal_with_hearing(
        cases,
        clock,
        registered=local(2026, 11, 16, 10),
        issued=local(2026, 11, 16, 11),
        hearing=local(2026, 11, 18, 15),
        received=local(2026, 11, 16, 12),
        locale="ru",
    )
    env = cases.env
    steps: list[tuple[datetime, Step]] = [
        (
            local(2026, 11, 17, 12),
            lambda s, app: hearings.object_to_refusal(
                s, env, app, text=None, oral=True, via="bot", actor="applicant"
            ),
        ),
        (local(2026, 11, 18, 16), lambda s, app: hearings.hold_hearing(s, env, app, actor="t")),
        (
            local(2026, 11, 18, 17),
            lambda s, app: hearings.make_protocol(s, env, app, "Хаттама", actor="t"),
        ),
    ]
    for moment, step in steps:
        await act(cases, clock, moment, app_id, step)
    return app_id


async def test_remarks_window_is_reminded_on_its_last_day(cases: Cases, clock: FixedClock) -> None:
    app_id = await protocol_made(cases, clock)
    await act(
        cases,
        clock,
        local(2026, 11, 19, 11),
        app_id,
        lambda s, app: hearings.read_protocol(s, cases.env, app),
    )
    assert (await cases.application(app_id)).deadline(Term.PROTOCOL_REMARKS) == date(2026, 11, 24)
    for moment in (local(2026, 11, 20, 10), local(2026, 11, 23, 10)):
        await run(cases, clock, moment)
    assert await sent(cases, app_id) == []  # read: no "unread" reminder either
    await run(cases, clock, local(2026, 11, 24, 14))
    [notice] = await sent(cases, app_id)
    assert notice.payload["reminder"] == Reminder.REMARKS_CLOSE
    assert "истекает сегодня" in notice.text and "24.11.2026" in notice.sms_text


async def test_an_unread_protocol_is_reminded_two_working_days_after_it_was_made(
    cases: Cases, clock: FixedClock
) -> None:
    app_id = await protocol_made(cases, clock)
    # Unread, the remarks window has not started: the reminder is to read it.
    await run(cases, clock, local(2026, 11, 19, 17))
    assert await sent(cases, app_id) == []
    await run(cases, clock, local(2026, 11, 20, 9, 30))
    [notice] = await sent(cases, app_id)
    assert notice.payload["reminder"] == Reminder.PROTOCOL_UNREAD
    assert "3 рабочих дней" in notice.text
    await run(cases, clock, local(2026, 11, 23, 10))
    assert len(await sent(cases, app_id)) == 1


async def test_a_bot_draft_left_three_working_days_without_documents_is_reminded_once(
    cases: Cases, clock: FixedClock, sessions: async_sessionmaker[AsyncSession]
) -> None:
    env = cases.env
    clock.set(local(2026, 11, 16, 15))  # Monday
    async with transaction(sessions) as s:
        app = await draft(s, env, ground=Ground.DISEASE, documents=[DocumentKind.IDENTITY])
        app.applicant.telegram_id = 555
        app_id = app.id
    clock.set(local(2026, 11, 18, 11))  # Wednesday: touched again
    async with transaction(sessions) as s:
        app = await case_file.load_application(s, app_id)
        await intake.set_family(s, env, app, [("Сейітқали Әлия", Decimal(0))], actor="applicant")
    # Three working days after Wednesday: Thursday, Friday, Monday 23 November.
    for moment in (local(2026, 11, 19, 10), local(2026, 11, 20, 10), local(2026, 11, 23, 8)):
        await run(cases, clock, moment)
        assert await sent(cases, app_id) == []
    await run(cases, clock, local(2026, 11, 23, 9, 0))
    [notice] = await sent(cases, app_id)  # in the chat: no phone was given
    assert (notice.channel, notice.address) == (NoticeChannel.CHAT, "555")
    assert notice.payload["missing"] == [DocumentKind.DISEASE_PROOF]
    assert "Әлі жетіспейтін құжаттар:" in notice.text
    assert f"• {label(DocumentKind.DISEASE_PROOF, 'kk')}" in notice.text
    for day in (24, 30):
        await run(cases, clock, local(2026, 11, day, 10))
    assert len(await sent(cases, app_id)) == 1  # once per draft


async def test_a_complete_or_filed_draft_and_an_office_draft_get_no_reminder(
    cases: Cases, clock: FixedClock, sessions: async_sessionmaker[AsyncSession]
) -> None:
    env = cases.env
    clock.set(local(2026, 11, 16, 15))
    async with transaction(sessions) as s:
        complete = await draft(s, env, ground=Ground.DISEASE)
        office = await draft(
            s,
            env,
            ground=Ground.DISEASE,
            iin=iin_for(7),
            channel=Channel.PROVIDER_OFFICE,
            documents=[],
        )
        ids = [complete.id, office.id]
    await run(cases, clock, local(2026, 11, 20, 10))
    for app_id in ids:
        assert await sent(cases, app_id) == []


# ---------------------------------------------------------------- the words


def _facts(district: Any, payload: dict[str, Any], today: date) -> NoticeFacts:
    return NoticeFacts(
        number=999999, name="Сәрсенбаева Әйгерім", district=district, today=today, payload=payload
    )


LONGEST = {
    Reminder.OBJECTION_CLOSES: {"day": "2026-12-31"},
    Reminder.HEARING_SOON: {
        "at": "2026-12-31T06:30:00+00:00",
        "mode": HearingMode.INFORMATION_SYSTEM.value,
        "details": "https://meet.example/kz/" + "x" * 200,
    },
    Reminder.PROTOCOL_UNREAD: {"hearing_id": 1},
    Reminder.REMARKS_CLOSE: {"day": "2026-12-31"},
    Reminder.DOCUMENTS_MISSING: {"missing": [k.value for k in DocumentKind]},
}


@pytest.mark.parametrize("loc", LOCALES)
@pytest.mark.parametrize("reminder", list(Reminder))
def test_every_reminder_has_words_and_its_sms_fits_two_parts(
    district: Any, reminder: Reminder, loc: str
) -> None:
    assert set(reminder_texts.WORDS) == {rule.reminder for rule in REMINDERS}
    for today in (date(2026, 12, 30), date(2026, 12, 31)):
        payload = {"reminder": reminder.value, **LONGEST[reminder]}
        rendered = render(NoticeKind.REMINDER, _facts(district, payload, today), loc)
        assert sms_units(rendered.sms_text) <= SMS_LIMIT, rendered.sms_text
        assert "999999" in rendered.sms_text and "{" not in rendered.text + rendered.sms_text
