"""A person's name as the identity card writes it: surname, name, patronymic (Тегі, Аты, Әкесінің
аты). Letters of one script per word (Cyrillic, with the Kazakh letters, or Latin), a hyphen
inside a double name, an apostrophe; nothing else, so a nickname or an emoji never reaches a
notice or a payment register.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

NameReason = Literal["empty", "letters", "parts", "length", "script"]

# The columns hold 100 characters; no real name comes near, so a longer one is a mistake.
MAX_PART = 60
MAX_WORDS = 5  # surname, name, a patronymic of up to three words ("Нұрлан ұлы")
# Apostrophes people type: ASCII, the typographic one, the modifier letter.
APOSTROPHES = "'’ʼ"
_WORD = re.compile(rf"^[^\W\d_]+(?:[-{APOSTROPHES}][^\W\d_]+)*$")
# The word after a father's name in a Kazakh patronymic stays lower-case ("Нұрлан ұлы").
PATRONYMIC_SUFFIXES = frozenset({"ұлы", "қызы", "улы", "кызы", "uly", "qyzy"})


class InvalidName(ValueError):
    def __init__(self, reason: NameReason, message: str) -> None:
        super().__init__(message)
        self.reason: NameReason = reason


@dataclass(frozen=True)
class PersonName:
    last_name: str
    first_name: str
    middle_name: str | None

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


def _script(word: str) -> str | None:
    """'cyrillic', 'latin', or None for any other letters."""
    scripts = set()
    for ch in word:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        if name.startswith("CYRILLIC"):
            scripts.add("cyrillic")
        elif name.startswith("LATIN"):
            scripts.add("latin")
        else:
            return None
    return scripts.pop() if len(scripts) == 1 else None


def _capitalised(word: str) -> str:
    """'сейітқали-әлиева' → 'Сейітқали-Әлиева'; a word typed in mixed case stays as typed."""
    if word.lower() in PATRONYMIC_SUFFIXES:
        return word.lower()
    if not (word.islower() or word.isupper()):
        return word
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


def parse_person_name(raw: str) -> PersonName:
    """Surname, name and (if any) patronymic from one line, in the identity card's order."""
    words = unicodedata.normalize("NFC", raw).split()
    if not words:
        raise InvalidName("empty", "no name given")
    for word in words:
        if not _WORD.match(word):
            raise InvalidName("letters", f"not a name: {word!r}")
        if _script(word) is None:
            raise InvalidName("script", f"letters of one alphabet per word: {word!r}")
        if len(word) > MAX_PART:
            raise InvalidName("length", f"a word of {len(word)} letters")
    if not 2 <= len(words) <= MAX_WORDS:
        raise InvalidName("parts", f"{len(words)} words: a surname and a name are needed")
    words = [_capitalised(w) for w in words]
    middle = " ".join(words[2:]) or None
    if middle is not None and len(middle) > MAX_PART:
        raise InvalidName("length", f"a patronymic of {len(middle)} characters")
    return PersonName(last_name=words[0], first_name=words[1], middle_name=middle)
