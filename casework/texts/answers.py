"""The department's answer to an applicant's question, as the applicant receives it."""

from __future__ import annotations

from casework.texts.words import NoticeFacts, Words


def question_answer(f: NoticeFacts, loc: str) -> Words:
    raise NotImplementedError  # placeholder: filled by the change that sends it
