"""Administration, the calendar and holiday assistance in a real browser, in Kazakh and Russian:
an administrator creates a member and resets their password by keyboard, reads a month of the
calendar, imports the MCDB table; a secretary uploads a holiday list. Screenshots of each page go
to test-output/console/."""

from __future__ import annotations

from pathlib import Path

import pytest

from casework.law.roles import Role
from tests.builders import iin_for, phone_for
from tests.console.conftest import NAMES, PASSWORD, Browser

NEW = "Әсел Тоқтарова"
FIRST = "Алғашқы-құпия-2026"
SECOND = "Жаңа-құпиясөз-2026"

TEXTS = {
    "kk": {
        "admin": "Әкімшілік",
        "name": "Аты-жөні (қолхаттарда және іс тарихында көрсетіледі)",
        "role": "Рөлі",
        "secretary": "Комиссия хатшысы",
        "first": "Алғашқы құпиясөз (кемінде 10 таңба)",
        "again": "Құпиясөзді қайталаңыз",
        "create": "Тіркелгі құру",
        "created": "Тіркелгі құрылды.",
        "new password": "Жаңа құпиясөз (кемінде 10 таңба)",
        "set": "Жаңа құпиясөзді орнату",
        "reset": "Құпиясөз орнатылды",
        "independence": "Тәуелсіздік күні",
        "mcdb file": "Мобильді азаматтар базасының файлы (CSV)",
        "import": "Жүктеу",
        "bad phone": "Телефон нөмірі ұялы байланыс нөмірі емес.",
        "holiday": "Мереке немесе атаулы күн",
        "list file": "Тізім файлы (CSV)",
        "upload": "Тізімді жүктеу",
        "bad iin": "ЖСН-нің бақылау цифры сәйкес келмейді",
        "name label": "Әкімші енгізген атыңыз",
        "password": "Құпиясөз",
    },
    "ru": {
        "admin": "Администрирование",
        "name": "ФИО (указывается в расписках и в истории дела)",
        "role": "Роль",
        "secretary": "Секретарь комиссии",
        "first": "Первый пароль (не меньше 10 символов)",
        "again": "Пароль ещё раз",
        "create": "Создать учётную запись",
        "created": "Учётная запись создана.",
        "new password": "Новый пароль (не меньше 10 символов)",
        "set": "Установить новый пароль",
        "reset": "Пароль установлен",
        "independence": "День Независимости",
        "mcdb file": "Файл базы мобильных граждан (CSV)",
        "import": "Загрузить",
        "bad phone": "Номер телефона не мобильный.",
        "holiday": "Праздник или памятная дата",
        "list file": "Файл списка (CSV)",
        "upload": "Загрузить список",
        "bad iin": "Контрольная цифра ИИН не сходится",
        "name label": "Ваше имя, как его внёс администратор",
        "password": "Пароль",
    },
}


async def _sign_in(browser: Browser, name: str, password: str, locale: str) -> None:
    page = browser.page
    texts = TEXTS[locale]
    await page.goto(f"{browser.base}/console/login?lang={locale}")
    await page.get_by_label(texts["name label"]).fill(name)
    await page.get_by_label(texts["password"], exact=True).fill(password)
    await page.keyboard.press("Enter")
    await page.wait_for_url(lambda url: "/console/login" not in url)


async def _focus_is_visible(browser: Browser) -> bool:
    style = await browser.page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle + ' ' + s.outlineWidth; })()"
    )
    return not str(style).startswith("none") and not str(style).endswith(" 0px")


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_an_administrator_works_by_keyboard(
    browser: Browser, clerks: dict[Role, str], locale: str, tmp_path: Path
) -> None:
    page = browser.page
    texts = TEXTS[locale]
    await _sign_in(browser, NAMES[Role.ADMINISTRATOR], PASSWORD, locale)
    await page.get_by_role("link", name=texts["admin"], exact=True).click()
    await page.wait_for_url("**/console/admin")
    await browser.shot(f"admin-{locale}")

    # The new member's form, by keyboard alone: Tab moves field to field, Enter submits.
    await page.get_by_label(texts["name"]).focus()
    assert await _focus_is_visible(browser)
    await page.keyboard.type(NEW)
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "new-role"
    await page.get_by_label(texts["role"], exact=True).select_option(label=texts["secretary"])
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "new-password"
    await page.keyboard.type(FIRST)
    await page.keyboard.press("Tab")
    await page.keyboard.type(FIRST)
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/console/admin/staff/*")
    assert texts["created"] in await page.inner_text("[role=status]")
    assert NEW in await page.inner_text("h1")
    await browser.shot(f"staff-member-{locale}")

    # Reset the password: the member's sessions end, the new password works.
    await page.get_by_label(texts["new password"]).fill(SECOND)
    await page.get_by_label(texts["again"]).fill(SECOND)
    await page.get_by_role("button", name=texts["set"]).click()
    await page.wait_for_url("**done=password")
    assert texts["reset"] in await page.inner_text("[role=status]")
    await browser.shot(f"staff-member-reset-{locale}")

    # The calendar: December 2026, Independence Day in words as well as marked.
    await page.goto(f"{browser.base}/console/calendar?month=2026-12")
    holiday = page.locator('td[data-day="2026-12-16"]')
    assert texts["independence"] in await holiday.inner_text()
    assert await holiday.get_attribute("data-kind") == "holiday"
    assert await page.locator('td[data-day="2026-12-19"]').get_attribute("data-kind") == "weekend"
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366  # the month fits the office laptop's screen
    await browser.shot(f"calendar-{locale}")

    # The MCDB import and its line report.
    mcdb = tmp_path / "mcdb.csv"
    mcdb.write_text(
        "iin,phone,registered_on\n"
        f"{iin_for(1)},{phone_for(1)},2024-03-01\n"
        f"{iin_for(2)},+7 727 250 00 00,2024-03-01\n",
        encoding="utf-8",
    )
    await page.goto(f"{browser.base}/console/admin/mcdb")
    await page.get_by_label(texts["mcdb file"]).set_input_files(str(mcdb))
    await page.get_by_role("button", name=texts["import"], exact=True).click()
    await page.wait_for_load_state()
    assert texts["bad phone"] in await page.inner_text("main")
    await browser.shot(f"mcdb-import-{locale}")

    # The new member signs in with the password the administrator set.
    await page.context.clear_cookies()
    await _sign_in(browser, NEW, SECOND, locale)
    assert NEW in await page.inner_text("header")


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_a_secretary_uploads_a_holiday_list(
    browser: Browser, clerks: dict[Role, str], locale: str, tmp_path: Path
) -> None:
    page = browser.page
    texts = TEXTS[locale]
    await _sign_in(browser, NAMES[Role.COMMISSION_SECRETARY], PASSWORD, locale)
    await page.goto(f"{browser.base}/console/holidays")
    await browser.shot(f"holidays-{locale}")
    listed = tmp_path / "victory.csv"
    listed.write_text(
        "ИИН;ФИО;Категория;Телефон\n"
        f"{iin_for(1)};Жұмабаев Серік Нұрұлы;wwii_veterans;{phone_for(1)}\n"
        f"{iin_for(2)[:-1]}0;Ахметова Айша;wwii_widows;\n",
        encoding="utf-8",
    )
    await page.get_by_label(texts["holiday"]).select_option("05-09")
    await page.get_by_label(texts["list file"]).set_input_files(str(listed))
    await page.get_by_role("button", name=texts["upload"]).click()
    await page.wait_for_load_state()
    assert texts["bad iin"] in await page.inner_text("main")
    await browser.shot(f"holiday-list-{locale}")
