"""The bot's updates per second against its floor: an aiogram echo bot on the same fake Telegram.

    .venv/bin/python benchmarks/bench_bot.py                              # SQLite, a fresh file
    .venv/bin/python benchmarks/bench_bot.py --db postgresql+asyncpg://user@host/emptydb
    .venv/bin/python benchmarks/bench_bot.py --profile                    # where one update goes
    .venv/bin/python benchmarks/bench_bot.py --db postgresql+asyncpg://… \
        --redis redis://127.0.0.1:6379/7 --replicas 2                     # bots side by side

Komek's side is the real Dispatcher with aiogram-dialog, our middleware and our storage, fed
`Update` objects the way the webhook feeds them; its answers go to the fake Bot API session the
tests use (tests/fakes/telegram_session.py), through aiogram's own request and response code. A
user's day: /start, the language, the IIN, the phone, the name, a low-income filing with two
family members up to the document checklist; then, as an applicant with a registered case, the
status screen and the menu, back and forth (when many users come at once, one in two files and
the other looks at a case). The floor is an echo bot on the same session, fed the same number of
message and button updates.

Rounds alternate floor / Komek, 1 user at a time and then `--users` at once (each sending the
next update as soon as the last is answered: the most a process can do), so a busy machine slows
both sides alike; then the same crowd as people are, reading each screen for `--think` seconds on
average (the latency they feel). The script prints every round, the median and range of
updates/s, p50/p99 latency of one update, CPU per update (this process, all threads), and the
ratio to the floor. With `--replicas N` it also runs N bot processes on PostgreSQL + Redis (FSM
storage and locks in Redis, as behind the webhook) and prints their summed updates/s against
one process's.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import multiprocessing
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.types import CallbackQuery, Chat, Message, Update, User
from redis.asyncio import Redis
from sqlalchemy import event, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.factory import create_bot, create_dispatcher  # noqa: E402
from casework.law.district import load_district  # noqa: E402
from casework.law.rules import Ground  # noqa: E402
from casework.system.clock import SystemClock  # noqa: E402
from casework.system.db import make_engine, make_sessionmaker  # noqa: E402
from casework.system.env import CaseEnv, load_calendar  # noqa: E402
from casework.system.migrate import upgrade_engine  # noqa: E402
from casework.system.runtime import Runtime  # noqa: E402
from casework.system.settings import DEFAULT_DISTRICT_FILE, Settings  # noqa: E402
from casework.tables.applicants import Applicant  # noqa: E402
from tests.bot.flows import give_address, identify, start_filing, t  # noqa: E402
from tests.bot.telegram import TOKEN, FakeTelegram, Phone  # noqa: E402
from tests.builders import iin_for, phone_for, take_in_signed  # noqa: E402
from tests.casework.helpers import draft  # noqa: E402

LOCALE = "kk"
STATUS_TRIPS = 3  # status screen and back to the menu, per user per round
# Telegram user ids: filers are new every round, the known applicants are seeded once.
FILER_IDS = itertools.count(100_000)
KNOWN_BASE = 900_000


# ---------------------------------------------------------------------------- the user's day


class TimedPhone(Phone):
    """A phone that records how long the bot took with each of its updates."""

    def __init__(self, *args: Any, latencies: list[float], think: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.latencies, self.think = latencies, think

    async def _feed(self, **event: Any) -> None:
        if self.think:  # a person reads the screen before answering (random, `think` on average)
            await asyncio.sleep(random.expovariate(1 / self.think))
        start = time.perf_counter()
        await super()._feed(**event)
        self.latencies.append(time.perf_counter() - start)


async def new_applicant(p: Phone) -> None:
    """From /start to the document checklist of a low-income filing (20 updates)."""
    await identify(p, LOCALE, iin=iin_for(p.user.id - 100_000 + 1000))
    await start_filing(p, LOCALE, Ground.LOW_INCOME)
    await p.send("Сейітқали Әлия")
    await p.send("85 000")
    await p.tap(t(LOCALE, "➕ Add a family member"))
    await p.send("Сейітқали Нұрлан")
    await p.tap(t(LOCALE, "No income"))
    await p.tap(t(LOCALE, "✅ That is everyone"))
    await give_address(p, LOCALE)
    assert t(LOCALE, "Send the documents") in p.text or p.buttons(), p.text


async def known_applicant(p: Phone) -> None:
    """An applicant with a registered case looks at it, and goes back to the menu."""
    await p.send("/start")
    for _ in range(STATUS_TRIPS):
        await p.tap(t(LOCALE, "📄 My application"))
        await p.tap(t(LOCALE, "🏠 Main menu"))


async def seed_known(runtime: Runtime, count: int) -> None:
    """`count` applicants linked to their chats, each with a registered case filed in the bot."""
    async with runtime.sessions() as session:
        calendar = await load_calendar(session, runtime.district)
    env = CaseEnv(clock=runtime.clock, calendar=calendar, district=runtime.district)
    for n in range(count):
        async with runtime.sessions() as session, session.begin():
            app = await draft(session, env, ground=Ground.DISEASE, iin=iin_for(n))
            applicant = await session.get(Applicant, app.applicant_id)
            assert applicant is not None
            applicant.telegram_id, applicant.locale = KNOWN_BASE + n, LOCALE
            applicant.phone, applicant.name_given_at = phone_for(n), datetime.now(UTC)
            assert await take_in_signed(session, env, app, actor="Омарова")


# ---------------------------------------------------------------------------- the floor


def echo_dispatcher() -> Dispatcher:
    """aiogram's echo bot: every text answered with itself, every button press answered."""
    router = Router()

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    @router.callback_query()
    async def pressed(callback: CallbackQuery) -> None:
        await callback.answer()

    dp = Dispatcher()
    dp.include_router(router)
    return dp


