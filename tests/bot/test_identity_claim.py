"""Typing somebody's IIN is not enough to see their case: a known applicant is linked to a
Telegram account only by a phone that proves it is theirs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.law.rules import Channel, Ground
from casework.steps import intake
from casework.tables.applicants import Applicant
from tests.bot.flows import LANGUAGE_BUTTON, OWN_PHONE, VALID_IIN, t

CLAIM_REFUSED = (
    "This IIN is known to the department with another phone number. To protect your data, please "
    "come to the department with your identity card, or call it."
)


@pytest.fixture
async def paper_applicant(sessions, env) -> None:  # type: ignore[no-untyped-def]
    """Filed on paper at the office: known by IIN and phone, with no Telegram account."""
    async with sessions() as session, session.begin():
        applicant = await intake.get_or_create_applicant(
            session, env, VALID_IIN, last_name="Сейітқали", phone=OWN_PHONE, locale="kk"
        )
        await intake.start_application(
            session, env, applicant, channel=Channel.PROVIDER_OFFICE, actor="Омарова",
            ground=Ground.DISEASE,
        )  # fmt: skip


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_a_stranger_with_the_iin_is_not_linked(
    phone, sessions, paper_applicant, locale: str
) -> None:
    stranger = phone(user_id=777)
    await stranger.send("/start")
    await stranger.tap(LANGUAGE_BUTTON[locale])
    await stranger.send(VALID_IIN)
    await stranger.share_contact("+77057654321")
    assert t(locale, CLAIM_REFUSED) in stranger.said()
    assert stranger.text == t(locale, "Send your IIN: 12 digits.")
    async with sessions() as session:
        applicant = await session.scalar(select(Applicant).where(Applicant.iin == VALID_IIN))
    assert applicant.telegram_id is None and applicant.phone == OWN_PHONE


async def test_the_applicant_with_the_phone_on_file_is_linked(
    phone, sessions, paper_applicant
) -> None:
    owner = phone(user_id=555)
    await owner.send("/start")
    await owner.tap(LANGUAGE_BUTTON["ru"])
    await owner.send(VALID_IIN)
    await owner.share_contact(OWN_PHONE)
    assert t("ru", CLAIM_REFUSED) not in owner.said()
    async with sessions() as session:
        applicant = await session.scalar(select(Applicant).where(Applicant.iin == VALID_IIN))
    assert applicant.telegram_id == 555 and applicant.locale == "ru"
