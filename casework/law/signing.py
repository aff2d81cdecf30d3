"""Certifying an electronic filing (SR §6, DR §13: «өзінің электрондық цифрлық қолтаңбасымен
куәландырады»). Without an EDS key the national portal confirms an action by a one-time code sent
by SMS to the phone the mobile citizens database registers to the person: the same here. The
signature keeps a digest of what was signed, so a later change shows as a mismatch.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from enum import StrEnum
from typing import Any

CODE_DIGITS = 6
CODE_VALID_FOR = timedelta(minutes=5)
CODE_TRIES = 5
CODE_RESEND_AFTER = timedelta(seconds=60)
# At most this many codes a day for one case and purpose: guessing stays hopeless (25 tries
# against a million codes), and the applicant's phone is not flooded.
CODES_PER_DAY = 5


class SignMethod(StrEnum):
    SMS_CODE = "sms_code"  # a code sent to the MCDB-registered phone, typed back in the bot
    IN_PERSON = "in_person"  # staff saw the identity card and the applicant's paper signature
    # An EDS (NCALayer CMS signature) would be a third method behind the same record.


def content_digest(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of what is signed: keys sorted, no spaces, UTF-8."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
