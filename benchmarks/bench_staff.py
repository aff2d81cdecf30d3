"""The staff pages at 1,000 / 10,000 / 100,000 cases, against plain SQL for the same rows.

    .venv/bin/python benchmarks/bench_staff.py                                  # SQLite
    .venv/bin/python benchmarks/bench_staff.py --sizes 100000 --rounds 5 \\
        --db postgresql+asyncpg://postgres@127.0.0.1:5432/test_h8              # and PostgreSQL

Each size is seeded once with core inserts (a district's spread of states, grounds, settlements,
channels, terms met and running) and kept for the next run: SQLite in a file under
`--cache` (default /tmp/komek-bench-staff), PostgreSQL in a schema `bench_staff_<size>` of the
given database. The requests go through the real ASGI app (httpx ASGITransport, a staff token,
a console session): the status list, the deadline board, a lookup by IIN, the case page and the
console's work queue. The floor is the same rows asked by one hand-written SQL statement per
page (the case page: one per part it shows) on the same engine. Rounds alternate app and floor;
each prints p50/p99 per path; the summary gives the median and range of the rounds' p50s, the
p99 over all rounds and the ratio of the app's p50 to the floor's.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from casework.law.district import load_district  # noqa: E402
from casework.law.roles import Role  # noqa: E402
from casework.law.rules import Channel, Ground  # noqa: E402
from casework.law.status import Status  # noqa: E402
from casework.law.terms import Term  # noqa: E402
from casework.steps.deadlines import next_of  # noqa: E402
from casework.steps.signin import set_password  # noqa: E402
from casework.steps.staff import add_staff  # noqa: E402
from casework.system.db import make_engine, make_sessionmaker, transaction  # noqa: E402
from casework.system.migrate import upgrade_engine  # noqa: E402
from casework.system.runtime import Runtime  # noqa: E402
from casework.system.settings import DEFAULT_DISTRICT_FILE, Settings  # noqa: E402
from casework.tables.applicants import Applicant  # noqa: E402
from casework.tables.applications import Application, Deadline, Document  # noqa: E402
from casework.tables.decisions import Decision  # noqa: E402
from gateway.app import create_app  # noqa: E402
from gateway.staff.rate_limits import TokenBuckets  # noqa: E402
from tests.fakes.clock import FixedClock  # noqa: E402

NOW = datetime(2026, 11, 20, 5, tzinfo=UTC)  # Friday 20 November 2026, 10:00 in Almaty
TODAY = NOW.date()
CHUNK = 5_000
PASSWORD = "bench-Көктем-2026"
SETTLEMENTS = [f"Ауыл {n}" for n in range(1, 31)]
SURNAMES = ("Сейітқалиева", "Омаров", "Бекова", "Әлиев", "Нұрова", "Қасымов", "Жұмабаева")
FIRST = ("Әлия", "Ерлан", "Гүлнар", "Марат", "Дана", "Айгүл", "Нұрлан")
S = Status
# A grown district: most cases long decided, about a third still running.
SPREAD: tuple[tuple[Status, int], ...] = (
    (S.NOTIFIED_GRANTED, 34),
    (S.NOTIFIED_REFUSED, 12),
    (S.TERMINATED, 8),
    (S.REFUSED_TO_ACCEPT, 3),
    (S.GRANTED, 4),
    (S.REFUSED, 2),
    (S.SUBMITTED, 3),
    (S.ACCEPTED, 2),
    (S.REGISTERED, 9),
    (S.AT_PRECINCT_COMMISSION, 6),
    (S.INCOME_COMPUTED, 4),
    (S.AT_SPECIAL_COMMISSION, 6),
    (S.PRELIMINARY_REFUSAL, 2),
    (S.OBJECTION_RECEIVED, 1),
    (S.HEARING_HELD, 1),
    (S.PROTOCOL_MADE, 1),
    (S.REMARKS_RECEIVED, 1),
    (S.DRAFT, 1),
)
DECIDED = {S.NOTIFIED_GRANTED, S.NOTIFIED_REFUSED, S.TERMINATED, S.GRANTED, S.REFUSED}
OPEN = {s for s, _ in SPREAD} - DECIDED - {S.REFUSED_TO_ACCEPT, S.DRAFT}


def _case(n: int, rng: random.Random) -> tuple[dict, list[dict], dict | None]:
    """One case's row, its terms and its decision, as the steps would have left them."""
    status = rng.choices([s for s, _ in SPREAD], [w for _, w in SPREAD])[0]
    channel = rng.choices(list(Channel), [4, 1, 1, 4])[0]
    ground = rng.choice(list(Ground))
    # Running cases (and decisions whose notice is on its way) came in over the last three
    # weeks, the others over two years.
    recent = status in OPEN or status in (S.GRANTED, S.REFUSED)
    age = rng.randint(0, 20) if recent else rng.randint(21, 730)
    received = NOW - timedelta(days=age, hours=rng.randint(0, 6))
    registered = received.date() + timedelta(days=rng.choice((0, 0, 1)))
    app = Application(status=status, channel=channel)
    terms = {Term.REGISTRATION: registered}
    if status not in (S.SUBMITTED, S.ACCEPTED, S.REFUSED_TO_ACCEPT, S.DRAFT):
        terms[Term.DECISION] = registered + timedelta(days=10)
        terms[Term.PRELIMINARY_REFUSAL_LATEST] = registered + timedelta(days=6)
        if ground in (Ground.FIRE, Ground.DISASTER, Ground.LOW_INCOME):
            terms[Term.PRECINCT_FORWARDING] = registered + timedelta(days=1)
    decided_at = min(received + timedelta(days=12), NOW)
    if status in DECIDED and channel is Channel.BOT:
        terms[Term.CHAT_NOTICE] = decided_at.date() + timedelta(days=1)
    met_by_now = status not in OPEN  # decided or closed: every term is behind the case
    rows = []
    for term, due in terms.items():
        met = met_by_now and not (term is Term.CHAT_NOTICE and status in (S.GRANTED, S.REFUSED))
        if status not in (S.SUBMITTED, S.ACCEPTED) and term is Term.REGISTRATION:
            met = True
        if term is Term.PRECINCT_FORWARDING and status is not S.REGISTERED:
            met = True
        rows.append(
            {"application_id": n, "term": term, "due_on": due, "met_at": NOW if met else None}
        )
    app.deadlines = [Deadline(term=r["term"], due_on=r["due_on"], met_at=r["met_at"]) for r in rows]
    nxt = next_of(app)
    case = {
        "id": n,
        "applicant_id": n,
        "status": status,
        "channel": channel,
        "ground": None if status is S.DRAFT else ground,
        "settlement": rng.choice(SETTLEMENTS),
        "received_at": None if status is S.DRAFT else received,
        "registered_on": None if status in (S.DRAFT, S.SUBMITTED, S.ACCEPTED) else registered,
        "extended": False,
        "draft": {},
        "created_at": received,
        "updated_at": received,
        "next_term": None if nxt is None else nxt.term,
        "next_due_on": None if nxt is None else nxt.due_on,
    }
    decision = None
    if status in DECIDED:
        granted = status in (S.NOTIFIED_GRANTED, S.GRANTED, S.TERMINATED)
        decision = {
            "application_id": n,
            "granted": granted,
            "refusal_grounds": [] if granted else ["income_above_threshold"],
            "decided_by": "Марат Жұмабаев",
            "decided_at": decided_at,
        }
    return case, rows, decision


