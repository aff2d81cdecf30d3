"""Notices the law requires, the ways they travel, and the one table of moves a notice may make.

SR §15, DR §21: a decision reaches the applicant by SMS to a phone the mobile citizens database
registers to them, in the chat when they filed through the portal (the bot), and on paper at the
office when neither applies or an electronic channel fails for good.
"""

from __future__ import annotations

from enum import StrEnum


class NoticeKind(StrEnum):
    ACCEPTANCE_RECEIPT = "acceptance_receipt"
    REFUSAL_TO_ACCEPT = "refusal_to_accept"
    PRELIMINARY_REFUSAL = "preliminary_refusal"
    HEARING_INVITATION = "hearing_invitation"
    DECISION_GRANTED = "decision_granted"
    DECISION_REFUSED = "decision_refused"
    TERMINATION = "termination"
    HOLIDAY_ASSISTANCE = "holiday_assistance"
    SIGNING_CODE = "signing_code"  # the one-time code that certifies a bot filing (SR §6)
    LINK_CODE = "link_code"  # the one-time code that proves a Telegram account is the IIN's
    PAYMENT_RETURNED = "payment_returned"  # the bank sent a payment back (DR §33)
    PROTOCOL_READY = "protocol_ready"  # the hearing's protocol may be read; remarks until a date
    REMINDER = "reminder"  # optional: a term or a step the applicant should not miss
    QUESTION_ANSWER = "question_answer"  # the department's answer to an applicant's question


K = NoticeKind
# Delivering these moves the case: the objection window starts at receipt of the preliminary
# refusal, and a decision is "notified" once its notice reached the applicant.
REFUSAL_RECEIPT_KINDS = frozenset({K.PRELIMINARY_REFUSAL})
DECISION_KINDS = frozenset({K.DECISION_GRANTED, K.DECISION_REFUSED})
CASE_MOVING_KINDS = REFUSAL_RECEIPT_KINDS | DECISION_KINDS
# Receipts the bot shows on its own screen at filing time: recorded as delivered, not sent again.
RECEIPT_KINDS = frozenset({K.ACCEPTANCE_RECEIPT, K.REFUSAL_TO_ACCEPT})
# Sent by SMS to the MCDB-registered phone only, never printed: a code nobody typed is worthless,
# and a new one is asked for in the bot.
SMS_ONLY_KINDS = frozenset({K.SIGNING_CODE, K.LINK_CODE})
# Optional messages: the applicant may stop them (СТОП), and they are never printed.
OPTIONAL_KINDS = frozenset({K.REMINDER})
# Kinds that speak of the case's hearing, and those that speak of its decision.
HEARING_KINDS = frozenset({K.PRELIMINARY_REFUSAL, K.HEARING_INVITATION})


class NoticeChannel(StrEnum):
    SMS = "sms"
    CHAT = "chat"
    PRINT = "print"


class ChannelReason(StrEnum):
    """Why a notice goes the way it goes (SR §15, DR §21), kept on the row for staff to see."""

    MCDB_REGISTERED = "mcdb_registered"
    FILED_IN_BOT = "filed_in_bot"
    NO_REGISTERED_PHONE = "no_registered_phone"
    SMS_FAILED = "sms_failed"
    CHAT_FAILED = "chat_failed"
    SHOWN_WHEN_FILED = "shown_when_filed"
    ASKED_THERE = "asked_there"  # an answer goes back the way its question came


# An electronic channel that failed for good falls back to print, and says which failed.
FALLBACK_REASON: dict[NoticeChannel, ChannelReason] = {
    NoticeChannel.SMS: ChannelReason.SMS_FAILED,
    NoticeChannel.CHAT: ChannelReason.CHAT_FAILED,
}


class NoticeStatus(StrEnum):
    QUEUED = "queued"  # waiting for its due time (first try or a retry)
    SENDING = "sending"  # claimed under a lease; another worker takes it over if the lease lapses
    SENT = "sent"  # the provider took it; its delivery receipt is awaited
    DELIVERED = "delivered"  # final: it reached the phone or the chat
    TO_PRINT = "to_print"  # in the print queue: chosen so, or SMS/chat failed for good
    HANDED_OVER = "handed_over"  # final: printed and handed over at the office
    # final: an optional message not sent after all (its moment passed, the case moved on, or
    # the applicant said СТОП while it waited)
    WITHDRAWN = "withdrawn"


class Outcome(StrEnum):
    """What a provider says of one send or one delivery receipt, in our words."""

    ACCEPTED = "accepted"  # the provider took it; a delivery receipt may follow
    DELIVERED = "delivered"  # it reached the applicant
    TRANSIENT = "transient"  # try again later (timeouts, 5xx, rate limits)
    PERMANENT = "permanent"  # will never work for this recipient: fall back to print


N = NoticeStatus
# Every move a notice may make; anything else (a late receipt after delivery, a second hand-over)
# changes nothing. A status never goes back, except a retry or a resend to the queue.
NOTICE_MOVES: dict[NoticeStatus, frozenset[NoticeStatus]] = {
    # claimed by a worker; a receipt for an earlier send can still arrive while re-queued
    N.QUEUED: frozenset({N.SENDING, N.DELIVERED, N.TO_PRINT, N.WITHDRAWN}),
    # the worker's result, a receipt that overtook it, or a takeover of a lapsed lease
    N.SENDING: frozenset({N.QUEUED, N.SENT, N.DELIVERED, N.TO_PRINT}),
    N.SENT: frozenset({N.SENT, N.DELIVERED, N.TO_PRINT}),
    # handed over at the office, or sent again once a number was corrected (resend)
    N.TO_PRINT: frozenset({N.HANDED_OVER, N.QUEUED}),
    N.DELIVERED: frozenset(),
    N.HANDED_OVER: frozenset(),
    N.WITHDRAWN: frozenset(),
}
FINAL_STATUSES = frozenset(s for s, moves in NOTICE_MOVES.items() if not moves)

# Where a provider's answer takes a notice that was in flight.
AFTER_OUTCOME: dict[Outcome, NoticeStatus] = {
    Outcome.ACCEPTED: N.SENT,
    Outcome.DELIVERED: N.DELIVERED,
    Outcome.TRANSIENT: N.QUEUED,
    Outcome.PERMANENT: N.TO_PRINT,
}


def may_move(current: NoticeStatus, target: NoticeStatus) -> bool:
    return target in NOTICE_MOVES[current]
