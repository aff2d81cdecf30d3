"""Filing: who files, the ground of need, the family's incomes, where they live, a summary.

Every answer goes into the draft application at once, so leaving and coming back (or a restart of
the bot) resumes at the first question still unanswered (`dialogs.common.filing_step`).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, cast

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import ManagedTextInput, TextInput
from aiogram_dialog.widgets.input.text import OnSuccess
from aiogram_dialog.widgets.kbd import Button, Column, SwitchTo
from aiogram_dialog.widgets.text import Format

from casework.law.iban import IBANReason, mask_iban
from casework.law.identity import mask_iin, validate_iin
from casework.law.rules import GROUND_RULES, Filer, Ground
from casework.steps import intake, payments
from casework.texts.i18n import format_tenge, gettext
from casework.texts.labels import label
from casework.texts.payments import iban_problem
from dialogs import states
from dialogs.common import (
    ACTOR,
    DraftGone,
    advance,
    applicant_of,
    env_of,
    open_draft,
    save_answer,
    session_of,
)
from dialogs.identity import on_bad_iin
from dialogs.widgets import LANG_BUTTON, MENU_BUTTON, T, choice, locale_of

MAX_TEXT = 200


def parse_tenge(raw: str) -> Decimal:
    """A monthly income as people write it: '85 000', '85000,50', '85000 тг'."""
    text = raw.lower().replace("₸", "").replace("тг", "").replace("тенге", "").replace("теңге", "")
    text = "".join(text.split()).replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a number: {raw!r}") from None
    if not value.is_finite() or value < 0 or value > Decimal("100000000"):
        raise ValueError(f"not an income: {raw!r}")
    return value.quantize(Decimal("0.01"))


def _short(text: str) -> str:
    return " ".join(text.split())[:MAX_TEXT]


def _text_into(column: str) -> OnSuccess[str]:
    """A TextInput's on_success: the text, tidied, into the draft's `column`; then go on."""

    async def on_text(
        message: Message, widget: ManagedTextInput[str], manager: DialogManager, text: str
    ) -> None:
        app = await open_draft(manager)
        setattr(app, column, _short(text))
        save_answer(app, **{column: getattr(app, column)})
        await advance(manager)

    return on_text


async def on_filer(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    app = await open_draft(manager)
    app.filer = Filer(item_id)
    if app.filer is not Filer.REPRESENTATIVE:
        app.representative_name = app.represented_iin = None
    save_answer(app, filer=item_id)
    await advance(manager)


on_representative = _text_into("representative_name")


async def on_represented_iin(
    message: Message, widget: ManagedTextInput[str], manager: DialogManager, iin: str
) -> None:
    app = await open_draft(manager)
    applicant = applicant_of(manager)
    if applicant is not None and iin == applicant.iin:
        await message.answer(
            gettext(
                locale_of(manager),
                "This is your own IIN. Write the IIN of the person you represent.",
            )
        )
        return
    app.represented_iin = iin
    save_answer(app, represented_iin=iin)
    await advance(manager)


on_settlement = _text_into("settlement")
on_address = _text_into("address")


async def on_iban(
    message: Message, widget: ManagedTextInput[str], manager: DialogManager, text: str
) -> None:
    """Where the money goes if granted (DR §23): a Kazakhstan IBAN, checked as it is typed."""
    app = await open_draft(manager)
    try:
        await payments.set_iban(session_of(manager), env_of(manager), app, text, actor=ACTOR)
    except payments.InvalidAccount as exc:
        reason = cast(IBANReason, exc.params["reason"])
        await message.answer(iban_problem(reason, locale_of(manager)))
        return
    save_answer(app, iban_later=False, confirmed=False)  # shown back on the summary
    await advance(manager)


async def on_iban_later(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    app = await open_draft(manager)
    save_answer(app, iban_later=True)
    await advance(manager)


async def on_ground(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    app = await open_draft(manager)
    app.ground = Ground(item_id)
    save_answer(app, ground=item_id)
    await advance(manager)


async def on_member_name(
    message: Message, widget: ManagedTextInput[str], manager: DialogManager, text: str
) -> None:
    app = await open_draft(manager)
    save_answer(app, pending_member=_short(text))
    await advance(manager)


async def _add_member(manager: DialogManager, income: Decimal) -> None:
    app = await open_draft(manager)
    name = (app.draft or {}).get("pending_member")
    if name:  # a double tap finds the member already added
        members = [(m.full_name, m.monthly_income) for m in app.family] + [(name, income)]
        await intake.set_family(session_of(manager), env_of(manager), app, members, actor=ACTOR)
        save_answer(app, pending_member=None, family=_family_answers(app))
    await advance(manager)


async def on_income(
    message: Message, widget: ManagedTextInput[Decimal], manager: DialogManager, income: Decimal
) -> None:
    await _add_member(manager, income)


async def on_no_income(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await _add_member(manager, Decimal(0))


async def on_bad_income(
    message: Message, widget: ManagedTextInput[Decimal], manager: DialogManager, error: ValueError
) -> None:
    await message.answer(
        gettext(
            locale_of(manager),
            "Please write the income as a number of tenge, for example 85000.",
        )
    )


async def on_add_member(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await manager.switch_to(states.Filing.member_name)


async def on_pick_member(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    manager.dialog_data["member_id"] = int(item_id)
    await manager.switch_to(states.Filing.member)


async def _change_member(
    manager: DialogManager, *, name: str | None = None, income: Decimal | None = None
) -> None:
    """One member corrected, the others kept; then the family list again."""
    app = await open_draft(manager)
    member_id = manager.dialog_data.pop("member_id", None)
    if any(m.id == member_id for m in app.family):  # else removed meanwhile: the list shows
        await intake.change_family_member(
            session_of(manager),
            env_of(manager),
            app,
            int(member_id),
            name=name,
            income=income,
            actor=ACTOR,
        )
    save_answer(app, family=_family_answers(app), confirmed=False)
    await advance(manager)


async def on_member_rename(
    message: Message, widget: ManagedTextInput[str], manager: DialogManager, text: str
) -> None:
    await _change_member(manager, name=_short(text))


async def on_member_reincome(
    message: Message, widget: ManagedTextInput[Decimal], manager: DialogManager, income: Decimal
) -> None:
    await _change_member(manager, income=income)


async def on_member_no_income(
    callback: CallbackQuery, button: Button, manager: DialogManager
) -> None:
    await _change_member(manager, income=Decimal(0))


async def on_remove_member(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    app = await open_draft(manager)
    member_id = manager.dialog_data.pop("member_id", None)
    if any(m.id == member_id for m in app.family):  # a double tap finds it gone
        await intake.remove_family_member(
            session_of(manager), env_of(manager), app, int(member_id), actor=ACTOR
        )
    save_answer(app, family=_family_answers(app), confirmed=False)
    await advance(manager)


def _family_answers(app: Any) -> list[list[str]]:
    return [[m.full_name, str(m.monthly_income)] for m in app.family]


async def on_family_done(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    app = await open_draft(manager)
    save_answer(app, family_done=True)
    await advance(manager)


async def on_confirm(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    app = await open_draft(manager)
    save_answer(app, confirmed=True)
    await advance(manager)


async def on_change(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Forget one answer: the flow then asks it again and comes back to the summary."""
    app = await open_draft(manager)
    what = button.widget_id
    if what == "change_filer":
        app.filer = None
    elif what == "change_ground":
        app.ground = None
    elif what == "change_family":  # the list comes back to correct one member or add one
        save_answer(app, family_done=False, pending_member=None)
    elif what == "change_address":
        app.settlement = None
        app.address = None
    elif what == "change_iban":
        await payments.clear_iban(session_of(manager), env_of(manager), app, actor=ACTOR)
        save_answer(app, iban_later=False)
    save_answer(app, confirmed=False)
    await advance(manager)


