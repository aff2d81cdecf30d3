"""The first screen says hello, what the bot is for and where the IIN is; the bot asks the name
(surname, name, patronymic), checks it, and every notice greets the applicant by it, never by the
name on their Telegram profile."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.law.notices import NoticeKind
from casework.law.rules import Channel, Ground
from casework.steps import intake
from casework.steps.notices import render_notice
from casework.tables.applicants import Applicant
from tests.bot.cases import notice_rows
from tests.bot.flows import (
    ASK_IIN,
    FULL_NAME,
    LANGUAGE_BUTTON,
    OWN_PHONE,
    VALID_IIN,
    give_name,
    identify,
    t,
)
from tests.bot.telegram import Phone
from tests.builders import take_in_signed

LOCALES = ["kk", "ru"]
GREETING = (
    "Hello! Here you can apply for local social assistance, send your documents and follow your "
    "application."
)
NAME_QUESTION = (
    "Write your surname, name and patronymic as on your identity card. Notices will be "
    "addressed to you by this name."
)
LETTERS_ONLY = (
    "A name has only letters, and perhaps a hyphen or an apostrophe. Please write it without "
    "digits or other signs."
)
ONE_ALPHABET = "Please write each word of the name in one alphabet: Cyrillic or Latin."
# What the Telegram profile says: a nickname in Latin with an emoji.
PROFILE_NAME = "Aliya 🌸"


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_first_screen_greets_and_says_where_the_iin_is(phone, locale: str) -> None:
    p: Phone = phone()
    await p.send("/start")
    await p.tap(LANGUAGE_BUTTON[locale])
    assert p.text == "\n".join([t(locale, GREETING), t(locale, ASK_IIN)])
    # A mistake: the explanation, then the question alone (the greeting once is enough).
    await p.send("12345")
    assert p.said()[-2] == t(locale, "The IIN has 12 digits. Please check and send it again.")
    assert p.text == t(locale, "Send your IIN: 12 digits.")


async def _name_question(p: Phone, locale: str) -> None:
    await p.send("/start")
    await p.tap(LANGUAGE_BUTTON[locale])
    await p.send(VALID_IIN)
    await p.share_contact(OWN_PHONE.lstrip("+"))
    await p.tap(t(locale, "Continue"))
    assert p.text.startswith(t(locale, NAME_QUESTION))


async def _applicant(sessions) -> Applicant:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return (await session.scalars(select(Applicant))).one()


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_name_is_asked_checked_and_shown_back_before_it_is_kept(
    phone, sessions, locale: str
) -> None:
    p: Phone = phone(first_name=PROFILE_NAME)
    await _name_question(p, locale)
    applicant = await _applicant(sessions)
    assert (applicant.last_name, applicant.first_name) == ("", "")  # not the profile's

    for wrong, msgid in [
        ("Әлия", "Please write your surname and your name, with a space between them."),
        ("Сейітқалиева Әлия2", LETTERS_ONLY),
        (PROFILE_NAME, LETTERS_ONLY),
        # A Latin "A" inside a Cyrillic name (they look the same on a phone).
        ("Сейітқалиева Aлия", ONE_ALPHABET),
    ]:
        await p.send(wrong)
        assert p.said()[-2] == t(locale, msgid)
        assert p.text.startswith(t(locale, NAME_QUESTION))  # asked again, nothing kept
    assert (await _applicant(sessions)).name_given_at is None

    # Typed in lower case: shown back split into its parts, capitalised; written again.
    await p.send("сейітқалиева әлия")
    assert p.text.splitlines()[1:] == [
        t(locale, "Surname: {last}", last="Сейітқалиева"),
        t(locale, "Name: {first}", first="Әлия"),
    ]
    await p.tap(t(locale, "✏️ Write it again"))
    await give_name(p, locale)
    assert p.text == t(locale, "Main menu. Choose what you need.")
    applicant = await _applicant(sessions)
    assert (applicant.last_name, applicant.first_name, applicant.middle_name) == (
        "Сейітқалиева",
        "Әлия",
        "Нұрланқызы",
    )
    # Given once: not asked again.
    await p.send("/start")
    assert p.text == t(locale, "Main menu. Choose what you need.")


@pytest.mark.parametrize("locale", LOCALES)
async def test_notices_greet_by_the_name_given_never_by_the_profile(
    phone, sessions, env, locale: str
) -> None:
    p: Phone = phone(first_name=PROFILE_NAME)
    await identify(p, locale)
    async with sessions() as session, session.begin():
        applicant = (await session.scalars(select(Applicant))).one()
        app = await intake.start_application(
            session, env, applicant, channel=Channel.BOT, actor="applicant", ground=Ground.DISEASE
        )
        assert not await take_in_signed(session, env, app, actor="Омарова")  # no documents
    [receipt] = await notice_rows(sessions, app.id, NoticeKind.REFUSAL_TO_ACCEPT)
    assert FULL_NAME in receipt.text.splitlines()[0]
    assert "Aliya" not in receipt.text


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_name_taken_from_a_telegram_profile_earlier_is_asked_again(
    phone, sessions, env, locale: str
) -> None:
    """Before the bot asked, it kept the contact card's name: that name greets nobody, and the
    applicant is asked for theirs when they come back."""
    p: Phone = phone(first_name=PROFILE_NAME)
    async with sessions() as session, session.begin():
        applicant = await intake.get_or_create_applicant(
            session, env, VALID_IIN, telegram_id=p.user.id, locale=locale, phone=OWN_PHONE
        )
        applicant.first_name = PROFILE_NAME  # as record_phone used to copy it
        app = await intake.start_application(
            session, env, applicant, channel=Channel.BOT, actor="applicant", ground=Ground.DISEASE
        )
        rendered = render_notice(env, app, applicant, NoticeKind.SIGNING_CODE, {"code": "1"}, "kk")
    assert "Aliya" not in rendered.text
    await p.send("/start")
    assert p.text.startswith(t(locale, NAME_QUESTION))
