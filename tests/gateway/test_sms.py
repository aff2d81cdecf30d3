"""Segment counts as the operator bills them: Cyrillic is UCS-2 (70/67), Latin GSM-7 (160/153)."""

from gateway.sms import measure, segments


def test_latin_text_is_gsm7() -> None:
    assert measure("a" * 160).encoding == "GSM-7"
    assert segments("a" * 160) == 1
    assert segments("a" * 161) == 2
    assert segments("a" * 306) == 2
    assert segments("a" * 307) == 3


def test_extension_characters_take_two_septets() -> None:
    assert segments("€" * 80) == 1
    assert segments("€" * 81) == 2


def test_kazakh_and_russian_are_ucs2() -> None:
    assert measure("Сәлем").encoding == "UCS-2"
    assert segments("ә" * 70) == 1
    assert segments("ә" * 71) == 2
    assert segments("д" * 134) == 2
    assert segments("д" * 135) == 3
    # One Cyrillic letter makes a whole Latin text UCS-2.
    assert segments("a" * 69 + "қ") == 1
    assert segments("a" * 70 + "қ") == 2
