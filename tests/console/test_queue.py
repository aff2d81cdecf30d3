"""The work queue as clerks use it: real cases at different deadlines, the most urgent first;
filters, the search by number, name and IIN (refused and masked for a role that may not see
IINs, and recorded), keyset pages, and a statement count that does not grow with the cases."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from casework.law.identity import mask_iin
from casework.law.notices import NoticeKind
from casework.law.procedure import Step
from casework.law.roles import Role
from casework.law.rules import DocumentKind, Filer, Ground, required_documents
from casework.law.status import Status
from casework.law.terms import Term
from casework.steps import commission, intake, work_queue
from casework.steps.work_queue import Cursor, QueueFilter
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.tables.lookups import LookupKind, StaffLookup
from casework.texts.i18n import gettext
from tests.builders import iin_for, local, phone_for
from tests.console.conftest import NAMES, SignIn
from tests.fakes.clock import FixedClock
from tests.gateway.conftest import Cases

SURNAMES = ("Сейітқалиева", "Омарова", "Бекова", "Әлиева", "Нұрова", "Қасымова", "Жұмабаева")
CLERK = NAMES[Role.INTAKE_OFFICE]


async def paper_case(
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    n: int,
    *,
    ground: Ground = Ground.DISEASE,
    settlement: str = "Құлан",
    last_name: str | None = None,
) -> int:
    """A paper application taken in at the office and registered now (the clock's moment)."""
    documents = [
        intake.PaperDocument(kind, f"{kind.value} (түпнұсқа)")
        for kind in required_documents(ground, Filer.SELF)
    ]
    paper = intake.PaperApplication(
        iin=iin_for(n),
        last_name=last_name or SURNAMES[n % len(SURNAMES)],
        first_name="Әлия",
        middle_name=None,
        locale="kk",
        phone=phone_for(n),
        ground=ground,
        filer=Filer.SELF,
        representative_name=None,
        represented_iin=None,
        settlement=settlement,
        address=None,
        family=[],
        documents=documents,
    )
    async with transaction(sessions) as session:
        app = await intake.take_in_paper(session, env, paper, role=Role.INTAKE_OFFICE, actor=CLERK)
        assert await intake.check_completeness(session, env, app, actor=CLERK)
        await intake.register(session, env, app, actor=CLERK)
        return app.id


async def four_urgencies(
    sessions: async_sessionmaker[AsyncSession], env: CaseEnv, clock: FixedClock
) -> dict[str, int]:
    """Seen on Friday 20 November 2026: one case overdue, one whose last day is today, one due
    the next working day (Monday), one later."""
    made = {}
    clock.set(local(2026, 11, 16, 10, 0))  # fire: to the precinct commission by Tue 17 Nov
    made["overdue"] = await paper_case(sessions, env, 1, ground=Ground.FIRE, settlement="Ақсу")
    clock.set(local(2026, 11, 19, 10, 0))  # disease: preliminary refusal by Thu 26 Nov
    made["later"] = await paper_case(sessions, env, 2, ground=Ground.DISEASE)
    # fire, registered Thursday: to the precinct commission by today, Friday 20 Nov
    made["today"] = await paper_case(sessions, env, 3, ground=Ground.FIRE)
    clock.set(local(2026, 11, 20, 9, 30))  # fire: by Monday 23 Nov, the next working day
    made["soon"] = await paper_case(sessions, env, 4, ground=Ground.FIRE, settlement="Ақсу")
    clock.set(local(2026, 11, 20, 11, 0))
    return made


def case_ids(page: str) -> list[int]:
    """The case numbers of the queue's rows, in order."""
    return [int(i) for i in re.findall(r'href="/console/cases/(\d+)"', page)]


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[tuple[str, object]]]:
    """Every SQL statement the engine runs inside the block, with its parameters."""
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


# ---------------------------------------------------------------- ordering and next steps


