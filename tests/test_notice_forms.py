"""Notices carry what their forms require (SR §6, §15; DR §21, §24), in Kazakh and Russian, and
every SMS fits two UCS-2 parts with the longest values the case can hold."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import combinations
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.district import District
from casework.law.notices import ChannelReason, NoticeChannel, NoticeKind, NoticeStatus
from casework.law.questions import ANSWER_MAX
from casework.law.reminders import Reminder
from casework.law.rules import (
    Channel,
    DocumentKind,
    HearingMode,
    Periodicity,
    RefusalGround,
    TerminationGround,
)
from casework.law.terms import Term
from casework.steps.delivery import hand_over
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.tables.hearings import Hearing, HearingProtocol
from casework.texts.i18n import KK_MONTHS, LOCALES, DayCase, format_day, format_tenge, gettext
from casework.texts.labels import label, short_label
from casework.texts.notices import render
from casework.texts.words import SMS_LIMIT, NoticeFacts, sms_units
from gateway.printing import notice_pdf
from gateway.sms import segments
from tests.builders import local
from tests.fakes.clock import FixedClock
from tests.gateway.conftest import Cases

K = NoticeKind
OFFICIAL = "Серікова Айгүл Бекқызы"
NAME = "Сәрсенбаева Әйгерім"
# The longest values a notice can carry: SMS lengths are checked against these.
NUMBER = 999999
AMOUNT = Decimal("9999999.99")
DAY = date(2026, 12, 31)


def _facts(district: District, **changes: Any) -> NoticeFacts:
    hearing = Hearing(
        refusal_grounds=[g.value for g in RefusalGround],
        scheduled_at=datetime(2026, 12, 29, 6, 30, tzinfo=UTC),  # 11:30 in Almaty
        mode=HearingMode.INFORMATION_SYSTEM,
        details="https://meet.example/kz",
    )
    facts = NoticeFacts(
        number=NUMBER,
        name=NAME,
        district=district,
        today=DAY,
        registered_on=date(2026, 12, 14),
        decision_due=date(2026, 12, 24),
        received_by=OFFICIAL,
        hearing=hearing,
        objection_due=date(2026, 12, 25),
        decision_number=NUMBER,
        decided_on=DAY,
        assistance_kind="disease",
        amount=AMOUNT,
        periodicity=Periodicity.HALF_YEARLY,
        starts_on=date(2027, 1, 1),
        stops_on=date(2027, 12, 31),
    )
    for name, value in changes.items():
        setattr(facts, name, value)
    return facts


def _variants(district: District, kind: NoticeKind, loc: str) -> list[NoticeFacts]:
    """Each kind with every value that changes its length."""
    if kind is K.DECISION_GRANTED:
        return [
            _facts(district, assistance_kind=a.code, periodicity=p, stops_on=stops)
            for a in district.assistance
            for p in Periodicity
            for stops in (date(2027, 12, 31), None)
        ]
    if kind is K.DECISION_REFUSED:
        return [
            _facts(district, refusal_grounds=[g.value for g in chosen])
            for n in range(1, len(RefusalGround) + 1)
            for chosen in combinations(RefusalGround, n)
        ]
    if kind is K.TERMINATION:
        return [
            _facts(district, payload={"ground": g.value, "stops": str(DAY)})
            for g in TerminationGround
        ]
    if kind is K.HOLIDAY_ASSISTANCE:
        return [_facts(district)] + [
            _facts(district, payload={"holiday": h.date, "year": 2026, "category": c.code})
            for h in district.holidays
            for c in h.categories
        ]
    if kind is K.REFUSAL_TO_ACCEPT:
        kinds = [k.value for k in DocumentKind]
        return [_facts(district, payload={"missing": kinds, "expired": kinds})]
    if kind is K.PAYMENT_RETURNED:
        months = ["2026-11-01", "2026-12-01"]
        payload = {"months": months, "amount": "9999999.99", "reason": "x" * 200}
        return [_facts(district, payload=payload)]
    if kind in (K.SIGNING_CODE, K.LINK_CODE):
        return [_facts(district, payload={"code": "999999", "phone": "+77019999999"})]
    if kind is K.REMINDER:
        # Every reminder, with every hearing mode and the longest link a hearing may carry.
        facts = {
            "day": str(DAY),
            "at": datetime(2026, 12, 29, 6, 30, tzinfo=UTC).isoformat(),
            "missing": [k.value for k in DocumentKind],
        }
        return [
            _facts(district, payload={"reminder": r.value, **facts, "mode": m, "details": d})
            for r in Reminder
            for m in HearingMode
            for d in ("", "https://meet.example/kz", "https://meet.example/" + "x" * 200)
        ]
    if kind is K.PROTOCOL_READY:
        # No protocol at hand, one to read in the message, one too long for it.
        variants = []
        for text in (None, "Тыңдау хаттамасы. " * 10, "Тыңдау хаттамасы. " * 400):
            facts = _facts(district, payload={"remarks_due": str(DAY)})
            if text is not None and facts.hearing is not None:
                facts.hearing.protocol = HearingProtocol(text=text, made_by=OFFICIAL)
            variants.append(facts)
        return variants
    if kind is K.QUESTION_ANSWER:
        words = ("Сәлеметсіз бе, " * ANSWER_MAX)[:ANSWER_MAX]
        return [
            _facts(district, payload={"question": q, "answer": a})
            for q in ("?", words)
            for a in ("Иә.", words, "x" * ANSWER_MAX)
        ]
    return [_facts(district)]


@pytest.mark.parametrize("loc", LOCALES)
@pytest.mark.parametrize("kind", list(NoticeKind))
def test_every_sms_fits_two_ucs2_parts_with_the_longest_values(
    district: District, kind: NoticeKind, loc: str
) -> None:
    for facts in _variants(district, kind, loc):
        sms = render(kind, facts, loc).sms_text
        assert sms_units(sms) <= SMS_LIMIT and segments(sms) <= 2, sms
        assert "{" not in sms
        # Holiday assistance is paid without an application: there is no number to name.
        assert str(NUMBER) in sms or kind is K.HOLIDAY_ASSISTANCE


# A Kazakh date before a postposition takes the case it governs: "…желтоқсанға дейін",
# "…желтоқсаннан бастап". A numeric SMS date writes "ж." between ("24.12.2026 ж. дейін").
_POSTPOSITION_CASE: dict[str, DayCase] = {
    "дейін": "dative",
    "шейін": "dative",
    "бастап": "ablative",
    "кейін": "ablative",
}
_POSTPOSITIONS = "|".join(_POSTPOSITION_CASE)
_LONG_DATE = re.compile(rf"(\d{{4}}) жылғы (\d{{1,2}}) (\w+) ({_POSTPOSITIONS})\b")
_BARE_SHORT_DATE = re.compile(rf"\d{{2}}\.\d{{2}}\.\d{{4}} ({_POSTPOSITIONS})\b")


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_kazakh_dates_take_the_case_of_the_word_after_them(
    district: District, kind: NoticeKind
) -> None:
    for facts in _variants(district, kind, "kk"):
        rendered = render(kind, facts, "kk")
        for text in (rendered.text, rendered.sms_text):
            assert not _BARE_SHORT_DATE.search(text), text
            for year, day, month, word in _LONG_DATE.findall(text):
                number = next(n for n, name in enumerate(KK_MONTHS, 1) if month.startswith(name))
                expected = format_day(
                    date(int(year), number, int(day)), "kk", case=_POSTPOSITION_CASE[word]
                )
                assert f"{expected} {word}" in text, text


@pytest.mark.parametrize("loc", LOCALES)
@pytest.mark.parametrize("kind", list(NoticeKind))
def test_every_letter_ends_with_the_departments_address_and_phone(
    district: District, kind: NoticeKind, loc: str
) -> None:
    provider = district.provider
    text = render(kind, _variants(district, kind, loc)[0], loc).text
    phone = gettext(loc, "Tel. {phone}", phone=provider.phone)
    assert text.endswith(f"{getattr(provider.address, loc)}\n{phone}"), text


@pytest.mark.parametrize("loc", LOCALES)
@pytest.mark.parametrize("kind", list(NoticeKind))
def test_an_sms_that_sends_the_reader_to_the_department_gives_its_phone(
    district: District, kind: NoticeKind, loc: str
) -> None:
    department, phone = {"kk": "бөлім", "ru": "отдел"}[loc], district.provider.compact_phone
    for facts in _variants(district, kind, loc):
        sms = render(kind, facts, loc).sms_text
        if department in sms.lower():
            assert phone in sms, sms


@pytest.mark.parametrize("loc", LOCALES)
def test_an_sms_writes_the_departments_phone_compactly(district: District, loc: str) -> None:
    """Written "+77263120000", one tap dials it, and a refusal to accept fits one SMS part."""
    kinds = [k.value for k in DocumentKind]
    facts = _facts(district, payload={"missing": kinds, "expired": kinds})
    sms = render(K.REFUSAL_TO_ACCEPT, facts, loc).sms_text
    assert sms.endswith(" +77263120000") and segments(sms) == 1, sms
    returned = {"months": ["2026-12-01"], "amount": "43250", "reason": "Шот жабылған"}
    sms = render(K.PAYMENT_RETURNED, _facts(district, payload=returned), loc).sms_text
    assert sms.endswith(" +77263120000"), sms


@pytest.mark.parametrize("loc", LOCALES)
def test_acceptance_receipt_names_the_dates_and_the_official(district: District, loc: str) -> None:
    text = render(K.ACCEPTANCE_RECEIPT, _facts(district), loc).text
    assert format_day(date(2026, 12, 14), loc) in text  # registered
    assert format_day(date(2026, 12, 24), loc) in text  # the result is ready
    assert OFFICIAL in text
    # A bot filing has no official: the receipt leaves the line out, never prints "None".
    bot = render(K.ACCEPTANCE_RECEIPT, _facts(district, received_by=None), loc).text
    assert gettext(loc, "Documents taken by: {name}", name="").strip() not in bot


@pytest.mark.parametrize("loc", LOCALES)
def test_refusal_to_accept_names_what_is_missing_and_what_expired(
    district: District, loc: str
) -> None:
    payload = {"missing": ["income"], "expired": ["identity"]}
    text = render(K.REFUSAL_TO_ACCEPT, _facts(district, payload=payload), loc).text
    missing, expired = (
        text.index(gettext(loc, "Documents missing:")),
        text.index(gettext(loc, "Documents expired:")),
    )
    assert missing < text.index(label(DocumentKind.INCOME, loc)) < expired
    assert expired < text.index(label(DocumentKind.IDENTITY, loc))
    assert OFFICIAL in text


@pytest.mark.parametrize("loc", LOCALES)
def test_a_grant_names_kind_amount_periodicity_period_and_the_decision(
    district: District, loc: str
) -> None:
    rendered = render(K.DECISION_GRANTED, _facts(district), loc)
    for field in (
        getattr(district.assistance_kind("disease").name, loc),
        format_tenge(AMOUNT, loc),
        label(Periodicity.HALF_YEARLY, loc),
        format_day(date(2027, 1, 1), loc),
        format_day(date(2027, 12, 31), loc),
        f"№ {NUMBER}",
        format_day(DAY, loc),
    ):
        assert field in rendered.text, (field, rendered.text)
    for field in (format_tenge(AMOUNT, loc), label(Periodicity.HALF_YEARLY, loc), "31.12.2026"):
        assert field in rendered.sms_text


@pytest.mark.parametrize("loc", LOCALES)
def test_a_refusal_names_the_grounds_and_the_appeal_in_the_sms_too(
    district: District, loc: str
) -> None:
    grounds = [RefusalGround.INCOME_ABOVE_THRESHOLD]
    facts = _facts(district, refusal_grounds=[g.value for g in grounds])
    rendered = render(K.DECISION_REFUSED, facts, loc)
    appeal = {"kk": ["аудан әкімдігіне", "3 ай", "сотқа"], "ru": ["акимат района", "3 ", "суд"]}
    assert label(grounds[0], loc) in rendered.text and f"№ {NUMBER}" in rendered.text
    assert all(word in rendered.text for word in [*appeal[loc], "91"])
    assert short_label(grounds[0], loc) in rendered.sms_text
    assert all(word in rendered.sms_text for word in appeal[loc])


@pytest.mark.parametrize("loc", LOCALES)
def test_termination_names_ground_stop_date_and_appeal(district: District, loc: str) -> None:
    payload = {"ground": TerminationGround.MOVED_OUT.value, "stops": "2027-01-01"}
    rendered = render(K.TERMINATION, _facts(district, payload=payload), loc)
    assert label(TerminationGround.MOVED_OUT, loc) in rendered.text
    # kk: "Төлемдер 2027 жылғы 1 қаңтардан бастап тоқтатылады" (from: the ablative).
    assert format_day(date(2027, 1, 1), loc, case="ablative") in rendered.text
    assert ("аудан әкімдігіне" if loc == "kk" else "акимат района") in rendered.text
    assert NAME in rendered.text
    assert "01.01.2027" in rendered.sms_text


@pytest.mark.parametrize("loc", LOCALES)
def test_a_termination_for_death_is_addressed_to_the_family(district: District, loc: str) -> None:
    payload = {"ground": TerminationGround.DEATH.value, "stops": "2026-12-01"}
    rendered = render(K.TERMINATION, _facts(district, payload=payload), loc)
    assert NAME not in rendered.text and NAME not in rendered.sms_text
    assert rendered.text.startswith(gettext(loc, "Dear family members,"))
    assert gettext(loc, "Please accept our condolences.") in rendered.text


@pytest.mark.parametrize("loc", LOCALES)
def test_a_memorial_day_is_never_called_a_holiday(district: District, loc: str) -> None:
    holiday_word = {"kk": "мереке", "ru": "праздн"}[loc]
    for h in district.holidays:
        payload = {"holiday": h.date, "year": 2026, "category": h.categories[0].code}
        rendered = render(K.HOLIDAY_ASSISTANCE, _facts(district, payload=payload), loc)
        words = f"{rendered.title} {rendered.text} {rendered.sms_text}".lower()
        assert getattr(h.name, loc) in rendered.text
        assert (holiday_word in words) is not h.memorial, (h.date, words)
    # DR §2 item 8: Victory Day is a state holiday; days of remembrance are атаулы күндер.
    assert not district.holiday("05-09").memorial  # type: ignore[union-attr]
    assert district.holiday("05-31").memorial  # type: ignore[union-attr]
    # With nothing to name, the notice names neither.
    plain = render(K.HOLIDAY_ASSISTANCE, _facts(district), loc)
    assert holiday_word not in f"{plain.title} {plain.text} {plain.sms_text}".lower()


def test_the_law_tells_refusal_and_termination_grounds_apart() -> None:
    # Both are "false_information": one stored value, two different names.
    assert label(RefusalGround.FALSE_INFORMATION, "ru") != label(
        TerminationGround.FALSE_INFORMATION, "ru"
    )


# ------------------------------------------------------------------ channels and print, on SQLite


@pytest.fixture
def cases(sessions: async_sessionmaker[AsyncSession], env: CaseEnv) -> Cases:
    return Cases(sessions, env)


async def test_a_bot_filer_without_a_registered_phone_gets_a_printed_copy_too(
    cases: Cases,
) -> None:
    app_id = await cases.preliminary_refusal(1, mcdb=False, channel=Channel.BOT, telegram_id=9)
    rows = [(n.kind, n.channel, n.channel_reason) for n in await cases.notices(app_id)]
    assert rows == [
        # The receipt is the cabinet's status (SR §6): shown at filing, nothing to hand over.
        (K.ACCEPTANCE_RECEIPT, NoticeChannel.CHAT, ChannelReason.SHOWN_WHEN_FILED),
        (K.PRELIMINARY_REFUSAL, NoticeChannel.CHAT, ChannelReason.FILED_IN_BOT),
        (K.PRELIMINARY_REFUSAL, NoticeChannel.PRINT, ChannelReason.NO_REGISTERED_PHONE),
    ]


async def test_a_printed_preliminary_refusal_counts_the_objection_from_its_hand_over(
    cases: Cases, env: CaseEnv, clock: FixedClock
) -> None:
    # Issued on Monday 16 November; the applicant comes for it on Thursday 19 November.
    app_id = await cases.preliminary_refusal(1, locale="kk", mcdb=False)
    [_receipt, refusal] = await cases.notices(app_id)
    assert refusal.channel is NoticeChannel.PRINT
    clock.set(local(2026, 11, 19, 9, 30))
    handed_on, due = date(2026, 11, 19), date(2026, 11, 23)  # 2 working days, past the weekend

    async with cases.sessions() as s:
        pdf = await notice_pdf(s, env, refusal.id)
    printed = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )
    assert format_day(handed_on, "kk") in printed and format_day(due, "kk") in printed
    assert "бүгін алсаңыз" not in printed  # not "if you received it today"

    async with transaction(cases.sessions) as s:
        await hand_over(s, env, refusal.id, actor="clerk")
    handed = (await cases.notices(app_id))[-1]
    assert handed.status is NoticeStatus.HANDED_OVER
    assert format_day(due, "kk") in handed.text and "бүгін алсаңыз" not in handed.text
    # The sheet and the case agree on the last day.
    assert (await cases.application(app_id)).deadline(Term.OBJECTION) == due
