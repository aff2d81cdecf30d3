"""The staff API over ASGI on the test database, with one token per role."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.calendar import WorkingCalendar
from casework.law.roles import Role
from casework.steps.staff import add_staff
from casework.system.db import transaction
from casework.system.runtime import Runtime
from casework.tables.mcdb import McdbEntry
from casework.tables.notices import Notice
from gateway.app import create_app
from tests.builders import iin_for, phone_for
from tests.fakes.clock import FixedClock

CAL = WorkingCalendar(timezone="Asia/Almaty")  # an independent calendar: no overrides


NAMES = {
    Role.INTAKE_OFFICE: "Дана Омарова",
    Role.INTAKE_AKIM: "Ерлан Беков",
    Role.INTAKE_STATE_CORPORATION: "Гүлнар Әлиева",
    Role.COMMISSION_SECRETARY: "Айгүл Серікова",
    Role.DECISION_MAKER: "Марат Жұмабаев",
    Role.ADMINISTRATOR: "Ислам Нұров",
}


@pytest.fixture
async def tokens(sessions: async_sessionmaker[AsyncSession], clock: FixedClock) -> dict[Role, str]:
    out = {}
    async with transaction(sessions) as session:
        for role, name in NAMES.items():
            _, out[role] = await add_staff(session, name=name, role=role, now=clock.now())
    return out


@dataclass
class Api:
    """The HTTP client, acting as one role at a time."""

    http: httpx.AsyncClient
    tokens: dict[Role, str]
    sessions: async_sessionmaker[AsyncSession]

    def headers(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    async def post(self, role: Role, url: str, json: object = None, **kw: object) -> httpx.Response:
        return await self.http.post(url, json=json, headers=self.headers(role), **kw)  # type: ignore[arg-type]

    async def get(self, role: Role, url: str, **kw: object) -> httpx.Response:
        return await self.http.get(url, headers=self.headers(role), **kw)  # type: ignore[arg-type]

    async def ok(self, role: Role, url: str, json: object = None) -> dict:  # type: ignore[type-arg]
        r = await self.post(role, url, json)
        assert r.status_code in (200, 201), r.text
        return r.json()  # type: ignore[no-any-return]

    async def registered(self, n: int = 1, **application: object) -> dict:  # type: ignore[type-arg]
        """A paper application (`paper_application`) taken in at the office and registered."""
        case = await self.ok(
            Role.INTAKE_OFFICE, "/staff/applications", paper_application(n, **application)
        )
        assert case["status"] == "submitted"
        case = await self.ok(Role.INTAKE_OFFICE, f"/staff/applications/{case['id']}/completeness")
        assert case["status"] == "accepted"
        return await self.ok(Role.INTAKE_OFFICE, f"/staff/applications/{case['id']}/registration")

    async def concluded(self, cid: int, conclusion: str = "Көмек керек.") -> dict:  # type: ignore[type-arg]
        """The file submitted to the special commission and its conclusion recorded (DR §20)."""
        await self.ok(Role.COMMISSION_SECRETARY, f"/staff/applications/{cid}/special-commission")
        url = f"/staff/applications/{cid}/conclusion"
        return await self.ok(Role.COMMISSION_SECRETARY, url, {"text": conclusion})

    async def notices(self, application_id: int) -> list[Notice]:
        async with self.sessions() as s:
            rows = await s.scalars(
                select(Notice).where(Notice.application_id == application_id).order_by(Notice.id)
            )
            return list(rows)

    async def register_phone(self, n: int) -> None:
        async with transaction(self.sessions) as s:
            s.add(
                McdbEntry(
                    iin=iin_for(n),
                    phone=phone_for(n),
                    registered_on=date(2020, 1, 1),
                    imported_at=datetime(2026, 1, 1, tzinfo=UTC),
                )
            )


@pytest.fixture
async def api(
    runtime: Runtime, tokens: dict[Role, str], sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Api]:
    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://komek.test") as http:
        yield Api(http, tokens, sessions)


def paper_application(n: int = 1, *, ground: str = "disease", documents=None, **extra):  # type: ignore[no-untyped-def]
    """What an intake clerk types in from a paper application."""
    docs = (
        documents
        if documents is not None
        else {
            "disease": ["identity", "disease_proof"],
            "low_income": ["identity", "income"],
            "fire": ["identity", "fire_damage"],
        }[ground]
    )
    return {
        "iin": iin_for(n),
        "last_name": "Сейітқалиева",
        "first_name": "Әлия",
        "locale": "kk",
        "phone": phone_for(n),
        "ground": ground,
        "documents": [{"kind": k, "title": f"{k} (original)"} for k in docs],
        **extra,
    }
