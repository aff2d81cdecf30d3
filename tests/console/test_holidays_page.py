"""Holiday assistance in the console: upload a recipient list, read each bad line's reason in the
clerk's language, grant, and see the notices' broadcasts, in Kazakh and Russian."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.roles import Role
from casework.tables.applications import Application
from casework.tables.notices import Notice
from casework.texts.i18n import format_tenge
from gateway.console.holidays import reason
from tests.builders import iin_for, phone_for
from tests.console.conftest import Clerk, SignIn

VICTORY = "05-09"


def csv_list(*rows: str) -> bytes:
    return ("\n".join(["ИИН;ФИО;Категория;Телефон", *rows]) + "\n").encode()


LIST = csv_list(
    f"{iin_for(1)};Жұмабаев Серік Нұрұлы;wwii_veterans;{phone_for(1)}",  # line 2
    f"{iin_for(2)[:-1]}0;Ахметова Айша;wwii_widows;",  # line 3: check digit
    f"{iin_for(3)};Петров Иван Сергеевич;Вдовы участников Великой Отечественной войны, "
    "не вступившие в повторный брак;",  # line 4: the category by its Russian name
    f"{iin_for(4)};;wwii_veterans;",  # line 5: no name
    f"{iin_for(5)};Сейітов Бақыт;pensioners;+7 701 000",  # line 6: two problems
    f"{iin_for(1)};Жұмабаев Серік Нұрұлы;wwii_veterans;",  # line 7: a repeat of line 2
)

REASONS = {
    "kk": {
        3: "ЖСН-нің бақылау цифры сәйкес келмейді: нөмірде қате бар.",
        5: "Аты-жөні жазылмаған.",
        6: "«pensioners» санаты бұл күннің санаттарына жатпайды: Ұлы Отан соғысының ардагерлері;",
        7: "Бұл жол 2-жолды қайталайды.",
    },
    "ru": {
        3: "Контрольная цифра ИИН не сходится: в номере опечатка.",
        5: "ФИО не заполнено.",
        6: "Категории «pensioners» нет среди категорий этой даты: Ветераны Великой Отечественной",
        7: "Эта строка повторяет строку 2.",
    },
}
PHONE = {"kk": "Телефон нөмірі дұрыс емес.", "ru": "Номер телефона указан неверно."}
TEXTS = {
    "kk": {
        "saved": "Тізім сақталды, алушылар саны: 2.",
        "granted": "Көмек тағайындалды.",
        "again": "Бұл тізім бойынша көмек тағайындалып қойған.",
        "grant": "Көмек тағайындау және хабарламаларды жіберу",
        "category": "Ұлы Отан соғысының ардагерлері",
        "amount": format_tenge(250 * 4325, "kk"),  # 250 АЕК of 2026
    },
    "ru": {
        "saved": "Список сохранён, получателей: 2.",
        "granted": "Помощь назначена.",
        "again": "По этому списку помощь уже назначена.",
        "grant": "Назначить помощь и отправить уведомления",
        "category": "Ветераны Великой Отечественной войны",
        "amount": format_tenge(250 * 4325, "ru"),
    },
}


async def upload(clerk: Clerk, data: bytes, holiday: str = VICTORY, year: str = "2026"):  # type: ignore[no-untyped-def]
    return await clerk.post(
        "/console/holidays/lists",
        {"holiday": holiday, "year": year},
        files={"file": ("victory.csv", data, "text/csv")},
    )


def bad_lines(page: str) -> dict[int, str]:
    found = re.findall(r'<tr><th scope="row">(\d+)</th><td>([^<]*)</td></tr>', page)
    return {int(line): text.replace("&#34;", '"').replace("&#39;", "'") for line, text in found}


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_upload_see_the_bad_lines_in_words_grant_and_broadcast(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], locale: str
) -> None:
    secretary = await sign_in(Role.COMMISSION_SECRETARY, locale=locale)
    page = await secretary.get("/console/holidays")
    assert page.status_code == 200 and TEXTS[locale]["category"] in page.text

    r = await upload(secretary, LIST)
    assert r.status_code == 200, r.text
    assert TEXTS[locale]["saved"] in r.text
    lines = bad_lines(r.text)
    assert sorted(lines) == [3, 5, 6, 7]
    for line, words in REASONS[locale].items():
        assert words in lines[line], (line, lines[line])
    assert PHONE[locale] in lines[6]  # both of line 6's problems, each in words
    for english in ("check digit", "name is empty", "is not one of", "duplicate of", "phone:"):
        assert english not in r.text
    # The secretary imports; granting is the decision maker's.
    assert TEXTS[locale]["grant"] not in r.text
    index = (await secretary.get("/console/holidays")).text
    list_id = int(re.findall(r'href="/console/holidays/lists/(\d+)"', index)[0])
    r = await secretary.post(f"/console/holidays/lists/{list_id}/grant")
    assert r.status_code == 403

    decider = await sign_in(Role.DECISION_MAKER, locale=locale)
    page = await decider.get(f"/console/holidays/lists/{list_id}")
    assert TEXTS[locale]["grant"] in page.text and TEXTS[locale]["amount"] in page.text
    r = await decider.post(f"/console/holidays/lists/{list_id}/grant")
    assert r.status_code == 303
    page = await decider.get(r.headers["location"])
    assert TEXTS[locale]["granted"] in page.text and TEXTS[locale]["grant"] not in page.text
    # One broadcast per category, each with its counts and a link to the Broadcasts page.
    broadcasts = re.findall(r'href="/console/broadcasts/(\d+)"', page.text)
    assert len(broadcasts) == 2
    async with sessions() as session:
        granted = await session.scalar(select(func.count()).select_from(Application))
        notices = await session.scalar(
            select(func.count()).where(Notice.broadcast_id.in_([int(b) for b in broadcasts]))
        )
    assert granted == 2 and notices == 2
    counts = await decider.get(f"/console/holidays/lists/{list_id}/broadcasts")
    assert counts.status_code == 200 and 'hx-trigger="every 5s"' in counts.text
    assert "<html" not in counts.text  # a fragment for htmx, not a page

    r = await decider.post(f"/console/holidays/lists/{list_id}/grant")
    assert r.status_code == 409 and TEXTS[locale]["again"] in r.text


async def test_a_list_with_no_good_line_saves_nothing_and_says_why(sign_in: SignIn) -> None:
    secretary = await sign_in(Role.COMMISSION_SECRETARY, locale="ru")
    r = await upload(secretary, csv_list("123;А Б;wwii_veterans;"))
    assert r.status_code == 422
    assert "Ни одну строку списка прочитать не удалось, поэтому ничего не сохранено." in r.text
    assert bad_lines(r.text) == {2: "ИИН должен состоять ровно из 12 цифр."}
    assert "Списки ещё не загружались." in r.text

    r = await upload(secretary, LIST, holiday="03-08")
    assert r.status_code == 422 and "Выберите праздник или памятную дату списка." in r.text
    r = await upload(secretary, b"%PDF-1.7\n" + bytes(100))
    assert "похоже, это документ PDF" in r.text


async def test_a_year_without_amounts_is_refused_in_words(sign_in: SignIn) -> None:
    secretary = await sign_in(Role.COMMISSION_SECRETARY, locale="kk")
    r = await upload(secretary, LIST, year="2027")
    assert r.status_code == 200
    page = (await secretary.get("/console/holidays?year=2027")).text
    assert "Аудан файлында 2027 жылға сома жоқ" in page
    list_id = re.findall(r"/console/holidays/lists/(\d+)", page)[0]
    decider = await sign_in(Role.DECISION_MAKER, locale="kk")
    r = await decider.post(f"/console/holidays/lists/{list_id}/grant")
    assert r.status_code == 422
    assert "Аудан файлында 2027 жылға арналған сомалар жоқ" in r.text
    assert "mci" not in r.text


async def test_who_may_upload_and_csrf(sign_in: SignIn) -> None:
    intake = await sign_in(Role.INTAKE_OFFICE, locale="ru")
    assert 'href="/console/holidays"' not in (await intake.get("/console/password")).text
    r = await upload(intake, LIST)
    assert r.status_code == 403 and "Ваша роль этого не позволяет" in r.text

    secretary = await sign_in(Role.COMMISSION_SECRETARY, locale="ru")
    r = await secretary.http.post(
        "/console/holidays/lists",
        data={"holiday": VICTORY, "year": "2026"},
        files={"file": ("victory.csv", LIST, "text/csv")},
    )
    assert r.status_code == 403 and "Эта форма устарела" in r.text
    assert "Списки ещё не загружались." in (await secretary.get("/console/holidays")).text


def test_every_reason_of_the_reader_reads_as_a_sentence() -> None:
    """Messages of casework.system.csvfile, as it writes them, in both languages."""
    messages = [
        "this is not a text CSV file (it looks like a ZIP archive: an .xlsx workbook? Save it "
        "as CSV)",
        "this is not a text CSV file",
        "the line has bytes that are not UTF-8 text (binary data, or another encoding?)",
        "the line has binary data (NUL or control characters)",
        "a quoted field from this line runs into line 9, which has binary data (NUL or control "
        "characters)",
        "a quoted field that starts on this line is never closed",
        "a quoted field is not closed on this line",
        "the header names the column 'iin' twice",
        "the header lacks phone, registered_on (expected iin, phone, registered_on)",
        "expected 3 or 4 columns, got 5",
        "expected 3 columns, got 2 (the row runs on to line 7: is a quote left open?)",
        "the line is longer than 1048576 characters",
        "a field is longer than 131072 characters",
        "the row cannot be read as CSV (some csv error)",
        "duplicate of line 2",
        "12 more errors from this line on are not listed (only the first 1000 are)",
        "IIN: IIN century digit must be 1–6, got 0",
        "IIN: IIN birth date 991332 does not exist",
        "phone: not a Kazakhstan number",
        "something nobody foresaw",
    ]
    for locale in ("kk", "ru"):
        for message in messages:
            words = reason(message, locale)
            assert words.endswith("."), words
            assert not re.search(r"\b(line|column|expected|IIN|header|field)\b", words), words
