"""Where the Telegram assistant keeps each chat's position (aiogram FSM state and data).

Only the position lives here: the answers themselves are saved to the draft application as they
are given, so losing this table loses a place in a flow, never an answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.tables.base import Base, UTCDateTime


class Conversation(Base):
    __tablename__ = "conversations"

    # aiogram's storage key rendered as text: bot, chat, user and destiny (see bot/storage.py).
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
