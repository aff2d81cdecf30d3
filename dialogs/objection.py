"""Objection to a preliminary refusal, the hearing, the protocol and remarks on it (SR §15).

Late attempts reach the use cases, which refuse them with the last day; the bot says so politely.
A written objection is its text plus, if the applicant has them, photos or PDFs of documents,
checked as every upload is (dialogs/documents.receive_file) and linked to the objection.
"""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, ContentType, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import ManagedTextInput, MessageInput, TextInput
from aiogram_dialog.widgets.kbd import Button, Column, SwitchTo
from aiogram_dialog.widgets.text import Format

from casework.law.errors import LateError, RuleError
from casework.law.rules import DocumentKind, RefusalGround
from casework.law.status import AWAITING_HEARING
from casework.law.terms import Term, is_late
from casework.steps import case_file, hearings, intake
from casework.steps.status import applicant_actions
from casework.tables.applications import Application
from casework.texts.i18n import N_, day_and_time, format_day, gettext
from casework.texts.labels import label
from dialogs import states
from dialogs.common import ACTOR, applicant_of, env_of, session_of
from dialogs.documents import on_not_file, receive_file
from dialogs.widgets import LANG_BUTTON, MENU_BUTTON, T, locale_of

RESULTS: dict[str, str] = {
    "written": N_("Your objection is received. It will be considered at the hearing."),
    "oral": N_("Your request to be heard orally is received. Please take part in the hearing."),
    "attend": N_("Thank you. Your attendance at the hearing is confirmed."),
    "remarks": N_("Your remarks on the protocol are received."),
}
LATE_OBJECTION = N_("Sorry, the time to object has passed: the last day was {day}.")
LATE_REMARKS = N_("Sorry, the time for remarks has passed: the last day was {day}.")
# Why attendance cannot be confirmed (casework.steps.hearings.attendance_closed's reason), here
# and under a notice (bot.notice_buttons).
NO_ATTENDANCE: dict[str, str] = {
    "none": N_("No hearing is scheduled."),
    "held": N_("The hearing has already been held."),
    "passed": N_("The time of the hearing has passed."),
    "over": N_("A decision has been made on your application: no hearing is ahead."),
}


async def _case(manager: DialogManager) -> Application:
    return await case_file.load_application(
        session_of(manager), manager.dialog_data["application_id"]
    )


async def on_start(start_data: Any, manager: DialogManager) -> None:
    app_id = (start_data or {}).get("application_id") if isinstance(start_data, dict) else None
    if app_id is None:
        applicant = applicant_of(manager)
        assert applicant is not None
        case = await case_file.visible_case(session_of(manager), applicant)
        assert case is not None
        app_id = case.id
    manager.dialog_data["application_id"] = app_id
    app = await case_file.load_application(session_of(manager), app_id)
    await hearings.refusal_read(session_of(manager), env_of(manager), app)


async def _late(
    message: Message | CallbackQuery, manager: DialogManager, msgid: str, day: Any
) -> None:
    text = gettext(locale_of(manager), msgid, day=format_day(day, locale_of(manager)))
    if isinstance(message, CallbackQuery):
        assert message.message is not None
        await message.message.answer(text)
        manager.show_mode = ShowMode.SEND  # the screen again below the message, buttons last
    else:
        await message.answer(text)


