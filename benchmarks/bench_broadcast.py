"""Creating a 10,000-recipient hearing-invitation broadcast or granting a 10,000-row holiday
list, and writing their notices.

    .venv/bin/python benchmarks/bench_broadcast.py                        # SQLite
    .venv/bin/python benchmarks/bench_broadcast.py --rounds 5 \\
        --db postgresql+asyncpg://postgres@127.0.0.1:5432/emptydb          # SQLite and PostgreSQL

The database is seeded once per backend (set-based inserts): N cases awaiting their hearing on
one day, half with a phone the mobile citizens database registers, a tenth filed in the bot.
Each round then POSTs `/staff/broadcasts` through the real ASGI app (the answer staff wait for:
"create"), and writes every notice the way the delivery worker does in the background
(`broadcast_fill.fill_pending`: "fill"); then removes what the round wrote. With `--db`, rounds
alternate between the backends. A holiday round imports a list of as many recipients (one
holiday and category per round, so each grants anew) and POSTs its grant: "create" is that
answer (the cases opened, the broadcast made), "fill" its notices written in the background.
The script prints every round, then the median and range per backend and kind.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import delete, insert, select, text  # noqa: E402

from casework.law.roles import Role  # noqa: E402
from casework.law.rules import Channel, Ground, HearingMode  # noqa: E402
from casework.law.status import Status  # noqa: E402
from casework.steps import broadcast_fill  # noqa: E402
from casework.steps.staff import add_staff  # noqa: E402
from casework.system.db import make_engine, transaction  # noqa: E402
from casework.system.migrate import upgrade_engine  # noqa: E402
from casework.system.runtime import Runtime  # noqa: E402
from casework.system.settings import Settings  # noqa: E402
from casework.tables.applicants import Applicant  # noqa: E402
from casework.tables.applications import Application  # noqa: E402
from casework.tables.audit import AuditEvent  # noqa: E402
from casework.tables.hearings import Hearing  # noqa: E402
from casework.tables.mcdb import McdbEntry  # noqa: E402
from casework.tables.notices import Broadcast, BroadcastTarget, Notice, NoticeEvent  # noqa: E402
from gateway.app import create_app  # noqa: E402
from tests.builders import iin_for  # noqa: E402

HEARING_DAY = date(2027, 1, 14)  # a Thursday, after the New Year holidays
HEARING_AT = datetime(2027, 1, 14, 5, tzinfo=UTC)  # 10:00 in Almaty
CHUNK = 5_000


async def seed(url: str, n: int) -> None:
    engine = make_engine(url)
    if url.startswith("postgresql"):
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await upgrade_engine(engine)
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        for start in range(0, n, CHUNK):
            ids = range(start + 1, min(start + CHUNK, n) + 1)
            await conn.execute(
                insert(Applicant),
                [
                    {
                        "id": i,
                        "iin": f"{i:012d}",
                        "last_name": "Сейітова",
                        "first_name": "Гүлмира",
                        "locale": "kk" if i % 3 else "ru",
                        "phone": f"+7701{i:07d}",
                        "telegram_id": 900_000 + i if i % 10 == 0 else None,
                        "created_at": now,
                    }
                    for i in ids
                ],
            )
            await conn.execute(
                insert(Application),
                [
                    {
                        "id": i,
                        "applicant_id": i,
                        "status": Status.PRELIMINARY_REFUSAL,
                        "channel": Channel.BOT if i % 10 == 0 else Channel.PROVIDER_OFFICE,
                        "ground": Ground.DISEASE,
                        "phone": f"+7701{i:07d}",
                        "extended": False,
                        "draft": {},
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in ids
                ],
            )
            await conn.execute(
                insert(Hearing),
                [
                    {
                        "id": i,
                        "application_id": i,
                        "refusal_grounds": ["income_above_threshold"],
                        "scheduled_at": HEARING_AT,
                        "mode": HearingMode.OTHER,
                        "details": "Құлан ауылы, Жібек жолы к-сі, 12",
                        "issued_at": now,
                    }
                    for i in ids
                ],
            )
            await conn.execute(
                insert(McdbEntry),
                [
                    {
                        "iin": f"{i:012d}",
                        "phone": f"+7701{i:07d}",
                        "registered_on": date(2024, 1, 1),
                        "imported_at": now,
                    }
                    for i in ids
                    if i % 2
                ],
            )
        if url.startswith("postgresql"):  # ids were given: move the sequences past them
            for table in ("applicants", "applications", "hearings"):
                await conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    await engine.dispose()


async def clean(runtime: Runtime) -> None:
    async with transaction(runtime.sessions) as session:
        notices = select(Notice.id).where(Notice.broadcast_id.is_not(None))
        await session.execute(delete(NoticeEvent).where(NoticeEvent.notice_id.in_(notices)))
        await session.execute(delete(Notice).where(Notice.broadcast_id.is_not(None)))
        await session.execute(delete(BroadcastTarget))
        await session.execute(delete(Broadcast))
        await session.execute(delete(AuditEvent).where(AuditEvent.action == "notice_broadcast"))


# One (holiday, category) per holiday round, so every round grants a list anew.
HOLIDAYS = [
    (year, day, category)
    for year in (2026, 2025)
    for day, category in (
        ("02-15", "combat_veterans"),
        ("04-26", "chernobyl_liquidators"),
        ("05-09", "wwii_veterans"),
        ("05-31", "repression_victims"),
        ("10-01", "pensioners_80_plus"),
    )
]


async def _tokens(
    runtime: Runtime, tokens: dict[str, dict[Role, str]], url: str
) -> dict[Role, dict[str, str]]:
    """The secretary broadcasts and imports lists; the decision maker grants them."""
    if url not in tokens:
        tokens[url] = {}
        async with transaction(runtime.sessions) as session:
            for role in (Role.COMMISSION_SECRETARY, Role.DECISION_MAKER):
                _, tokens[url][role] = await add_staff(
                    session, name=f"{role.value} {len(tokens)}", role=role, now=datetime.now(UTC)
                )
    return {role: {"Authorization": f"Bearer {t}"} for role, t in tokens[url].items()}


async def _create_broadcast(
    http: httpx.AsyncClient, auth: dict[Role, dict[str, str]], n: int
) -> float:
    began = time.perf_counter()
    r = await http.post(
        "/staff/broadcasts",
        json={"hearing_date": HEARING_DAY.isoformat()},
        headers=auth[Role.COMMISSION_SECRETARY],
    )
    created = time.perf_counter() - began
    assert r.status_code == 201, r.text
    assert r.json()["targets"] == n, r.json()
    return created


async def _grant_holiday(
    http: httpx.AsyncClient, auth: dict[Role, dict[str, str]], n: int, k: int
) -> float:
    year, day, category = HOLIDAYS[k % len(HOLIDAYS)]
    lines = ["iin;name;category;phone"] + [
        f"{iin_for(i)};Серікова Айгүл Маратқызы;{category};+7702{i:07d}" for i in range(n)
    ]
    data = "\n".join(lines).encode()
    r = await http.post(
        "/staff/holidays/lists",
        data={"holiday": day, "year": str(year)},
        files={"file": ("list.csv", data, "text/csv")},
        headers=auth[Role.COMMISSION_SECRETARY],
    )
    assert r.status_code == 201, r.text
    began = time.perf_counter()
    grant = f"/staff/holidays/lists/{r.json()['id']}/grant"
    r = await http.post(grant, headers=auth[Role.DECISION_MAKER])
    created = time.perf_counter() - began
    assert r.status_code == 200, r.text
    assert len(r.json()["application_ids"]) == n, r.text[:300]
    return created


async def one_round(
    url: str, tokens: dict[str, dict[Role, str]], n: int, kind: str, k: int
) -> tuple[float, float]:
    runtime = await Runtime.start(Settings(database_url=url), migrate=False)
    try:
        auth = await _tokens(runtime, tokens, url)
        app = create_app(runtime=runtime)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://komek") as http:
            if kind == "hearings":
                created = await _create_broadcast(http, auth, n)
            else:
                created = await _grant_holiday(http, auth, n, k)
        async with runtime.sessions() as session:
            env = await runtime.env(session)
        began = time.perf_counter()
        await broadcast_fill.fill_pending(runtime.sessions, env)
        filled = time.perf_counter() - began
        async with runtime.sessions() as session:
            written = await session.scalar(
                select(text("count(*)")).select_from(Notice).where(Notice.broadcast_id.is_not(None))
            )
        assert written and written >= n, written
        if kind == "hearings":
            await clean(runtime)
        return created, filled
    finally:
        await runtime.close()


def summary(name: str, values: list[float]) -> str:
    return (
        f"{name}: median {statistics.median(values):.2f} s "
        f"(range {min(values):.2f}–{max(values):.2f} s, {len(values)} rounds)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db", help="a PostgreSQL URL whose schema may be dropped")
    parser.add_argument("--kind", choices=("hearings", "holiday", "both"), default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        urls = {"sqlite": f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"}
        if args.db:
            urls["postgresql"] = args.db
        for name, url in urls.items():
            began = time.perf_counter()
            await seed(url, args.recipients)
            print(f"{name}: seeded {args.recipients} cases in {time.perf_counter() - began:.1f} s")
        tokens: dict[str, dict[Role, str]] = {}
        kinds = ("hearings", "holiday") if args.kind == "both" else (args.kind,)
        figures: dict[tuple[str, str], tuple[list[float], list[float]]] = {
            (name, kind): ([], []) for name in urls for kind in kinds
        }
        for k in range(args.rounds):
            for kind in kinds:
                for name, url in urls.items():  # alternating: a busy machine slows all alike
                    created, filled = await one_round(url, tokens, args.recipients, kind, k)
                    figures[name, kind][0].append(created)
                    figures[name, kind][1].append(filled)
                    print(
                        f"round {k + 1} {name} {kind}: create {created:.2f} s, fill {filled:.2f} s",
                        flush=True,
                    )
        for (name, kind), (creates, fills) in figures.items():
            print(summary(f"{name} {kind}: create (the staff member's wait)", creates))
            total = [c + f for c, f in zip(creates, fills, strict=True)]
            print(summary(f"{name} {kind}: create + fill (every notice in the outbox)", total))


if __name__ == "__main__":
    asyncio.run(main())
