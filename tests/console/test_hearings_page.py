"""The hearings page as a clerk uses it: hearings day by day, and the chosen ones invited as one
broadcast; a role that may not broadcast sees the list without the button and is refused."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.identity import mask_iin
from casework.law.notices import NoticeKind
from casework.law.roles import Role
from casework.law.rules import HearingMode, RefusalGround
from casework.steps import case_file, hearings
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.tables.notices import Broadcast, Notice
from casework.texts.i18n import format_day
from tests.builders import iin_for, local
from tests.console.conftest import NAMES, SignIn
from tests.gateway.conftest import Cases

# The clock stands on Monday 16 November 2026, 10:00 in Almaty.
THURSDAY = local(2026, 11, 19, 11)
FRIDAY = local(2026, 11, 20, 9, 30)


@pytest.fixture
def cases(sessions: async_sessionmaker[AsyncSession], env: CaseEnv) -> Cases:
    return Cases(sessions, env)


async def with_hearing(cases: Cases, n: int, at: datetime, **kw: object) -> int:
    """A case with a preliminary refusal and its hearing at `at` (through the use cases)."""
    app_id = await cases.registered(n, **kw)  # type: ignore[arg-type]
    async with transaction(cases.sessions) as s:
        app = await case_file.load_application(s, app_id)
        await hearings.issue_preliminary_refusal(
            s,
            cases.env,
            app,
            grounds=[RefusalGround.ALREADY_ASSIGNED],
            scheduled_at=at,
            mode=HearingMode.VIDEOCONFERENCE,
            details="https://meet.example.kz/h",
            actor="test",
        )
    return app_id


def listed(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-application="(\d+)"', page)]


def nav(page: str) -> str:
    found = re.search(r"<header.*?</header>", page, re.S)
    assert found
    return found.group()


HEARING_DAY = {
    "kk": "Тыңдау күні: 2026 жылғы 19 қараша",
    "ru": "День заслушиваний: " + format_day(date(2026, 11, 19), "ru"),  # 19 ноября 2026 г.
}


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_hearings_are_listed_day_by_day(sign_in: SignIn, cases: Cases, locale: str) -> None:
    first = await with_hearing(cases, 1, THURSDAY)
    second = await with_hearing(cases, 2, THURSDAY.replace(hour=15))
    friday = await with_hearing(cases, 3, FRIDAY)
    clerk = await sign_in(Role.COMMISSION_SECRETARY, locale=locale)

    r = await clerk.get("/console/hearings")  # the next day with hearings first
    assert r.status_code == 200
    page = r.text
    assert HEARING_DAY[locale] in page
    assert listed(page) == [first, second]
    assert "11:00" in page and "15:00" in page
    assert 'href="/console/hearings?day=2026-11-19"' in page  # the days with hearings
    assert 'href="/console/hearings?day=2026-11-20"' in page
    # Working days by the calendar: Thursday's neighbours are Wednesday and Friday.
    assert 'href="/console/hearings?day=2026-11-18"' in page
    # The IIN masked, the mode in words.
    assert iin_for(1) not in page and mask_iin(iin_for(1)) in page
    assert {"kk": "бейнеконференция", "ru": "видеоконференц"}[locale] in page.lower()
    assert 'id="select-all"' in page and 'name="application_id"' in page

    r = await clerk.get("/console/hearings?day=2026-11-20")
    assert listed(r.text) == [friday]
    r = await clerk.get("/console/hearings?day=2026-11-21")  # a Saturday
    assert listed(r.text) == []
    assert {"kk": "жұмыс күні емес", "ru": "нерабочий день"}[locale] in r.text
    r = await clerk.get("/console/hearings?day=not-a-day")
    assert r.status_code == 422
    assert {"kk": "Бұл күн емес.", "ru": "Это не дата."}[locale] in r.text


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_the_chosen_hearings_are_invited_as_one_broadcast(
    sign_in: SignIn, cases: Cases, sessions: async_sessionmaker[AsyncSession], locale: str
) -> None:
    first = await with_hearing(cases, 1, THURSDAY)
    second = await with_hearing(cases, 2, THURSDAY.replace(hour=15))
    third = await with_hearing(cases, 3, THURSDAY.replace(hour=16), mcdb=False)
    friday = await with_hearing(cases, 4, FRIDAY)
    clerk = await sign_in(Role.COMMISSION_SECRETARY, locale=locale)

    r = await clerk.post(
        "/console/hearings/invite", {"day": "2026-11-19", "application_id": [first, third]}
    )
    assert r.status_code == 303
    broadcast_id = int(r.headers["location"].rsplit("/", 1)[1])
    async with sessions() as s:
        broadcast = await s.get(Broadcast, broadcast_id)
        assert broadcast is not None
        assert broadcast.kind is NoticeKind.HEARING_INVITATION
        assert broadcast.created_by == NAMES[Role.COMMISSION_SECRETARY]
        assert broadcast.total == 2
        invited = set(
            await s.scalars(
                select(Notice.application_id).where(Notice.broadcast_id == broadcast_id)
            )
        )
    assert invited == {first, third}  # the second of the day was not chosen

    page = (await clerk.get(r.headers["location"])).text
    heading = {"kk": "таратылым", "ru": "Рассылка №"}[locale]
    assert (
        heading in page
        and {"kk": "Тыңдауға шақыру", "ru": "Приглашение на заслушивание"}[locale] in page
    )
    # The list now says who was invited, and when.
    page = (await clerk.get("/console/hearings?day=2026-11-19")).text
    rows = dict(re.findall(r'data-application="(\d+)">(.*?)</tr>', page, re.S))
    today = format_day(date(2026, 11, 16), locale)
    not_yet = {"kk": "Бөлек шақыру әлі жіберілмеген", "ru": "Отдельного приглашения ещё не было"}
    assert today in rows[str(first)] and today in rows[str(third)]
    assert not_yet[locale] in rows[str(second)] and today not in rows[str(second)]

    # Nothing chosen, or a hearing that is not on that day: a sentence, and nothing sent.
    r = await clerk.post("/console/hearings/invite", {"day": "2026-11-19"})
    assert r.status_code == 422
    assert {"kk": "кемінде бір тыңдауды", "ru": "хотя бы одно заслушивание"}[locale] in r.text
    r = await clerk.post(
        "/console/hearings/invite", {"day": "2026-11-19", "application_id": [second, friday]}
    )
    assert r.status_code == 409
    assert {"kk": "енді бұл күнде емес", "ru": "уже не в этот день"}[locale] in r.text
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Broadcast)) == 1


async def test_a_role_that_may_not_broadcast_sees_no_button_and_is_refused(
    sign_in: SignIn, cases: Cases, sessions: async_sessionmaker[AsyncSession]
) -> None:
    app_id = await with_hearing(cases, 1, THURSDAY)
    clerk = await sign_in(Role.DECISION_MAKER, locale="ru")
    r = await clerk.get("/console/hearings")
    assert r.status_code == 200 and listed(r.text) == [app_id]  # the schedule, read only
    assert 'name="application_id"' not in r.text and 'id="select-all"' not in r.text
    assert "Отправить приглашения выбранным" not in r.text
    assert 'href="/console/hearings"' not in nav(r.text)
    assert 'href="/console/broadcasts"' not in nav(r.text)

    r = await clerk.post(
        "/console/hearings/invite", {"day": "2026-11-19", "application_id": app_id}
    )
    assert r.status_code == 403 and "Ваша роль этого не позволяет" in r.text
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Broadcast)) == 0

    secretary = await sign_in(Role.COMMISSION_SECRETARY, locale="ru")
    assert 'href="/console/hearings"' in nav((await secretary.get("/console/hearings")).text)
