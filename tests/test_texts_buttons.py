"""Every button label fits: Telegram cuts a label longer than about 40 characters with "…",
and an elderly reader cannot guess the rest.

The labels are found in the source, as the bot builds its keyboards: the text given to each
aiogram-dialog button widget and to each inline or reply keyboard button of aiogram, in T(...),
Const(...) or gettext(...). The values the bot offers as a list of buttons (Select) are labels
too: their names are checked with the mark the list puts before them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from casework.law.rules import DocumentKind, Filer, Ground
from casework.texts.i18n import LOCALES, gettext
from casework.texts.labels import label

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("dialogs", "bot", "gateway")
LIMIT = 40

# Widgets whose first argument (Radio, Checkbox: first two) or `text=` is a button label.
BUTTON_WIDGETS = {
    # aiogram-dialog
    "Button",
    "Start",
    "SwitchTo",
    "Next",
    "Back",
    "Cancel",
    "Url",
    "WebApp",
    "SwitchInlineQuery",
    "SwitchInlineQueryCurrentChat",
    "RequestContact",
    "RequestLocation",
    "Select",
    "Multiselect",
    "Radio",
    "Checkbox",
    "Toggle",
    # aiogram
    "InlineKeyboardButton",
    "KeyboardButton",
}
# How a label is written: translated (T, gettext, N_) or as it stands (Const).
TRANSLATED = {"T": 0, "N_": 0, "gettext": 1}
AS_IS = {"Const": 0}

# Values offered as a list of buttons, with the mark before each (dialogs/filing.py: who files
# and the ground; dialogs/documents.py: each document of the checklist, "📎"/"⌛"/"✅" first).
CHOICES: dict[type, str] = {Filer: "", Ground: "", DocumentKind: "📎 "}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _module_strings(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level NAME = <expr>: a label may be kept in a constant first."""
    found: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                found[target.id] = node.value
    return found


def _label_of(node: ast.expr, constants: dict[str, ast.expr]) -> tuple[str, bool] | None:
    """(text, translated) of a label expression, or None when it is built from data."""
    if isinstance(node, ast.Name) and node.id in constants:
        return _label_of(constants[node.id], constants)
    if not isinstance(node, ast.Call):
        return None
    name = _name(node.func)
    position = TRANSLATED.get(name or "", AS_IS.get(name or ""))
    if position is None or len(node.args) <= position:
        return None
    argument = node.args[position]
    if isinstance(argument, ast.Name) and argument.id in constants:
        argument = constants[argument.id]
        if isinstance(argument, ast.Call) and _name(argument.func) == "N_" and argument.args:
            argument = argument.args[0]
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return argument.value, name in TRANSLATED
    return None


def button_labels() -> Iterator[tuple[str, str, bool]]:
    """(where, text, translated) of every button label written in the source."""
    for package in SOURCES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            constants = _module_strings(tree)
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and _name(node.func) in BUTTON_WIDGETS):
                    continue
                count = 2 if _name(node.func) in ("Radio", "Checkbox") else 1
                texts = [*node.args[:count], *(k.value for k in node.keywords if k.arg == "text")]
                for text in texts:
                    found = _label_of(text, constants)
                    if found is not None:
                        where = f"{path.relative_to(ROOT)}:{text.lineno}"
                        yield where, *found


LABELS = sorted(set(button_labels()))


def test_the_source_is_read_for_button_labels() -> None:
    # The menu, filing, documents, objection and the notices' inline buttons have dozens.
    assert len(LABELS) > 20, LABELS
    texts = {text for _where, text, _translated in LABELS}
    assert {"⬅️ Back", "🏠 Main menu", "Object", "I will attend"} <= texts


@pytest.mark.parametrize("locale", LOCALES)
def test_every_button_label_fits(locale: str) -> None:
    too_long = [
        f"{where}: {shown!r} ({len(shown)})"
        for where, text, translated in LABELS
        if len(shown := gettext(locale, text) if translated else text) > LIMIT
    ]
    assert not too_long, "\n".join(too_long)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("values", list(CHOICES), ids=lambda e: e.__name__)
def test_every_choice_offered_as_a_button_fits(locale: str, values: type) -> None:
    mark = CHOICES[values]
    too_long = [
        f"{mark}{label(v, locale)} ({len(mark + label(v, locale))})"
        for v in values
        if len(mark + label(v, locale)) > LIMIT
    ]
    assert not too_long, "\n".join(too_long)
