"""A case's next lawful actions in the console, as clerks use them over HTTP (no browser): every
form posts and moves the case; steps lawful later show the rule and their first day; a role
without the right sees no button and is refused when posting anyway; a form without its CSRF
token is refused; bad input comes back as a sentence with nothing lost and nothing changed."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.roles import Role
from casework.law.rules import Filer, Ground, required_documents
from casework.law.status import Status
from casework.steps import intake, payments
from casework.steps.case_file import load_application
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.tables.decisions import Decision
from casework.texts.i18n import gettext
from gateway.console.actions import SPECS
from gateway.console.errors import RULES
from tests.builders import iin_for, local
from tests.console.conftest import Clerk, SignIn
from tests.fakes.clock import FixedClock

R = Role
OFFICE = "Дана Омарова"


async def paper_case(
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    n: int = 1,
    *,
    ground: Ground = Ground.LOW_INCOME,
    registered: bool = True,
) -> int:
    """A complete paper application taken in at the office (and registered)."""
    paper = intake.PaperApplication(
        iin=iin_for(n),
        last_name="Сейітқалиева",
        first_name="Әлия",
        middle_name=None,
        locale="kk",
        phone=None,
        ground=ground,
        filer=Filer.SELF,
        representative_name=None,
        represented_iin=None,
        settlement="Құлан",
        address=None,
        family=[],
        documents=[
            intake.PaperDocument(kind, f"{kind.value} (түпнұсқа)")
            for kind in required_documents(ground, Filer.SELF)
        ],
    )
    async with transaction(sessions) as s:
        app = await intake.take_in_paper(s, env, paper, role=R.INTAKE_OFFICE, actor=OFFICE)
        await intake.check_completeness(s, env, app, actor=OFFICE)
        if registered:
            await intake.register(s, env, app, actor=OFFICE)
        return app.id


async def status_of(sessions: async_sessionmaker[AsyncSession], cid: int) -> Status:
    async with sessions() as s:
        return (await load_application(s, cid)).status


def text_of(page: httpx.Response) -> str:
    """The page's words, without tags, as a reader sees them."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def title(key: str, locale: str) -> str:
    return gettext(locale, SPECS[key].title)


async def step(clerk: Clerk, cid: int, key: str, data: dict[str, object] | None = None) -> None:
    """Post one action's form as the page would; it must go back to the case page."""
    r = await clerk.post(f"/console/cases/{cid}/{key}", data or {})
    assert r.status_code == 303, text_of(r)[-600:]
    assert r.headers["location"] == f"/console/cases/{cid}?done={key}#actions"


