"""The working-day calendar in the console: a month's working days, days off, public holidays and
moved days, in words as well as marks; an administrator's mark moves the open cases' terms and
the page says how many moved."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.roles import Role
from casework.law.terms import Term
from casework.steps.staff import add_staff
from casework.system.db import transaction
from casework.tables.applications import Deadline
from tests.console.conftest import SignIn
from tests.fakes.clock import FixedClock
from tests.staff.conftest import paper_application


def plain(text: str) -> str:
    """Babel writes Russian dates with narrow no-break spaces: "20 ноября 2026\u202fг."."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def cell(page: str, day: str) -> tuple[str, str]:
    """(kind, words) of one day of the month grid."""
    found = re.search(
        rf'<td class="day day-(\w+)" data-day="{day}" data-kind="\w+">(.*?)</td>', page, re.S
    )
    assert found, f"no cell for {day}"
    words = re.sub(r"<[^>]+>", " ", found.group(2))
    return found.group(1), " ".join(plain(words).split())


MONTH = {
    "kk": {
        "title": "Жұмыс күндерінің күнтізбесі: 2026 жылғы желтоқсан",
        "monday": '<th scope="col">Дүйсенбі</th>',
        "holiday": ("Мерекелік демалыс күні", "Тәуелсіздік күні"),
        "weekend": "Демалыс күні",
        "working": "Жұмыс күні",
    },
    "ru": {
        "title": "Календарь рабочих дней: декабрь 2026",
        "monday": '<th scope="col">Понедельник</th>',
        "holiday": ("Праздничный день", "День Независимости"),
        "weekend": "Выходной день",
        "working": "Рабочий день",
    },
}


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_the_month_marks_holidays_weekends_and_working_days_in_words(
    sign_in: SignIn, locale: str
) -> None:
    clerk = await sign_in(Role.COMMISSION_SECRETARY, locale=locale)
    page = (await clerk.get("/console/calendar?month=2026-12")).text
    texts = MONTH[locale]
    assert texts["title"] in page and texts["monday"] in page
    kind, words = cell(page, "2026-12-16")  # Wednesday: Independence Day
    assert kind == "holiday" and all(w in words for w in texts["holiday"])
    kind, words = cell(page, "2026-12-19")  # Saturday
    assert kind == "weekend" and texts["weekend"] in words
    kind, words = cell(page, "2026-12-17")  # Thursday
    assert kind == "working" and texts["working"] in words
    # The first of December 2026 is a Tuesday: Monday's cell is empty.
    first_row = page.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert first_row.count('class="outside"') == 1
    # No staff mark yet, and a commission secretary may not make one.
    assert 'action="/console/calendar/overrides"' not in page


async def test_days_moved_by_law_and_by_the_government_say_so(sign_in: SignIn) -> None:
    clerk = await sign_in(Role.COMMISSION_SECRETARY, locale="ru")
    page = (await clerk.get("/console/calendar?month=2026-03")).text
    kind, words = cell(page, "2026-03-09")  # 8 March fell on a Sunday
    assert kind == "moved_off"
    assert "Перенесённый выходной" in words and "Международный женский день" in words
    page = (await clerk.get("/console/calendar?month=2025-01")).text
    kind, words = cell(page, "2025-01-03")  # the government moved Sunday 5 January here
    assert kind == "moved_off" and "Перенесён с 5 января 2025 г." in words
    kind, words = cell(page, "2025-01-05")
    assert kind == "moved_working" and "Выходной перенесён на 3 января 2025 г." in words

    kk = await sign_in(Role.DECISION_MAKER, locale="kk")
    page = (await kk.get("/console/calendar?month=2025-01")).text
    assert "2025 жылғы 5 қаңтардан ауыстырылған" in cell(page, "2025-01-03")[1]
    assert "Демалыс 2025 жылғы 3 қаңтарға ауыстырылды" in cell(page, "2025-01-05")[1]

    r = await kk.get("/console/calendar?month=2026-13")
    assert r.status_code == 422 and "Айды ЖЖЖЖ-АА түрінде жазыңыз" in r.text


async def _registered_cases(
    app: FastAPI, sessions: async_sessionmaker[AsyncSession], clock: FixedClock, n: int
) -> list[int]:
    """Paper applications taken in and registered through the staff API (the test's set-up)."""
    async with transaction(sessions) as session:
        _, token = await add_staff(
            session, name="Intake API", role=Role.INTAKE_OFFICE, now=clock.now()
        )
    headers = {"Authorization": f"Bearer {token}"}
    ids = []
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api.test"
    ) as api:
        for i in range(1, n + 1):
            r = await api.post("/staff/applications", json=paper_application(i), headers=headers)
            case = r.json()
            for step in ("completeness", "registration"):
                r = await api.post(f"/staff/applications/{case['id']}/{step}", headers=headers)
                assert r.status_code == 200, r.text
            ids.append(case["id"])
    return ids