# ---------------------------------------------------------------- getters


async def choices_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    locale = locale_of(dialog_manager)
    return {
        "filers": [(f.value, label(f, locale)) for f in Filer],
        "grounds": [(g.value, label(g, locale)) for g in Ground],
    }


def _family_lines(app: Any, locale: str) -> str:
    return "\n".join(
        f"• {m.full_name}: {format_tenge(m.monthly_income, locale)}" for m in app.family
    )


# Telegram cuts a button's label: a long name is shortened on its button (the list shows it all).
LABEL_NAME = 34


def _on_button(name: str) -> str:
    return name if len(name) <= LABEL_NAME else name[: LABEL_NAME - 1] + "…"


async def family_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    app = await open_draft(dialog_manager)
    return {
        "family": _family_lines(app, locale_of(dialog_manager)),
        "first": not app.family,
        "member": (app.draft or {}).get("pending_member") or "",
        "members": [(str(m.id), f"✏️ {_on_button(m.full_name)}") for m in app.family],
    }


async def member_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    app = await open_draft(dialog_manager)
    member_id = dialog_manager.dialog_data.get("member_id")
    member = next((m for m in app.family if m.id == member_id), None)
    if member is None:  # removed meanwhile: back to the applicant's place (bot.errors)
        raise DraftGone
    return {
        "member": member.full_name,
        "income": format_tenge(member.monthly_income, locale_of(dialog_manager)),
    }