async def actions(clerk: Clerk, cid: int, done: str | None = None) -> httpx.Response:
    page = await clerk.get(f"/console/cases/{cid}/actions" + (f"?done={done}" if done else ""))
    assert page.status_code == 200
    return page


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_every_form_moves_a_case_to_its_refusal(
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    clock: FixedClock,
    locale: str,
) -> None:
    cid = await paper_case(sessions, env, registered=False)
    office = await sign_in(R.INTAKE_OFFICE, locale=locale)
    page = await actions(office, cid)
    assert title("register", locale) in text_of(page)
    await step(office, cid, "register")
    assert await status_of(sessions, cid) is Status.REGISTERED
    done = {"kk": "Өтініш тіркелді.", "ru": "Заявление зарегистрировано."}[locale]
    assert done in text_of(await actions(office, cid, done="register"))

    secretary = await sign_in(R.COMMISSION_SECRETARY, locale=locale)
    await step(secretary, cid, "forward_to_precinct")
    clock.set(local(2026, 11, 17, 15, 0))
    secretary = await sign_in(R.COMMISSION_SECRETARY, locale=locale)
    await step(secretary, cid, "record_inspection", {"text": "Отбасы екі адам."})
    page = text_of(await actions(secretary, cid))
    assert "50 851" in page  # the threshold of 2026, shown with the incomes form
    await step(
        secretary,
        cid,
        "record_incomes",
        {
            "member_name": ["Сейітқалиева Әлия", "Сейітқалиев Нұрлан", ""],
            "member_income": ["120 000", "0", ""],
        },
    )
    async with sessions() as s:
        app = await load_application(s, cid)
        assert app.status is Status.INCOME_COMPUTED
        assert [m.monthly_income for m in app.family] == [Decimal(120000), Decimal(0)]
        assert app.per_capita_income == Decimal(60000)
    await step(secretary, cid, "to_special_commission")
    await step(secretary, cid, "record_conclusion", {"text": "Табыс шектен жоғары."})

    clock.set(local(2026, 11, 18, 11, 0))
    boss = await sign_in(R.DECISION_MAKER, locale=locale)
    page = await actions(boss, cid)
    # The income is above the threshold: that ground comes ticked.
    assert re.search(r'value="income_above_threshold" checked', page.text)
    await step(
        boss,
        cid,
        "preliminary_refusal",
        {
            "grounds": ["income_above_threshold"],
            "hearing_date": "2026-11-20",
            "hearing_time": "11:00",
            "mode": "videoconference",
            "details": "https://meet.example.kz/komek-1",
        },
    )
    assert await status_of(sessions, cid) is Status.PRELIMINARY_REFUSAL

    clock.set(local(2026, 11, 19, 9, 30))
    secretary = await sign_in(R.COMMISSION_SECRETARY, locale=locale)
    await step(
        secretary,
        cid,
        "reschedule_hearing",
        {"hearing_date": "2026-11-20", "hearing_time": "11:30"},
    )
    await step(secretary, cid, "record_objection", {"oral": "yes"})
    assert await status_of(sessions, cid) is Status.OBJECTION_RECEIVED

    clock.set(local(2026, 11, 20, 11, 40))
    secretary = await sign_in(R.COMMISSION_SECRETARY, locale=locale)
    await step(secretary, cid, "hold_hearing")
    await step(
        secretary, cid, "make_protocol", {"text": "Өтініш беруші табысы тұрақсыз екенін айтты."}
    )
    page = text_of(await actions(secretary, cid))
    assert title("protocol_read", locale) in page
    await step(secretary, cid, "protocol_read")
    clock.set(local(2026, 11, 23, 10, 0))
    secretary = await sign_in(R.COMMISSION_SECRETARY, locale=locale)
    await step(secretary, cid, "record_remarks", {"text": "Хаттамада жалақы туралы айтылмаған."})
    assert await status_of(sessions, cid) is Status.REMARKS_RECEIVED

    clock.set(local(2026, 11, 24, 16, 0))
    boss = await sign_in(R.DECISION_MAKER, locale=locale)
    page = await actions(boss, cid)
    assert re.search(r'value="income_above_threshold" checked', page.text)  # heard on it
    await step(boss, cid, "refuse", {"grounds": ["income_above_threshold"]})
    assert await status_of(sessions, cid) is Status.REFUSED


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_grant_extension_and_termination_forms(
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    clock: FixedClock,
    locale: str,
) -> None:
    cid = await paper_case(sessions, env, ground=Ground.DISEASE)
    secretary = await sign_in(R.COMMISSION_SECRETARY, locale=locale)
    page = await actions(secretary, cid)
    # A disease case is not inspected: no form for it, only the reason in words.
    assert f"/console/cases/{cid}/forward_to_precinct" not in page.text
    assert gettext(locale, RULES["inspected_ground"]) in text_of(page)
    await step(secretary, cid, "to_special_commission")
    await step(secretary, cid, "record_conclusion", {"text": "Көмек керек."})
    await step(
        secretary, cid, "extend", {"text": "Қосымша тексеру қажет (Үлгілік қағидалар, 16-т.)"}
    )

    boss = await sign_in(R.DECISION_MAKER, locale=locale)
    page = await actions(boss, cid)
    # Only the kinds given on the case's ground, each with its ceiling (15 АЕК in 2026).
    assert 'value="disease"' in page.text and 'value="low_income"' not in page.text
    assert "64 875" in text_of(page)
    await step(
        boss, cid, "grant", {"kind": "disease", "amount": "43 250", "periodicity": "monthly"}
    )
    async with sessions() as s:
        app = await load_application(s, cid)
        assert app.status is Status.GRANTED and app.extended
        assistance = app.decisions[0].assistance
        assert assistance is not None and assistance.amount == Decimal(43250)

    clock.set(local(2027, 2, 10, 10, 0))
    boss = await sign_in(R.DECISION_MAKER, locale=locale)
    await step(
        boss,
        cid,
        "terminate",
        {"ground": "moved_out", "began_on": "03.02.2027", "found_on": "2027-02-10"},
    )
    assert await status_of(sessions, cid) is Status.TERMINATED


