"""The mobile citizens database (MCDB): which phone is verified for which IIN.

Two backends behind casework.steps.notices.PhoneRegistry: the default is a table in our database
(`mcdb_entries`), filled by `komek mcdb import PATH.csv` (casework.steps.imports); setting
KOMEK_MCDB_URL selects a real registry service over HTTP:

    GET {KOMEK_MCDB_URL}/registrations?iin=<12 digits>&phone=<E.164>  →  {"registered": true|false}
    GET {KOMEK_MCDB_URL}/registrations?iin=<12 digits>  →  {"phone": "<E.164>" | null}
"""

from __future__ import annotations

import logging

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.identity import mask_iin
from casework.steps.notices import TableRegistry, use_registry
from casework.system.settings import Settings

log = logging.getLogger(__name__)


class HttpRegistry:
    def __init__(self, base_url: str, *, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    async def is_registered(self, session: AsyncSession, iin: str, phone: str) -> bool:
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.get(
                    f"{self.base_url}/registrations", params={"iin": iin, "phone": phone}
                )
                response.raise_for_status()
                data = response.json()
                return isinstance(data, dict) and data.get("registered") is True
        except (httpx.HTTPError, ValueError) as exc:
            # Unknown is treated as "not registered": the notice still goes by chat or print.
            log.warning("MCDB lookup for %s failed: %s", mask_iin(iin), type(exc).__name__)
            return False

    async def phone_of(self, session: AsyncSession, iin: str) -> str | None:
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.get(f"{self.base_url}/registrations", params={"iin": iin})
                response.raise_for_status()
                data = response.json()
                phone = data.get("phone") if isinstance(data, dict) else None
                return phone if isinstance(phone, str) else None
        except (httpx.HTTPError, ValueError) as exc:
            # Unknown: the applicant cannot sign in the bot now, and is told where to finish.
            log.warning("MCDB lookup for %s failed: %s", mask_iin(iin), type(exc).__name__)
            return None


def configure_registry(settings: Settings) -> None:
    use_registry(HttpRegistry(settings.mcdb_url) if settings.mcdb_url else TableRegistry())
