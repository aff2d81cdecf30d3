"""A question to the department, as data: how it comes, how long it may be, how many a day.

A question is a person's own words to the department and never a legal act: not an objection,
not remarks on a protocol, not a confirmation of attendance (SR §15 names those acts and how
they are made). Asking or answering one moves no case and starts or stops no term.
"""

from __future__ import annotations

from enum import StrEnum


class Via(StrEnum):
    """How the question came; the answer goes back the same way."""

    CHAT = "chat"  # the bot
    SMS = "sms"  # a СҰРАҚ / ВОПРОС message to the department's number


# Questions one person may ask in one day of the district's calendar (a Telegram account, or a
# phone by SMS): enough for a real need, few enough that one person cannot flood the staff.
DAILY_LIMIT = 3
# A question's text as stored: a concatenated SMS holds at most 1,600 characters (Twilio), and a
# longer chat message is better said in two questions or by phone.
TEXT_MAX = 2000
# A staff answer: the chat message repeats part of the question (below) and must stay within
# Telegram's 4,096 characters together with the greeting and the department's footer.
ANSWER_MAX = 2000
QUOTE_MAX = 300