async def on_write(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    app, env = await _case(manager), env_of(manager)
    deadline = app.deadline(Term.OBJECTION)
    if deadline is not None and is_late(env.calendar, deadline, env.now()):
        # Say it before they type a long text, not after.
        await _late(callback, manager, LATE_OBJECTION, deadline)
        return
    await manager.switch_to(states.Objection.text)


async def _object(
    event: Message | CallbackQuery,
    manager: DialogManager,
    *,
    text: str | None,
    oral: bool,
    document_ids: list[int] | None = None,
) -> None:
    app = await _case(manager)
    try:
        await hearings.object_to_refusal(
            session_of(manager),
            env_of(manager),
            app,
            text=text,
            oral=oral,
            via="bot",
            document_ids=document_ids or [],
            actor=ACTOR,
        )
    except LateError as exc:
        await _late(event, manager, LATE_OBJECTION, exc.params["deadline"])
        await manager.switch_to(states.Objection.main)
        return
    manager.dialog_data["result"] = "oral" if oral else "written"
    await manager.switch_to(states.Objection.done)


async def on_objection_text(
    message: Message, widget: ManagedTextInput[str], manager: DialogManager, text: str
) -> None:
    # Kept until the applicant has added their documents (or said they have none).
    manager.dialog_data["objection_text"] = text.strip()
    manager.dialog_data["evidence"] = []
    await manager.switch_to(states.Objection.evidence)


async def on_evidence(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    kind = DocumentKind.OBJECTION_EVIDENCE
    upload = await receive_file(message, manager, kind.value)
    if upload is None:
        return
    try:
        document = await intake.attach_document(
            session_of(manager),
            env_of(manager),
            await _case(manager),
            kind=kind,
            file_name=upload.file_name,
            content_type=upload.content_type,
            size=upload.stored.size,
            sha256=upload.stored.sha256,
            storage_path=str(upload.stored.path),
            actor=ACTOR,
        )
    except LateError as exc:
        await _late(message, manager, LATE_OBJECTION, exc.params["deadline"])
        await manager.switch_to(states.Objection.main)
        return
    manager.dialog_data["evidence"] = [*manager.dialog_data.get("evidence", []), document.id]
    locale = locale_of(manager)
    await message.answer(gettext(locale, "Received: {document}", document=label(kind, locale)))


async def on_send_written(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await _object(
        callback,
        manager,
        text=manager.dialog_data.get("objection_text"),
        oral=False,
        document_ids=manager.dialog_data.get("evidence", []),
    )


async def on_oral(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await _object(callback, manager, text=None, oral=True)


async def on_attend(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    try:
        await hearings.confirm_attendance(
            session_of(manager), env_of(manager), await _case(manager)
        )
    except RuleError as exc:  # pressed on a screen from before the hearing
        msgid = NO_ATTENDANCE.get(str(exc.params.get("reason")), NO_ATTENDANCE["none"])
        await callback.answer(gettext(locale_of(manager), msgid), show_alert=True)
        return
    manager.dialog_data["result"] = "attend"
    await manager.switch_to(states.Objection.done)


async def on_read_protocol(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await hearings.read_protocol(session_of(manager), env_of(manager), await _case(manager))
    await manager.switch_to(states.Objection.protocol)


async def on_remarks(
    message: Message, widget: ManagedTextInput[str], manager: DialogManager, text: str
) -> None:
    try:
        await hearings.submit_remarks(
            session_of(manager), env_of(manager), await _case(manager), text, actor=ACTOR
        )
    except LateError as exc:
        await _late(message, manager, LATE_REMARKS, exc.params["deadline"])
        await manager.switch_to(states.Objection.protocol)
        return
    manager.dialog_data["result"] = "remarks"
    await manager.switch_to(states.Objection.done)


# ---------------------------------------------------------------- getters


async def hearing_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    """Only what is true now, and only the buttons the procedure allows now (the use cases
    refuse the rest anyway, for a button pressed on an older screen)."""
    locale, env = locale_of(dialog_manager), env_of(dialog_manager)
    app = await _case(dialog_manager)
    hearing = app.latest_hearing
    assert hearing is not None
    actions = applicant_actions(env, app)
    day, clock = day_and_time(hearing.scheduled_at, env.calendar.tz)
    objection_due = app.deadline(Term.OBJECTION)
    protocol = hearing.protocol
    remarks_due = app.deadline(Term.PROTOCOL_REMARKS)
    ahead = hearing.held_at is None and hearing.scheduled_at > env.now()
    closed_on = objection_due if app.status in AWAITING_HEARING and not actions.may_object else None
    return {
        "number": app.id,
        "grounds": "\n".join(
            f"• {label(RefusalGround(g), locale)}" for g in hearing.refusal_grounds
        ),
        "ahead": ahead,
        "day": format_day(day, locale),
        "time": clock,
        "mode": label(hearing.mode, locale),
        "details": (hearing.details or "") if ahead else "",
        "held": format_day(hearing.held_at, locale, tz=env.district.timezone)
        if hearing.held_at
        else "",
        "can_object": actions.may_object,
        "can_attend": actions.may_attend,
        "objection_due": format_day(objection_due, locale)
        if objection_due and actions.may_object
        else "",
        "objection_closed": format_day(closed_on, locale) if closed_on else "",
        "has_protocol": protocol is not None and actions.may_read_protocol,
        "protocol": protocol.text if protocol is not None else "",
        "remarks_due": format_day(remarks_due, locale)
        if remarks_due and actions.may_remark
        else "",
        "can_remark": actions.may_remark,
    }


async def evidence_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    count = len(dialog_manager.dialog_data.get("evidence", []))
    return {"count": count, "added": count > 0, "none_added": count == 0}


async def done_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    msgid = RESULTS[dialog_manager.dialog_data["result"]]
    return {"result": gettext(locale_of(dialog_manager), msgid)}


def dialog() -> Dialog:
    # Built per dispatcher: an aiogram router can belong to one parent only.
    return Dialog(
        Window(
            T("Preliminary refusal of application No. {number}. Grounds:"),
            Format("{grounds}"),
            T("Hearing: {day} at {time}, {mode}.", when="ahead"),
            Format("{details}", when="details"),
            T("The hearing was held: {held}", when="held"),
            T("You may object until {objection_due} inclusive.", when="objection_due"),
            T(
                "The time to object has passed: the last day was {objection_closed}.",
                when="objection_closed",
            ),
            Column(
                Button(T("✍️ Object in writing"), id="write", on_click=on_write, when="can_object"),
                Button(
                    T("🗣 I want to be heard orally"), id="oral", on_click=on_oral, when="can_object"
                ),
                Button(
                    T("✅ I will attend the hearing"),
                    id="attend",
                    on_click=on_attend,
                    when="can_attend",
                ),
                Button(
                    T("📄 Read the protocol"),
                    id="protocol",
                    on_click=on_read_protocol,
                    when="has_protocol",
                ),
                LANG_BUTTON,
                MENU_BUTTON,
            ),
            state=states.Objection.main,
            getter=hearing_getter,
        ),
        Window(
            T("Write your objection in one message."),
            TextInput(id="objection", on_success=on_objection_text),
            Column(SwitchTo(T("⬅️ Back"), id="back", state=states.Objection.main), LANG_BUTTON),
            state=states.Objection.text,
        ),
        Window(
            T("If you have documents for your objection, send photos or PDF files of them."),
            T("Documents added: {count}", when="added"),
            MessageInput(on_evidence, content_types=[ContentType.PHOTO, ContentType.DOCUMENT]),
            MessageInput(on_not_file),
            Column(
                Button(
                    T("📨 Send without documents"),
                    id="no_docs",
                    on_click=on_send_written,
                    when="none_added",
                ),
                Button(
                    T("✅ Done, send the objection"),
                    id="docs_done",
                    on_click=on_send_written,
                    when="added",
                ),
                LANG_BUTTON,
            ),
            state=states.Objection.evidence,
            getter=evidence_getter,
        ),
        Window(
            Format("{result}"),
            Column(MENU_BUTTON, LANG_BUTTON),
            state=states.Objection.done,
            getter=done_getter,
        ),
        Window(
            T("Hearing protocol:"),
            Format("{protocol}"),
            T("You may send remarks until {remarks_due} inclusive.", when="remarks_due"),
            Column(
                SwitchTo(
                    T("✍️ Send remarks"),
                    id="remark",
                    state=states.Objection.remarks,
                    when="can_remark",
                ),
                SwitchTo(T("⬅️ Back"), id="back", state=states.Objection.main),
                MENU_BUTTON,
            ),
            state=states.Objection.protocol,
            getter=hearing_getter,
        ),
        Window(
            T("Write your remarks on the protocol in one message."),
            TextInput(id="remarks", on_success=on_remarks),
            Column(SwitchTo(T("⬅️ Back"), id="back", state=states.Objection.protocol), LANG_BUTTON),
            state=states.Objection.remarks,
        ),
        on_start=on_start,
    )
