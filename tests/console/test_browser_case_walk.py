"""The acceptance walk in a real browser, in Kazakh and in Russian: a paper application taken in at
the office, then registered, routed, its income recorded, through the special commission, a
preliminary refusal, the hearing and the decision, using only the console and the keyboard-ready
forms found by their labels. The clock moves on between steps where the law needs days to pass
(the app runs on the same clock). Every page is saved as a screenshot under test-output/console/.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from casework.law.roles import Role
from casework.texts.i18n import gettext
from gateway.console.actions import SPECS
from tests.builders import iin_for, local
from tests.console.conftest import NAMES, PASSWORD, Browser
from tests.fakes.clock import FixedClock

R = Role
LOGIN_LABELS = {
    "kk": ("Әкімші енгізген атыңыз", "Құпиясөз"),
    "ru": ("Ваше имя, как его внёс администратор", "Пароль"),
}


class Walk:
    """One clerk after another at the same browser, on the app's clock."""

    def __init__(self, browser: Browser, clock: FixedClock, locale: str) -> None:
        self.browser, self.page, self.clock, self.locale = browser, browser.page, clock, locale
        self.shots = 0

    def t(self, message: str, **params: object) -> str:
        return gettext(self.locale, message, **params)

    async def shot(self, name: str) -> None:
        self.shots += 1
        await self.browser.shot(f"walk-{self.locale}-{self.shots:02d}-{name}")

    async def sign_in(self, role: Role, at: datetime | None = None) -> None:
        if at is not None:
            self.clock.set(at)
        await self.page.context.clear_cookies()
        await self.page.goto(f"{self.browser.base}/console/login?lang={self.locale}")
        name, password = LOGIN_LABELS[self.locale]
        await self.page.get_by_label(name).fill(NAMES[role])
        await self.page.get_by_label(password).fill(PASSWORD)
        await self.page.keyboard.press("Enter")
        await self.page.wait_for_url(re.compile(r".*/console/(?!login).*"))

    async def open_case(self, cid: int) -> None:
        await self.page.goto(f"{self.browser.base}/console/cases/{cid}")
        assert await self.page.locator("#actions").count() == 1, "the case page shows the actions"

    async def act(self, cid: int, key: str, fill: dict[str, str] | None = None, **kw: Any) -> None:
        """Fill one action's form by its labels and send it with its own button."""
        form = self.page.locator(f"#action-{key}")
        await form.wait_for()
        for caption, value in (fill or {}).items():
            await form.get_by_label(caption, exact=True).fill(value)
        for caption in kw.get("tick", ()):
            await form.get_by_label(caption, exact=True).check()
        await self.shot(f"{key}-form")
        title = self.t(SPECS[key].title)
        await form.get_by_role("button", name=title).click()
        await self.page.wait_for_url(re.compile(rf".*/console/cases/{cid}\?done={key}.*"))
        done = self.t(SPECS[key].done)
        assert done in await self.page.locator("#actions [role=status]").inner_text()
        await self.shot(f"{key}-done")


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_a_paper_application_walked_from_intake_to_decision(
    browser: Browser, clerks: dict[Role, str], clock: FixedClock, locale: str
) -> None:
    walk = Walk(browser, clock, locale)
    page, t = walk.page, walk.t

    # Monday 16 November 2026, 10:00: the office takes in a paper application.
    await walk.sign_in(R.INTAKE_OFFICE, local(2026, 11, 16, 10, 0))
    await page.goto(f"{browser.base}/console/intake")
    await walk.shot("intake-empty")
    await page.get_by_label(t("IIN (12 digits)"), exact=True).fill(iin_for(3))
    await page.get_by_label(t("Surname"), exact=True).fill("Сейітқалиева")
    await page.get_by_label(t("First name"), exact=True).fill("Әлия")
    await page.get_by_label(t("Ground of need"), exact=True).select_option("low_income")
    # The checklist of the ground comes in without a reload.
    await page.get_by_label(t("Incomes of the family members"), exact=True).check()
    await page.get_by_label(t("Identity document"), exact=True).check()
    await page.get_by_label(t("Full name of family member {n}", n=1), exact=True).fill(
        "Сейітқалиева Әлия"
    )
    await page.get_by_label(t("Monthly income of family member {n}, tenge", n=1), exact=True).fill(
        "120000"
    )
    await walk.shot("intake-filled")
    await page.get_by_role("button", name=t("Take in the application")).click()
    await page.wait_for_url(re.compile(r".*/console/intake/\d+/receipt"))
    cid = int(page.url.split("/")[-2])
    receipt = await page.locator("article.receipt").inner_text()
    # The applicant's language was left as offered: the clerk's.
    assert t("Acceptance receipt") in receipt
    await walk.shot("receipt")

    await page.get_by_role("link", name=t("Open the case")).click()
    await page.wait_for_url(f"**/console/cases/{cid}")
    await walk.shot("case-accepted")
    await walk.act(cid, "register")

    # The commission secretary routes it to the precinct commission.
    await walk.sign_in(R.COMMISSION_SECRETARY)
    await walk.open_case(cid)
    await walk.act(cid, "forward_to_precinct")

    # Tuesday: the inspection comes back; the incomes and the special commission follow.
    await walk.sign_in(R.COMMISSION_SECRETARY, local(2026, 11, 17, 15, 0))
    await walk.open_case(cid)
    inspection = t("The precinct commission's findings on the family's material conditions")
    await walk.act(cid, "record_inspection", {inspection: "Отбасы екі адам, біреуі жұмыс істейді."})
    member = t("Full name of family member {n}", n=2)
    income = t("Monthly income of family member {n}, tenge", n=2)
    await walk.act(cid, "record_incomes", {member: "Сейітқалиев Нұрлан", income: "0"})
    await walk.act(cid, "to_special_commission")
    conclusion = t("The special commission's conclusion on the need for assistance")
    await walk.act(cid, "record_conclusion", {conclusion: "Табыс белгіленген шектен жоғары."})

    # Wednesday: the decision maker gives notice of a preliminary refusal and a hearing.
    await walk.sign_in(R.DECISION_MAKER, local(2026, 11, 18, 11, 0))
    await walk.open_case(cid)
    form = page.locator("#action-preliminary_refusal")
    await form.get_by_label(gettext(locale, "by videoconference")).check()
    link = t("Videoconference link, information system, or place and means")
    await form.get_by_label(link, exact=True).fill("https://meet.example.kz/komek-3")
    # Sent without the day: the sentence comes back, and what was typed is still there.
    await form.get_by_role("button", name=t(SPECS["preliminary_refusal"].title)).click()
    await page.wait_for_url(f"**/console/cases/{cid}/preliminary_refusal")
    form = page.locator("#action-preliminary_refusal")
    assert await form.get_by_role("alert").inner_text() == t("Choose the day of the hearing.")
    assert await form.get_by_label(link, exact=True).input_value() == (
        "https://meet.example.kz/komek-3"
    )
    assert await form.get_by_label(gettext(locale, "by videoconference")).is_checked()
    await walk.shot("preliminary_refusal-refused")
    await walk.act(
        cid,
        "preliminary_refusal",
        {
            t("Day of the hearing"): "2026-11-20",
            t("Time of the hearing"): "11:00",
            t("Videoconference link, information system, or place and means"): (
                "https://meet.example.kz/komek-3"
            ),
        },
    )
    # The refusal itself cannot be decided yet: its rules are on the page, without a form.
    blocked = page.locator(".action.blocked-step", has_text=t(SPECS["refuse"].title))
    notice_period = (
        "A refusal is decided no earlier than 3 working days after the preliminary refusal was "
        "issued."
    )
    assert t(notice_period) in await blocked.inner_text()
    assert await page.locator("#action-refuse").count() == 0

    # Thursday: the applicant comes to object orally; Friday the hearing is held.
    await walk.sign_in(R.COMMISSION_SECRETARY, local(2026, 11, 19, 9, 30))
    await walk.open_case(cid)
    # Holding the hearing waits for its day: shown disabled, with the rule and that day.
    later = page.locator(".action.later", has_text=t(SPECS["hold_hearing"].title))
    words = " ".join((await later.inner_text()).split())
    assert t("The hearing cannot be held before its scheduled time.") in words
    assert {"kk": "2026 жылғы 20 қараша", "ru": "20 ноября 2026"}[locale] in words
    assert await later.get_by_role("button").is_disabled()
    await walk.act(cid, "record_objection")
    await walk.sign_in(R.COMMISSION_SECRETARY, local(2026, 11, 20, 11, 40))
    await walk.open_case(cid)
    await walk.act(cid, "hold_hearing")
    protocol = t("What the applicant said at the hearing, and what was decided there")
    await walk.act(cid, "make_protocol", {protocol: "Өтініш беруші табысы тұрақсыз екенін айтты."})
    await walk.act(cid, "protocol_read")
    await walk.sign_in(R.COMMISSION_SECRETARY, local(2026, 11, 23, 10, 0))
    await walk.open_case(cid)
    remarks = t("The applicant's remarks on the protocol")
    await walk.act(cid, "record_remarks", {remarks: "Хаттамада жалақы туралы айтылмаған."})

    # Tuesday 24th: the decision, on the ground the applicant was heard on.
    await walk.sign_in(R.DECISION_MAKER, local(2026, 11, 24, 16, 0))
    await walk.open_case(cid)
    ground = page.locator("#action-refuse").get_by_label(
        gettext(locale, "Per-capita income is above the threshold")
    )
    assert await ground.is_checked()
    await walk.act(cid, "refuse")
    await walk.shot("case-refused")