@pytest.mark.parametrize(
    ("locale", "rule", "first_day"),
    [
        ("kk", "Тыңдауды белгіленген уақытынан бұрын өткізуге болмайды.", "2026 жылғы 20 қараша"),
        ("ru", "Заслушивание нельзя провести раньше назначенного времени.", "20 ноября 2026 г."),
    ],
)
async def test_a_step_lawful_later_shows_its_rule_and_first_day(
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    locale: str,
    rule: str,
    first_day: str,
) -> None:
    cid = await paper_case(sessions, env, ground=Ground.DISEASE)
    secretary = await sign_in(R.COMMISSION_SECRETARY, locale=locale)
    await step(secretary, cid, "to_special_commission")
    await step(secretary, cid, "record_conclusion", {"text": "Көмек керек."})
    boss = await sign_in(R.DECISION_MAKER, locale=locale)
    await step(
        boss,
        cid,
        "preliminary_refusal",
        {
            "grounds": ["already_assigned"],
            "hearing_date": "2026-11-20",
            "hearing_time": "10:00",
            "mode": "other",
            "details": "каб. 4",
        },
    )
    page = text_of(await actions(secretary, cid))
    # The hearing is on Friday: holding it waits for that day, said in words with the law.
    later = page[page.index(title("hold_hearing", locale)) :]
    assert rule in later and first_day in later
    assert {"kk": "қызмет көрсету қағидалары", "ru": "Правила оказания"}[locale] in later
    # The button is there but disabled; posting anyway is refused with the same words.
    assert re.search(r"<button type=\"button\" disabled>", (await actions(secretary, cid)).text)
    r = await secretary.post(f"/console/cases/{cid}/hold_hearing")
    assert r.status_code == 422
    assert rule in text_of(r)
    assert {"kk": "2026 жылғы 20 қарашадан бастап", "ru": "с 20 ноября 2026 г."}[locale] in text_of(
        r
    )
    assert await status_of(sessions, cid) is Status.PRELIMINARY_REFUSAL

    # The decision maker waits too: a refusal needs 3 working days after the preliminary one.
    page = text_of(await actions(boss, cid))
    sentence = gettext(
        locale,
        "A refusal is decided no earlier than 3 working days after the "
        "preliminary refusal was issued.",
    )
    assert sentence in page


async def test_a_role_without_the_right_sees_no_button_and_is_refused(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], env: CaseEnv
) -> None:
    cid = await paper_case(sessions, env, registered=False)
    boss = await sign_in(R.DECISION_MAKER, locale="ru")
    page = await actions(boss, cid)
    # No form to register: only a line saying who else can act now.
    assert f"/console/cases/{cid}/register" not in page.text
    assert f"Сейчас другие сотрудники могут: {title('register', 'ru')}." in text_of(page)
    r = await boss.post(f"/console/cases/{cid}/register")
    assert r.status_code == 403
    assert gettext(
        "ru", "Your role does not allow this. Ask the administrator if you need it."
    ) in text_of(r)
    assert await status_of(sessions, cid) is Status.ACCEPTED

    akim = await sign_in(R.INTAKE_AKIM, locale="kk")
    r = await akim.post(f"/console/cases/{cid}/register")
    assert r.status_code == 403
    r = await akim.post(
        f"/console/cases/{cid}/grant",
        {"kind": "low_income", "amount": "1000", "periodicity": "one_off"},
    )
    assert r.status_code == 403
    assert await status_of(sessions, cid) is Status.ACCEPTED


async def test_a_form_without_its_csrf_token_is_refused(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], env: CaseEnv
) -> None:
    cid = await paper_case(sessions, env, registered=False)
    office = await sign_in(R.INTAKE_OFFICE, locale="kk")
    r = await office.http.post(f"/console/cases/{cid}/register", data={})
    assert r.status_code == 403
    r = await office.http.post(f"/console/cases/{cid}/register", data={"csrf": "forged"})
    assert r.status_code == 403
    assert await status_of(sessions, cid) is Status.ACCEPTED


async def _at_income(
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    clock: FixedClock,
    locale: str,
) -> tuple[int, Clerk]:
    cid = await paper_case(sessions, env)
    secretary = await sign_in(R.COMMISSION_SECRETARY, locale=locale)
    await step(secretary, cid, "forward_to_precinct")
    await step(secretary, cid, "record_inspection", {"text": "Тексерілді."})
    return cid, secretary


