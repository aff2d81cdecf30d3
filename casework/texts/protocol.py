"""The message that the hearing's protocol is ready to read, with the remarks deadline (SR §15)."""

from __future__ import annotations

from casework.texts.words import NoticeFacts, Words


def protocol_ready(f: NoticeFacts, loc: str) -> Words:
    raise NotImplementedError  # placeholder: filled by the change that sends it