async def seed(engine: AsyncEngine, size: int) -> None:
    rng = random.Random(size)
    await upgrade_engine(engine)
    async with engine.begin() as conn:
        for start in range(1, size + 1, CHUNK):
            ids = range(start, min(start + CHUNK, size + 1))
            people = [
                {
                    "id": n,
                    "iin": f"{n:012d}",
                    "last_name": rng.choice(SURNAMES),
                    "first_name": rng.choice(FIRST),
                    "locale": rng.choice(("kk", "ru")),
                    "phone": f"+7701{n:07d}",
                    "created_at": NOW,
                }
                for n in ids
            ]
            made = [_case(n, rng) for n in ids]
            await conn.execute(insert(Applicant), people)
            await conn.execute(insert(Application), [c for c, _, _ in made])
            await conn.execute(insert(Deadline), [r for _, rows, _ in made for r in rows])
            decisions = [d for _, _, d in made if d is not None]
            if decisions:
                await conn.execute(insert(Decision), decisions)
            await conn.execute(
                insert(Document),
                [
                    {
                        "application_id": n,
                        "kind": "identity",
                        "file_name": "identity.pdf",
                        "content_type": "application/pdf",
                        "size": 1000,
                        "sha256": "0" * 64,
                        "storage_path": f"bench/{n}.pdf",
                        "uploaded_at": NOW,
                    }
                    for n in ids
                ],
            )
    sessions = make_sessionmaker(engine)
    async with transaction(sessions) as session:
        staff, _ = await add_staff(
            session, name="Айгүл Серікова", role=Role.COMMISSION_SECRETARY, now=NOW
        )
        await set_password(session, staff, PASSWORD)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE bench_seeded (size INTEGER)"))
        await conn.execute(text("INSERT INTO bench_seeded VALUES (:n)"), {"n": size})
        if engine.dialect.name == "postgresql":
            await conn.execute(text("ANALYZE"))


