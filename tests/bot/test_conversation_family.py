"""One family member corrected or removed in the filing; the others are kept as they were."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from casework.law.rules import Ground
from casework.steps.case_file import load_application
from casework.tables.applications import Application
from tests.bot.flows import identify, start_filing, t
from tests.bot.telegram import Phone

LOCALES = ["kk", "ru"]
FAMILY = [("Сейітқалиева Әлия", "85000"), ("Сейітқалиев Нұрлан", "120000"), ("Сейітқали Дана", "0")]


async def _family(sessions) -> list[tuple[str, Decimal]]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        app_id = await session.scalar(select(Application.id))
        app = await load_application(session, app_id)
    return [(m.full_name, m.monthly_income) for m in app.family]


async def _press_member(p: Phone, name: str) -> None:
    await p.tap(f"✏️ {name}")
    assert p.text.startswith(f"{name}:")


@pytest.mark.parametrize("locale", LOCALES)
async def test_one_member_is_corrected_or_removed_and_the_others_are_kept(
    phone, sessions, locale: str
) -> None:
    p: Phone = phone()
    await identify(p, locale)
    await start_filing(p, locale, Ground.LOW_INCOME)
    for i, (name, income) in enumerate(FAMILY):
        if i:
            await p.tap(t(locale, "➕ Add a family member"))
        await p.send(name)
        await p.send(income)

    # The second member's income was wrong: corrected alone.
    await _press_member(p, "Сейітқалиев Нұрлан")
    await p.tap(t(locale, "✏️ Correct the income"))
    await p.send("95 000")
    assert p.text.startswith(t(locale, "Your family:"))
    # The third is not of this household: removed alone.
    await _press_member(p, "Сейітқали Дана")
    await p.tap(t(locale, "🗑 Remove from the family"))
    assert "Сейітқали Дана" not in p.text
    # A typo in the first one's name.
    await _press_member(p, "Сейітқалиева Әлия")
    await p.tap(t(locale, "✏️ Correct the name"))
    await p.send("Сейітқалиева Әлия Нұрланқызы")
    assert await _family(sessions) == [
        ("Сейітқалиева Әлия Нұрланқызы", Decimal("85000.00")),
        ("Сейітқалиев Нұрлан", Decimal("95000.00")),
    ]

    # From the summary, "change the family" brings the list back as it is, not empty.
    await p.tap(t(locale, "✅ That is everyone"))
    await p.send("Құлан")
    await p.send("Жібек жолы 12")
    await p.tap(t(locale, "⏭ I will give it later"))
    assert p.text.startswith(t(locale, "Please check your application:"))
    await p.tap(t(locale, "✏️ Change the family"))
    assert p.text.startswith(t(locale, "Your family:"))
    assert "Сейітқалиев Нұрлан" in p.text and "Сейітқалиева Әлия Нұрланқызы" in p.text
    await p.tap(t(locale, "✅ That is everyone"))
    assert p.text.startswith(t(locale, "Please check your application:"))  # nothing asked again
    assert len(await _family(sessions)) == 2
