"""Every text a console page shows exists in Kazakh and Russian, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from casework.texts.i18n import LOCALES, translations

TEMPLATES = Path(__file__).resolve().parents[2] / "gateway" / "console" / "templates"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _template_ids() -> set[str]:
    found = extract_from_dir(
        TEMPLATES,
        method_map=[("**.html", "jinja2.ext:babel_extract")],
        keywords={"t": None},
        options_map={"**.html": {"extensions": "jinja2.ext.do"}},
    )
    return {message for _f, _l, message, _c, _x in found if isinstance(message, str)}


IDS = sorted(_template_ids())


def test_the_templates_have_texts_to_check() -> None:
    assert len(IDS) > 20
    assert "Sign in to the staff console" in IDS


@pytest.mark.parametrize("locale", LOCALES)
def test_every_template_text_is_translated_with_its_placeholders(locale: str) -> None:
    catalog = translations(locale)._catalog
    missing = [m for m in IDS if not catalog.get(m)]
    assert not missing, f"{locale}: untranslated: {missing[:10]}"
    wrong = [
        m for m in IDS if set(_PLACEHOLDER.findall(m)) != set(_PLACEHOLDER.findall(catalog[m]))
    ]
    assert not wrong, f"{locale}: placeholders differ: {wrong[:10]}"
