"""The words of each reminder (law/reminders.py says when each is due)."""

from __future__ import annotations

from casework.texts.words import NoticeFacts, Words


def reminder(f: NoticeFacts, loc: str) -> Words:
    raise NotImplementedError  # placeholder: filled by the change that sends it
