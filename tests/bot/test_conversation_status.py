"""The status screen at each stage of a case, in Kazakh and Russian: only what is true now, only
the terms the applicant acts on or waits for, and only the buttons that are lawful now."""

from __future__ import annotations

from datetime import date

import pytest

from casework.law.notices import NoticeChannel, NoticeKind
from casework.law.rules import DocumentKind
from casework.law.status import Status
from casework.law.terms import Term
from casework.steps import case_file
from casework.steps.notices import render_notice
from casework.steps.status import applicant_status
from casework.texts.i18n import format_day
from casework.texts.labels import label
from casework.texts.status import NEXT_STEP
from tests.bot.cases import (
    DECISION_DUE,
    GROUND,
    LINK,
    OBJECTION_DUE,
    Stage,
    case_at,
    deliver_chat,
    notice_rows,
)
from tests.bot.flows import LANGUAGE_BUTTON, t
from tests.bot.telegram import Phone

LOCALES = ["kk", "ru"]
# The department's own terms: never the applicant's to read.
STAFF_TERMS = (Term.PRELIMINARY_REFUSAL_LATEST, Term.PRECINCT_FORWARDING, Term.INCOME_COMPUTATION)


async def status_screen(p: Phone, locale: str) -> str:
    await p.send("/start")
    await p.tap(t(locale, "📄 My application"))
    screen = p.text
    for term in STAFF_TERMS:
        assert label(term, locale) not in screen
    return screen


def decision_by(locale: str) -> str:
    return t(locale, "⏳ The decision is made by: {day}", day=format_day(DECISION_DUE, locale))


def object_until(locale: str) -> str:
    return t(locale, "✍️ You may object until: {day}", day=format_day(OBJECTION_DUE, locale))


def objection_button(locale: str) -> str:
    return t(locale, "⚖️ Objection and hearing")


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_draft_has_no_terms_and_the_bot_resumes_the_filing(
    phone, sessions, env, clock, locale: str
) -> None:
    p: Phone = phone()
    app_id = await case_at(sessions, env, clock, Stage.DRAFT, p.user.id, locale)
    await p.send("/start")
    assert p.text == t(
        locale, "Which village or town of the district do you live in? Write its name."
    )
    async with sessions() as session:
        app = await case_file.load_application(session, app_id)
        text = await applicant_status(session, env, app, locale)
    assert t(locale, NEXT_STEP[Status.DRAFT]) in text
    assert "⏳" not in text and t(locale, "Deadlines:") not in text


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_refused_to_accept_case_has_no_running_terms(
    phone, sessions, env, clock, locale: str
) -> None:
    p: Phone = phone()
    await case_at(sessions, env, clock, Stage.REFUSED_TO_ACCEPT, p.user.id, locale)
    screen = await status_screen(p, locale)
    assert label(Status.REFUSED_TO_ACCEPT, locale) in screen
    assert f"• {label(DocumentKind.DISEASE_PROOF, locale)}" in screen
    assert "⏳" not in screen and t(locale, "Deadlines:") not in screen
    assert objection_button(locale) not in p.buttons()


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_registered_case_waits_for_its_decision(
    phone, sessions, env, clock, locale: str
) -> None:
    p: Phone = phone()
    await case_at(sessions, env, clock, Stage.REGISTERED, p.user.id, locale)
    screen = await status_screen(p, locale)
    assert label(Status.REGISTERED, locale) in screen
    assert decision_by(locale) in screen
    # Registered today: the registration term is met, so it is not a term to wait for.
    assert t(locale, "⏳ The application is registered by: {day}", day="").rstrip() not in screen
    assert t(locale, "Grounds of the preliminary refusal:") not in screen
    assert objection_button(locale) not in p.buttons()


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_preliminary_refusal_with_the_hearing_ahead(
    phone, sessions, env, clock, locale: str
) -> None:
    p: Phone = phone()
    await case_at(sessions, env, clock, Stage.HEARING_AHEAD, p.user.id, locale)
    screen = await status_screen(p, locale)
    assert t(locale, "Grounds of the preliminary refusal:") in screen
    assert f"• {label(GROUND, locale)}" in screen
    assert "11:00" in screen and LINK in screen
    assert object_until(locale) in screen
    assert decision_by(locale) in screen
    assert objection_button(locale) in p.buttons()
    await p.tap(objection_button(locale))
    assert {t(locale, "✍️ Object in writing"), t(locale, "✅ I will attend the hearing")} <= set(
        p.buttons()
    )


