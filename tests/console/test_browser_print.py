"""In a real browser: the print queue — preview a sheet in the page, print the chosen notices as
one PDF, and mark them handed over, in Kazakh and Russian."""

from __future__ import annotations

import io
from typing import cast

import pytest
from playwright.async_api import Page
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.notices import NoticeStatus
from casework.law.roles import Role
from casework.system.env import CaseEnv
from casework.tables.notices import Notice
from tests.console.conftest import NAMES, Browser
from tests.console.test_browser_broadcast import sign_in_as
from tests.console.test_print_page import on_paper
from tests.fakes.clock import FixedClock
from tests.gateway.conftest import Cases

PREVIEW = {"kk": "Алдын ала қарау", "ru": "Просмотр"}
PRINT = {"kk": "Таңдалғандарды бір PDF етіп басып шығару", "ru": "Распечатать выбранные одним PDF"}
HANDED = {"kk": "Қолына табысталды", "ru": "Вручено"}
HAND_OVER = {
    "kk": "Таңдалғандарды табысталды деп белгілеу",
    "ru": "Отметить выбранные как врученные",
}


@pytest.fixture
def cases(sessions: async_sessionmaker[AsyncSession], env: CaseEnv) -> Cases:
    return Cases(sessions, env)


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_preview_print_and_mark_handed_over(
    browser: Browser,
    clerks: dict[Role, str],
    cases: Cases,
    clock: FixedClock,
    locale: str,
) -> None:
    _, receipt, refusal = await on_paper(cases, 1)
    _, other_receipt, other_refusal = await on_paper(cases, 2)
    page = cast(Page, browser.page)
    await sign_in_as(browser, Role.INTAKE_OFFICE, locale)
    await page.goto(f"{browser.base}/console/print")
    await browser.shot(f"print-{locale}")

    # The preview comes into the page beside the list (no navigation).
    url = page.url
    await page.get_by_role("link", name=f"{PREVIEW[locale]} № {refusal.id}").click()
    sheet = page.locator(f'.sheet[data-notice="{refusal.id}"]')
    await sheet.wait_for()
    assert page.url == url
    assert refusal.title in await sheet.inner_text()
    await browser.shot(f"print-preview-{locale}")

    # Both chosen by keyboard, printed as one PDF in a new tab.
    for chosen in (receipt, refusal):
        await page.focus(f"#notice-{chosen.id}")
        await page.keyboard.press("Space")
    async with page.context.expect_event(
        "response", lambda r: r.url.endswith("/console/print/pdf")
    ) as answer:
        await page.get_by_role("button", name=PRINT[locale]).click()
    response = await answer.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    # The tab shows it in the browser's viewer; the same form's answer, read here, is the PDF of
    # the two sheets.
    content = await page.evaluate(
        """async () => {
            const form = document.getElementById("print-form");
            const answer = await fetch(form.action, {method: "POST", body: new FormData(form)});
            const bytes = new Uint8Array(await answer.arrayBuffer());
            return Array.from(bytes);
        }"""
    )
    assert len(PdfReader(io.BytesIO(bytes(content))).pages) == 2
    for other in page.context.pages:
        if other is not page:
            await other.close()

    # Then handed over: the list says when the applicant received them.
    await page.get_by_role("button", name=HAND_OVER[locale]).click()
    await page.wait_for_url("**/console/print?handed=*")
    status = await page.get_by_role("status").inner_text()
    assert {"kk": "2026 жылғы 16 қараша", "ru": "16 ноября 2026"}[locale] in status.replace(
        "\u202f", " "
    )
    left = await page.eval_on_selector_all(
        "tr[data-notice]", "rows => rows.map(r => r.dataset.notice)"
    )
    assert left == [str(other_receipt.id), str(other_refusal.id)]
    await browser.shot(f"print-handed-over-{locale}")

    # One by its own button in its row.
    await page.get_by_role("button", name=f"{HANDED[locale]} № {other_receipt.id}").click()
    await page.wait_for_url(f"**/console/print?handed={other_receipt.id}")
    left = await page.eval_on_selector_all(
        "tr[data-notice]", "rows => rows.map(r => r.dataset.notice)"
    )
    assert left == [str(other_refusal.id)]
    async with cases.sessions() as s:
        for notice_id in (receipt.id, refusal.id):
            notice = await s.get(Notice, notice_id)
            assert notice is not None and notice.status is NoticeStatus.HANDED_OVER
            assert notice.handed_over_at == clock.now()
            assert notice.handed_over_by == NAMES[Role.INTAKE_OFFICE]