@pytest.mark.parametrize(
    ("locale", "sentence"),
    [
        ("kk", "2-жол: айлық табысты теңгемен, цифрмен жазыңыз"),
        ("ru", "Строка 2: укажите месячный доход в тенге цифрами"),
    ],
)
async def test_letters_in_an_income_come_back_as_a_sentence_with_everything_typed(
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    clock: FixedClock,
    locale: str,
    sentence: str,
) -> None:
    cid, secretary = await _at_income(sign_in, sessions, env, clock, locale)
    r = await secretary.post(
        f"/console/cases/{cid}/record_incomes",
        {
            "member_name": ["Сейітқалиева Әлия", "Сейітқалиев Нұрлан"],
            "member_income": ["85000", "жүз мың"],
        },
    )
    assert r.status_code == 422
    assert sentence in text_of(r)
    assert 'value="жүз мың"' in r.text and 'value="Сейітқалиев Нұрлан"' in r.text
    assert 'aria-invalid="true"' in r.text
    assert await status_of(sessions, cid) is Status.AT_PRECINCT_COMMISSION
    # Nothing typed at all: one sentence, not a crash.
    r = await secretary.post(f"/console/cases/{cid}/record_incomes", {})
    assert r.status_code == 422
    r = await secretary.post(f"/console/cases/{cid}/record_inspection", {"text": "  "})
    assert r.status_code == 422


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_bad_grant_and_hearing_input_is_answered_in_words(
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    locale: str,
) -> None:
    cid = await paper_case(sessions, env, ground=Ground.DISEASE)
    secretary = await sign_in(R.COMMISSION_SECRETARY, locale=locale)
    await step(secretary, cid, "to_special_commission")
    await step(secretary, cid, "record_conclusion", {"text": "Көмек керек."})
    boss = await sign_in(R.DECISION_MAKER, locale=locale)
    grant = {"kind": "disease", "amount": "", "periodicity": "monthly"}
    r = await boss.post(f"/console/cases/{cid}/grant", grant)
    assert r.status_code == 422
    assert gettext(locale, "Write the amount of one payment in tenge.") in text_of(r)
    r = await boss.post(f"/console/cases/{cid}/grant", {**grant, "amount": "мың"})
    assert r.status_code == 422 and 'value="мың"' in r.text
    r = await boss.post(
        f"/console/cases/{cid}/grant", {**grant, "amount": "1000", "periodicity": "quarterly"}
    )
    assert r.status_code == 422
    paid = {"kk": "бір жолғы, ай сайын", "ru": "единовременно, ежемесячно"}[locale]
    assert paid in text_of(r)
    # Above the ceiling: the domain's refusal, as a sentence with the ceiling in tenge.
    r = await boss.post(f"/console/cases/{cid}/grant", {**grant, "amount": "64875.01"})
    assert r.status_code == 422
    assert "64 875" in text_of(r) and 'value="64875.01"' in r.text
    assert "rule_violation" not in r.text and "ceiling" not in r.text

    refusal = {"hearing_date": "2026-11-20", "hearing_time": "10:00", "mode": "videoconference"}
    r = await boss.post(f"/console/cases/{cid}/preliminary_refusal", refusal)
    assert r.status_code == 422
    assert gettext(locale, "Tick at least one refusal ground.") in text_of(r)
    assert 'value="2026-11-20"' in r.text and 'value="10:00"' in r.text
    refusal["grounds"] = "already_assigned"
    r = await boss.post(f"/console/cases/{cid}/preliminary_refusal", refusal)
    assert r.status_code == 422  # a videoconference needs its link
    assert 'value="already_assigned" checked' in r.text
    # On a Saturday: the guard's sentence, not its English.
    r = await boss.post(
        f"/console/cases/{cid}/preliminary_refusal",
        {**refusal, "hearing_date": "2026-11-21", "mode": "other"},
    )
    assert r.status_code == 422
    assert gettext(
        locale,
        "Choose a hearing time later than now, on a working day within "
        "working hours, and no later than the last day of the decision term.",
    ) in text_of(r)
    r = await boss.post(
        f"/console/cases/{cid}/preliminary_refusal",
        {**refusal, "hearing_date": "20/11/2026", "mode": "other"},
    )
    assert r.status_code == 422
    assert await status_of(sessions, cid) is Status.AT_SPECIAL_COMMISSION


