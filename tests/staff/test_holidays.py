"""Holiday assistance without an application: the list import, the grants, their notices."""

from __future__ import annotations

from decimal import Decimal

from casework.law.district import load_district
from casework.law.roles import Role
from casework.steps.holidays import find_holiday, parse_recipients
from casework.system.settings import DEFAULT_DISTRICT_FILE
from tests.builders import iin_for, phone_for
from tests.staff.conftest import Api

R = Role
VICTORY_DAY = find_holiday(load_district(DEFAULT_DISTRICT_FILE), "05-09")


def csv_list(*rows: str, header: bool = True) -> bytes:
    lines = (["ИИН;ФИО;Категория;Телефон"] if header else []) + list(rows)
    return ("\n".join(lines) + "\n").encode()


GOOD_AND_BAD = csv_list(
    f"{iin_for(1)};Жұмабаев Серік Нұрұлы;wwii_veterans;{phone_for(1)}",  # line 2
    f"{iin_for(2)[:-1]}0;Ахметова Айша;wwii_widows;",  # line 3: check digit wrong
    f"{iin_for(3)};Петров Иван Сергеевич;Вдовы участников Великой Отечественной войны, "
    "не вступившие в повторный брак;",  # line 4: category by its Russian name
    f"{iin_for(4)};;wwii_veterans;",  # line 5: no name
    f"{iin_for(5)};Сейітов Бақыт;pensioners;+7 701 000",  # line 6: two problems
    "",  # blank lines are skipped
    f"{iin_for(1)};Жұмабаев Серік Нұрұлы;wwii_veterans;",  # line 8: duplicate of line 2
    f"{iin_for(6)};Омарова Гүлжан;wwii_equated",  # line 9: no phone column at all
)


def test_bad_rows_are_reported_with_their_line_numbers() -> None:
    parsed = parse_recipients(GOOD_AND_BAD, VICTORY_DAY)
    assert [(r.line, r.category) for r in parsed.rows] == [
        (2, "wwii_veterans"),
        (4, "wwii_widows"),
        (9, "wwii_equated"),
    ]
    errors = {e.line: e.message for e in parsed.errors}
    assert sorted(errors) == [3, 5, 6, 8]
    assert "check digit" in errors[3]
    assert "name is empty" in errors[5]
    assert "category 'pensioners'" in errors[6] and "phone" in errors[6]
    assert errors[8] == "duplicate of line 2"


def test_comma_separated_cp1251_export_is_read() -> None:
    data = f"{iin_for(1)},Петров Иван,wwii_veterans,{phone_for(1)}\n".encode("cp1251")
    parsed = parse_recipients(data, VICTORY_DAY)
    assert [r.full_name for r in parsed.rows] == ["Петров Иван"]
    assert parsed.errors == []


