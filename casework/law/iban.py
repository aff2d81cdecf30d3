"""Where assistance is paid: the recipient's Kazakhstan bank account (IBAN), DR §23, §32.

The State Corporation pays only into accounts in Kazakhstan: a KZ IBAN is 20 characters (KZ, two
check digits, a 3-digit bank code, a 13-character account). The check digits and the bank come
from schwifty, a maintained IBAN library with the National Bank's bank-code registry; a bank
code the registry does not know is still accepted (the check digits hold, and a new bank must not
stop a payment) and shown without a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from schwifty import IBAN
from schwifty.exceptions import InvalidChecksumDigits, SchwiftyException

IBANReason = Literal["format", "foreign", "too_short", "too_long", "checksum"]

KZ_LENGTH = 20
_SPACES = re.compile(r"[\s\-]")
_SHAPE = re.compile(r"[A-Z]{2}[0-9A-Z]*")


class InvalidIBAN(ValueError):
    def __init__(self, reason: IBANReason, message: str) -> None:
        super().__init__(message)
        self.reason: IBANReason = reason


@dataclass(frozen=True)
class BankAccount:
    iban: str
    bank_code: str
    bic: str | None
    bank_name: str | None

    @property
    def masked(self) -> str:
        return mask_iban(self.iban)


def validate_kz_iban(raw: str) -> BankAccount:
    """The account from what was typed (spaces, dashes, lower case allowed) or InvalidIBAN; the
    cheap checks first so the reason names what the person can fix."""
    text = _SPACES.sub("", raw).upper()
    if not _SHAPE.fullmatch(text):
        raise InvalidIBAN("format", "an IBAN is two letters, then digits and letters")
    if not text.startswith("KZ"):
        raise InvalidIBAN("foreign", f"only Kazakhstan accounts (KZ…), not {text[:2]}")
    if len(text) != KZ_LENGTH:
        reason: IBANReason = "too_short" if len(text) < KZ_LENGTH else "too_long"
        raise InvalidIBAN(reason, f"a Kazakhstan IBAN has {KZ_LENGTH} characters, not {len(text)}")
    try:
        iban = IBAN(text)
    except InvalidChecksumDigits:
        raise InvalidIBAN("checksum", "the IBAN's check digits do not match") from None
    except SchwiftyException as exc:
        raise InvalidIBAN("format", f"not a valid IBAN: {exc}") from None
    bic = iban.bic
    return BankAccount(
        iban=iban.compact,
        bank_code=iban.bank_code,
        bic=None if bic is None else str(bic),
        bank_name=iban.bank_name,
    )


def mask_iban(iban: str) -> str:
    """'KZ86125KZT5004100100' → 'KZ••••••••••••••0100': only the last 4, as every view shows it."""
    return iban[:2] + "•" * (len(iban) - 6) + iban[-4:]