async def echo_user(dp: Dispatcher, bot: Bot, user_id: int, updates: int, lat: list[float]) -> None:
    """The same number of updates as a Komek user, in the same mix of texts and presses."""
    user = User(id=user_id, is_bot=False, first_name="Әлия", language_code="kk")
    chat = Chat(id=user_id, type="private")
    for n in range(updates):
        msg = Message(message_id=n + 1, date=datetime.now(UTC), chat=chat, from_user=user, text="5")
        if n % 2:
            event: dict[str, Any] = {
                "callback_query": CallbackQuery(
                    id=str(n), from_user=user, chat_instance="ci", message=msg, data="x"
                )
            }
        else:
            event = {"message": msg}
        update = Update(update_id=next(Phone._update_ids), **event)
        start = time.perf_counter()
        await dp.feed_update(bot, update)
        lat.append(time.perf_counter() - start)


# ---------------------------------------------------------------------------- rounds


@dataclass
class Round:
    side: str
    users: int
    updates: int
    seconds: float
    cpu: float
    latencies: list[float] = field(repr=False)

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


class Bench:
    def __init__(self, runtime: Runtime, known: int) -> None:
        self.runtime, self.known = runtime, known
        self.telegram = FakeTelegram()
        self.bot = create_bot(TOKEN, session=self.telegram)
        self.dp = create_dispatcher(runtime)
        self.echo = echo_dispatcher()
        self.updates_per_user = 0

    def phone(self, user_id: int, lat: list[float], think: float) -> Phone:
        tg = self.telegram
        return TimedPhone(self.dp, self.bot, tg, user_id=user_id, latencies=lat, think=think)

    async def komek_user(self, slot: int, lat: list[float], think: float = 0.0) -> None:
        """The whole day: a new filing, then a look at a registered case."""
        await new_applicant(self.phone(next(FILER_IDS), lat, think))
        await known_applicant(self.phone(KNOWN_BASE + slot % self.known, lat, think))

    async def crowd_user(self, slot: int, lat: list[float], think: float = 0.0) -> None:
        """In a crowd, half the day each: one in two files, the other looks at a case."""
        if slot % 2:
            await known_applicant(self.phone(KNOWN_BASE + slot % self.known, lat, think))
        else:
            await new_applicant(self.phone(next(FILER_IDS), lat, think))

    async def run(self, side: str, users: int, sequential: bool, think: float = 0.0) -> Round:
        lat: list[float] = []
        per_user = self.updates_per_user

        def one(slot: int) -> Awaitable[None]:
            if side == "floor":  # "komek" and "crowd" are both the real bot
                count = per_user if sequential else per_user // 2
                return echo_user(self.echo, self.bot, 50_000_000 + slot, count, lat)
            if sequential:
                return self.komek_user(slot, lat, think)
            return self.crowd_user(slot, lat, think)

        self.telegram.calls.clear()  # the fake keeps every call: not a growing list to scan
        cpu0, wall0 = time.process_time(), time.perf_counter()
        if sequential:
            for slot in range(users):
                await one(slot)
        else:
            await asyncio.gather(*(one(slot) for slot in range(users)))
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        return Round(side, users, len(lat), wall, cpu / len(lat), lat)