async def _decision_due(sessions: async_sessionmaker[AsyncSession], case: int) -> date:
    async with sessions() as session:
        due = await session.scalar(
            select(Deadline.due_on).where(
                Deadline.application_id == case, Deadline.term == Term.DECISION
            )
        )
    assert due is not None
    return due


@pytest.mark.parametrize(
    ("locale", "texts"),
    [
        (
            "kk",
            {
                "saved": "Өзгеріс сақталды: 2026 жылғы 20 қараша.",
                "moved": "Мерзімдері жылжыған ашық істер саны: {n}.",
                "removed": "Белгі алынып тасталды: 2026 жылғы 20 қараша.",
                "made": "Демалыс күні (қызметкер белгілеген)",
                "note": "Негізі: Үкімет қаулысы",
                "no reason": "Негізін жазыңыз",
            },
        ),
        (
            "ru",
            {
                "saved": "Изменение сохранено: 20 ноября 2026 г.",
                "moved": "Открытых дел, у которых сдвинулись сроки: {n}.",
                "removed": "Отметка снята: 20 ноября 2026 г.",
                "made": "Выходной (отмечен сотрудником)",
                "note": "Основание: Үкімет қаулысы",
                "no reason": "Укажите основание",
            },
        ),
    ],
)
async def test_an_administrators_mark_moves_open_cases_terms_and_says_how_many(
    sign_in: SignIn,
    app: FastAPI,
    sessions: async_sessionmaker[AsyncSession],
    clock: FixedClock,
    locale: str,
    texts: dict[str, str],
) -> None:
    cases = await _registered_cases(app, sessions, clock, 2)
    assert [await _decision_due(sessions, c) for c in cases] == [date(2026, 11, 26)] * 2
    admin = await sign_in(Role.ADMINISTRATOR, locale=locale)
    page = (await admin.get("/console/calendar")).text  # today's month: November 2026
    assert 'action="/console/calendar/overrides"' in page

    form = {"day": "2026-11-20", "working": "0", "note": ""}
    r = await admin.post("/console/calendar/overrides", form)
    assert r.status_code == 422 and texts["no reason"] in r.text
    assert await _decision_due(sessions, cases[0]) == date(2026, 11, 26)

    # The government makes Friday 20 November a day off: both decisions move a day.
    r = await admin.post("/console/calendar/overrides", {**form, "note": "Үкімет қаулысы"})
    assert r.status_code == 303
    page = plain((await admin.get(r.headers["location"])).text)
    assert texts["saved"] in page and texts["moved"].format(n=2) in page
    kind, words = cell(page, "2026-11-20")
    assert kind == "made_off" and texts["made"] in words and texts["note"] in words
    assert [await _decision_due(sessions, c) for c in cases] == [date(2026, 11, 27)] * 2

    # A mark in a month no open term reaches moves nothing, and says so.
    r = await admin.post(
        "/console/calendar/overrides", {"day": "2027-03-02", "working": "0", "note": "Шешім"}
    )
    page = (await admin.get(r.headers["location"])).text
    assert texts["moved"].format(n=0) in page

    # Removing the mark moves them back.
    r = await admin.post("/console/calendar/overrides/2026-11-20/delete")
    assert r.status_code == 303
    page = plain((await admin.get(r.headers["location"])).text)
    assert texts["removed"] in page and texts["moved"].format(n=2) in page
    assert cell(page, "2026-11-20")[0] == "working"
    assert [await _decision_due(sessions, c) for c in cases] == [date(2026, 11, 26)] * 2
    r = await admin.post("/console/calendar/overrides/2026-11-20/delete")
    assert r.status_code == 404


async def test_only_the_calendar_role_marks_days_and_every_form_needs_its_token(
    sign_in: SignIn,
) -> None:
    secretary = await sign_in(Role.COMMISSION_SECRETARY, locale="ru")
    r = await secretary.post(
        "/console/calendar/overrides", {"day": "2026-11-20", "working": "0", "note": "x"}
    )
    assert r.status_code == 403 and "Ваша роль этого не позволяет" in r.text

    admin = await sign_in(Role.ADMINISTRATOR, locale="ru")
    r = await admin.http.post(
        "/console/calendar/overrides", data={"day": "2026-11-20", "working": "0", "note": "x"}
    )
    assert r.status_code == 403 and "Эта форма устарела" in r.text
    page = (await admin.get("/console/calendar?month=2026-11")).text
    assert cell(page, "2026-11-20")[0] == "working"