async def summary_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    locale = locale_of(dialog_manager)
    app = await open_draft(dialog_manager)
    assert app.filer is not None and app.ground is not None
    lines = [
        f"👤 {label(app.filer, locale)}",
        f"📌 {label(app.ground, locale)}",
        f"🏠 {app.settlement}, {app.address}",
        gettext(locale, "💳 Bank account: {iban}", iban=mask_iban(app.iban))
        if app.iban
        else gettext(locale, "💳 Bank account: not given yet"),
    ]
    if app.representative_name:
        lines.insert(1, gettext(locale, "Representative: {name}", name=app.representative_name))
    if app.represented_iin:
        lines.insert(2, gettext(locale, "For: IIN {iin}", iin=mask_iin(app.represented_iin)))
    if app.family:
        lines.append(gettext(locale, "Family and monthly incomes:"))
        lines.append(_family_lines(app, locale))
    return {
        "summary": "\n".join(lines),
        "has_family": GROUND_RULES[app.ground].income_dependent,
    }


def dialog() -> Dialog:
    # Built per dispatcher: an aiogram router can belong to one parent only.
    return Dialog(
        Window(
            T("Who is the application for?"),
            Column(choice("filer", "filers", on_filer), LANG_BUTTON, MENU_BUTTON),
            state=states.Filing.filer,
            getter=choices_getter,
        ),
        Window(
            T("Write your full name, as in the power of attorney."),
            TextInput(id="representative", on_success=on_representative),
            Column(LANG_BUTTON, MENU_BUTTON),
            state=states.Filing.representative,
        ),
        Window(
            T("Write the IIN of the person you represent: 12 digits, as in the power of attorney."),
            TextInput(
                id="represented_iin",
                type_factory=validate_iin,
                on_success=on_represented_iin,
                on_error=on_bad_iin,
            ),
            Column(LANG_BUTTON, MENU_BUTTON),
            state=states.Filing.represented_iin,
        ),
        Window(
            T("Why do you need assistance? Choose one."),
            Column(choice("ground", "grounds", on_ground), LANG_BUTTON, MENU_BUTTON),
            state=states.Filing.ground,
            getter=choices_getter,
        ),
        Window(
            T("Assistance on this ground depends on the family's income.", when="first"),
            T("Write the full name of a family member. Start with yourself.", when="first"),
            T(
                "Write the full name of the next family member.",
                when=lambda data, widget, manager: not data["first"],
            ),
            TextInput(id="member_name", on_success=on_member_name),
            Column(LANG_BUTTON, MENU_BUTTON),
            state=states.Filing.member_name,
            getter=family_getter,
        ),
        Window(
            T("Monthly income of {member}, in tenge. Write only the number, for example 85000."),
            TextInput(
                id="member_income",
                type_factory=parse_tenge,
                on_success=on_income,
                on_error=on_bad_income,
            ),
            Column(
                Button(T("No income"), id="no_income", on_click=on_no_income),
                LANG_BUTTON,
                MENU_BUTTON,
            ),
            state=states.Filing.member_income,
            getter=family_getter,
        ),
        Window(
            T("Your family:"),
            Format("{family}"),
            T("To correct or remove someone, press their name."),
            Column(
                choice("members", "members", on_pick_member),
                Button(T("➕ Add a family member"), id="add_member", on_click=on_add_member),
                Button(T("✅ That is everyone"), id="family_done", on_click=on_family_done),
                LANG_BUTTON,
                MENU_BUTTON,
            ),
            state=states.Filing.family_more,
            getter=family_getter,
        ),
        Window(
            T("{member}: {income} a month."),
            T("What needs correcting?"),
            Column(
                SwitchTo(T("✏️ Correct the name"), id="rename", state=states.Filing.member_rename),
                SwitchTo(
                    T("✏️ Correct the income"), id="reincome", state=states.Filing.member_reincome
                ),
                Button(T("🗑 Remove from the family"), id="remove", on_click=on_remove_member),
                SwitchTo(T("⬅️ Back"), id="back", state=states.Filing.family_more),
            ),
            state=states.Filing.member,
            getter=member_getter,
        ),
        Window(
            T("Write the full name of {member} correctly."),
            TextInput(id="member_rename", on_success=on_member_rename),
            Column(SwitchTo(T("⬅️ Back"), id="back", state=states.Filing.member)),
            state=states.Filing.member_rename,
            getter=member_getter,
        ),
        Window(
            T("Monthly income of {member}, in tenge. Write only the number, for example 85000."),
            TextInput(
                id="member_reincome",
                type_factory=parse_tenge,
                on_success=on_member_reincome,
                on_error=on_bad_income,
            ),
            Column(
                Button(T("No income"), id="no_income", on_click=on_member_no_income),
                SwitchTo(T("⬅️ Back"), id="back", state=states.Filing.member),
            ),
            state=states.Filing.member_reincome,
            getter=member_getter,
        ),
        Window(
            T("Which village or town of the district do you live in? Write its name."),
            TextInput(id="settlement", on_success=on_settlement),
            Column(LANG_BUTTON, MENU_BUTTON),
            state=states.Filing.settlement,
        ),
        Window(
            T("Write your street and house number."),
            TextInput(id="address", on_success=on_address),
            Column(LANG_BUTTON, MENU_BUTTON),
            state=states.Filing.address,
        ),
        Window(
            T(
                "If assistance is granted, it is paid to your bank account. Write its number "
                "(IBAN): 20 characters starting with KZ. Your bank's app or a statement shows it."
            ),
            TextInput(id="iban", on_success=on_iban),
            Column(
                Button(T("⏭ I will give it later"), id="iban_later", on_click=on_iban_later),
                LANG_BUTTON,
                MENU_BUTTON,
            ),
            state=states.Filing.iban,
        ),
        Window(
            T("Please check your application:"),
            Format("{summary}"),
            Column(
                Button(T("✅ Everything is correct"), id="confirm", on_click=on_confirm),
                Button(T("✏️ Change who files"), id="change_filer", on_click=on_change),
                Button(T("✏️ Change the reason"), id="change_ground", on_click=on_change),
                Button(
                    T("✏️ Change the family"),
                    id="change_family",
                    on_click=on_change,
                    when="has_family",
                ),
                Button(T("✏️ Change the address"), id="change_address", on_click=on_change),
                Button(T("✏️ Change the bank account"), id="change_iban", on_click=on_change),
                LANG_BUTTON,
                MENU_BUTTON,
            ),
            state=states.Filing.summary,
            getter=summary_getter,
        ),
    )
