"""Every message the code can show exists in Kazakh and in Russian, and fills the same blanks."""

from __future__ import annotations

from pathlib import Path
from string import Formatter

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from casework.texts.i18n import LOCALES, LOCALES_DIR, translations

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


def placeholders(text: str) -> set[str]:
    """The {names} a text fills: "{item[1]}" is the name "item"."""
    names = set()
    for _literal, field, _spec, _conversion in Formatter().parse(text):
        if field is not None:
            names.add(field.split("[")[0].split(".")[0])
    return names


def _catalog_entries(locale: str) -> list[tuple[str, str, str]]:
    """(file, msgid, msgstr) of every translated entry of one language's catalogs."""
    entries = []
    for po in sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            for message in read_po(fh, locale=locale):
                if message.id and isinstance(message.id, str) and message.string:
                    entries.append((po.name, message.id, str(message.string)))
    return entries


def test_there_are_messages_to_check() -> None:
    assert len(MESSAGES) > 50


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated(locale: str) -> None:
    catalog = translations(locale)._catalog
    missing = [m for m in MESSAGES if not catalog.get(m) and not catalog.get((m, 0))]
    assert not missing, f"{locale}: {len(missing)} untranslated: {missing[:10]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_translation_fills_the_blanks_of_its_message(locale: str) -> None:
    """A {name} the translation lacks is a value the reader never sees (a date, a phone); one
    the message lacks stops the text with a KeyError in front of them."""
    wrong = []
    for file, msgid, msgstr in _catalog_entries(locale):
        try:
            if placeholders(msgid) != placeholders(msgstr):
                wrong.append(f"{file}: {msgid!r} → {msgstr!r}")
        except ValueError as exc:  # an unmatched brace
            wrong.append(f"{file}: {msgid!r} → {msgstr!r}: {exc}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_message_in_two_catalogs_reads_the_same_in_both(locale: str) -> None:
    """The catalogs of one language are merged: a message translated twice would read as
    whichever file happens to load last."""
    seen: dict[str, tuple[str, str]] = {}
    differ = []
    for file, msgid, msgstr in _catalog_entries(locale):
        first = seen.setdefault(msgid, (file, msgstr))
        if first[1] != msgstr:
            differ.append(f"{msgid!r}: {first[0]} {first[1]!r} / {file} {msgstr!r}")
    assert not differ, "\n".join(differ)


def test_the_placeholders_are_read_as_gettext_fills_them() -> None:
    assert placeholders("{member}: {item[1]}, {a.b}") == {"member", "item", "a"}
    assert placeholders("Тел. {phone}") == {"phone"}
    assert placeholders("no blanks") == set()