async def import_list(api: Api, data: bytes, year: int = 2026) -> dict:  # type: ignore[type-arg]
    r = await api.http.post(
        "/staff/holidays/lists",
        data={"holiday": "05-09", "year": str(year)},
        files={"file": ("victory.csv", data, "text/csv")},
        headers=api.headers(R.COMMISSION_SECRETARY),
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_import_grant_and_notify(api: Api) -> None:
    await api.register_phone(1)  # the veteran's phone is in the mobile citizens database
    listed = await import_list(api, GOOD_AND_BAD)
    assert listed["recipients"] == 3
    assert [e["line"] for e in listed["errors"]] == [3, 5, 6, 8]

    r = await api.post(R.COMMISSION_SECRETARY, f"/staff/holidays/lists/{listed['id']}/grant")
    assert r.status_code == 403  # granting is the decision maker's
    granted = await api.ok(R.DECISION_MAKER, f"/staff/holidays/lists/{listed['id']}/grant")
    assert len(granted["application_ids"]) == 3
    assert len(granted["broadcast_ids"]) == 3  # one per category: each names its own amount

    veteran = granted["application_ids"][0]
    case = (await api.get(R.COMMISSION_SECRETARY, f"/staff/applications/{veteran}")).json()
    assert case["status"] == "granted"
    assert case["applicant"]["full_name"] == "Жұмабаев Серік Нұрұлы"
    assistance = case["decisions"][0]["assistance"]
    assert assistance["kind"] == "wwii_veterans"
    assert assistance["periodicity"] == "one_off"
    assert assistance["starts_on"] == "2026-05-09"
    assert Decimal(assistance["amount"]) == 250 * Decimal(4325)  # 250 АЕК of 2026

    notices = await api.notices(veteran)
    assert [(n.kind.value, n.channel.value) for n in notices] == [("holiday_assistance", "sms")]
    widow = await api.notices(granted["application_ids"][1])
    assert [(n.kind.value, n.channel.value) for n in widow] == [("holiday_assistance", "print")]

    counts = (
        await api.get(R.COMMISSION_SECRETARY, f"/staff/broadcasts/{granted['broadcast_ids'][0]}")
    ).json()
    assert counts["total"] == 1 and counts["counts"]["queued"] == 1

    # Granting twice is refused; a second list with the same veteran skips him.
    r = await api.post(R.DECISION_MAKER, f"/staff/holidays/lists/{listed['id']}/grant")
    assert r.status_code == 409
    again = await import_list(
        api, csv_list(f"{iin_for(1)};Жұмабаев Серік;wwii_veterans;", f"{iin_for(7)};Нұров Ерлан;1")
    )
    assert again["recipients"] == 1 and again["errors"][0]["line"] == 3
    second = await api.ok(R.DECISION_MAKER, f"/staff/holidays/lists/{again['id']}/grant")
    assert second["application_ids"] == [] and second["skipped_lines"] == [2]


async def test_a_year_without_its_amounts_is_refused_before_any_grant(api: Api) -> None:
    listed = await import_list(api, GOOD_AND_BAD, year=2027)
    r = await api.post(R.DECISION_MAKER, f"/staff/holidays/lists/{listed['id']}/grant")
    assert r.status_code == 422
    assert "mci.2027" in r.json()["message"]
    assert (await api.get(R.COMMISSION_SECRETARY, "/staff/applications")).json() == []


async def test_a_list_for_an_unknown_holiday_or_with_no_good_rows_is_refused(api: Api) -> None:
    r = await api.http.post(
        "/staff/holidays/lists",
        data={"holiday": "03-08", "year": "2027"},
        files={"file": ("x.csv", csv_list(f"{iin_for(1)};А Б;x;"), "text/csv")},
        headers=api.headers(R.COMMISSION_SECRETARY),
    )
    assert r.status_code == 422 and r.json()["params"]["holiday"] == "03-08"
    r = await api.http.post(
        "/staff/holidays/lists",
        data={"holiday": "05-09", "year": "2027"},
        files={"file": ("x.csv", csv_list("123;А Б;x;"), "text/csv")},
        headers=api.headers(R.COMMISSION_SECRETARY),
    )
    assert r.status_code == 422
    assert r.json()["params"]["errors"][0]["line"] == 2


async def test_a_known_person_listed_in_two_categories_gets_two_cases_on_one_record(
    api: Api,
) -> None:
    earlier = await api.registered(8)  # she applied before, under her maiden name
    listed = await import_list(
        api,
        csv_list(
            f"{iin_for(8)};Серікова Айгүл Маратқызы;wwii_widows;",
            f"{iin_for(8)};Серікова Айгүл Маратқызы;wwii_equated;",
        ),
    )
    granted = await api.ok(R.DECISION_MAKER, f"/staff/holidays/lists/{listed['id']}/grant")
    assert len(granted["application_ids"]) == 2

    cases = [
        (await api.get(R.COMMISSION_SECRETARY, f"/staff/applications/{i}")).json()
        for i in (*granted["application_ids"], earlier["id"])
    ]
    kinds = [c["decisions"][0]["assistance"]["kind"] for c in cases[:2]]
    assert kinds == ["wwii_widows", "wwii_equated"]
    # One person, one record: the list's name (from the authorities' systems) is hers now.
    assert {c["applicant"]["iin"] for c in cases} == {iin_for(8)}
    assert {c["applicant"]["full_name"] for c in cases} == {"Серікова Айгүл Маратқызы"}
    assert [c["status"] for c in cases[:2]] == ["granted", "granted"]