def summary(rounds: list[Round], side: str, users: int) -> tuple[float, str]:
    mine = [r for r in rounds if r.side == side and r.users == users]
    rates = [r.rate for r in mine]
    med = statistics.median(rates)
    p50 = statistics.median(r.pct(0.5) for r in mine)
    p99 = statistics.median(r.pct(0.99) for r in mine)
    cpu = statistics.median(r.cpu for r in mine) * 1000
    line = (
        f"{side:5} {users:>2} user(s): {med:7.1f} updates/s (range {min(rates):.1f}–"
        f"{max(rates):.1f}), p50 {p50:6.1f} ms, p99 {p99:6.1f} ms, CPU {cpu:5.2f} ms/update"
    )
    return med, line


def pair_ratio(rounds: list[Round], users: int) -> float:
    """The median over pairs of a Komek round and the floor round just before it."""
    mine = [r for r in rounds if r.users == users]
    pairs = [(a, b) for a, b in itertools.pairwise(mine) if a.side == "floor" and b.side == "komek"]
    return statistics.median(b.rate / a.rate for a, b in pairs)


# ---------------------------------------------------------------------------- set-up


async def fresh_database(url: str | None, workdir: Path) -> str:
    if url is None:
        return f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
    engine = make_engine(url)
    async with engine.begin() as conn:  # an empty schema: the benchmark's own database only
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    return url


async def make_runtime(url: str, workdir: Path, redis: str | None, migrate: bool) -> Runtime:
    settings = Settings(
        database_url=url,
        files_dir=workdir / "files",
        redis_url=redis,
        _env_file=None,  # type: ignore[call-arg]
    )
    engine = make_engine(url)
    if migrate:
        await upgrade_engine(engine)
    district = load_district(DEFAULT_DISTRICT_FILE)
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        district=district,
        clock=SystemClock(),
    )


def count_statements(runtime: Runtime) -> list[int]:
    counter = [0]

    @event.listens_for(runtime.engine.sync_engine, "before_cursor_execute")
    def _count(*_: Any) -> None:
        counter[0] += 1

    return counter


async def profile(bench: Bench, out: Callable[[str], None]) -> None:
    """SQL statements per update and a cProfile of one user's whole day, after a warm-up."""
    await bench.run("komek", 1, True)
    counter = count_statements(bench.runtime)
    lat: list[float] = []
    profiler = cProfile.Profile()
    profiler.enable()
    await bench.komek_user(1, lat)
    profiler.disable()
    out(f"{counter[0] / len(lat):.1f} SQL statements per update over {len(lat)} updates")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


# ---------------------------------------------------------------------------- replicas


def replica(
    url: str, redis: str, users: int, first: int, launch: int, start_at: float, queue: Any
) -> None:
    """One bot process: its share of the users, from the slot `first` on."""

    async def main() -> None:
        runtime = await make_runtime(url, Path(tempfile.mkdtemp()), redis, migrate=False)
        bench = Bench(runtime, known=KNOWN_BASE)  # slots are told apart by `first`
        global FILER_IDS  # new applicants and update ids no other process uses
        FILER_IDS = itertools.count(102_000 + launch * 100)
        Phone._update_ids = itertools.count((launch + 1) * 10_000_000)
        base = first

        async def user(slot: int, lat: list[float]) -> None:
            await bench.crowd_user(base + slot, lat)

        await asyncio.sleep(max(0.0, start_at - time.time()))
        lat: list[float] = []
        wall0 = time.perf_counter()
        await asyncio.gather(*(user(slot, lat) for slot in range(users)))
        queue.put((len(lat), time.perf_counter() - wall0))
        await runtime.close()

    asyncio.run(main())


LAUNCHES = itertools.count()


