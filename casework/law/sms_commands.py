"""The words an applicant may send by SMS, as data, and how a message is read into a command.

People type on whatever keyboard they have: Latin letters that look Cyrillic ("CTATYC"), Kazakh
letters replaced by their Russian neighbours ("карсылык"), soft signs dropped ("помощ"). Both the
words below and what arrives are folded the same way before they are compared.

Only a command word at the very start of a message counts. Anything else ("Рахмет", "Менің
өтінішім қалай?", "Возражений нет") is not a command: it gets the help text and changes nothing.
A question to a person is asked only with its word first ("СҰРАҚ …", "ВОПРОС …"), and is never
guessed from a typo.
A guessed typo may only lead to an answer (status, help), never to an act: the words that change
something (objection, attendance, stop, yes/no) match exactly after folding, or by the typo list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Command(StrEnum):
    STATUS = "status"
    OBJECT = "object"  # a written objection to a preliminary refusal (SR §15, DR §20)
    ATTEND = "attend"  # "I will attend the hearing"
    HELP = "help"
    STOP = "stop"  # no more optional messages (reminders, broadcasts); required notices still go
    YES = "yes"  # the answer to "send your objection?"
    NO = "no"
    # A question to the department (law/questions.py): kept as the person's words, never an act.
    QUESTION = "question"


C = Command
# Every word that names a command, kk and ru first, then transliterations people use.
WORDS: dict[Command, tuple[str, ...]] = {
    C.STATUS: ("статус", "мәртебе", "status", "statys"),
    C.OBJECT: ("қарсылық", "возражение", "возражаю", "возражения", "qarsylyq", "karsylyk"),
    C.ATTEND: ("қатысамын", "приду", "барамын", "qatysamyn", "katysamyn", "pridu"),
    C.HELP: ("көмек", "помощь", "help", "komek", "pomosh"),
    C.STOP: ("стоп", "stop"),
    C.YES: ("иә", "ия", "иа", "да", "yes", "ia", "iya", "da"),
    C.NO: ("жоқ", "нет", "no", "zhok", "jok", "net"),
    C.QUESTION: ("сұрақ", "вопрос", "suraq", "surak", "vopros"),
}
# Misspellings seen often enough to name, beyond what folding already absorbs.
TYPOS: dict[str, Command] = {
    "возрожение": C.OBJECT,
    "вазражение": C.OBJECT,
    "возрожения": C.OBJECT,
    "карсылак": C.OBJECT,
    "катысамн": C.ATTEND,
    "катысаиын": C.ATTEND,
    "прийду": C.ATTEND,
    "прииду": C.ATTEND,
}
# Commands whose words may also be recognised one letter off (a typo, a missing or doubled
# letter, two letters swapped): only those that answer without changing anything.
GUESSABLE = frozenset({C.STATUS, C.HELP})
GUESS_MIN_LENGTH = 5  # shorter words are one letter away from too many others
# Commands that take an application number after the word, and those that take free text.
TAKES_NUMBER = frozenset({C.STATUS, C.OBJECT, C.ATTEND, C.QUESTION})
TAKES_TEXT = frozenset({C.STATUS, C.OBJECT, C.ATTEND, C.HELP, C.QUESTION})
# A message of question marks alone asks for the status.
QUESTION = re.compile(r"^[\s?？]+$")

# The word shown to the applicant in their language, for examples in replies.
SHOWN: dict[Command, dict[str, str]] = {
    C.STATUS: {"kk": "СТАТУС", "ru": "СТАТУС"},
    C.OBJECT: {"kk": "ҚАРСЫЛЫҚ", "ru": "ВОЗРАЖЕНИЕ"},
    C.ATTEND: {"kk": "ҚАТЫСАМЫН", "ru": "ПРИДУ"},
    C.HELP: {"kk": "КӨМЕК", "ru": "ПОМОЩЬ"},
    C.STOP: {"kk": "СТОП", "ru": "СТОП"},
    C.YES: {"kk": "ИӘ", "ru": "ДА"},
    C.NO: {"kk": "ЖОҚ", "ru": "НЕТ"},
    C.QUESTION: {"kk": "СҰРАҚ", "ru": "ВОПРОС"},
}

# Latin letters that look like Cyrillic ones (lower case: folding lower-cases first).
LOOKALIKES = str.maketrans(
    {
        "a": "а",
        "b": "в",
        "c": "с",
        "e": "е",
        "h": "н",
        "i": "и",
        "k": "к",
        "m": "м",
        "o": "о",
        "p": "р",
        "t": "т",
        "x": "х",
        "y": "у",
    }
)
# Kazakh letters typed on a Russian keyboard become their nearest Russian letter; ё is е, and
# the soft and hard signs are often left out.
PLAIN = str.maketrans(
    {
        "ә": "а",
        "ғ": "г",
        "қ": "к",
        "ң": "н",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
        "ё": "е",
        "ь": None,
        "ъ": None,
    }
)


def fold(word: str) -> str:
    """The form words are compared in: lower case, look-alikes and Kazakh letters folded."""
    return word.casefold().translate(LOOKALIKES).translate(PLAIN)


def _exact() -> dict[str, Command]:
    table = {fold(w): c for c, words in WORDS.items() for w in words}
    table.update({fold(w): c for w, c in TYPOS.items()})
    return table


EXACT = _exact()


def one_edit_apart(a: str, b: str) -> bool:
    """One letter changed, added, dropped, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) != 2:
            return len(diff) == 1
        i, j = diff
        return j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def command_for(word: str) -> Command | None:
    folded = fold(word)
    if (found := EXACT.get(folded)) is not None:
        return found
    if len(folded) < GUESS_MIN_LENGTH:
        return None
    guesses = {
        c
        for w, c in EXACT.items()
        if c in GUESSABLE and len(w) >= GUESS_MIN_LENGTH and one_edit_apart(folded, w)
    }
    return guesses.pop() if len(guesses) == 1 else None


@dataclass(frozen=True)
class Parsed:
    command: Command
    number: int | None = None  # the application number written after the word
    text: str = ""  # what follows the word (and the number), as written
    after_word: str = ""  # what follows the word, the number included


_FIRST_WORD = re.compile(r"^[\s\W_]*([^\W\d_]+)(.*)$", re.DOTALL)
# "123", "№123", "№ 123", "N123", "No. 123", "#123"; nine digits at most (an id, not an IIN).
_NUMBER = re.compile(r"^[\s,.:;\-–—]*(?:№|#|[NnНн][OoОо]?\.?)?\s*(\d{1,9})(?!\d)(.*)$", re.DOTALL)
_LEADING = re.compile(r"^[\s,.:;\-–—!]+")


def parse(body: str) -> Parsed | None:
    """The command a message gives, or None: then it is not a command and changes nothing."""
    if QUESTION.match(body):
        return Parsed(C.STATUS)
    match = _FIRST_WORD.match(body)
    if match is None:
        return None
    command = command_for(match.group(1))
    if command is None:
        return None
    rest = match.group(2)
    number = None
    if command in TAKES_NUMBER and (found := _NUMBER.match(rest)):
        number, text = int(found.group(1)), found.group(2)
    else:
        text = rest
    text = _LEADING.sub("", text).strip()
    after_word = _LEADING.sub("", rest).strip()
    if (text or number is not None) and command not in TAKES_TEXT | TAKES_NUMBER:
        return None  # "СТОП" and "ИӘ" stand alone: "Иә, қатысамын" is not a "yes" to an objection
    if text and command not in TAKES_TEXT:
        return None
    return Parsed(command, number, text, after_word)
