"""What people read about payments: why an account number was not accepted, in kk and ru."""

from __future__ import annotations

from casework.law.iban import IBANReason
from casework.texts.i18n import LOCALES, N_, gettext

IBAN_PROBLEMS: dict[IBANReason, str] = {
    "format": N_("The account number must be an IBAN: the letters KZ, then 18 digits and letters."),
    "foreign": N_(
        "Assistance is paid only into an account in a Kazakhstan bank: its IBAN starts with KZ."
    ),
    "too_short": N_("The IBAN is too short: a Kazakhstan IBAN has 20 characters."),
    "too_long": N_("The IBAN is too long: a Kazakhstan IBAN has 20 characters."),
    "checksum": N_(
        "The IBAN has a mistake: its check digits do not match. Please compare it with the "
        "bank's document."
    ),
}


def iban_problem(reason: IBANReason, locale: str) -> str:
    return gettext(locale, IBAN_PROBLEMS[reason])


def iban_problems(reason: IBANReason) -> dict[str, str]:
    """The same words in every language, for an answer the reader shows in their own."""
    return {locale: iban_problem(reason, locale) for locale in LOCALES}
