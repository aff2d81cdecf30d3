"""Callback data of the buttons under chat notices: one definition for the gateway that sends them
and the bot that answers them (`notice:<action>:<application id>`)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class NoticeAction(StrEnum):
    OBJECT = "object"  # opens the objection flow
    ATTEND = "attend"  # confirms attendance at the hearing
    PROTOCOL = "protocol"  # opens the hearing protocol, and remarks on it


class NoticeButton(CallbackData, prefix="notice"):
    action: NoticeAction
    application_id: int
