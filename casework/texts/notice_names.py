"""What staff call each notice kind, status and channel: the console's case page and the proof
of notice (gateway/staff/notices.py) name them alike."""

from __future__ import annotations

from casework.law.notices import NoticeChannel, NoticeKind, NoticeStatus
from casework.texts.i18n import N_

NOTICE_KIND_NAMES: dict[NoticeKind, str] = {
    NoticeKind.ACCEPTANCE_RECEIPT: N_("Acceptance receipt"),
    NoticeKind.REFUSAL_TO_ACCEPT: N_("Receipt of refusal to accept the application"),
    NoticeKind.PRELIMINARY_REFUSAL: N_("Preliminary decision and hearing"),
    NoticeKind.HEARING_INVITATION: N_("Invitation to a hearing"),
    NoticeKind.DECISION_GRANTED: N_("Decision to grant social assistance"),
    NoticeKind.DECISION_REFUSED: N_("Decision to refuse social assistance"),
    NoticeKind.TERMINATION: N_("Termination of social assistance"),
    NoticeKind.HOLIDAY_ASSISTANCE: N_("Holiday assistance"),
    NoticeKind.SIGNING_CODE: N_("Code to sign the application"),
    NoticeKind.LINK_CODE: N_("Code to link a Telegram account"),
    NoticeKind.PAYMENT_RETURNED: N_("A payment came back from the bank"),
    NoticeKind.PROTOCOL_READY: N_("The hearing protocol may be read"),
    NoticeKind.REMINDER: N_("Reminder to the applicant"),
    NoticeKind.QUESTION_ANSWER: N_("Answer to the applicant's question"),
}

NOTICE_STATUS_NAMES: dict[NoticeStatus, str] = {
    NoticeStatus.QUEUED: N_("Waiting to be sent"),
    NoticeStatus.SENDING: N_("Being sent"),
    NoticeStatus.SENT: N_("Sent, delivery not yet confirmed"),
    NoticeStatus.DELIVERED: N_("Delivered"),
    NoticeStatus.TO_PRINT: N_("Waiting in the print queue"),
    NoticeStatus.HANDED_OVER: N_("Printed and handed over"),
    NoticeStatus.WITHDRAWN: N_("Withdrawn, not sent"),
}

NOTICE_CHANNEL_NAMES: dict[NoticeChannel, str] = {
    NoticeChannel.SMS: N_("SMS"),
    NoticeChannel.CHAT: N_("Telegram chat"),
    NoticeChannel.PRINT: N_("On paper"),
}
