"""SR §6: a bot filing is certified by its applicant. The code goes by SMS to the phone the
mobile citizens database registers to the IIN; the signature keeps a digest of what was signed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.law.errors import NotFound, RuleError
from casework.law.notices import NoticeKind
from casework.law.rules import Channel, DocumentKind, Filer, Ground
from casework.law.status import Status
from casework.steps import case_file, delivery, intake, signing
from casework.system.db import transaction
from casework.tables.applicants import Applicant
from casework.tables.applications import Application
from casework.tables.notices import Notice
from casework.tables.signatures import Signature
from casework.texts.labels import label
from tests.bot.flows import (
    VALID_IIN,
    give_address,
    identify,
    register_in_mcdb,
    signing_code,
    start_filing,
    t,
    upload,
)
from tests.builders import iin_for


async def _ready(p, locale: str) -> None:  # type: ignore[no-untyped-def]
    await identify(p, locale)
    await start_filing(p, locale, Ground.DISEASE)
    await give_address(p, locale)
    await upload(p, locale, DocumentKind.IDENTITY)
    await upload(p, locale, DocumentKind.DISEASE_PROOF, pdf=True)


async def _app(sessions) -> Application:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        app_id = await s.scalar(select(Application.id).order_by(Application.id.desc()))
        return await case_file.load_application(s, app_id)


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_a_signed_filing_verifies_and_a_changed_one_does_not(
    phone, sessions, env, locale: str
) -> None:
    p = phone()
    await _ready(p, locale)
    await register_in_mcdb(sessions)
    await p.tap(t(locale, "📨 Send the application"))
    assert "+7 701 ***" in p.text or "***" in p.text  # the phone, masked
    await p.send(await signing_code(sessions))
    assert p.text.startswith("✅")
    app = await _app(sessions)
    assert app.status is Status.REGISTERED
    async with sessions() as s:
        signature = await signing.latest_signature(s, app)
        applicant = await s.get(Applicant, app.applicant_id)
    assert signature is not None and signature.method == "sms_code"
    assert signature.phone_masked and "1234567" not in signature.phone_masked
    assert signing.is_intact(app, signature)
    # The account is proven by the same code: it reached the MCDB-registered phone.
    assert applicant.telegram_verified_how == "sms_code"

    app.address = "Басқа көше 1"  # changed after signing: the digest no longer matches
    assert not signing.is_intact(app, signature)


async def test_wrong_expired_and_too_many_codes_are_refused_plainly(phone, sessions, clock) -> None:
    p = phone()
    await _ready(p, "kk")
    await register_in_mcdb(sessions)
    await p.tap(t("kk", "📨 Send the application"))
    good = await signing_code(sessions)
    wrong = "000000" if good != "000000" else "111111"
    await p.send(wrong)
    assert t("kk", "The code is not right. Tries left: {left}.", left=4) in p.said()
    # A new code within the minute is refused, with the wait.
    await p.tap(t("kk", "🔁 Send a new code"))
    assert any("секундтан кейін" in alert for alert in p.telegram.alerts)

    clock.set(clock.now() + timedelta(minutes=6))
    await p.send(good)
    assert t("kk", "The code is no longer valid. Press «Send a new code».") in p.said()
    await p.tap(t("kk", "🔁 Send a new code"))
    fresh = await signing_code(sessions)
    for _ in range(5):
        await p.send("999999" if fresh != "999999" else "888888")
    await p.send(fresh)  # right, but too late: five wrong tries used the code up
    assert t("kk", "Too many wrong codes. Press «Send a new code».") in p.said()
    assert (await _app(sessions)).status is Status.DRAFT  # nothing was sent


async def test_no_registered_phone_keeps_the_draft_for_the_desk(phone, sessions, env) -> None:
    p = phone()
    await _ready(p, "ru")
    await p.tap(t("ru", "📨 Send the application"))
    app = await _app(sessions)
    assert app.status is Status.DRAFT
    assert f"№ {app.id}" in p.text and "ЦОН" in p.text
    # Staff see the identity card: the same draft, signed at the desk and taken in.
    async with transaction(sessions) as s:
        draft = await case_file.load_application(s, app.id, for_update=True)
        assert await intake.take_in_signed_at_desk(s, env, draft, actor="Омарова")
    app = await _app(sessions)
    assert app.status is Status.REGISTERED and app.received_by == "Омарова"
    async with sessions() as s:
        methods = list(await s.scalars(select(Signature.method)))
    assert methods == ["in_person"]


async def test_an_unsigned_bot_filing_is_refused_by_the_domain(sessions, env) -> None:
    async with transaction(sessions) as s:
        applicant = await intake.get_or_create_applicant(s, env, "900101300811")
        app = await intake.start_application(
            s, env, applicant, channel=Channel.BOT, actor="applicant", ground=Ground.DISEASE
        )
        with pytest.raises(RuleError):
            await intake.take_in(s, env, app, actor="applicant")


async def test_a_representative_names_whom_they_file_for_and_signs_as_themselves(
    phone, sessions
) -> None:
    p = phone()
    await identify(p, "ru")
    await p.tap(t("ru", "📝 File an application"))
    await p.tap(label(Filer.REPRESENTATIVE, "ru"))
    await p.send("Сейітқали Әлия Нұрланқызы")
    await p.send(VALID_IIN)  # their own: refused
    assert t("ru", "This is your own IIN. Write the IIN of the person you represent.") in p.said()
    await p.send("900101300812")  # a wrong check digit
    assert (
        t("ru", "This IIN has a mistake: the last digit does not match. Please check it.")
        in p.said()
    )
    represented = iin_for(7)
    await p.send(represented)
    await p.tap(label(Ground.DISEASE, "ru"))
    await give_address(p, "ru")
    # The power of attorney is on the checklist.
    assert f"📎 {label(DocumentKind.POWER_OF_ATTORNEY, 'ru')}" in p.buttons()
    for kind in (DocumentKind.IDENTITY, DocumentKind.DISEASE_PROOF, DocumentKind.POWER_OF_ATTORNEY):
        await upload(p, "ru", kind)
    await register_in_mcdb(sessions)
    await p.tap(t("ru", "📨 Send the application"))
    await p.send(await signing_code(sessions))
    app = await _app(sessions)
    assert app.status is Status.REGISTERED and app.represented_iin == represented
    async with sessions() as s:
        signature = await signing.latest_signature(s, app)
    assert signature is not None and signature.signer_iin == VALID_IIN  # the representative
    assert signing.is_intact(app, signature)
    app.represented_iin = iin_for(8)
    assert not signing.is_intact(app, signature)


async def test_codes_are_capped_a_day_and_hidden_from_the_print_queue(
    phone, sessions, env, clock
) -> None:
    p = phone()
    await _ready(p, "kk")
    await register_in_mcdb(sessions)
    await p.tap(t("kk", "📨 Send the application"))
    for _ in range(4):  # five codes in all, a minute apart
        clock.set(clock.now() + timedelta(minutes=2))
        await p.tap(t("kk", "🔁 Send a new code"))
    clock.set(clock.now() + timedelta(minutes=2))
    await p.tap(t("kk", "🔁 Send a new code"))
    assert any("тым көп код" in alert for alert in p.telegram.alerts)
    async with sessions() as s:
        codes = list(await s.scalars(select(Notice).where(Notice.kind == NoticeKind.SIGNING_CODE)))
        assert len(codes) == 5
        assert all("code" not in n.payload for n in codes)  # the code only in the SMS words
        # Staff can neither print nor hand over a code: for them it does not exist.
        with pytest.raises(NotFound):
            await delivery.get_notice(s, codes[0].id)