async def test_the_queue_puts_overdue_first_then_today_then_within_a_working_day_then_later(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], env: CaseEnv, clock: FixedClock
) -> None:
    made = await four_urgencies(sessions, env, clock)
    clerk = await sign_in(Role.COMMISSION_SECRETARY, locale="kk")
    r = await clerk.get("/console/queue")
    assert r.status_code == 200
    order = [made[u] for u in ("overdue", "today", "soon", "later")]
    assert case_ids(r.text) == order
    rows = r.text.split("<tr>")[2:]
    overdue, today, soon, later = rows[:4]
    # The urgency, the term and its law, the due day, the next lawful step.
    assert "Мерзімі өткен" in overdue and "Учаскелік комиссияға жіберу" in overdue
    assert "2026 жылғы 17 қараша" in overdue and "3 жұмыс күні өтіп кетті" in overdue
    assert "Мемлекеттік қызмет көрсету қағидалары, 7-тармақ" in overdue
    assert gettext("kk", "Send to the precinct commission") in overdue  # meets the term
    assert "Бүгін — соңғы күн" in today and "2026 жылғы 20 қараша" in today
    assert "Бір жұмыс күні ішінде аяқталады" in soon and "2026 жылғы 23 қараша" in soon
    assert "1 жұмыс күні қалды" in soon
    assert "Кейінірек" in later and "Алдын ала шешімді хабарлаудың соңғы күні" in later
    assert gettext("kk", "Submit to the special commission") in later
    # How many cases of the whole queue are at each urgency.
    counts = r.text.split('class="queue-counts"')[1].split("</ul>")[0]
    assert [int(n) for n in re.findall(r"</span> (\d+)</li>", counts)] == [1, 1, 1, 1]

    ru = await sign_in(Role.DECISION_MAKER, locale="ru")
    r = await ru.get("/console/queue")
    assert case_ids(r.text) == order
    assert "Просрочено" in r.text and gettext("ru", "Send to the precinct commission") in r.text
    assert "Правила оказания государственной услуги, п. 7" in r.text


async def test_a_step_that_meets_another_term_than_the_cases_next_names_that_term(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], env: CaseEnv, clock: FixedClock
) -> None:
    clock.set(local(2026, 11, 16, 10, 0))  # a fire case: decision by 26 Nov, refusal notice by 23
    case = await paper_case(sessions, env, 1, ground=Ground.FIRE)
    async with transaction(sessions) as session:
        app = await intake.load_application(session, case)
        await commission.forward_to_precinct(session, env, app, actor=CLERK)
    clock.set(local(2026, 11, 23, 10, 0))  # the inspection comes back: income due tomorrow
    async with transaction(sessions) as session:
        app = await intake.load_application(session, case)
        await commission.record_inspection(session, env, app, "Үй өртеніп кеткен.", actor=CLERK)
    async with sessions() as session:
        [row] = (await work_queue.page(session, env, QueueFilter())).rows
    assert (row.term, row.due_on, row.urgency) == (
        Term.PRELIMINARY_REFUSAL_LATEST,
        date(2026, 11, 23),
        "today",
    )
    assert row.next.step is Step.RECORD_INCOMES and row.next.lawful_from is None
    assert (row.next.serves, row.next.serves_due) == (Term.INCOME_COMPUTATION, date(2026, 11, 24))
    assert row.next.also == (Step.TO_SPECIAL_COMMISSION, Step.RECORD_INSPECTION, Step.EXTEND)
    clerk = await sign_in(Role.COMMISSION_SECRETARY, locale="kk")
    page = (await clerk.get("/console/queue")).text
    assert (
        "Бұл қадам мына мерзімді орындайды: Табысты есептеу, соңғы күні — 2026 жылғы 24 қараша"
        in page
    )


# ---------------------------------------------------------------- filters and search


async def test_filters_by_status_ground_settlement_and_term(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], env: CaseEnv, clock: FixedClock
) -> None:
    made = await four_urgencies(sessions, env, clock)
    async with transaction(sessions) as session:
        app = await intake.load_application(session, made["today"])
        await commission.forward_to_precinct(session, env, app, actor=CLERK)
    clerk = await sign_in(Role.COMMISSION_SECRETARY, locale="ru")

    async def ids(query: str) -> list[int]:
        r = await clerk.get(f"/console/queue?{query}")
        assert r.status_code == 200, r.text
        return case_ids(r.text)

    assert await ids("ground=disease") == [made["later"]]
    assert await ids("status=at_precinct_commission") == [made["today"]]
    assert await ids("settlement=Ақсу") == [made["overdue"], made["soon"]]
    assert await ids("term=precinct_forwarding") == [made["overdue"], made["soon"]]
    # Every registered case by its decision day: registered Monday, then Thursday, then Friday.
    by_decision = [made["overdue"], made["later"], made["today"], made["soon"]]
    assert await ids("term=decision") == by_decision
    assert await ids("ground=fire&settlement=Ақсу&term=precinct_forwarding") == [
        made["overdue"],
        made["soon"],
    ]
    # Unknown values are left out, never an English error.
    assert await ids("status=nonsense&ground=&term=x") == await ids("")
    r = await clerk.get("/console/queue?status=registered&ground=fire")
    assert 'value="registered" selected' in r.text and 'value="fire" selected' in r.text


