"""Domain errors as sentences in the clerk's language: the rule broken, its law in words, and the
first day the step becomes lawful (or the last day it was).

The procedure's guards (casework/law/procedure.py) name their rule by a code; each code has one
sentence here, as data. Other domain errors get a sentence of their own by code where one exists,
else a general sentence for their class. Never a code, an enum value or English from the domain.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from casework.law.errors import (
    DomainError,
    IllegalTransition,
    LateError,
    NotFound,
    RuleError,
    Unlawful,
)
from casework.law.procedure import Blocked
from casework.law.status import Status
from casework.texts.i18n import N_, format_day, format_tenge, gettext
from casework.texts.labels import label

# Why a step is not lawful, by the guard's rule code (law/procedure.py GUARDS and step checks).
RULES: dict[str, str] = {
    "inspected_ground": N_(
        "The precinct commission inspects only cases on the grounds the district has it "
        "inspect; this case goes straight to the special commission."
    ),
    "inspection_first": N_("First record the result of the precinct commission's inspection."),
    "income_first": N_(
        "First record the family members' incomes: the per-capita income must be computed."
    ),
    "commission_conclusion": N_("First record the special commission's conclusion."),
    "preliminary_refusal_in_time": N_(
        "It is too late for a preliminary refusal: it is issued no later than 3 working days "
        "before the decision deadline."
    ),
    "hearing_not_held": N_("There is no hearing on this case still to be held."),
    "hearing_time": N_(
        "Choose a hearing time later than now, on a working day within working hours, and no "
        "later than the last day of the decision term."
    ),
    "objection_window": N_("The applicant's 2 working days to object have passed."),
    "remarks_window": N_(
        "The applicant's 3 working days for remarks on the hearing protocol have passed."
    ),
    "income_within_threshold": N_(
        "Assistance on the ground of low income is granted only when the per-capita income is "
        "computed and is not above the threshold."
    ),
    "refusal_notice_period": N_(
        "A refusal is decided no earlier than 3 working days after the preliminary refusal was "
        "issued."
    ),
    "applicant_heard": N_(
        "The applicant must first be heard: their objection heard at the hearing, or the 2 "
        "working days to object over after they received the notice."
    ),
    "protocol_and_remarks": N_(
        "After an oral objection the hearing protocol must be made and read by the applicant, "
        "and their remarks received or the 3 working days for them over."
    ),
    "grounds_heard": N_(
        "A refusal names only the grounds on which the applicant was notified of a preliminary "
        "refusal and could be heard."
    ),
    "income_above_threshold": N_(
        'The ground "per-capita income above the threshold" applies only when the computed '
        "per-capita income is above the threshold."
    ),
    "state": N_('This step is not possible while the case is in the status "{status}".'),
}

# A rule whose words depend on the step it stops (the same code guards two kinds of check).
STEP_RULES: dict[tuple[str, str], str] = {
    ("hearing_time", "hold_hearing"): N_("The hearing cannot be held before its scheduled time."),
}

# Other domain errors with words of their own, by code.
CODES: dict[str, str] = {
    "over_budget": N_(
        "This grant would go over the year's budget for this kind of assistance. Tick the "
        "confirmation to grant it anyway."
    ),
    "not_found": N_("There is no such case or record. Check the number."),
    "print_error": N_("This notice is no longer waiting to be printed and handed over."),
}

# The rest, by the nearest class in the error's lineage.
GENERAL: dict[type[DomainError], str] = {
    NotFound: N_("There is no such case or record. Check the number."),
    LateError: N_("The time allowed for this step has passed."),
    Unlawful: N_("The procedure does not allow this step now."),
    RuleError: N_("This does not meet the rules. Check what you entered."),
    IllegalTransition: N_("This cannot be done in the case's current status."),
    DomainError: N_("This cannot be done in the case's current status."),
}

BASIS = N_("Basis: {law}.")
LAWFUL_FROM = N_("It becomes possible from {date}.")
LAST_DAY = N_("The last day for it was {date}.")
AMOUNT = N_("The amount must be above zero and no more than {ceiling} per payment.")

# The law's short references (SR §15, DR §8 item 4, APPC art. 73(3)) in the reader's words.
SOURCES: dict[str, str] = {
    "SR": N_("Rules of the public service"),
    "DR": N_("District rules of social assistance"),
    "APPC": N_("Administrative Procedural Code of Kazakhstan"),
}
PARAGRAPH = N_("paragraph {n}")
PARAGRAPH_ITEM = N_("paragraph {n}, item {item}")
ARTICLE = N_("article {n}")
ARTICLE_PART = N_("article {n}, part {part}")

_TOKEN = re.compile(
    r"(?P<source>SR|DR|APPC)\b|§(?P<par>\d+)(?: item (?P<item>\d+))?|"
    r"art\. (?P<art>\d+)(?:\((?P<part>\d+)\))?"
)


def law_words(law: str, locale: str) -> str:
    """'SR §15, DR §20; APPC art. 73(3)' as the clerk reads it; unknown text stays as it is."""
    groups: list[tuple[str, list[str]]] = []
    for m in _TOKEN.finditer(law):
        if m["source"]:
            groups.append((m["source"], []))
        elif not groups:
            return law
        elif m["par"]:
            n = m["par"]
            if m["item"]:
                groups[-1][1].append(gettext(locale, PARAGRAPH_ITEM, n=n, item=m["item"]))
            else:
                groups[-1][1].append(gettext(locale, PARAGRAPH, n=n))
        else:
            n = m["art"]
            if m["part"]:
                groups[-1][1].append(gettext(locale, ARTICLE_PART, n=n, part=m["part"]))
            else:
                groups[-1][1].append(gettext(locale, ARTICLE, n=n))
    if not groups or any(not refs for _, refs in groups):
        return law
    return "; ".join(
        f"{gettext(locale, SOURCES[source])}, {', '.join(refs)}" for source, refs in groups
    )


def rule_sentence(
    rule: str, locale: str, *, step: str | None = None, current: str | None = None
) -> str | None:
    """The sentence for a guard's rule code, or None for a code without one."""
    message = STEP_RULES.get((rule, step or "")) or RULES.get(rule)
    if message is None:
        return None
    if rule == "state":
        return gettext(locale, message, status=_status(current, locale))
    return gettext(locale, message)


