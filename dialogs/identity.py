"""Who the applicant is: the IIN (with its check digit) and their own phone, shared by button."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, ContentType, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import ManagedTextInput, MessageInput, TextInput
from aiogram_dialog.widgets.kbd import Button, Column, RequestContact, SwitchTo
from aiogram_dialog.widgets.markup.reply_keyboard import ReplyKeyboardFactory

from casework.law.identity import InvalidIIN, InvalidPhone, mask_iin, normalize_phone, validate_iin
from casework.law.names import InvalidName, PersonName, parse_person_name
from casework.steps import accounts, intake
from casework.steps.codes import CodeError
from casework.steps.notices import phone_registered
from casework.tables.applicants import Applicant
from casework.texts.i18n import N_, gettext
from dialogs import states
from dialogs.common import applicant_of, env_of, go_to_place, session_of
from dialogs.widgets import T, code_refused, locale_of

IIN_ERRORS: dict[str, str] = {
    "format": N_("The IIN has 12 digits. Please check and send it again."),
    "date": N_(
        "The first 6 digits of the IIN are a birth date, and this date does not exist. "
        "Please check it."
    ),
    "century": N_("The 7th digit of the IIN must be from 1 to 6. Please check it."),
    "checksum": N_("This IIN has a mistake: the last digit does not match. Please check it."),
}


NAME_ERRORS: dict[str, str] = {
    "empty": N_("Please write your surname and your name, with a space between them."),
    "parts": N_("Please write your surname and your name, with a space between them."),
    "letters": N_(
        "A name has only letters, and perhaps a hyphen or an apostrophe. Please write it "
        "without digits or other signs."
    ),
    "script": N_("Please write each word of the name in one alphabet: Cyrillic or Latin."),
    "length": N_("This name is too long. Please check it and send it again."),
}
# The example is a name like the reader's own: Kazakh on a Kazakh screen, Russian on a Russian.
EXAMPLE_NAMES = {"kk": "Сейітқалиева Әлия Нұрланқызы", "ru": "Сейиткалиева Алия Нурлановна"}


async def on_iin(
    message: Message, widget: ManagedTextInput[str], manager: DialogManager, iin: str
) -> None:
    locale = locale_of(manager)
    user_id = message.from_user.id if message.from_user else 0
    result = await accounts.claim_iin(
        session_of(manager), env_of(manager), telegram_id=user_id, iin=iin, locale=locale
    )
    if result.claim is accounts.Claim.TAKEN:
        await message.answer(
            gettext(
                locale,
                "This IIN is already linked to another Telegram account.",
            )
        )
        await message.answer(in_person(manager, user_id))
        return
    manager.middleware_data["applicant"] = result.applicant
    if result.claim is accounts.Claim.NEEDS_PROOF:
        manager.dialog_data["claim_iin"] = iin  # the shared phone must prove it (on_contact)
    await manager.switch_to(states.Identity.contact)


def in_person(manager: DialogManager, telegram_id: int) -> str:
    """How staff link the account at the office: the number they type in, and where to go."""
    provider = env_of(manager).district.provider
    return gettext(
        locale_of(manager),
        "At the department, staff can link this Telegram account to your IIN after seeing your "
        "identity card. Show them this number: {account}. Address: {address}. Tel. {phone}",
        account=telegram_id,
        address=getattr(provider.address, locale_of(manager)),
        phone=provider.phone,
    )


async def on_bad_iin(
    message: Message, widget: ManagedTextInput[str], manager: DialogManager, error: ValueError
) -> None:
    reason = error.reason if isinstance(error, InvalidIIN) else "format"
    await message.answer(gettext(locale_of(manager), IIN_ERRORS[reason]))
    manager.dialog_data["again"] = True  # the greeting once is enough: now only the question


async def on_contact(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    locale = locale_of(manager)
    contact = message.contact
    assert contact is not None and message.from_user is not None
    if contact.user_id != message.from_user.id:
        await message.answer(
            gettext(locale, "Please share your own number: press the button below.")
        )
        return
    try:
        phone = normalize_phone(contact.phone_number)
    except InvalidPhone:
        await message.answer(
            gettext(
                locale,
                "This is not a Kazakhstan mobile number. Notices need a +7 number. Tel. {phone}",
                phone=env_of(manager).district.provider.phone,
            )
        )
        return
    applicant = applicant_of(manager)
    shared = {"phone": phone}  # not the contact card's name: the bot asks for the name
    if "claim_iin" in manager.dialog_data:
        iin = manager.dialog_data["claim_iin"]
        applicant = await accounts.prove_by_phone(
            session_of(manager),
            env_of(manager),
            telegram_id=message.from_user.id,
            iin=iin,
            phone=phone,
            locale=locale,
        )
        manager.middleware_data["applicant"] = applicant
        if applicant is None:
            # Not the MCDB phone: a code to the one it registers proves it, if there is one.
            try:
                manager.dialog_data["masked"] = await accounts.send_link_code(
                    session_of(manager), env_of(manager), iin=iin
                )
            except CodeError as exc:
                if exc.params["reason"] == "locked":
                    await message.answer(code_refused(manager, exc))
                if exc.params["reason"] != "too_soon":  # else the code just sent still holds
                    await _refuse_claim(message, manager)
                    return
            manager.dialog_data["shared"] = shared
            await manager.switch_to(states.Identity.code)
            return
        del manager.dialog_data["claim_iin"]
    assert applicant is not None
    await _linked(manager, applicant, shared)


async def _refuse_claim(message: Message, manager: DialogManager) -> None:
    assert message.from_user is not None
    manager.dialog_data.pop("claim_iin", None)
    await message.answer(
        gettext(
            locale_of(manager),
            "This IIN is known to the department with another phone number. "
            "To protect your data, the link is made at the department.",
        )
    )
    await message.answer(in_person(manager, message.from_user.id))
    manager.dialog_data["again"] = True
    await manager.switch_to(states.Identity.iin)


async def _linked(manager: DialogManager, applicant: Applicant, shared: dict[str, str]) -> None:
    manager.dialog_data["registered"] = await accounts.record_phone(
        session_of(manager), env_of(manager), applicant, phone=shared["phone"]
    )
    await manager.switch_to(states.Identity.result)


async def on_link_code(
    message: Message, widget: ManagedTextInput[str], manager: DialogManager, typed: str
) -> None:
    assert message.from_user is not None
    try:
        applicant = await accounts.prove_by_code(
            session_of(manager),
            env_of(manager),
            telegram_id=message.from_user.id,
            iin=manager.dialog_data["claim_iin"],
            typed=typed,
            locale=locale_of(manager),
        )
    except CodeError as exc:
        await message.answer(code_refused(manager, exc))
        return
    if applicant is None:
        await _refuse_claim(message, manager)
        return
    del manager.dialog_data["claim_iin"]
    manager.middleware_data["applicant"] = applicant
    await _linked(manager, applicant, manager.dialog_data.pop("shared"))


async def on_link_resend(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    try:
        manager.dialog_data["masked"] = await accounts.send_link_code(
            session_of(manager), env_of(manager), iin=manager.dialog_data["claim_iin"]
        )
    except CodeError as exc:
        await callback.answer(code_refused(manager, exc), show_alert=True)


async def on_no_phone(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The applicant does not have the registered phone at hand: only in person, then."""
    assert isinstance(callback.message, Message)
    await callback.message.answer(in_person(manager, callback.from_user.id))
    manager.dialog_data.pop("claim_iin", None)
    manager.dialog_data["again"] = True
    manager.show_mode = ShowMode.SEND  # the question again below the message
    await manager.switch_to(states.Identity.iin)