async def seeded(engine: AsyncEngine) -> int | None:
    try:
        async with engine.connect() as conn:
            return await conn.scalar(text("SELECT size FROM bench_seeded"))
    except Exception:  # no such table: not seeded yet
        return None


def engine_for(url: str, size: int, cache: Path) -> AsyncEngine:
    if url.startswith("sqlite"):
        cache.mkdir(parents=True, exist_ok=True)
        return make_engine(f"sqlite+aiosqlite:///{cache / f'staff-{size}.sqlite3'}")
    return make_engine(
        url, connect_args={"server_settings": {"search_path": f"bench_staff_{size}"}}
    )


async def ready(url: str, size: int, cache: Path) -> AsyncEngine:
    """The seeded database of this size: reused when a run left it, else seeded now."""
    if url.startswith("postgresql"):
        plain = make_engine(url)
        async with plain.begin() as conn:
            await conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS bench_staff_{size}"))
        await plain.dispose()
    engine = engine_for(url, size, cache)
    if await seeded(engine) != size:
        started = time.perf_counter()
        print(f"  seeding {size:,} cases …", flush=True)
        await seed(engine, size)
        print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    else:
        await upgrade_engine(engine)  # a newer schema since the seed: migrated, not reseeded
    return engine


# ---------------------------------------------------------------- the floor: plain SQL

LINE = (
    "SELECT a.id, a.status, a.ground, a.channel, a.registered_on, a.next_term, a.next_due_on,"
    " p.iin, p.last_name, p.first_name, p.middle_name"
    " FROM applications a JOIN applicants p ON p.id = a.applicant_id"
)
FLOOR_SQL = {
    "status list": [LINE + " WHERE a.status = :status ORDER BY a.id DESC LIMIT 200"],
    "deadline board": [
        LINE + " WHERE a.next_due_on IS NOT NULL ORDER BY a.next_due_on, a.id LIMIT 200"
    ],
    "lookup by IIN": [LINE + " WHERE p.iin = :iin ORDER BY a.id DESC LIMIT 200"],
    "case page": [
        "SELECT * FROM applications a JOIN applicants p ON p.id = a.applicant_id WHERE a.id = :id",
        "SELECT * FROM documents WHERE application_id = :id",
        "SELECT * FROM deadlines WHERE application_id = :id",
        "SELECT * FROM hearings WHERE application_id = :id",
        "SELECT * FROM decisions WHERE application_id = :id",
    ],
    "console queue": [
        LINE + " WHERE a.next_due_on IS NOT NULL ORDER BY a.next_due_on, a.id LIMIT 51"
    ],
}


async def floor(engine: AsyncEngine, path: str, params: dict) -> None:
    async with engine.connect() as conn:
        for sql in FLOOR_SQL[path]:
            (await conn.execute(text(sql), params)).fetchall()


# ---------------------------------------------------------------- the app


async def clients(engine: AsyncEngine, url: str) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    settings = Settings(database_url=url, redis_url=None, _env_file=None)  # type: ignore[call-arg]
    district = load_district(DEFAULT_DISTRICT_FILE)
    sessions = make_sessionmaker(engine)
    runtime = Runtime(settings, engine, sessions, district, FixedClock(NOW))
    app = create_app(settings, runtime=runtime)
    # The benchmark is one clerk asking fast; the per-member rate limit is not what it measures.
    app.state.staff_limiter = TokenBuckets(per_minute=1e9, burst=10**9)
    transport = httpx.ASGITransport(app=app)
    api = httpx.AsyncClient(transport=transport, base_url="http://komek.bench")
    async with transaction(sessions) as session:  # a fresh token each run (only its hash is kept)
        name = f"Bench {time.time_ns()}"
        _, token = await add_staff(session, name=name, role=Role.COMMISSION_SECRETARY, now=NOW)
    api.headers["Authorization"] = f"Bearer {token}"
    console = httpx.AsyncClient(transport=transport, base_url="http://komek.bench")
    form = (await console.get("/console/login")).text
    csrf = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    r = await console.post(
        "/console/login", data={"name": "Айгүл Серікова", "password": PASSWORD, "csrf": csrf}
    )
    assert r.status_code == 303, r.text
    return api, console


