"""What a running process holds once: settings, engine, sessions, district, clock.

The server, the bot and the worker each build one `Runtime` at start-up and share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from casework.law.district import District, load_district
from casework.system.clock import Clock, SystemClock
from casework.system.db import make_engine, make_sessionmaker
from casework.system.env import CaseEnv, current, load_calendar
from casework.system.migrate import upgrade_engine
from casework.system.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    district: District
    clock: Clock = field(default_factory=SystemClock)
    _env: CaseEnv | None = None

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
        """The use cases' environment, with the calendar overrides as they are now."""
        if self._env is None:
            calendar = await load_calendar(session, self.district, timezone=self.settings.timezone)
            self._env = CaseEnv(clock=self.clock, calendar=calendar, district=self.district)
        else:
            self._env = await current(session, self._env)
        return self._env

    async def close(self) -> None:
        await self.engine.dispose()
