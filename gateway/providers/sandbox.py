"""The sandbox: the default when no Twilio credentials are set.

It records what would have been sent and simulates outcomes by magic test numbers, like GOV.UK
Notify's research mode, so staff and tests can walk every path without a real provider.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from casework.law.identity import mask_phone
from casework.law.notices import NoticeChannel
from gateway.providers.base import Outcome, Outgoing, Provider, SendResult
from gateway.sms import segments

log = logging.getLogger(__name__)

DELIVERED_NUMBER = "+77000000000"
TEMPORARY_FAILURE_NUMBER = "+77000000001"  # always a transient error: retried, then printed
PERMANENT_FAILURE_NUMBER = "+77000000002"  # an unreachable number (Twilio 21211): printed


@dataclass
class SandboxProvider(Provider):
    channel: NoticeChannel = NoticeChannel.SMS
    sent: list[Outgoing] = field(default_factory=list)

    name: ClassVar[str] = "sandbox"
    STATUSES: ClassVar[Mapping[str, Outcome]] = {
        "delivered": Outcome.DELIVERED,
        "failed": Outcome.PERMANENT,
    }

    async def send(self, message: Outgoing) -> SendResult:
        n = segments(message.text) if self.channel is NoticeChannel.SMS else None
        if message.address == TEMPORARY_FAILURE_NUMBER:
            return SendResult(
                Outcome.TRANSIENT,
                error_code="sandbox-temporary",
                error_message="simulated temporary failure",
            )
        if message.address == PERMANENT_FAILURE_NUMBER:
            return SendResult(
                Outcome.PERMANENT, error_code="21211", error_message="simulated invalid 'To' number"
            )
        self.sent.append(message)
        log.info(
            "sandbox %s to %s: notice %s", self.channel, _mask(message.address), message.notice_id
        )
        return SendResult(
            Outcome.DELIVERED,
            provider_id="SB" + secrets.token_hex(16),
            provider_status="delivered",
            segments=n,
        )


def _mask(address: str) -> str:
    return mask_phone(address) if address.startswith("+") else address[:3] + "***"
