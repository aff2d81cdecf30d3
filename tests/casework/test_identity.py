import logging
from datetime import date

import pytest

from casework.law.identity import (
    InvalidIIN,
    InvalidPhone,
    PersonalDataFilter,
    iin_birth_date,
    iin_sex,
    mask_iin,
    mask_personal_data,
    mask_phone,
    normalize_phone,
    validate_iin,
)

# Check digits worked out by hand (first pass: weights 1..11, sum mod 11):
# 900101300126: 9·1 + 1·4 + 1·6 + 3·7 + 1·10 + 2·11 = 72; 72 mod 11 = 6.
# 850315401231: 8 + 10 + 0 + 12 + 5 + 30 + 28 + 0 + 9 + 20 + 33 = 155; 155 mod 11 = 1.
# 900101300811 needs the second pass: first 9 + 4 + 6 + 21 + 80 + 11 = 131, mod 11 = 10;
#   second (weights 3,4,5,6,7,8,9,10,11,1,2) 27 + 6 + 8 + 27 + 8 + 2 = 78, mod 11 = 1.
# 85031540061x: first pass 164 mod 11 = 10, second pass 153 mod 11 = 10 → no valid check digit.
VALID = {
    "900101300126": (date(1990, 1, 1), "male"),
    "850315401231": (date(1985, 3, 15), "female"),
    "900101300811": (date(1990, 1, 1), "male"),
    "001229500457": (date(2000, 12, 29), "male"),
    "000229500127": (date(2000, 2, 29), "male"),
    "620408200784": (date(1862, 4, 8), "female"),
}


@pytest.mark.parametrize("iin", VALID)
def test_valid_iin(iin):
    assert validate_iin(iin) == iin
    assert (iin_birth_date(iin), iin_sex(iin)) == VALID[iin]


def test_iin_separators_are_stripped():
    assert validate_iin(" 900101-300126 ") == "900101300126"
    assert validate_iin("9001 0130 0126") == "900101300126"


def reason(raw):
    with pytest.raises(InvalidIIN) as exc:
        validate_iin(raw)
    return exc.value.reason


@pytest.mark.parametrize("last", "012345789")
def test_wrong_check_digit(last):
    assert reason("90010130012" + last) == "checksum"


def test_both_passes_ten_is_never_valid():
    assert {reason(f"85031540061{d}") for d in "0123456789"} == {"checksum"}


@pytest.mark.parametrize(
    "iin",
    [
        "900231300123",  # 31 February (check digit correct)
        "901301300126",  # month 13 (check digit correct)
        "900100300126",  # day 0
        "000229300124",  # 29 Feb 1900: 1900 was not a leap year (check digit correct)
    ],
)
def test_impossible_birth_date(iin):
    assert reason(iin) == "date"


@pytest.mark.parametrize("digit", "0789")
def test_wrong_century_digit(digit):
    assert reason(f"900101{digit}00126") == "century"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "90010130012",
        "9001013001266",
        "90010130012a",
        "ИИН900101300",
        "９００１０１３００１２６",
    ],
)
def test_bad_format(raw):
    assert reason(raw) == "format"


def test_invalid_iin_is_a_value_error():
    with pytest.raises(ValueError):
        iin_sex("900101300127")


@pytest.mark.parametrize(
    "raw",
    [
        "8 701 123 45 67",
        "+7 (701) 1234567",
        "77011234567",
        "87011234567",
        "+7-701-123-45-67",
        "7011234567",
    ],
)
def test_kz_mobile_normalized(raw):
    assert normalize_phone(raw) == "+77011234567"


@pytest.mark.parametrize("raw", ["+7 747 123 45 67", "+7 775 123 45 67", "8 708 123 45 67"])
def test_other_kz_operators(raw):
    assert normalize_phone(raw).startswith("+77")


@pytest.mark.parametrize(
    "raw",
    [
        "8 727 250 00 00",  # Almaty landline
        "+7 7262 43 00 00",  # Taraz landline
        "+7 916 123 45 67",  # Russian mobile
        "+79161234567",
        "+1 650 253 0000",
        "+7 701 123 456",  # too short
        "garbage",
        "",
    ],
)
def test_phone_rejected(raw):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)


def test_masks():
    assert mask_iin("900101300126") == "9001******26"
    assert mask_phone("+77011234567") == "+7701*****67"


def test_mask_free_text_keeps_shape():
    text = "ИИН 900101300126, тел. 8 (701) 123-45-67, +77011234567, заявка 12345"
    assert mask_personal_data(text) == (
        "ИИН 9001******26, тел. 8 (701) ***-**-67, +7701*****67, заявка 12345"
    )


def test_longer_digit_runs_are_left_alone():
    assert mask_personal_data("account 1234567890123456") == "account 1234567890123456"


def test_logging_filter_masks_message_and_args(caplog):
    caplog.handler.addFilter(PersonalDataFilter())
    log = logging.getLogger("komek.test")
    with caplog.at_level(logging.INFO):
        log.info("applicant %s phone %s", "850315401231", "+77011234567")
        log.info("direct 900101300126 / 87011234567")
    assert "850315401231" not in caplog.text
    assert "+77011234567" not in caplog.text
    assert "900101300126" not in caplog.text
    assert "87011234567" not in caplog.text
    assert [r.getMessage() for r in caplog.records] == [
        "applicant 8503******31 phone +7701*****67",
        "direct 9001******26 / 8701*****67",
    ]


def test_logging_filter_masks_tracebacks(caplog):
    caplog.handler.addFilter(PersonalDataFilter())
    log = logging.getLogger("komek.test")
    try:
        validate_iin("900101300127")
    except InvalidIIN:
        try:
            raise RuntimeError("lookup failed for 900101300127")
        except RuntimeError:
            log.exception("failed")
    assert "900101300127" not in caplog.text
    assert "9001******27" in caplog.text
