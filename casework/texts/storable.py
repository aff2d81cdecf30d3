"""Text the database can store: PostgreSQL refuses NUL characters, and a lone UTF-16 surrogate
(which JSON can carry as "\\ud800") cannot be encoded at all. Either would otherwise fail deep
in the driver, after the request was accepted."""

from __future__ import annotations


def is_storable(text: str) -> bool:
    return "\x00" not in text and not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def storable(text: str) -> str:
    """The text without what cannot be stored (for messages we must answer, such as an SMS)."""
    if is_storable(text):
        return text
    return "".join(c for c in text if c != "\x00" and not 0xD800 <= ord(c) <= 0xDFFF)
