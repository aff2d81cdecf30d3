"""Cases built through the real use cases, at the step a notice needs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from casework.law.district import District
from casework.law.rules import (
    Channel,
    DocumentKind,
    Ground,
    HearingMode,
    Periodicity,
    RefusalGround,
)
from casework.steps import case_file, commission, decisions, hearings, intake
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.system.runtime import Runtime
from casework.system.settings import Settings
from casework.tables.applications import Application
from casework.tables.mcdb import McdbEntry
from casework.tables.notices import Notice
from gateway.app import create_app
from tests.builders import iin_for, phone_for, take_in_signed
from tests.fakes.clock import FixedClock
from tests.fakes.twilio_server import FakeTwilio


@dataclass
class Cases:
    sessions: async_sessionmaker[AsyncSession]
    env: CaseEnv

    async def registered(
        self,
        n: int = 1,
        *,
        locale: str = "kk",
        channel: Channel = Channel.PROVIDER_OFFICE,
        telegram_id: int | None = None,
        mcdb: bool = True,
        phone: str | None = None,
    ) -> int:
        phone = phone or phone_for(n)
        async with transaction(self.sessions) as s:
            if mcdb:
                s.add(
                    McdbEntry(
                        iin=iin_for(n),
                        phone=phone,
                        registered_on=date(2020, 1, 1),
                        imported_at=self.env.now(),
                    )
                )
            applicant = await intake.get_or_create_applicant(
                s,
                self.env,
                iin_for(n),
                last_name="Сәрсенбаева",
                first_name="Әйгерім",
                locale=locale,
                phone=phone,
                telegram_id=telegram_id,
            )
            app = await intake.start_application(
                s,
                self.env,
                applicant,
                channel=channel,
                actor="test",
                ground=Ground.DISEASE,
                phone=phone,
            )
            for kind in (DocumentKind.IDENTITY, DocumentKind.DISEASE_PROOF):
                await intake.attach_document(
                    s,
                    self.env,
                    app,
                    kind=kind,
                    file_name="x.pdf",
                    content_type="application/pdf",
                    size=1,
                    sha256="0" * 64,
                    storage_path="x",
                    actor="test",
                )
            assert await take_in_signed(s, self.env, app, actor="test")
            await commission.to_special_commission(s, self.env, app, actor="test")
            await commission.record_conclusion(s, self.env, app, "Көмек керек.", actor="test")
            return app.id

    async def granted(self, n: int = 1, **kw: object) -> int:
        app_id = await self.registered(n, **kw)  # type: ignore[arg-type]
        async with transaction(self.sessions) as s:
            app = await case_file.load_application(s, app_id)
            await decisions.grant(
                s,
                self.env,
                app,
                kind="disease",
                amount=Decimal("43250"),
                periodicity=Periodicity.ONE_OFF,
                actor="test",
            )
        return app_id

    async def preliminary_refusal(self, n: int = 1, **kw: object) -> int:
        app_id = await self.registered(n, **kw)  # type: ignore[arg-type]
        async with transaction(self.sessions) as s:
            app = await case_file.load_application(s, app_id)
            await hearings.issue_preliminary_refusal(
                s,
                self.env,
                app,
                grounds=[RefusalGround.ALREADY_ASSIGNED],
                scheduled_at=self.env.now() + timedelta(days=3, hours=1),
                mode=HearingMode.VIDEOCONFERENCE,
                details="https://meet.example/kz",
                actor="test",
            )
        return app_id

    async def refused(self, n: int = 1, **kw: object) -> int:
        """Refused lawfully: the preliminary refusal received on the day it was issued, no
        objection, and the clock moved past the 3 working days' notice (it stays there)."""
        app_id = await self.preliminary_refusal(n, **kw)
        clock = self.env.clock
        async with transaction(self.sessions) as s:
            app = await case_file.load_application(s, app_id)
            await hearings.mark_refusal_received(s, self.env, app, self.env.now())
        assert isinstance(clock, FixedClock)
        issued = self.env.today()
        clock.set(clock.now() + (self.env.calendar.add_working_days(issued, 3) - issued))
        async with transaction(self.sessions) as s:
            app = await case_file.load_application(s, app_id)
            await decisions.refuse(
                s, self.env, app, grounds=[RefusalGround.ALREADY_ASSIGNED], actor="test"
            )
        return app_id

    async def notices(self, app_id: int | None = None) -> list[Notice]:
        async with self.sessions() as s:
            stmt = select(Notice).order_by(Notice.id)
            if app_id is not None:
                stmt = stmt.where(Notice.application_id == app_id)
            return list((await s.scalars(stmt)).all())

    async def application(self, app_id: int) -> Application:
        async with self.sessions() as s:
            return await case_file.load_application(s, app_id)


@pytest.fixture
def case_builder(sessions: async_sessionmaker[AsyncSession], env: CaseEnv) -> Cases:
    return Cases(sessions, env)


@pytest.fixture
async def fake_twilio() -> AsyncIterator[FakeTwilio]:
    server = FakeTwilio()
    await server.start()
    yield server
    await server.stop()


def at(env: CaseEnv, **delta: float) -> datetime:
    return env.now() + timedelta(**delta)


# The public URL Twilio signs against, and the auth token it signs with.
PUBLIC = "https://komek.example.kz"
TOKEN = "webhook-test-token"


@pytest.fixture
async def client(
    engine: AsyncEngine, case_builder: Cases, district: District, clock: FixedClock
) -> AsyncIterator[httpx.AsyncClient]:
    """The real app on the test database, with Twilio's signing settings."""
    settings = Settings(public_url=PUBLIC, twilio_auth_token=TOKEN, twilio_account_sid="AC1")
    runtime = Runtime(
        settings=settings,
        engine=engine,
        sessions=case_builder.sessions,
        district=district,
        clock=clock,
    )
    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
