"""What a person reads when a question is not taken, in the bot and by SMS alike."""

from __future__ import annotations

from casework.law.errors import DomainError
from casework.texts.i18n import N_, gettext

# By the reason casework.steps.questions.QuestionRefused gives.
REFUSED = {
    "empty": N_("Please write your question in words."),
    "too_long": N_(
        "The question is too long: at most {limit} characters. Please write it shorter."
    ),
    "too_many": N_(
        "You may ask at most {limit} questions a day. Write again tomorrow, or call the "
        "department: {phone}"
    ),
}
# By SMS an empty question is the word alone: say how to write one.
SMS_EMPTY = N_("Write {word} and then your question in the same SMS.")


def question_refused(loc: str, exc: DomainError, phone: str, *, word: str | None = None) -> str:
    reason = str(exc.params.get("reason"))
    if reason == "empty" and word is not None:
        return gettext(loc, SMS_EMPTY, word=word)
    msgid = REFUSED.get(reason, REFUSED["empty"])
    return gettext(loc, msgid, phone=phone, limit=exc.params.get("limit", ""))
