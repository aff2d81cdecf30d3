"""The department's answer to an applicant's question, as the applicant receives it.

The chat repeats the question (its start, `QUOTE_MAX`) and gives the whole answer. The SMS gives
the whole answer when it fits two UCS-2 parts; a longer one is cut after the last whole word
that fits, marked "…", and ends with the department's phone to hear the rest: a second or third
SMS part would cost the reader and still not hold every answer staff may write (ANSWER_MAX).
"""

from __future__ import annotations

from casework.law.questions import QUOTE_MAX
from casework.texts.i18n import N_, gettext
from casework.texts.words import SMS_LIMIT, NoticeFacts, Words, lines, sms_units

SMS = N_("Answer to your question on application No. {number}: {answer}")
MORE = N_("More: {phone}")


def quoted(text: str) -> str:
    """The start of the person's question, as the answer repeats it."""
    flat = " ".join(text.split())
    return flat if len(flat) <= QUOTE_MAX else flat[: QUOTE_MAX - 1].rstrip() + "…"


def sms_room(number: int, loc: str) -> int:
    """How many characters of an answer the SMS carries whole (staff see it before answering)."""
    return SMS_LIMIT - sms_units(gettext(loc, SMS, number=number, answer=""))


def answer_sms(number: int, answer: str, phone: str, loc: str) -> str:
    """The answer's SMS; `phone` (compact) is where to hear the rest of a cut one."""
    flat = " ".join(answer.split())
    whole = gettext(loc, SMS, number=number, answer=flat)
    if sms_units(whole) <= SMS_LIMIT:
        return whole
    more = gettext(loc, MORE, phone=phone)

    def cut(kept: str) -> str:
        return f"{gettext(loc, SMS, number=number, answer=kept.rstrip(' ,.;:—-') + '…')} {more}"

    kept = ""
    for word in flat.split(" "):
        longer = f"{kept} {word}".strip()
        if sms_units(cut(longer)) > SMS_LIMIT:
            break
        kept = longer
    if not kept:  # one word longer than the room (a link): its first letters
        while len(kept) < len(flat) and sms_units(cut(kept + flat[len(kept)])) <= SMS_LIMIT:
            kept += flat[len(kept)]
    return cut(kept)


def question_answer(f: NoticeFacts, loc: str) -> Words:
    answer = str(f.payload.get("answer", ""))
    question = str(f.payload.get("question", ""))
    asked = lines(
        gettext(loc, "Your question on application No. {number}:", number=f.number),
        f"«{quoted(question)}»" if question else None,
    )
    reply = lines(gettext(loc, "The department's answer:"), answer)
    text = f"{asked}\n\n{reply}"
    sms = answer_sms(f.number, answer, f.district.provider.compact_phone, loc)
    return Words(gettext(loc, "Answer to your question"), text, sms)
