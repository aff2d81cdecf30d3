"""The work queue and a case in a real browser, in Kazakh and Russian: sign in, find the case in
the queue, open it, see the uploaded photo and the PDF the applicant sent."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.roles import Role
from casework.law.rules import Ground
from casework.system.env import CaseEnv
from casework.system.settings import Settings
from tests.builders import local
from tests.console.conftest import NAMES, PASSWORD, Browser
from tests.console.test_case_page import uploaded_case
from tests.console.test_queue import paper_case
from tests.fakes.clock import FixedClock

HEADINGS = {
    "kk": {"queue": "Жұмыс кезегі", "documents": "Құжаттар", "name": "Әкімші енгізген атыңыз"},
    "ru": {
        "queue": "Очередь работ",
        "documents": "Документы",
        "name": "Ваше имя, как его внёс администратор",
    },
}


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_open_a_case_from_the_queue_and_see_its_photo_and_pdf(
    browser: Browser,
    clerks: dict[Role, str],
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    settings: Settings,
    clock: FixedClock,
    locale: str,
) -> None:
    words = HEADINGS[locale]
    clock.set(local(2026, 11, 16, 10, 0))
    await paper_case(sessions, env, 1, ground=Ground.FIRE, settlement="Ақсу")
    clock.set(local(2026, 11, 18, 10, 0))
    made = await uploaded_case(sessions, env, settings, locale=locale)
    await paper_case(sessions, env, 2, ground=Ground.LOW_INCOME)
    clock.set(local(2026, 11, 19, 11, 0))

    page = browser.page
    await page.goto(f"{browser.base}/console/login?lang={locale}")
    await page.get_by_label(words["name"]).fill(NAMES[Role.COMMISSION_SECRETARY])
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/console/queue")
    assert await page.inner_text("h1") == words["queue"]
    assert await page.locator("table.queue-table tbody tr").count() == 3
    await browser.shot(f"queue-{locale}")

    # Keyboard only: the search field by its label, Enter submits.
    await page.locator("#q").fill("Ахметова")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/console/queue?q=*")
    assert await page.locator("table.queue-table tbody tr").count() == 1
    link = page.locator(f'a[href="/console/cases/{made.case}"]')
    await link.focus()
    pdf_url = f"/console/cases/{made.case}/documents/{made.scan}"
    async with page.expect_response(lambda r: r.url.endswith(pdf_url)) as pdf_response:
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"**/console/cases/{made.case}")
    pdf = await pdf_response.value
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("inline")

    photo = page.locator(f'img[src="/console/cases/{made.case}/documents/{made.photo}"]')
    await photo.scroll_into_view_if_needed()
    await page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=await photo.element_handle()
    )
    assert await photo.evaluate("img => img.naturalWidth") == 120
    assert await page.get_by_role("heading", name=words["documents"]).is_visible()
    await browser.shot(f"case-{locale}")
    await page.goto(f"{browser.base}/console/queue")  # the PDF viewer closes with the page
    # The fixture checks that no request went to any host but the service (the PDF viewer's own
    # chrome:// parts are not network requests).
