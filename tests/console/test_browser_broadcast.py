"""In a real browser: a clerk picks a day's hearings by keyboard, sends the invitations as one
broadcast, and watches its counts change as the outbox moves — without the page reloading."""

from __future__ import annotations

from typing import cast

import pytest
from playwright.async_api import Page
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.notices import NoticeChannel, NoticeStatus
from casework.law.roles import Role
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.tables.notices import Notice
from gateway.providers.sandbox import PERMANENT_FAILURE_NUMBER, SandboxProvider
from gateway.worker import Worker
from tests.builders import phone_for
from tests.console.conftest import NAMES, PASSWORD, Browser
from tests.console.test_hearings_page import THURSDAY, with_hearing
from tests.gateway.conftest import Cases

SEND = {"kk": "Таңдалғандарға шақыру жіберу", "ru": "Отправить приглашения выбранным"}


@pytest.fixture
def cases(sessions: async_sessionmaker[AsyncSession], env: CaseEnv) -> Cases:
    return Cases(sessions, env)


async def sign_in_as(browser: Browser, role: Role, locale: str) -> None:
    page = cast(Page, browser.page)
    await page.goto(f"{browser.base}/console/login?lang={locale}")
    await page.fill("#name", NAMES[role])
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/console/queue")


async def count(browser: Browser, key: str) -> str:
    page = cast(Page, browser.page)
    return (await page.inner_text(f'[data-count="{key}"]')).strip()


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_a_hearing_invitation_broadcast_updates_its_counts_without_a_reload(
    browser: Browser,
    clerks: dict[Role, str],
    cases: Cases,
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    locale: str,
) -> None:
    await with_hearing(cases, 1, THURSDAY)
    await with_hearing(cases, 2, THURSDAY.replace(hour=12), phone=PERMANENT_FAILURE_NUMBER)
    await with_hearing(cases, 3, THURSDAY.replace(hour=14), mcdb=False)
    async with transaction(sessions) as s:  # earlier notices are out of the way
        await s.execute(update(Notice).values(status=NoticeStatus.DELIVERED))
    page = cast(Page, browser.page)
    await sign_in_as(browser, Role.COMMISSION_SECRETARY, locale)

    await page.goto(f"{browser.base}/console/hearings")
    await browser.shot(f"hearings-{locale}")
    # By keyboard: "select all" with Space ticks every hearing of the day.
    await page.focus("#select-all")
    await page.keyboard.press("Space")
    boxes = page.locator("input[name=application_id]")
    assert await boxes.count() == 3
    for i in range(3):
        assert await boxes.nth(i).is_checked()
    await page.get_by_role("button", name=SEND[locale]).focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/console/broadcasts/*")
    assert await count(browser, "queued") == "2" and await count(browser, "printed") == "1"
    await browser.shot(f"broadcast-queued-{locale}")

    # From here on the page must not load again: a mark on the window survives only if it does
    # not, and no navigation of the main frame may happen.
    await page.evaluate("window.komekMark = 'kept'")
    navigations: list[str] = []
    page.on(
        "framenavigated",
        lambda frame: navigations.append(frame.url) if frame == page.main_frame else None,
    )

    # One invitation is with the provider, its receipt awaited.
    async with transaction(sessions) as s:
        first = (
            await s.execute(
                update(Notice)
                .where(Notice.broadcast_id.is_not(None), Notice.address == phone_for(1))
                .values(status=NoticeStatus.SENT)
            )
        ).rowcount  # type: ignore[attr-defined]
    assert first == 1
    await page.wait_for_function(
        "document.querySelector('[data-count=sent]').textContent.trim() === '1'", timeout=10_000
    )
    assert await count(browser, "queued") == "1"
    async with transaction(sessions) as s:
        await s.execute(
            update(Notice)
            .where(Notice.status == NoticeStatus.SENT)
            .values(status=NoticeStatus.QUEUED)
        )

    # The worker sends with the sandbox: one delivered, one failed for good.
    await Worker(sessions, env, {NoticeChannel.SMS: SandboxProvider()}).drain()
    await page.wait_for_function(
        "document.querySelector('[data-count=delivered]').textContent.trim() === '1'",
        timeout=10_000,
    )
    assert await count(browser, "failed") == "1"
    assert await count(browser, "queued") == "0" and await count(browser, "sent") == "0"
    assert await count(browser, "total") == "3"
    # The recipients follow the counts: the failed one first, the delivered one marked so.
    await page.wait_for_selector('tr[data-state="failed"]', timeout=10_000)
    await page.wait_for_selector('tr[data-state="delivered"]', timeout=10_000)
    states = await page.eval_on_selector_all(
        "tr[data-recipient]", "rows => rows.map(r => r.dataset.state)"
    )
    assert states == ["failed", "printed", "delivered"]
    assert await page.evaluate("window.komekMark") == "kept"
    assert navigations == []
    await browser.shot(f"broadcast-settled-{locale}")

    await page.goto(f"{browser.base}/console/broadcasts")
    await browser.shot(f"broadcasts-{locale}")
