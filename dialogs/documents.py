"""Documents: the checklist for the chosen ground, uploads checked and stored, then the receipt."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, ContentType, Message
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import ManagedTextInput, MessageInput, TextInput
from aiogram_dialog.widgets.kbd import Button, Column, SwitchTo
from aiogram_dialog.widgets.text import Format

from casework.law.notices import NoticeKind
from casework.law.rules import DocumentKind, Filer, required_documents
from casework.law.status import Status
from casework.steps import accounts, case_file, intake, signing
from casework.steps.codes import CodeError
from casework.steps.notices import render_notice
from casework.system.files import StoredFile, parses_as, store_file
from casework.texts.i18n import N_, gettext
from casework.texts.labels import label
from dialogs import states
from dialogs.common import ACTOR, DraftGone, applicant_of, draft_of, env_of, session_of
from dialogs.widgets import LANG_BUTTON, MENU_BUTTON, T, choice, code_refused, locale_of

# Telegram's Bot API lets a bot download files of up to 20 MB.
MAX_BYTES = 20 * 1024 * 1024
NOT_ACCEPTED = N_("This file type is not accepted. Send a photo or a PDF file.")
TOO_BIG = N_("The file is larger than 20 MB. Send a smaller photo or PDF.")


@dataclass(frozen=True)
class FileType:
    suffix: str
    magic: tuple[bytes, ...]  # how the content must start: the sender's label is not enough


ACCEPTED: dict[str, FileType] = {
    "application/pdf": FileType(".pdf", (b"%PDF-",)),
    "image/jpeg": FileType(".jpg", (b"\xff\xd8\xff",)),
    "image/png": FileType(".png", (b"\x89PNG\r\n\x1a\n",)),
}


async def _draft(manager: DialogManager) -> Any:
    app = await draft_of(manager)
    if app is None or app.ground is None:
        raise DraftGone
    return app


async def on_pick(callback: CallbackQuery, widget: Any, manager: DialogManager, kind: str) -> None:
    manager.dialog_data["kind"] = kind
    await manager.switch_to(states.Documents.upload)


async def _refuse(message: Message, manager: DialogManager, msgid: str) -> None:
    await message.answer(gettext(locale_of(manager), msgid))


@dataclass(frozen=True)
class Upload:
    file_name: str
    content_type: str
    stored: StoredFile


async def receive_file(message: Message, manager: DialogManager, name: str) -> Upload | None:
    """Check a photo or document (type by its content, at most 20 MB) and store it.

    None after telling the applicant, in their language, what is wrong with it. Every upload
    flow uses this one check: the checklist here and the objection's evidence.
    """
    if message.photo:
        item: Any = message.photo[-1]  # the largest size Telegram made
        mime, name = "image/jpeg", f"{name}.jpg"
    else:
        assert message.document is not None
        item = message.document
        mime = (item.mime_type or "").lower()
        name = item.file_name or name
    if mime not in ACCEPTED:
        await _refuse(message, manager, NOT_ACCEPTED)
        return None
    if (item.file_size or 0) > MAX_BYTES:
        await _refuse(message, manager, TOO_BIG)
        return None
    try:
        assert message.bot is not None
        content = (await message.bot.download(item)).read()  # type: ignore[union-attr]
    except TelegramBadRequest:  # "file is too big" when the size was not announced
        await _refuse(message, manager, TOO_BIG)
        return None
    file_type = ACCEPTED[mime]
    if len(content) > MAX_BYTES:
        await _refuse(message, manager, TOO_BIG)
        return None
    # The whole file, not only its first bytes: a PDF with a zip appended starts like a PDF.
    # Parsing a large scan takes a while: off the event loop, so other chats are not held up.
    if not (
        content.startswith(file_type.magic) and await asyncio.to_thread(parses_as, mime, content)
    ):
        await _refuse(message, manager, NOT_ACCEPTED)
        return None
    # The file first, then the row that points at it: a row never names a missing file.
    stored = store_file(
        manager.middleware_data["runtime"].settings.files_dir, content, file_type.suffix
    )
    return Upload(name[:255], mime, stored)


async def on_file(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    locale = locale_of(manager)
    kind = DocumentKind(manager.dialog_data["kind"])
    upload = await receive_file(message, manager, kind.value)
    if upload is None:
        return
    app = await _draft(manager)
    await intake.attach_document(
        session_of(manager),
        env_of(manager),
        app,
        kind=kind,
        file_name=upload.file_name,
        content_type=upload.content_type,
        size=upload.stored.size,
        sha256=upload.stored.sha256,
        storage_path=str(upload.stored.path),
        actor=ACTOR,
    )
    await message.answer(gettext(locale, "Received: {document}", document=label(kind, locale)))
    await manager.switch_to(states.Documents.checklist)


async def on_not_file(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    await message.answer(
        gettext(locale_of(manager), "Please send a photo or a PDF file of the document.")
    )


async def _to_signing(manager: DialogManager) -> None:
    """SR §6: the filing is signed with a code sent to the MCDB-registered phone."""
    app = await _draft(manager)
    try:
        manager.dialog_data["phone"] = await signing.send_code(
            session_of(manager), env_of(manager), app
        )
    except CodeError as exc:
        if exc.params["reason"] == "no_phone":
            await manager.switch_to(states.Documents.no_signing)
            return
        # A code went out less than a minute ago: it is still good.
    await manager.switch_to(states.Documents.sign)


async def on_send(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    app = await _draft(manager)
    if intake.completeness(app, env_of(manager).today()).complete:
        await _to_signing(manager)
    else:
        await manager.switch_to(states.Documents.confirm_incomplete)


async def on_send_anyway(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await _to_signing(manager)


async def on_resend(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    try:
        manager.dialog_data["phone"] = await signing.send_code(
            session_of(manager), env_of(manager), await _draft(manager)
        )
    except CodeError as exc:
        await callback.answer(code_refused(manager, exc), show_alert=True)


async def on_code(
    message: Message, widget: ManagedTextInput[str], manager: DialogManager, code: str
) -> None:
    session, env = session_of(manager), env_of(manager)
    app = await _draft(manager)
    try:
        await signing.sign_with_code(session, env, app, code)
    except CodeError as exc:
        await message.answer(code_refused(manager, exc))
        return
    applicant = applicant_of(manager)
    if applicant is not None and not applicant.telegram_verified and message.from_user:
        # The code reached the phone the MCDB registers to the IIN: that proves the account too.
        await accounts.link(
            session, env, applicant, message.from_user.id, accounts.Proof.SMS_CODE, ACTOR
        )
    await intake.take_in(session, env, app, actor=ACTOR)
    manager.dialog_data["application_id"] = app.id
    await manager.switch_to(states.Documents.receipt)


# ---------------------------------------------------------------- getters


async def checklist_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    locale = locale_of(dialog_manager)
    app = await _draft(dialog_manager)
    check = intake.completeness(app, env_of(dialog_manager).today())
    items = []
    for kind in required_documents(app.ground, app.filer or Filer.SELF):
        mark = "📎" if kind in check.missing else "⌛" if kind in check.expired else "✅"
        items.append((kind.value, f"{mark} {label(kind, locale)}"))
    missing = check.missing + check.expired
    return {
        "items": items,
        "missing": "\n".join(f"• {label(k, locale)}" for k in missing),
        "complete": check.complete,
    }


async def sign_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {"phone": dialog_manager.dialog_data.get("phone", "")}


async def no_signing_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    app = await _draft(dialog_manager)
    provider = env_of(dialog_manager).district.provider
    locale = locale_of(dialog_manager)
    return {
        "number": app.id,
        "address": getattr(provider.address, locale),
        "phone": provider.phone,
    }


async def upload_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    kind = DocumentKind(dialog_manager.dialog_data["kind"])
    return {"document": label(kind, locale_of(dialog_manager))}


async def receipt_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    """The receipt in the words of the notice the outbox keeps for it (shown, not sent again)."""
    app = await case_file.load_application(
        session_of(dialog_manager), dialog_manager.dialog_data["application_id"]
    )
    if app.status is Status.REFUSED_TO_ACCEPT:
        kind, payload = NoticeKind.REFUSAL_TO_ACCEPT, {"missing": app.missing_documents or []}
    else:
        kind, payload = NoticeKind.ACCEPTANCE_RECEIPT, {}
    rendered = render_notice(
        env_of(dialog_manager), app, app.applicant, kind, payload, locale_of(dialog_manager)
    )
    return {"receipt": rendered.body}


def dialog() -> Dialog:
    # Built per dispatcher: an aiogram router can belong to one parent only.
    return Dialog(
        Window(
            T("Send a photo or a PDF file of each document. Tap a document to send it."),
            Column(
                choice("kinds", "items", on_pick),
                Button(T("📨 Send the application"), id="send", on_click=on_send),
                LANG_BUTTON,
                MENU_BUTTON,
            ),
            state=states.Documents.checklist,
            getter=checklist_getter,
        ),
        Window(
            T("Send a photo or a PDF file: {document}"),
            MessageInput(on_file, content_types=[ContentType.PHOTO, ContentType.DOCUMENT]),
            MessageInput(on_not_file),
            Column(
                SwitchTo(T("⬅️ Back"), id="back", state=states.Documents.checklist),
                LANG_BUTTON,
            ),
            state=states.Documents.upload,
            getter=upload_getter,
        ),
        Window(
            T("These documents are still missing:"),
            Format("{missing}"),
            T("If you send now, the application will not be accepted."),
            Column(
                SwitchTo(T("📎 Add the documents"), id="add", state=states.Documents.checklist),
                Button(T("Send anyway"), id="send_anyway", on_click=on_send_anyway),
                LANG_BUTTON,
            ),
            state=states.Documents.confirm_incomplete,
            getter=checklist_getter,
        ),
        Window(
            T(
                "To send the application, sign it with a code. We sent a 6-digit code by SMS "
                "to {phone}. Type it here."
            ),
            TextInput(id="code", on_success=on_code),
            Column(
                Button(T("🔁 Send a new code"), id="resend", on_click=on_resend),
                SwitchTo(T("⬅️ Back"), id="back_to_list", state=states.Documents.checklist),
            ),
            state=states.Documents.sign,
            getter=sign_getter,
        ),
        Window(
            T(
                "No phone is registered to your IIN in the mobile citizens database, so the "
                "application cannot be signed here. Your application No. {number} is kept. Bring "
                "your identity card to the department, the rural akim or a Public Service Centre "
                "and give this number: staff will finish it without writing it again. Address: "
                "{address}. Tel. {phone}"
            ),
            Column(MENU_BUTTON, LANG_BUTTON),
            state=states.Documents.no_signing,
            getter=no_signing_getter,
        ),
        Window(
            Format("{receipt}"),
            Column(MENU_BUTTON, LANG_BUTTON),
            state=states.Documents.receipt,
            getter=receipt_getter,
        ),
    )