def replicas_round(url: str, redis: str, procs: int, users: int) -> float:
    """`users` applicants split over `procs` bot processes: the updates/s they make together."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    start_at = time.time() + 8  # every process imported and connected before the clock starts
    share = users // procs
    workers = [
        ctx.Process(
            target=replica,
            args=(url, redis, share, n * share, next(LAUNCHES), start_at, queue),
        )
        for n in range(procs)
    ]
    for w in workers:
        w.start()
    results = [queue.get() for _ in workers]
    for w in workers:
        w.join()
    return sum(n for n, _ in results) / max(s for _, s in results)


# ---------------------------------------------------------------------------- main


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="an empty PostgreSQL database (default: a new SQLite file)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sequential-users", type=int, default=3, help="users per 1-user round")
    parser.add_argument("--users", type=int, default=50, help="users at once")
    parser.add_argument(
        "--think", type=float, default=3.0, help="mean seconds a crowd user reads (0: no crowd)"
    )
    parser.add_argument("--crowd-rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--redis", help="Redis for the replicas (FSM storage and locks)")
    parser.add_argument("--replicas", type=int, default=0, help="also run 1 vs N processes")
    parser.add_argument("--replica-users", type=int, default=20, help="users at once, replicas")
    parser.add_argument("--replica-rounds", type=int, default=3)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp())
    url = await fresh_database(args.db, workdir)
    runtime = await make_runtime(url, workdir, None, migrate=True)
    known = max(args.users, args.sequential_users)
    await seed_known(runtime, known)
    bench = Bench(runtime, known)
    print(f"database: {runtime.engine.dialect.name}; {known} applicants with a registered case")

    # One Komek user's day, to give the floor the same number of updates.
    lat: list[float] = []
    await bench.komek_user(0, lat)
    bench.updates_per_user = len(lat)
    print(f"one user's day: {len(lat)} updates")
    if args.profile:
        await profile(bench, print)
        return

    rounds: list[Round] = []
    plan = [
        ("floor", args.sequential_users, True, 0.0),
        ("komek", args.sequential_users, True, 0.0),
        ("floor", args.users, False, 0.0),
        ("komek", args.users, False, 0.0),
    ]
    crowd = ("crowd", args.users, False, args.think)
    for n in range(args.rounds):
        # The same crowd, each person pausing to read: the latency they feel (its rounds are
        # long, a person's pace: fewer of them keep the script under 10 minutes).
        steps = [*plan, crowd] if args.think and n < args.crowd_rounds else plan
        for side, users, sequential, think in steps:
            r = await bench.run(side, users, sequential, think)
            rounds.append(r)
            print(
                f"round {n + 1} {side:5} {users:>2} user(s): {r.rate:7.1f} updates/s, "
                f"p50 {r.pct(0.5):6.1f} ms, p99 {r.pct(0.99):6.1f} ms",
                flush=True,
            )
    print()
    for users in (args.sequential_users, args.users):
        floor, floor_line = summary(rounds, "floor", users)
        komek, komek_line = summary(rounds, "komek", users)
        label = "1 user at a time" if users == args.sequential_users else f"{users} users at once"
        print(f"{label}, each update sent as soon as the last one is answered:")
        print(f"  {floor_line}\n  {komek_line}")
        print(
            f"  Komek / floor: {komek / floor:.1%} of the medians, "
            f"{pair_ratio(rounds, users):.1%} median over alternating pairs"
        )
    if args.think:
        print(f"{args.users} users at once, {args.think:.1f} s to read each screen on average:")
        print(f"  {summary(rounds, 'crowd', args.users)[1]}")
    await runtime.close()

    if args.replicas:
        if not (args.db and args.redis):
            raise SystemExit("--replicas needs --db (PostgreSQL) and --redis")
        users = args.replica_users
        print(f"\nreplicas on PostgreSQL + Redis, {users} users at once:")
        await Redis.from_url(args.redis).flushdb()  # no positions left from an earlier run
        per: dict[int, list[float]] = {1: [], args.replicas: []}
        for n in range(args.replica_rounds):
            for procs in per:
                rate = replicas_round(url, args.redis, procs, users)
                per[procs].append(rate)
                print(f"round {n + 1}: {procs} process(es): {rate:7.1f} updates/s", flush=True)
        one = statistics.median(per[1])
        many = statistics.median(per[args.replicas])
        print(
            f"1 process {one:.1f} updates/s, {args.replicas} processes {many:.1f} updates/s: "
            f"×{many / one:.2f} (cores: {os.cpu_count()})"
        )


if __name__ == "__main__":
    asyncio.run(main())
