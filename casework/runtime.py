"""What a running process holds once: settings, engine, sessions, district, clock.

The server, the bot and the worker each build one `Runtime` at start-up and share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from casework.calendar import WorkingCalendar
from casework.cases import CaseEnv, load_calendar
from casework.clock import Clock, SystemClock
from casework.db import make_engine, make_sessionmaker
from casework.district import District, load_district
from casework.migrate import upgrade_engine
from casework.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    district: District
    clock: Clock = field(default_factory=SystemClock)
    _calendar: WorkingCalendar | None = None

    @classmethod
    async def start(
        cls, settings: Settings, *, clock: Clock | None = None, migrate: bool = True
    ) -> Runtime:
        # The district file is checked before anything else: a bad file stops the start.
        district = load_district(settings.district_file)
        engine = make_engine(settings.database_url)
        if migrate:
            await upgrade_engine(engine)
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_sessionmaker(engine),
            district=district,
            clock=clock or SystemClock(),
        )

    async def env(self, session: AsyncSession) -> CaseEnv:
        if self._calendar is None:
            self._calendar = await load_calendar(
                session, self.district, timezone=self.settings.timezone
            )
        return CaseEnv(clock=self.clock, calendar=self._calendar, district=self.district)

    def calendar_changed(self) -> None:
        """Staff added an override: the next `env` reloads the calendar."""
        self._calendar = None

    async def close(self) -> None:
        await self.engine.dispose()