async def test_search_by_number_and_name(
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    clock: FixedClock,
) -> None:
    made = await four_urgencies(sessions, env, clock)
    clerk = await sign_in(Role.DECISION_MAKER, locale="kk")
    assert case_ids((await clerk.get(f"/console/queue?q={made['later']}")).text) == [made["later"]]
    assert case_ids((await clerk.get(f"/console/queue?q=№ {made['soon']}")).text) == [made["soon"]]
    # By name, whatever the letters' case: case n is of SURNAMES[n % 7] (2 Бекова, 4 Нұрова).
    r = await clerk.get("/console/queue?q=беков")
    assert case_ids(r.text) == [made["later"]]
    r = await clerk.get("/console/queue?q=нұров әлия")
    assert case_ids(r.text) == [made["soon"]]
    r = await clerk.get("/console/queue?q=ӘЛИЕВА")
    assert case_ids(r.text) == [made["today"]]
    r = await clerk.get("/console/queue?q=Жоқ Адам")
    assert case_ids(r.text) == [] and "Іздеуге және сүзгілерге сәйкес іс жоқ." in r.text
    async with sessions() as s:
        rows = list(await s.scalars(select(StaffLookup).order_by(StaffLookup.id)))
    assert [r.kind for r in rows] == [LookupKind.STATUS] * 6
    assert [r.found for r in rows] == [1, 1, 1, 1, 1, 0]
    assert "name=" in rows[2].filters and "number=" in rows[0].filters


async def test_a_search_reaches_cases_no_term_runs_for(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], env: CaseEnv, clock: FixedClock
) -> None:
    clock.set(local(2026, 11, 16, 10, 0))
    queued = await paper_case(sessions, env, 1, last_name="Ахметова")
    documents = [intake.PaperDocument(DocumentKind.IDENTITY, "куәлік")]  # the proof lacks
    paper = intake.PaperApplication(
        iin=iin_for(2), last_name="Ахметова", first_name="Дина", middle_name=None, locale="ru",
        phone=None, ground=Ground.DISEASE, filer=Filer.SELF, representative_name=None,
        represented_iin=None, settlement=None, address=None, family=[], documents=documents,
    )  # fmt: skip
    async with transaction(sessions) as session:
        app = await intake.take_in_paper(session, env, paper, role=Role.INTAKE_OFFICE, actor=CLERK)
        await intake.check_completeness(session, env, app, actor=CLERK)
        refused = app.id
    assert app.status is Status.REFUSED_TO_ACCEPT
    clerk = await sign_in(Role.INTAKE_OFFICE, locale="ru")
    assert case_ids((await clerk.get("/console/queue")).text) == [queued]
    r = await clerk.get("/console/queue?q=ахметова")
    assert case_ids(r.text) == [queued, refused]
    assert "Срок не течёт" in r.text
    assert case_ids((await clerk.get("/console/queue?all=1")).text) == [queued, refused]


async def test_only_a_role_that_sees_iins_searches_by_iin_and_every_search_is_recorded(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], env: CaseEnv, clock: FixedClock
) -> None:
    made = await four_urgencies(sessions, env, clock)
    iin = iin_for(4)
    secretary = await sign_in(Role.COMMISSION_SECRETARY, locale="kk")
    r = await secretary.get(f"/console/queue?q={iin}")
    assert r.status_code == 200 and case_ids(r.text) == [made["soon"]]
    assert iin in r.text  # in full, and in the search box
    assert "Өтініш нөмірі, аты-жөні немесе ЖСН" in r.text

    decider = await sign_in(Role.DECISION_MAKER, locale="ru")
    page = (await decider.get("/console/queue")).text
    assert iin not in page and mask_iin(iin) in page  # masked for a decision maker
    assert "Номер заявления или имя" in page  # the search box does not offer the IIN
    r = await decider.get(f"/console/queue?q={iin}")
    assert r.status_code == 403 and case_ids(r.text) == []
    assert "Ваша роль не позволяет искать по ИИН" in r.text

    async with sessions() as s:
        rows = list(await s.scalars(select(StaffLookup).order_by(StaffLookup.id)))
    assert [(r.kind, r.iin, r.found, r.refused) for r in rows] == [
        (LookupKind.IIN, iin, 1, False),
        (LookupKind.IIN, iin, 0, True),
    ]


# ---------------------------------------------------------------- pages and statements


