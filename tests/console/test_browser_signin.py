"""The console in a real browser: signing in and out by keyboard, in Kazakh and Russian."""

from __future__ import annotations

import pytest

from casework.law.roles import Role
from tests.console.conftest import NAMES, PASSWORD, Browser


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_sign_in_by_keyboard_and_sign_out(
    browser: Browser, clerks: dict[Role, str], locale: str
) -> None:
    page = browser.page
    await page.goto(f"{browser.base}/console/login?lang={locale}")
    heading = {"kk": "Қызметкер кабинетіне кіру", "ru": "Вход в кабинет сотрудника"}[locale]
    assert await page.inner_text("h1") == heading
    await browser.shot(f"login-{locale}")
    # Every field is found by its label; Tab moves on, Enter submits.
    labels = {
        "kk": ("Әкімші енгізген атыңыз", "Құпиясөз"),
        "ru": ("Ваше имя, как его внёс администратор", "Пароль"),
    }
    await page.get_by_label(labels[locale][0]).fill(NAMES[Role.COMMISSION_SECRETARY])
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "password"
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/console/queue")
    await page.goto(f"{browser.base}/console/password")
    assert NAMES[Role.COMMISSION_SECRETARY] in await page.inner_text("header")
    sign_out = {"kk": "Шығу", "ru": "Выйти"}[locale]
    await page.get_by_role("button", name=sign_out).click()
    await page.wait_for_url("**/console/login")