Asks = dict[str, Callable[[random.Random], tuple[Callable[[], Awaitable[object]], dict]]]


def asks(api: httpx.AsyncClient, console: httpx.AsyncClient, size: int) -> Asks:
    open_states = ["registered", "at_special_commission", "at_precinct_commission"]

    async def get(client: httpx.AsyncClient, url: str) -> None:
        r = await client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])

    def status_list(rng: random.Random) -> tuple[Callable[[], Awaitable[object]], dict]:
        state = rng.choice([*open_states, "notified_granted"])
        return lambda: get(api, f"/staff/applications?status={state}"), {"status": state}

    def board(rng: random.Random) -> tuple[Callable[[], Awaitable[object]], dict]:
        return lambda: get(api, "/staff/deadlines"), {}

    def lookup(rng: random.Random) -> tuple[Callable[[], Awaitable[object]], dict]:
        iin = f"{rng.randint(1, size):012d}"
        return lambda: get(api, f"/staff/applications?iin={iin}"), {"iin": iin}

    def case_page(rng: random.Random) -> tuple[Callable[[], Awaitable[object]], dict]:
        n = rng.randint(1, size)
        return lambda: get(api, f"/staff/applications/{n}"), {"id": n}

    def queue(rng: random.Random) -> tuple[Callable[[], Awaitable[object]], dict]:
        return lambda: get(console, "/console/queue"), {}

    return {
        "status list": status_list,
        "deadline board": board,
        "lookup by IIN": lookup,
        "case page": case_page,
        "console queue": queue,
    }


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


async def run_size(url: str, size: int, rounds: int, per_round: int, cache: Path) -> list[str]:
    engine = await ready(url, size, cache)
    api, console = await clients(engine, url)
    paths = asks(api, console, size)
    app_ms: dict[str, list[list[float]]] = {p: [] for p in paths}
    floor_ms: dict[str, list[list[float]]] = {p: [] for p in paths}
    for make in paths.values():  # warm: plans cached, pages compiled
        call, _ = make(random.Random(0))
        await call()
    # What start-up left is frozen, as `komek serve` does once started (gateway/app.py): a
    # full collection then walks only what requests made, not every object of the import.
    gc.freeze()
    for n in range(rounds):
        order = ("app", "floor") if n % 2 == 0 else ("floor", "app")
        for path, make in paths.items():
            for side in order:
                rng = random.Random(n)  # the same requests on both sides
                times = []
                for _ in range(per_round):
                    call, params = make(rng)
                    started = time.perf_counter()
                    if side == "app":
                        await call()
                    else:
                        await floor(engine, path, params)
                    times.append((time.perf_counter() - started) * 1000)
                (app_ms if side == "app" else floor_ms)[path].append(times)
        print(
            f"  round {n + 1}: "
            + ", ".join(f"{p} {statistics.median(app_ms[p][-1]):.1f} ms" for p in paths),
            flush=True,
        )
    lines = []
    for path in paths:
        medians = [statistics.median(r) for r in app_ms[path]]
        every = [t for r in app_ms[path] for t in r]
        floor_medians = [statistics.median(r) for r in floor_ms[path]]
        f50 = statistics.median(floor_medians)
        lines.append(
            f"{engine.dialect.name:10} {size:>7,}  {path:15}"
            f" p50 {statistics.median(medians):6.1f} ms"
            f" (range {min(medians):.1f}–{max(medians):.1f}), p99 {pct(every, 99):6.1f} ms"
            f" | floor p50 {f50:5.1f} ms (range {min(floor_medians):.1f}–{max(floor_medians):.1f})"
            f" | ratio {statistics.median(medians) / f50:4.1f}×"
        )
    await api.aclose()
    await console.aclose()
    await engine.dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=20, help="requests per path per round")
    parser.add_argument("--db", help="a PostgreSQL URL too (schemas bench_staff_<size> in it)")
    parser.add_argument("--only-db", action="store_true", help="PostgreSQL alone, not SQLite")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/komek-bench-staff"))
    args = parser.parse_args()
    backends = [] if args.only_db else ["sqlite+aiosqlite://"]
    if args.db:
        backends.append(args.db)
    summary: list[str] = []
    for url in backends:
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"{url.split(':')[0]}, {size:,} cases", flush=True)
            summary += asyncio.run(run_size(url, size, args.rounds, args.per_round, args.cache))
    print("\nbackend      cases  path   app: median of round p50s, p99 of all | floor | ratio")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
