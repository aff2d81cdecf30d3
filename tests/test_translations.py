"""Every message the code can show exists in Kazakh and in Russian."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from casework.texts.i18n import LOCALES, translations

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("casework", "gateway", "bot", "dialogs")
# gettext(locale, msg, ...): the message is not the
# first argument, so the keyword spec names its position.
KEYWORDS = {"N_": None, "gettext": (2,), "T": None}


def _message_ids() -> set[str]:
    ids: set[str] = set()
    for package in PACKAGES:
        method_map = [("**.py", "python")]
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / package, method_map=method_map, keywords=KEYWORDS
        ):
            ids.update(m for m in (message if isinstance(message, tuple) else (message,)) if m)
    return ids


MESSAGES = sorted(_message_ids())


def test_there_are_messages_to_check() -> None:
    assert len(MESSAGES) > 50


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated(locale: str) -> None:
    catalog = translations(locale)._catalog
    missing = [m for m in MESSAGES if not catalog.get(m) and not catalog.get((m, 0))]
    assert not missing, f"{locale}: {len(missing)} untranslated: {missing[:10]}"
