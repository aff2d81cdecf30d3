"""The mobile citizens database (MCDB): which phone is verified for which IIN.

Two backends behind casework.notices.PhoneRegistry: the default is a table in our database
(`mcdb_entries`), filled by `komek mcdb import PATH.csv`; setting KOMEK_MCDB_URL selects a real
registry service over HTTP:

    GET {KOMEK_MCDB_URL}/registrations?iin=<12 digits>&phone=<E.164>  →  {"registered": true|false}
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework import notices
from casework.identity import InvalidIIN, InvalidPhone, mask_iin, normalize_phone, validate_iin
from casework.notices import TableRegistry
from casework.outbox import McdbEntry
from casework.settings import Settings

log = logging.getLogger(__name__)

__all__ = ["HttpRegistry", "ImportReport", "TableRegistry", "configure_registry", "import_csv"]


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
                return bool(response.json().get("registered"))
        except (httpx.HTTPError, ValueError) as exc:
            # Unknown is treated as "not registered": the notice still goes by chat or print.
            log.warning("MCDB lookup for %s failed: %s", mask_iin(iin), type(exc).__name__)
            return False


def configure_registry(settings: Settings) -> None:
    notices.use_registry(HttpRegistry(settings.mcdb_url) if settings.mcdb_url else TableRegistry())


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, problem)


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


def _parse_date(raw: str) -> date:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"registration date {raw!r} is not YYYY-MM-DD or DD.MM.YYYY")


async def import_csv(session: AsyncSession, path: Path, *, now: datetime) -> ImportReport:
    """Load `iin,phone,registered_on` rows; bad rows are reported by line, good rows kept."""
    report = ImportReport()
    existing = {
        (e.iin, e.phone): e for e in (await session.scalars(select(McdbEntry))).all()
    }
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        columns = {c.strip().lower() for c in reader.fieldnames or ()}
        date_col = "registered_on" if "registered_on" in columns else "registration_date"
        if not {"iin", "phone", date_col} <= columns:
            report.errors.append((1, "the header must be: iin,phone,registered_on"))
            return report
        for row in reader:
            line = reader.line_num
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            try:
                iin = validate_iin(row["iin"])
                phone = normalize_phone(row["phone"])
                registered_on = _parse_date(row[date_col])
            except InvalidIIN as exc:
                report.errors.append((line, f"IIN: {exc}"))
                continue
            except InvalidPhone as exc:
                report.errors.append((line, f"phone: {exc}"))
                continue
            except ValueError as exc:
                report.errors.append((line, str(exc)))
                continue
            entry = existing.get((iin, phone))
            if entry is None:
                entry = McdbEntry(
                    iin=iin, phone=phone, registered_on=registered_on, imported_at=now
                )
                session.add(entry)
                existing[(iin, phone)] = entry
                report.added += 1
            else:
                entry.registered_on, entry.imported_at = registered_on, now
                report.updated += 1
    await session.flush()
    return report
