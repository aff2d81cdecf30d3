"""Who the applicant is: the individual identification number (ЖСН/ИИН) and the mobile phone.

Also the masking used wherever these appear in logs: an IIN reveals a birth date and sex, and a
phone number is a direct contact, so neither should reach log files in full.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Annotated, Literal

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
from pydantic import AfterValidator, BeforeValidator, Field

IINReason = Literal["format", "date", "century", "checksum"]

_FIRST_WEIGHTS = tuple(range(1, 12))
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
# 7th digit → century of birth; odd digits are men, even are women.
# 0 (seen in some sources for foreigners) is rejected: it carries no century, so no birth date can
# be read and the number cannot be checked against the applicant's identity document.
_CENTURY = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}
_SEPARATORS = re.compile(r"[\s\-]")


class InvalidIIN(ValueError):
    def __init__(self, reason: IINReason, message: str) -> None:
        super().__init__(message)
        self.reason: IINReason = reason


def iin_check_digit(digits: str) -> int | None:
    """The control digit for the first 11 digits; None when both passes give 10 (no valid IIN)."""
    values = [int(d) for d in digits[:11]]
    for weights in (_FIRST_WEIGHTS, _SECOND_WEIGHTS):
        result = sum(v * w for v, w in zip(values, weights, strict=True)) % 11
        if result != 10:
            return result
    return None


def _birth_date(iin: str) -> date:
    century = _CENTURY.get(int(iin[6]))
    if century is None:
        raise InvalidIIN("century", f"IIN century digit must be 1–6, got {iin[6]}")
    try:
        return date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        raise InvalidIIN("date", f"IIN birth date {iin[0:6]} does not exist") from None


def validate_iin(raw: str) -> str:
    """Return the 12-digit IIN from user input (spaces and dashes allowed) or raise InvalidIIN."""
    iin = _SEPARATORS.sub("", raw)
    # isascii: str.isdigit also accepts other scripts' digits, which int() would quietly convert.
    if len(iin) != 12 or not (iin.isascii() and iin.isdigit()):
        raise InvalidIIN("format", "IIN must be exactly 12 digits")
    _birth_date(iin)
    if iin_check_digit(iin) != int(iin[11]):
        raise InvalidIIN("checksum", "IIN check digit does not match")
    return iin


def iin_birth_date(iin: str) -> date:
    return _birth_date(validate_iin(iin))


def iin_sex(iin: str) -> Literal["male", "female"]:
    return "male" if int(validate_iin(iin)[6]) % 2 else "female"


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw: str) -> str:
    """A Kazakhstan mobile number in E.164 (+77…), or InvalidPhone.

    +7 is shared with Russia; the library's numbering plan tells the two apart (KZ owns 6xx/7xx),
    and only mobiles are accepted because notices go out by SMS.
    """
    try:
        number = phonenumbers.parse(raw, "KZ")
    except NumberParseException as exc:
        raise InvalidPhone(f"not a phone number: {exc}") from None
    # The cheap checks first: a list of 100,000 numbers goes through here. number_type is
    # UNKNOWN for an invalid number, so validity is asked only to explain a refusal.
    kz = phonenumbers.region_code_for_number(number) == "KZ"
    if kz and phonenumbers.number_type(number) == PhoneNumberType.MOBILE:
        return phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("not a valid phone number")
    raise InvalidPhone("not a mobile number" if kz else "not a Kazakhstan number")


# The same checks as pydantic types, for request bodies and imported rows alike.
IIN = Annotated[str, AfterValidator(validate_iin), Field(title="IIN")]
Phone = Annotated[str, AfterValidator(normalize_phone), Field(title="phone")]
# A phone that may be left blank: an empty cell or field means none was given.
OptionalPhone = Annotated[Phone | None, BeforeValidator(lambda value: value or None)]


def _mask_digits(text: str, keep_head: int, keep_tail: int) -> str:
    """Star every digit except the first keep_head and last keep_tail; other characters stay."""
    total = sum(c.isdigit() for c in text)
    seen = 0
    out = []
    for c in text:
        if c.isdigit():
            seen += 1
            if keep_head < seen <= total - keep_tail:
                c = "*"
        out.append(c)
    return "".join(out)


def mask_iin(iin: str) -> str:
    """'900101300126' → '9001******26': enough to tell records apart, not the birth date."""
    return _mask_digits(iin, 4, 2)


def mask_phone(phone: str) -> str:
    """'+77011234567' → '+7701*****67': country/trunk digit and operator code, last two digits."""
    return _mask_digits(phone, 4, 2)


# 12 digits standing alone; an IIN inside a longer digit run is some other number.
_IIN_RE = re.compile(r"(?<!\d)\d{12}(?!\d)")
# +7 / 8 / bare 7, then ten digits, optionally grouped with spaces, dashes or brackets.
_PHONE_RE = re.compile(r"(?<![\d+])(?:\+7|8|7)(?:[\s\-()]*\d){10}(?!\d)")


def mask_personal_data(text: str) -> str:
    text = _IIN_RE.sub(lambda m: mask_iin(m.group()), text)
    return _PHONE_RE.sub(lambda m: mask_phone(m.group()), text)


class PersonalDataFilter(logging.Filter):
    """Masks IINs and phone numbers in log records; install on handlers (it never drops records).

    The message is rendered here with its args so that values passed as arguments are masked too;
    the traceback text is rendered and masked as well, since exception messages often carry input.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_personal_data(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        return True
