"""The applicant's conversations (aiogram-dialog), one module per flow."""

from aiogram_dialog import Dialog


def all_dialogs() -> list[Dialog]:
    from dialogs import documents, filing, identity, language, objection, status

    return [
        language.dialog(),
        identity.dialog(),
        status.menu(),
        filing.dialog(),
        documents.dialog(),
        status.status(),
        objection.dialog(),
    ]