async def code_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {"masked": dialog_manager.dialog_data.get("masked", "")}


async def on_not_contact(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    await message.answer(
        gettext(locale_of(manager), "Please press the button «Share my phone number» below.")
    )


async def on_continue(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await go_to_place(manager)


async def on_name(
    message: Message, widget: ManagedTextInput[PersonName], manager: DialogManager, name: PersonName
) -> None:
    # Shown back split into its parts before it is kept: a name in the wrong order is caught here.
    manager.dialog_data["name"] = [name.last_name, name.first_name, name.middle_name]
    await manager.switch_to(states.Identity.name_check)


async def on_bad_name(
    message: Message,
    widget: ManagedTextInput[PersonName],
    manager: DialogManager,
    error: ValueError,
) -> None:
    reason = error.reason if isinstance(error, InvalidName) else "letters"
    await message.answer(gettext(locale_of(manager), NAME_ERRORS[reason]))


async def on_name_right(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    applicant = applicant_of(manager)
    assert applicant is not None
    last, first, middle = manager.dialog_data["name"]
    if applicant.name_given_at is None:  # a double tap finds it kept
        await intake.record_name(
            session_of(manager), env_of(manager), applicant, PersonName(last, first, middle)
        )
    await go_to_place(manager)


async def iin_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {"first_time": not dialog_manager.dialog_data.get("again")}


async def example_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {"example": EXAMPLE_NAMES.get(locale_of(dialog_manager), EXAMPLE_NAMES["kk"])}


async def name_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    last, first, middle = dialog_manager.dialog_data["name"]
    return {"last": last, "first": first, "middle": middle or ""}


def _again(data: dict[str, Any], widget: Any, manager: DialogManager) -> bool:
    return not data["first_time"]


async def result_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    applicant = applicant_of(dialog_manager)
    assert applicant is not None
    registered = dialog_manager.dialog_data.get("registered")
    if registered is None:  # came back later: look again
        registered = await phone_registered(
            session_of(dialog_manager), applicant.iin, applicant.phone or ""
        )
    return {"registered": registered, "iin": mask_iin(applicant.iin)}


def dialog() -> Dialog:
    # Built per dispatcher: an aiogram router can belong to one parent only.
    return Dialog(
        Window(
            T(
                "Hello! Here you can apply for local social assistance, send your documents and "
                "follow your application.",
                when="first_time",
            ),
            T(
                "First, send your IIN: the 12 digits written on your identity card.",
                when="first_time",
            ),
            T("Send your IIN: 12 digits.", when=_again),
            TextInput(id="iin", type_factory=validate_iin, on_success=on_iin, on_error=on_bad_iin),
            state=states.Identity.iin,
            getter=iin_getter,
        ),
        Window(
            T("Press the button below to share your phone number."),
            RequestContact(T("📱 Share my phone number")),
            MessageInput(on_contact, content_types=ContentType.CONTACT),
            MessageInput(on_not_contact),
            markup_factory=ReplyKeyboardFactory(resize_keyboard=True, one_time_keyboard=True),
            state=states.Identity.contact,
        ),
        Window(
            T(
                "This IIN is registered in the mobile citizens database with another phone "
                "number. We sent a 6-digit code by SMS to {masked}. Type it here to link this "
                "Telegram account."
            ),
            TextInput(id="link_code", on_success=on_link_code),
            Column(
                Button(T("🔁 Send a new code"), id="link_resend", on_click=on_link_resend),
                Button(T("I do not have that phone"), id="no_phone", on_click=on_no_phone),
            ),
            state=states.Identity.code,
            getter=code_getter,
        ),
        Window(
            T(
                "✅ This number is registered to your IIN in the mobile citizens database. "
                "Decisions will also come to you by SMS.",
                when="registered",
            ),
            T(
                "ℹ️ This number is not registered to your IIN in the mobile citizens database, "
                "so SMS notices cannot be sent to it. You will get them here in the chat. "
                "To get SMS, register your number on egov.kz or at a Public Service Centre.",
                when=lambda data, widget, manager: not data["registered"],
            ),
            Column(Button(T("Continue"), id="continue", on_click=on_continue)),
            state=states.Identity.result,
            getter=result_getter,
        ),
        Window(
            T(
                "Write your surname, name and patronymic as on your identity card. Notices "
                "will be addressed to you by this name."
            ),
            T("For example: {example}"),
            TextInput(
                id="name",
                type_factory=parse_person_name,
                on_success=on_name,
                on_error=on_bad_name,
            ),
            state=states.Identity.name,
            getter=example_getter,
        ),
        Window(
            T("Please check your name:"),
            T("Surname: {last}"),
            T("Name: {first}"),
            T("Patronymic: {middle}", when="middle"),
            Column(
                Button(T("✅ Yes, that is right"), id="name_right", on_click=on_name_right),
                SwitchTo(T("✏️ Write it again"), id="name_again", state=states.Identity.name),
            ),
            state=states.Identity.name_check,
            getter=name_getter,
        ),
    )