async def test_keyset_pages_cover_the_queue_once_in_order(
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    clock: FixedClock,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = await four_urgencies(sessions, env, clock)
    order = [made[u] for u in ("overdue", "today", "soon", "later")]
    clock.set(local(2026, 11, 19, 15, 0))
    extra = [await paper_case(sessions, env, n, ground=Ground.FIRE) for n in (5, 6, 7)]
    clock.set(local(2026, 11, 20, 11, 0))
    monkeypatch.setattr(work_queue, "PAGE_SIZE", 2)
    clerk = await sign_in(Role.COMMISSION_SECRETARY)
    seen: list[int] = []
    url: str | None = "/console/queue"
    with statements(engine) as sql:
        while url:
            page = (await clerk.get(url)).text
            seen += case_ids(page)
            found = re.search(r'href="([^"]+)" rel="next"', page)
            url = found.group(1).replace("&amp;", "&") if found else None
            assert url is None or "after=" in url
    assert len(seen) == 7 and len(set(seen)) == 7
    # Due today (Friday) are the case registered Thursday and the three extra ones.
    assert seen == [order[0], order[1], *extra, order[2], order[3]]
    # Pages start after a (due day, case number), never by skipping rows: SQLite's LIMIT is
    # written with OFFSET 0, nothing else.
    assert all(params[-1] == 0 for s, params in sql if "OFFSET" in s)  # type: ignore[index]
    assert any("(applications.next_due_on, applications.id) >" in s for s, _ in sql)
    # A cursor that is not one starts from the first page.
    r = await clerk.get("/console/queue?after=garbage")
    assert case_ids(r.text) == [order[0], order[1]]


async def test_keyset_pages_at_the_step_level_continue_into_cases_with_no_term(
    sessions: async_sessionmaker[AsyncSession], env: CaseEnv, clock: FixedClock
) -> None:
    made = await four_urgencies(sessions, env, clock)
    async with transaction(sessions) as session:
        first = await work_queue.page(session, env, QueueFilter(everything=True), limit=3)
        assert first.after is not None
        second = await work_queue.page(
            session, env, QueueFilter(everything=True), after=first.after, limit=3
        )
    assert [r.application.id for r in first.rows + second.rows] == [
        made[u] for u in ("overdue", "today", "soon", "later")
    ]
    assert second.after is None
    assert Cursor.decode(Cursor(None, 5).encode()) == Cursor(None, 5)
    assert Cursor.decode("2026-11-20.7") == Cursor(datetime(2026, 11, 20).date(), 7)
    assert Cursor.decode("2026-11-20.99999999999") is None


async def _queue_statements(clerk: object, engine: AsyncEngine) -> int:
    with statements(engine) as sql:
        r = await clerk.get("/console/queue")  # type: ignore[attr-defined]
        assert r.status_code == 200
    return len(sql)


async def test_the_queue_runs_the_same_statements_for_3_cases_and_for_30(
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    clock: FixedClock,
    engine: AsyncEngine,
) -> None:
    clerk = await sign_in(Role.COMMISSION_SECRETARY)
    clock.set(local(2026, 11, 16, 10, 0))

    async def add(numbers: Sequence[int]) -> None:
        for n in numbers:
            await paper_case(sessions, env, n, ground=(Ground.FIRE, Ground.DISEASE)[n % 2])

    await add(range(1, 4))
    with_3 = await _queue_statements(clerk, engine)
    await add(range(4, 31))
    with_30 = await _queue_statements(clerk, engine)
    assert with_3 == with_30 < 20


# ---------------------------------------------------------------- notices at risk


async def test_notices_at_risk_of_their_term_head_the_queue_until_handed_over(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], env: CaseEnv
) -> None:
    # Monday: a preliminary refusal on paper must reach the applicant before Thursday's
    # hearing, so staff must phone them to come for it now.
    cases = Cases(sessions, env)
    app_id = await cases.preliminary_refusal(1, mcdb=False)
    [notice] = [n for n in await cases.notices(app_id) if n.kind is NoticeKind.PRELIMINARY_REFUSAL]
    for locale, title, passed in (
        ("kk", "Заңдағы мерзімі өтіп кету қаупі бар хабарламалар: 1", "2026 жылғы 18 қараша"),
        ("ru", "Уведомления, которым грозит пропуск срока по закону: 1", "18 ноября 2026"),
    ):
        clerk = await sign_in(Role.INTAKE_OFFICE, locale=locale)
        page = (await clerk.get("/console/queue")).text
        assert title in page
        section = page.split('class="at-risk"')[1].split("</section>")[0]
        assert f'href="/console/cases/{app_id}"' in section
        assert gettext(locale, "Preliminary decision and hearing") in section
        assert passed in section  # the last day to deliver it, in the district's words
    r = await clerk.post(f"/console/print/{notice.id}/handed-over")
    page = (await clerk.get("/console/queue")).text
    assert 'class="at-risk"' not in page, r.text
