"""Every notice's legal "deliver by" moment, on Kazakhstan's real 2026 calendar, and on the rows
the outbox writes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from casework.law.calendar import WorkingCalendar
from casework.law.deliver_by import NO_TERM, RULES, deliver_by
from casework.law.notices import NoticeChannel, NoticeKind, NoticeStatus
from casework.law.rules import Channel
from casework.system.env import CaseEnv
from tests.gateway.conftest import Cases

ALMATY = ZoneInfo("Asia/Almaty")
CAL = WorkingCalendar(timezone="Asia/Almaty")  # Nauryz 21–25 March, 1 May, 7 May are days off
K, C = NoticeKind, NoticeChannel


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=ALMATY)


def midnight_after(day: date) -> datetime:
    """The end of a term's last day: local midnight."""
    return datetime.combine(day + timedelta(days=1), time(0), ALMATY)


@pytest.mark.parametrize(
    ("decided", "last_day"),
    [
        # Friday before Nauryz: 21–25 March are days off, so Thursday 26 March is the working day.
        (local(2026, 3, 20, 15), date(2026, 3, 26)),
        # Thursday 30 April: 1 May is a holiday, then the weekend: Monday 4 May.
        (local(2026, 4, 30, 11), date(2026, 5, 4)),
        # Wednesday 6 May: 7 May (Defender of the Fatherland Day) is off: Friday 8 May.
        (local(2026, 5, 6, 17), date(2026, 5, 8)),
        # An ordinary week: the next day.
        (local(2026, 11, 16, 10), date(2026, 11, 17)),
    ],
)
def test_a_decision_reaches_the_chat_and_the_phone_within_one_working_day(
    decided: datetime, last_day: date
) -> None:
    for kind in (K.DECISION_GRANTED, K.DECISION_REFUSED):
        for channel in (C.CHAT, C.SMS):
            moment = deliver_by(kind, channel, CAL, written_at=decided, decided_at=decided)
            assert moment == midnight_after(last_day), (kind, channel)
            assert moment is not None and moment.tzinfo is UTC
    # On paper it is handed over when the applicant comes (SR §15): no term of its own.
    paper = deliver_by(K.DECISION_GRANTED, C.PRINT, CAL, written_at=decided, decided_at=decided)
    assert paper is None


def test_a_staff_override_moves_the_term() -> None:
    decided = local(2026, 3, 20, 15)
    worked = WorkingCalendar(timezone="Asia/Almaty", overrides={date(2026, 3, 24): True})
    moment = deliver_by(K.DECISION_GRANTED, C.SMS, worked, written_at=decided, decided_at=decided)
    assert moment == midnight_after(date(2026, 3, 24))


def test_a_preliminary_refusal_leaves_three_working_days_before_the_decision() -> None:
    # The decision is due Friday 27 March 2026. Counting back three working days skips Nauryz
    # (21–25 March): Thursday 26, Friday 20, Thursday 19 March — the notice's last day.
    written = local(2026, 3, 16, 10)
    for channel in (C.SMS, C.CHAT, C.PRINT):  # on paper too: the objection window needs it
        moment = deliver_by(
            K.PRELIMINARY_REFUSAL,
            channel,
            CAL,
            written_at=written,
            decision_due=date(2026, 3, 27),
            hearing_at=local(2026, 3, 26, 10),
        )
        assert moment == midnight_after(date(2026, 3, 19)), channel
    # A hearing set earlier binds instead: known by closing time on the working day before it.
    moment = deliver_by(
        K.PRELIMINARY_REFUSAL,
        C.SMS,
        CAL,
        written_at=written,
        decision_due=date(2026, 3, 27),
        hearing_at=local(2026, 3, 19, 10),
    )
    assert moment == local(2026, 3, 18, 18, 30)


@pytest.mark.parametrize(
    ("hearing", "expected"),
    [
        # Thursday 26 March, after Nauryz: the working day before is Friday 20 March.
        (local(2026, 3, 26, 10), local(2026, 3, 20, 18, 30)),
        # Monday 4 May: Thursday 30 April (1 May and the weekend are off).
        (local(2026, 5, 4, 15), local(2026, 4, 30, 18, 30)),
        # An evening hearing on a Tuesday: by Monday's closing time.
        (local(2026, 11, 17, 17), local(2026, 11, 16, 18, 30)),
    ],
)
def test_a_hearing_invitation_arrives_with_time_to_come(
    hearing: datetime, expected: datetime
) -> None:
    for channel in (C.SMS, C.CHAT, C.PRINT):
        got = deliver_by(
            K.HEARING_INVITATION, channel, CAL, written_at=local(2026, 3, 2), hearing_at=hearing
        )
        assert got == expected, channel


def test_a_code_is_due_before_it_expires() -> None:
    written = datetime(2026, 3, 21, 6, 0, tzinfo=UTC)  # a holiday makes no difference to a code
    for kind in (K.SIGNING_CODE, K.LINK_CODE):
        assert deliver_by(kind, C.SMS, CAL, written_at=written) == written + timedelta(minutes=5)


def test_kinds_without_a_term_have_none_and_every_kind_says_which() -> None:
    assert set(RULES) | set(NO_TERM) == set(NoticeKind)
    assert not set(RULES) & set(NO_TERM)
    written = local(2026, 3, 20, 15)
    for kind in NO_TERM:
        for channel in NoticeChannel:
            got = deliver_by(
                kind,
                channel,
                CAL,
                written_at=written,
                decided_at=written,
                decision_due=date(2026, 3, 27),
                hearing_at=local(2026, 3, 26, 10),
            )
            assert got is None, kind


def test_a_term_without_its_fact_is_unknown_not_invented() -> None:
    written = local(2026, 3, 20, 15)
    assert deliver_by(K.HEARING_INVITATION, C.SMS, CAL, written_at=written) is None
    assert deliver_by(K.DECISION_GRANTED, C.CHAT, CAL, written_at=written) is None


# ---------------------------------------------------------------- on the outbox rows


async def test_every_outbox_row_carries_its_term(case_builder: Cases, env: CaseEnv) -> None:
    # Monday 16 November 2026, 10:00: decided today, due in the chat and by SMS by Tuesday's end.
    granted = await case_builder.granted(1, channel=Channel.BOT, telegram_id=7001)
    rows = {(n.kind, n.channel): n for n in await case_builder.notices(granted)}
    decision_end = midnight_after(date(2026, 11, 17))
    assert rows[K.DECISION_GRANTED, C.SMS].deliver_by == decision_end
    assert rows[K.DECISION_GRANTED, C.CHAT].deliver_by == decision_end
    assert rows[K.ACCEPTANCE_RECEIPT, C.SMS].deliver_by is None

    # Paper only: the decision has no term, the preliminary refusal does.
    paper = await case_builder.granted(2, mcdb=False)
    [receipt, decision] = await case_builder.notices(paper)
    assert (decision.channel, decision.status) == (C.PRINT, NoticeStatus.TO_PRINT)
    assert decision.deliver_by is None and receipt.deliver_by is None

    # The hearing is on Thursday 19 November at 11:00; the decision is due Thursday 26 November,
    # so three working days before it is Monday 23 November: the hearing's eve binds.
    refusal = await case_builder.preliminary_refusal(3, mcdb=False)
    [notice] = [n for n in await case_builder.notices(refusal) if n.kind is K.PRELIMINARY_REFUSAL]
    work_end = env.calendar.work_end
    assert notice.deliver_by == datetime.combine(date(2026, 11, 18), work_end, ALMATY)
