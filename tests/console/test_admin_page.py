"""Administration in the console: staff accounts (create, role, reset a password, deactivate) and
the MCDB import's line report, in Kazakh and Russian; only a role that may manage staff."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.roles import Role
from casework.tables.mcdb import McdbEntry
from tests.builders import iin_for, phone_for
from tests.console.conftest import NAMES, SignIn, csrf_of

NEW = "Бақытжан Әбілов"
FIRST = "Бірінші-құпия-2026"
SECOND = "Екінші-құпия-2026"


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://console.test")


async def _sign_in(app: FastAPI, name: str, password: str) -> tuple[httpx.AsyncClient, int]:
    http = _client(app)
    form = await http.get("/console/login?lang=ru")
    r = await http.post(
        "/console/login",
        data={"name": name, "password": password, "csrf": csrf_of(form.text), "lang": "ru"},
    )
    return http, r.status_code


def _member_id(location: str) -> int:
    found = re.search(r"/console/admin/staff/(\d+)", location)
    assert found, location
    return int(found.group(1))


@pytest.mark.parametrize(
    ("locale", "texts"),
    [
        (
            "kk",
            {
                "title": "Қызметкерлердің тіркелгілері",
                "secretary": "Комиссия хатшысы",
                "created": "Тіркелгі құрылды.",
                "role": "Рөл өзгертілді.",
                "decider": "Шешім қабылдайтын лауазымды адам",
                "reset": "Құпиясөз орнатылды, қызметкердің барлық сеансы жабылды.",
                "off": "Тіркелгі өшірілді",
                "short": "кемінде 10 таңба",
                "exists": "«Бақытжан Әбілов» есімді қызметкер бұрыннан бар.",
                "self": "Мұны өз тіркелгіңізге жасай алмайсыз",
            },
        ),
        (
            "ru",
            {
                "title": "Учётные записи сотрудников",
                "secretary": "Секретарь комиссии",
                "created": "Учётная запись создана.",
                "role": "Роль изменена.",
                "decider": "Должностное лицо, принимающее решение",
                "reset": "Пароль установлен, все сеансы сотрудника завершены.",
                "off": "Учётная запись отключена",
                "short": "не меньше 10 символов",
                "exists": "Сотрудник «Бақытжан Әбілов» уже есть.",
                "self": "Со своей учётной записью этого сделать нельзя",
            },
        ),
    ],
)
async def test_an_administrator_creates_resets_and_deactivates_a_member(
    sign_in: SignIn, app: FastAPI, locale: str, texts: dict[str, str]
) -> None:
    admin = await sign_in(Role.ADMINISTRATOR, locale=locale)
    page = await admin.get("/console/admin")
    assert page.status_code == 200
    assert texts["title"] in page.text and NAMES[Role.DECISION_MAKER] in page.text
    assert texts["secretary"] in page.text  # roles in words, never the stored value
    assert "commission_secretary</td>" not in page.text

    # A short password is refused before anything is saved; the form keeps what was typed.
    r = await admin.post(
        "/console/admin/staff",
        {"name": NEW, "role": "commission_secretary", "password": "short", "repeat": "short"},
    )
    assert r.status_code == 422 and texts["short"] in r.text and f'value="{NEW}"' in r.text
    assert f">{NEW}</a>" not in (await admin.get("/console/admin")).text

    r = await admin.post(
        "/console/admin/staff",
        {"name": f"  {NEW} ", "role": "commission_secretary", "password": FIRST, "repeat": FIRST},
    )
    assert r.status_code == 303
    member = _member_id(r.headers["location"])
    page = await admin.get(r.headers["location"])
    assert texts["created"] in page.text and texts["secretary"] in page.text

    # The same name again is a sentence, not a crash.
    r = await admin.post(
        "/console/admin/staff",
        {"name": NEW, "role": "accountant", "password": FIRST, "repeat": FIRST},
    )
    assert r.status_code == 422 and texts["exists"] in r.text

    # The new member signs in with the first password.
    http, status = await _sign_in(app, NEW, FIRST)
    assert status == 303
    assert (await http.get("/console/password")).status_code == 200

    # A new role applies from their next page.
    r = await admin.post(f"/console/admin/staff/{member}/role", {"role": "decision_maker"})
    assert r.status_code == 303
    page = await admin.get(r.headers["location"])
    assert texts["role"] in page.text and texts["decider"] in page.text

    # A reset sets a new password and ends the member's sessions.
    r = await admin.post(
        f"/console/admin/staff/{member}/password", {"password": SECOND, "repeat": "other-typed"}
    )
    assert r.status_code == 422
    r = await admin.post(
        f"/console/admin/staff/{member}/password", {"password": SECOND, "repeat": SECOND}
    )
    assert r.status_code == 303
    assert texts["reset"] in (await admin.get(r.headers["location"])).text
    assert (await http.get("/console/password")).headers["location"] == "/console/login"
    assert (await _sign_in(app, NEW, FIRST))[1] == 401
    http, status = await _sign_in(app, NEW, SECOND)
    assert status == 303

    # Deactivated: signed out at once, and the password no longer opens the console.
    r = await admin.post(f"/console/admin/staff/{member}/deactivate")
    assert r.status_code == 303
    assert texts["off"] in (await admin.get(r.headers["location"])).text
    assert (await http.get("/console/password")).headers["location"] == "/console/login"
    assert (await _sign_in(app, NEW, SECOND))[1] == 401
    await http.aclose()

    # Active again: the password works, the old sessions stay ended.
    r = await admin.post(f"/console/admin/staff/{member}/reactivate")
    assert r.status_code == 303
    assert (await _sign_in(app, NEW, SECOND))[1] == 303

    # An administrator cannot lock themselves out.
    me = re.search(
        r'href="/console/admin/staff/(\d+)">' + NAMES[Role.ADMINISTRATOR],
        (await admin.get("/console/admin")).text,
    )
    assert me
    r = await admin.post(f"/console/admin/staff/{me.group(1)}/deactivate")
    assert r.status_code == 422 and texts["self"] in r.text


async def test_a_password_reset_lifts_a_lockout(sign_in: SignIn, app: FastAPI) -> None:
    admin = await sign_in(Role.ADMINISTRATOR, locale="ru")
    name = NAMES[Role.INTAKE_OFFICE]
    for _ in range(5):
        _http, status = await _sign_in(app, name, "wrong-password")
    assert status == 429
    page = (await admin.get("/console/admin")).text
    assert "заблокирована до" in page
    member = re.search(r'href="/console/admin/staff/(\d+)">' + name, page)
    assert member
    r = await admin.post(
        f"/console/admin/staff/{member.group(1)}/password", {"password": SECOND, "repeat": SECOND}
    )
    assert r.status_code == 303
    assert (await _sign_in(app, name, SECOND))[1] == 303


async def test_a_role_without_the_right_does_not_see_administration_and_is_refused(
    sign_in: SignIn,
) -> None:
    secretary = await sign_in(Role.COMMISSION_SECRETARY, locale="ru")
    page = await secretary.get("/console/password")
    assert 'href="/console/admin"' not in page.text
    r = await secretary.get("/console/admin")
    assert r.status_code == 403 and "Ваша роль этого не позволяет" in r.text
    r = await secretary.post(
        "/console/admin/staff",
        {"name": "Чужой", "role": "administrator", "password": FIRST, "repeat": FIRST},
    )
    assert r.status_code == 403
    r = await secretary.post("/console/admin/staff/1/role", {"role": "administrator"})
    assert r.status_code == 403
    r = await secretary.post(
        "/console/admin/staff/1/password", {"password": FIRST, "repeat": FIRST}
    )
    assert r.status_code == 403
    r = await secretary.post("/console/admin/mcdb", files={"file": ("m.csv", b"x", "text/csv")})
    assert r.status_code == 403

    admin = await sign_in(Role.ADMINISTRATOR, locale="kk")
    assert 'href="/console/admin"' in (await admin.get("/console/calendar")).text


async def test_forms_without_their_csrf_token_are_refused(sign_in: SignIn) -> None:
    admin = await sign_in(Role.ADMINISTRATOR, locale="ru")
    r = await admin.http.post(
        "/console/admin/staff",
        data={"name": NEW, "role": "accountant", "password": FIRST, "repeat": FIRST},
    )
    assert r.status_code == 403 and "Эта форма устарела" in r.text
    r = await admin.http.post("/console/admin/staff/1/deactivate", data={"csrf": "forged"})
    assert r.status_code == 403
    r = await admin.http.post("/console/admin/mcdb", files={"file": ("m.csv", b"x", "text/csv")})
    assert r.status_code == 403
    page = (await admin.get("/console/admin")).text
    assert NEW not in page and "отключена" not in page


MCDB = (
    "iin,phone,registered_on\n"
    f"{iin_for(1)},{phone_for(1)},2024-03-01\n"  # line 2: added
    f"{iin_for(2)},{phone_for(2)},01.02.2023\n"  # line 3: added
    f"{iin_for(3)[:-1]}0,{phone_for(3)},2024-03-01\n"  # line 4: check digit
    f"{iin_for(4)},+7 727 250 00 00,2024-03-01\n"  # line 5: a landline
    f"{iin_for(5)},{phone_for(5)},2024/03/01\n"  # line 6: the date's form
    f"{iin_for(1)},{phone_for(1)},2024-03-01\n"  # line 7: a repeat of line 2
    f"{iin_for(6)},{phone_for(6)}\n"  # line 8: a column short
)


@pytest.mark.parametrize(
    ("locale", "reasons"),
    [
        (
            "kk",
            {
                4: "ЖСН-нің бақылау цифры сәйкес келмейді",
                5: "Телефон нөмірі ұялы байланыс нөмірі емес.",
                6: "«2024/03/01» тіркелген күні ЖЖЖЖ-АА-КК немесе КК.АА.ЖЖЖЖ түрінде жазылмаған.",
                7: "Бұл жол 2-жолды қайталайды.",
                8: "Жолда 2 баған бар, ал тізімде 3 баған болуы керек.",
            },
        ),
        (
            "ru",
            {
                4: "Контрольная цифра ИИН не сходится",
                5: "Номер телефона не мобильный.",
                6: "Дата регистрации «2024/03/01» записана не в виде ГГГГ-ММ-ДД или ДД.ММ.ГГГГ.",
                7: "Эта строка повторяет строку 2.",
                8: "Столбцов в строке: 2, а в списке должно быть: 3.",
            },
        ),
    ],
)
async def test_the_mcdb_import_reports_each_line_in_words(
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    locale: str,
    reasons: dict[int, str],
) -> None:
    admin = await sign_in(Role.ADMINISTRATOR, locale=locale)
    assert (await admin.get("/console/admin/mcdb")).status_code == 200
    r = await admin.post(
        "/console/admin/mcdb", files={"file": ("mcdb.csv", MCDB.encode(), "text/csv")}
    )
    assert r.status_code == 200, r.text
    rows = dict(re.findall(r'<tr><th scope="row">(\d+)</th><td>([^<]*)</td></tr>', r.text))
    assert sorted(int(line) for line in rows) == [4, 5, 6, 7, 8]
    for line, words in reasons.items():
        assert words in rows[str(line)].replace("&#34;", '"'), (line, rows[str(line)])
    for english in ("check digit", "not a mobile", "duplicate of", "expected 3 columns"):
        assert english not in r.text
    counts = dict(re.findall(r'<tr><th scope="row">([^<\d]+)</th><td>(\d+)</td></tr>', r.text))
    assert list(counts.values()) == ["2", "0", "5"]  # added, updated, rejected
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(McdbEntry)) == 2

    # The same file again: both pairs are known now, so they are updated.
    r = await admin.post(
        "/console/admin/mcdb", files={"file": ("mcdb.csv", MCDB.encode(), "text/csv")}
    )
    counts = dict(re.findall(r'<tr><th scope="row">([^<\d]+)</th><td>(\d+)</td></tr>', r.text))
    assert list(counts.values()) == ["0", "2", "5"]  # added, updated, rejected


async def test_a_workbook_instead_of_a_csv_is_named_in_words(sign_in: SignIn) -> None:
    admin = await sign_in(Role.ADMINISTRATOR, locale="ru")
    r = await admin.post(
        "/console/admin/mcdb",
        files={"file": ("mcdb.xlsx", b"PK\x03\x04" + bytes(200), "application/octet-stream")},
    )
    assert "похоже, это книга Excel (.xlsx) или архив ZIP" in r.text
    r = await admin.post("/console/admin/mcdb", files={"file": ("", b"", "text/csv")})
    assert r.status_code == 422 and "Выберите файл (CSV)." in r.text
