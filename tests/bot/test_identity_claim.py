"""Typing somebody's IIN is not enough to see their case: a known applicant is linked to a
Telegram account only by a phone that proves it is theirs."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from casework.law.notices import NoticeKind
from casework.law.rules import Channel, Ground
from casework.law.status import Status
from casework.steps import accounts, intake
from casework.tables.applicants import Applicant
from casework.tables.mcdb import McdbEntry
from casework.tables.notices import Notice
from tests.bot.flows import ASK_IIN, LANGUAGE_BUTTON, OWN_PHONE, VALID_IIN, signing_code, t

LINK = NoticeKind.LINK_CODE
STRANGERS_PHONE = "+77057654321"
CLAIM_REFUSED = (
    "This IIN is known to the department with another phone number. To protect your data, the "
    "link is made at the department."
)


async def claim(p, locale: str, contact: str) -> None:  # type: ignore[no-untyped-def]
    """From /start to the shared contact: the language, the IIN typed, a phone shared."""
    await p.send("/start")
    await p.tap(LANGUAGE_BUTTON[locale])
    await p.send(VALID_IIN)
    await p.share_contact(contact)


@pytest.fixture
def mcdb(sessions, clock):  # type: ignore[no-untyped-def]
    """Register a phone to an IIN in the mobile citizens database."""

    async def register(iin: str, phone: str) -> None:
        async with sessions() as session, session.begin():
            session.add(
                McdbEntry(
                    iin=iin, phone=phone, registered_on=date(2020, 1, 1), imported_at=clock.now()
                )
            )

    return register


@pytest.fixture
async def paper_applicant(sessions, env) -> None:  # type: ignore[no-untyped-def]
    """Filed on paper at the office: known by IIN and phone, with no Telegram account."""
    async with sessions() as session, session.begin():
        applicant = await intake.get_or_create_applicant(
            session, env, VALID_IIN, last_name="Сейітқали", phone=OWN_PHONE, locale="kk"
        )
        paper = await intake.start_application(
            session, env, applicant, channel=Channel.PROVIDER_OFFICE, actor="Омарова",
            ground=Ground.DISEASE,
        )  # fmt: skip
        paper.status = Status.REGISTERED


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_a_stranger_with_the_iin_is_not_linked(
    phone, sessions, paper_applicant, locale: str
) -> None:
    stranger = phone(user_id=777)
    await claim(stranger, locale, STRANGERS_PHONE)
    assert t(locale, CLAIM_REFUSED) in stranger.said()
    assert stranger.text == t(locale, "Send your IIN: 12 digits.")
    async with sessions() as session:
        applicant = await session.scalar(select(Applicant).where(Applicant.iin == VALID_IIN))
    assert applicant.telegram_id is None and applicant.phone == OWN_PHONE


async def test_the_phone_on_file_alone_does_not_prove_the_link(
    phone, sessions, paper_applicant
) -> None:
    # A phone written on a paper form is not verified: only the MCDB's registration proves it.
    owner = phone(user_id=555)
    await claim(owner, "ru", OWN_PHONE)
    assert t("ru", CLAIM_REFUSED) in owner.said()
    assert any("555" in said for said in owner.said())  # the number to show staff in person
    async with sessions() as session:
        applicant = await session.scalar(select(Applicant).where(Applicant.iin == VALID_IIN))
    assert applicant.telegram_id is None


async def test_the_phone_the_mcdb_registers_proves_the_link(
    phone, sessions, paper_applicant, mcdb
) -> None:
    await mcdb(VALID_IIN, OWN_PHONE)
    owner = phone(user_id=555)
    await claim(owner, "ru", OWN_PHONE)
    assert t("ru", CLAIM_REFUSED) not in owner.said()
    async with sessions() as session:
        applicant = await session.scalar(select(Applicant).where(Applicant.iin == VALID_IIN))
    assert applicant.telegram_id == 555 and applicant.locale == "ru"
    assert applicant.telegram_verified_how == "mcdb_phone"
    await owner.tap(t("ru", "Continue"))
    await owner.tap(t("ru", "📄 My application"))
    assert owner.text != t("ru", "Main menu. Choose what you need.")  # the paper case, theirs


async def test_a_squatter_on_a_new_iin_never_sees_the_real_persons_case(
    phone, sessions, env, mcdb
) -> None:
    # A stranger types an IIN the department does not know yet, with their own phone.
    stranger = phone(user_id=777)
    await claim(stranger, "kk", STRANGERS_PHONE)
    await stranger.tap(t("kk", "Continue"))
    # The real person files on paper at the office, and is registered in the MCDB.
    async with sessions() as session, session.begin():
        applicant = await intake.get_or_create_applicant(session, env, VALID_IIN, phone=OWN_PHONE)
        assert applicant.telegram_id == 777 and applicant.telegram_verified_at is None
        paper = await intake.start_application(
            session, env, applicant, channel=Channel.PROVIDER_OFFICE, actor="Омарова",
            ground=Ground.DISEASE,
        )  # fmt: skip
        paper.status = Status.REGISTERED
    await mcdb(VALID_IIN, OWN_PHONE)
    await stranger.send("/start")
    assert t("kk", "📄 My application") not in stranger.buttons()
    assert not any("№" in said for said in stranger.said()[-2:])

    # The real person proves it with the phone the MCDB registers: the squatter gives way.
    owner = phone(user_id=555)
    await claim(owner, "kk", OWN_PHONE)
    assert t("kk", CLAIM_REFUSED) not in owner.said()
    async with sessions() as session:
        applicant = await session.scalar(select(Applicant).where(Applicant.iin == VALID_IIN))
        events = await accounts.link_history(session, applicant.id)
    assert applicant.telegram_id == 555
    assert [(e.telegram_id, e.event) for e in events] == [
        (777, "linked"),
        (777, "revoked"),
        (555, "verified"),
    ]
    await stranger.send("/start")
    # Unlinked: the first screen again, as for anyone new.
    assert t("kk", ASK_IIN) in stranger.text


async def test_a_proven_link_is_not_taken_by_typing_the_iin(
    phone, sessions, paper_applicant, mcdb
) -> None:
    await mcdb(VALID_IIN, OWN_PHONE)
    owner = phone(user_id=555)
    await claim(owner, "kk", OWN_PHONE)
    stranger = phone(user_id=777)
    await stranger.send("/start")
    await stranger.tap(LANGUAGE_BUTTON["kk"])
    await stranger.send(VALID_IIN)
    assert any("басқа Telegram" in said for said in stranger.said())
    async with sessions() as session:
        applicant = await session.scalar(select(Applicant).where(Applicant.iin == VALID_IIN))
    assert applicant.telegram_id == 555


async def test_a_known_iin_is_linked_by_a_code_to_the_registered_phone(
    phone, sessions, paper_applicant, mcdb
) -> None:
    # The Telegram phone is another one: the code goes to the phone the MCDB registers.
    await mcdb(VALID_IIN, OWN_PHONE)
    owner = phone(user_id=555)
    await claim(owner, "kk", STRANGERS_PHONE)
    assert "SMS" in owner.text
    await owner.send("000000" if await signing_code(sessions, LINK) != "000000" else "111111")
    assert t("kk", "The code is not right. Tries left: {left}.", left=4) in owner.said()
    await owner.send(await signing_code(sessions, LINK))
    async with sessions() as session:
        applicant = await session.scalar(select(Applicant).where(Applicant.iin == VALID_IIN))
        sent = await session.scalars(select(Notice).where(Notice.kind == LINK))
        to = [n.address for n in sent]
    assert to == [OWN_PHONE]  # never to the phone the user shared
    assert applicant.telegram_id == 555 and applicant.telegram_verified_how == "sms_code"


async def test_without_the_registered_phone_only_staff_can_link(
    phone, sessions, paper_applicant, mcdb
) -> None:
    await mcdb(VALID_IIN, OWN_PHONE)
    stranger = phone(user_id=777)
    await claim(stranger, "ru", STRANGERS_PHONE)
    await stranger.tap(t("ru", "I do not have that phone"))
    assert any("777" in said for said in stranger.said())
    assert stranger.text == t("ru", "Send your IIN: 12 digits.")
    async with sessions() as session:
        applicant = await session.scalar(select(Applicant).where(Applicant.iin == VALID_IIN))
    assert applicant.telegram_id is None


async def test_a_number_the_mcdb_once_registered_to_the_iin_proves_nothing(
    phone, sessions, paper_applicant, clock
) -> None:
    # The old number went back to the operator and to someone else; the new one is current.
    async with sessions() as session, session.begin():
        for number, since in ((STRANGERS_PHONE, date(2015, 1, 1)), (OWN_PHONE, date(2021, 1, 1))):
            session.add(
                McdbEntry(iin=VALID_IIN, phone=number, registered_on=since, imported_at=clock.now())
            )
    stranger = phone(user_id=777)
    await claim(stranger, "kk", STRANGERS_PHONE)
    async with sessions() as session:
        applicant = await session.scalar(select(Applicant).where(Applicant.iin == VALID_IIN))
        sent = list(await session.scalars(select(Notice.address).where(Notice.kind == LINK)))
    assert applicant.telegram_id is None
    assert sent == [OWN_PHONE]  # a code to the current number instead, which the stranger lacks
