"""What a shared send-rate take costs (gateway/providers/limits.py), on Redis and PostgreSQL.

Per store, alternating rounds: the wall and CPU time of one take on an unlimited key (the cost
of the take alone) against the store's bare round trip (PING / SELECT 1), the floor; then how
many takes a worker lane (20 senders) makes per message at 100/s.

    python -m benchmarks.bench_limits --redis redis://127.0.0.1:6379/4 \\
        --database postgresql+asyncpg://postgres@127.0.0.1:5432/bench  # after komek db upgrade
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from sqlalchemy import text

from casework.system.db import make_engine
from gateway.providers.limits import PostgresStore, RedisStore, SharedLimiter, Store


async def per_take(
    store: Store, floor: Callable[[], Awaitable[object]], n: int
) -> tuple[float, ...]:
    limiter = SharedLimiter(store, f"bench:{uuid.uuid4().hex}", 1e6)  # never waits
    await limiter.wait()
    await floor()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        await limiter.wait()
    take, take_cpu = (time.perf_counter() - wall) / n, (time.process_time() - cpu) / n
    wall = time.perf_counter()
    for _ in range(n):
        await floor()
    return take, take_cpu, (time.perf_counter() - wall) / n


async def takes_per_message(store: Store, rate: float, senders: int, seconds: float) -> float:
    limiter = SharedLimiter(store, f"bench:{uuid.uuid4().hex}", rate)
    takes, sent = 0, 0
    take = store.take

    async def counted(*args: object, **kwargs: object) -> object:
        nonlocal takes
        takes += 1
        return await take(*args, **kwargs)  # type: ignore[arg-type]

    store.take = counted  # type: ignore[method-assign,assignment]
    end = time.monotonic() + seconds

    async def sender() -> None:
        nonlocal sent
        while time.monotonic() < end:
            await limiter.wait()
            sent += 1

    await asyncio.gather(*(sender() for _ in range(senders)))
    del store.take
    return takes / sent


def line(name: str, values: list[float], unit: str = "", scale: float = 1.0) -> str:
    v = [x * scale for x in values]
    return f"{name} {statistics.median(v):.3f}{unit} (range {min(v):.3f}-{max(v):.3f})"


async def main(args: argparse.Namespace) -> None:
    redis = Redis.from_url(args.redis)
    engine = make_engine(args.database, pool_size=2)
    bare = engine.execution_options(isolation_level="AUTOCOMMIT")

    async def select_1() -> None:
        async with bare.connect() as conn:
            await conn.execute(text("SELECT 1"))

    stores: dict[str, tuple[Store, Callable[[], Awaitable[object]]]] = {
        "redis": (RedisStore(redis), redis.ping),
        "postgresql": (PostgresStore(engine), select_1),
    }
    rounds: dict[str, list[tuple[float, ...]]] = {name: [] for name in stores}
    for _ in range(args.rounds):
        for name, (store, floor) in stores.items():
            rounds[name].append(await per_take(store, floor, args.takes))
    for name, rows in rounds.items():
        print(
            f"{name}: "
            + line("take", [r[0] for r in rows], " ms", 1e3)
            + ", "
            + line("CPU", [r[1] for r in rows], " ms", 1e3)
            + ", "
            + line("ratio to the bare round trip", [r[0] / r[2] for r in rows])
        )
    for name, (store, _) in stores.items():
        ratio = await takes_per_message(store, 100, 20, 3.0)
        print(f"{name}: 20 senders at 100/s: {ratio:.3f} takes (round trips) per message")
    for store, _ in stores.values():
        await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/4")
    parser.add_argument(
        "--database", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test_h4"
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds per store, alternating")
    parser.add_argument("--takes", type=int, default=500, help="takes per round")
    asyncio.run(main(parser.parse_args()))
