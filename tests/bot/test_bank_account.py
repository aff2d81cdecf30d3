"""Where the assistance is paid (DR §23): the applicant's Kazakhstan IBAN, asked while filing,
checked as typed, shown masked, and allowed to come later."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.law.rules import Ground
from casework.tables.applications import Application
from casework.texts.payments import iban_problem
from tests.bot.flows import IBAN, identify, start_filing, t


async def _iban(sessions) -> str | None:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return await s.scalar(select(Application.iban).order_by(Application.id.desc()))


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_a_bad_account_is_explained_and_a_good_one_kept_masked(
    phone, sessions, locale: str
) -> None:
    p = phone()
    await identify(p, locale)
    await start_filing(p, locale, Ground.DISEASE)
    await p.send("Құлан")
    await p.send("Жібек жолы 12")
    for typed, reason in (
        ("DE89370400440532013000", "foreign"),
        ("KZ86125KZT50041001", "too_short"),
        ("KZ87125KZT5004100100", "checksum"),
    ):
        await p.send(typed)
        assert iban_problem(reason, locale) in p.said()  # type: ignore[arg-type]
    assert await _iban(sessions) is None
    await p.send("kz86 125k zt50 0410 0100")  # as printed: spaces and lower case are fine
    assert await _iban(sessions) == IBAN
    assert IBAN not in p.text and "0100" in p.text  # the summary shows it masked


async def test_the_account_can_come_later(phone, sessions) -> None:
    p = phone()
    await identify(p, "kk")
    await start_filing(p, "kk", Ground.DISEASE)
    await p.send("Құлан")
    await p.send("Жібек жолы 12")
    await p.tap(t("kk", "⏭ I will give it later"))
    assert t("kk", "💳 Bank account: not given yet") in p.text
    await p.tap(t("kk", "✏️ Change the bank account"))
    await p.send(IBAN)
    assert await _iban(sessions) == IBAN