def blocked_sentence(reason: Blocked, locale: str, *, step: str | None = None) -> str:
    """Why a step waits or is blocked, with its law (the first lawful day is shown apart)."""
    sentence = rule_sentence(reason.rule, locale, step=step) or gettext(locale, GENERAL[Unlawful])
    if reason.rule == "state" or not reason.law:
        return sentence
    return f"{sentence} {gettext(locale, BASIS, law=law_words(reason.law, locale))}"


def explain(exc: DomainError, locale: str) -> str:
    """The error as one or a few sentences in `locale`: never a code or the domain's English."""
    params: Mapping[str, object] = exc.params
    rule = params.get("rule")
    current = params.get("current")
    if isinstance(rule, str):
        step = params.get("step")
        sentence = rule_sentence(
            rule,
            locale,
            step=step if isinstance(step, str) else None,
            current=current if isinstance(current, str) else None,
        )
        if sentence is not None:
            parts = [sentence]
            law = params.get("law")
            if isinstance(law, str) and rule != "state":
                parts.append(gettext(locale, BASIS, law=law_words(law, locale)))
            deadline = _day(params.get("deadline"))
            lawful_from = _day(params.get("lawful_from"))
            if isinstance(exc, LateError) and deadline is not None:
                parts.append(gettext(locale, LAST_DAY, date=format_day(deadline, locale)))
            elif lawful_from is not None:
                when = format_day(lawful_from, locale, case="ablative")
                parts.append(gettext(locale, LAWFUL_FROM, date=when))
            return _sentences(parts)
    if exc.code == "invalid_iban":
        messages = params.get("messages")
        if isinstance(messages, Mapping) and isinstance(messages.get(locale), str):
            return str(messages[locale])
    if exc.code in CODES:
        return gettext(locale, CODES[exc.code])
    ceiling = _money(params.get("ceiling"))
    if ceiling is not None:
        return gettext(locale, AMOUNT, ceiling=format_tenge(ceiling, locale))
    if isinstance(current, str) and type(exc) in (DomainError, IllegalTransition):
        return gettext(locale, RULES["state"], status=_status(current, locale))
    for cls in type(exc).__mro__:
        if cls in GENERAL:
            return gettext(locale, GENERAL[cls])
    return gettext(locale, GENERAL[DomainError])


def _sentences(parts: list[str]) -> str:
    """One text of several sentences; a date that ends in a point ("2026 г.") ends its sentence."""
    return " ".join(part[:-1] if part.endswith("..") else part for part in parts)


def _status(value: str | None, locale: str) -> str:
    try:
        return label(Status(value or ""), locale)
    except ValueError:
        return "—"


def _day(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _money(value: object) -> Decimal | None:
    if isinstance(value, Decimal | int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    return None
