"""SMS segment counting (3GPP TS 23.038): GSM-7 when every character fits, UCS-2 otherwise.

Kazakh and Russian Cyrillic is UCS-2: 70 characters fit one SMS, 67 per part when split (the
rest of each part carries the concatenation header). GSM-7: 160 in one, 153 per part, and the
extension table's characters take two septets.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SmsSize:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def _utf16_units(text: str) -> int:
    return sum(2 if ord(c) > 0xFFFF else 1 for c in text)


def measure(text: str) -> SmsSize:
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        units = sum(2 if c in GSM7_EXTENSION else 1 for c in text)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        units = _utf16_units(text)
        single, part, encoding = 70, 67, "UCS-2"
    if units <= single:
        return SmsSize(encoding, units, 1 if units else 0)
    return SmsSize(encoding, units, -(-units // part))


def segments(text: str) -> int:
    return measure(text).segments