@pytest.mark.parametrize("locale", LOCALES)
async def test_after_the_hearing_nothing_is_left_to_object_to_or_attend(
    phone, sessions, env, clock, locale: str
) -> None:
    p: Phone = phone()
    await case_at(sessions, env, clock, Stage.HEARING_HELD, p.user.id, locale)
    screen = await status_screen(p, locale)
    assert t(locale, "Grounds of the preliminary refusal:") in screen  # still to be decided on
    held = format_day(date(2026, 11, 20), locale)
    assert t(locale, "The hearing was held: {held}", held=held) in screen
    assert "11:00" not in screen and LINK not in screen
    assert object_until(locale) not in screen
    assert format_day(OBJECTION_DUE, locale) not in screen
    assert decision_by(locale) in screen
    # Nothing to object to, no hearing to attend, no protocol yet: no button for them.
    assert objection_button(locale) not in p.buttons()


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_granted_case_no_longer_speaks_of_the_refusal_or_the_hearing(
    phone, sessions, env, clock, locale: str
) -> None:
    p: Phone = phone()
    await case_at(sessions, env, clock, Stage.GRANTED, p.user.id, locale)
    screen = await status_screen(p, locale)
    assert label(Status.GRANTED, locale) in screen
    assert t(locale, "Grounds of the preliminary refusal:") not in screen
    assert label(GROUND, locale) not in screen
    assert "11:00" not in screen and LINK not in screen  # the hearing on the 20th is moot
    assert decision_by(locale) not in screen and object_until(locale) not in screen
    # Filed in the bot: the decision notice is owed to this chat within a working day.
    notice_by = t(
        locale,
        "⏳ The notice of the decision comes to this chat by: {day}",
        day=format_day(date(2026, 11, 18), locale),
    )
    assert notice_by in screen
    assert objection_button(locale) not in p.buttons()


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_refused_case_names_the_refusal_grounds_and_no_hearing(
    phone, sessions, env, clock, locale: str
) -> None:
    p: Phone = phone()
    await case_at(sessions, env, clock, Stage.REFUSED, p.user.id, locale)
    screen = await status_screen(p, locale)
    assert label(Status.REFUSED, locale) in screen
    assert t(locale, "Grounds of the refusal:") in screen
    assert f"• {label(GROUND, locale)}" in screen
    assert t(locale, "Grounds of the preliminary refusal:") not in screen
    assert "11:00" not in screen and LINK not in screen  # decided before it: no hearing ahead
    assert decision_by(locale) not in screen and object_until(locale) not in screen
    assert objection_button(locale) not in p.buttons()


async def test_notices_are_listed_in_the_language_chosen_now(
    phone, bot, sessions, env, clock
) -> None:
    p: Phone = phone()
    app_id = await case_at(sessions, env, clock, Stage.HEARING_AHEAD, p.user.id, "kk")
    await deliver_chat(sessions, env, bot)  # the preliminary refusal goes out in Kazakh
    rows = await notice_rows(sessions, app_id, NoticeKind.PRELIMINARY_REFUSAL)
    [refusal] = [n for n in rows if n.channel is NoticeChannel.CHAT]
    async with sessions() as session:
        app = await case_file.load_application(session, app_id)
        ru_title = render_notice(env, app, app.applicant, refusal.kind, refusal.payload, "ru").title
    assert refusal.locale == "kk" and refusal.title != ru_title

    await p.send("/start")
    await p.send("/lang")
    await p.tap(LANGUAGE_BUTTON["ru"])
    await p.tap(t("ru", "📄 My application"))
    listed = p.text.split(t("ru", "Notices sent:"))[1]
    assert f"• {ru_title}: " in listed
    assert refusal.title not in p.text