async def test_a_grant_over_the_budget_leaves_nothing_until_confirmed(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], env: CaseEnv
) -> None:
    cid = await paper_case(sessions, env, ground=Ground.DISEASE)
    async with transaction(sessions) as s:
        await payments.set_budget(
            s, env, year=2026, kind="disease", amount=Decimal(1000), actor="x"
        )
    secretary = await sign_in(R.COMMISSION_SECRETARY)
    await step(secretary, cid, "to_special_commission")
    await step(secretary, cid, "record_conclusion", {"text": "Көмек керек."})
    boss = await sign_in(R.DECISION_MAKER, locale="ru")
    grant = {"kind": "disease", "amount": "40000", "periodicity": "one_off"}
    r = await boss.post(f"/console/cases/{cid}/grant", grant)
    assert r.status_code == 422
    assert "превысит годовой бюджет" in text_of(r)
    assert 'name="over_budget_confirmed"' in r.text
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Decision)) == 0
    assert await status_of(sessions, cid) is Status.AT_SPECIAL_COMMISSION
    await step(boss, cid, "grant", {**grant, "over_budget_confirmed": "yes"})
    assert await status_of(sessions, cid) is Status.GRANTED


async def test_too_late_for_a_preliminary_refusal_names_the_last_day(
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    clock: FixedClock,
) -> None:
    cid = await paper_case(sessions, env, ground=Ground.DISEASE)
    secretary = await sign_in(R.COMMISSION_SECRETARY)
    await step(secretary, cid, "to_special_commission")
    await step(secretary, cid, "record_conclusion", {"text": "Көмек керек."})
    clock.set(local(2026, 11, 24, 9, 0))
    boss = await sign_in(R.DECISION_MAKER, locale="kk")
    page = text_of(await actions(boss, cid))
    assert "Алдын ала бас тартуға кеш" in page  # shown as blocked before anyone tries
    r = await boss.post(
        f"/console/cases/{cid}/preliminary_refusal",
        {
            "grounds": "already_assigned",
            "hearing_date": "2026-11-25",
            "hearing_time": "10:00",
            "mode": "other",
        },
    )
    assert r.status_code == 409
    assert "2026 жылғы 23 қараша" in text_of(r)


async def test_unknown_cases_and_steps_are_a_page_not_a_crash(sign_in: SignIn) -> None:
    clerk = await sign_in(R.COMMISSION_SECRETARY, locale="ru")
    for url in (
        "/console/cases/999/actions",
        "/console/cases/99999999999/actions",
        "/console/cases/abc/actions",
        "/console/cases/-1/actions",
    ):
        r = await clerk.get(url)
        assert r.status_code == 404 and "Такого заявления" in text_of(r)
    r = await clerk.post("/console/cases/999/register")
    assert r.status_code == 404
    r = await clerk.post("/console/cases/1/fly_to_the_moon")
    assert r.status_code == 404
    r = await clerk.post("/console/cases/999/record_inspection", {"text": "x"})
    assert r.status_code == 404
    r = await clerk.post("/console/cases/1e3/register")
    assert r.status_code == 404 and "Такого заявления" in text_of(r)


async def test_a_filing_taken_in_without_its_check_gets_the_completeness_form(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], env: CaseEnv
) -> None:
    """As `POST /staff/applications` leaves it: submitted, its documents not checked yet."""
    paper = intake.PaperApplication(
        iin=iin_for(5),
        last_name="Ахметов",
        first_name="Ерлан",
        middle_name=None,
        locale="ru",
        phone=None,
        ground=Ground.DISEASE,
        filer=Filer.SELF,
        representative_name=None,
        represented_iin=None,
        settlement=None,
        address=None,
        family=[],
        documents=[
            intake.PaperDocument(k, k.value) for k in required_documents(Ground.DISEASE, Filer.SELF)
        ],
    )
    async with transaction(sessions) as s:
        cid = (
            await intake.take_in_paper(s, env, paper, role=R.INTAKE_AKIM, actor="Ерлан Беков")
        ).id
    secretary = await sign_in(R.COMMISSION_SECRETARY, locale="ru")
    assert f"/console/cases/{cid}/completeness" not in (await actions(secretary, cid)).text
    akim = await sign_in(R.INTAKE_AKIM, locale="ru")
    assert title("completeness", "ru") in text_of(await actions(akim, cid))
    await step(akim, cid, "completeness")
    assert await status_of(sessions, cid) is Status.ACCEPTED
