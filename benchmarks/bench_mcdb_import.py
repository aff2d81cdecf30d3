"""`komek mcdb import` of a 100,000-row list: the peak memory and time of the whole import.

    .venv/bin/python benchmarks/bench_mcdb_import.py                  # 100,000 and 10,000 rows
    .venv/bin/python benchmarks/bench_mcdb_import.py --rounds 5 --db postgresql+asyncpg://…/test

Each round runs the real command in a fresh process against an empty database (a new SQLite
file, or the given database emptied), so its peak RSS is the import's own: reading, validating
(IIN check digit, phone numbering plan, dates), duplicate keys and the chunked writes. Rounds
alternate the full file and one a tenth of its size: a bounded import peaks alike at both. The
script prints every round, then the median and range of each.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.builders import iin_for  # noqa: E402

PEAK = re.compile(r"^peak_rss_kib=(\d+)$", re.M)


def write_list(path: Path, rows: int) -> None:
    iins = [iin_for(n) for n in range(min(rows, 26_000))]
    with path.open("w", encoding="utf-8") as out:
        out.write("iin,phone,registered_on\n")
        for n in range(rows):
            out.write(f"{iins[n % len(iins)]},+7705{n:07d},2021-03-04\n")


# The child: one import, then its own peak RSS (ru_maxrss is the process's lifetime peak).
CHILD = """
import resource, sys
from gateway.cli import main
code = main(["mcdb", "import", sys.argv[1]])
print(f"peak_rss_kib={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
sys.exit(0 if code in (0, 1) else code)
"""


def reset(db: str | None, folder: Path) -> str:
    if db is None:
        target = folder / "komek.sqlite3"
        target.unlink(missing_ok=True)
        return f"sqlite+aiosqlite:///{target}"
    subprocess.run([sys.executable, "-c", RESET, db], check=True, cwd=ROOT, env={**os.environ})
    return db


RESET = """
import asyncio, sys
from sqlalchemy import text
from casework.system.db import make_engine
async def go():
    engine = make_engine(sys.argv[1])
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
asyncio.run(go())
"""


def one_round(path: Path, db: str | None, folder: Path) -> tuple[float, float]:
    url = reset(db, folder)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOMEK_")}
    env["KOMEK_DATABASE_URL"] = url
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    found = PEAK.search(run.stdout)
    if run.returncode != 0 or found is None:
        sys.exit(f"import failed:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
    return elapsed, int(found.group(1)) / 1024


def summary(label: str, values: list[float], unit: str) -> str:
    return (
        f"{label}: median {statistics.median(values):.1f} {unit} "
        f"(range {min(values):.1f}–{max(values):.1f}, {len(values)} rounds)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", help="an empty database URL to use instead of a new SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sizes = {args.rows: folder / "full.csv", args.rows // 10: folder / "tenth.csv"}
        for rows, path in sizes.items():
            write_list(path, rows)
            print(f"{rows} rows: {path.stat().st_size / 1e6:.1f} MB")
        results: dict[int, list[tuple[float, float]]] = {rows: [] for rows in sizes}
        for i in range(args.rounds):
            order = list(sizes) if i % 2 == 0 else list(reversed(sizes))
            for rows in order:
                seconds, mib = one_round(sizes[rows], args.db, folder)
                results[rows].append((seconds, mib))
                print(f"round {i + 1}: {rows} rows in {seconds:.1f} s, peak RSS {mib:.0f} MiB")
        for rows, values in results.items():
            print(summary(f"{rows} rows, time", [s for s, _ in values], "s"))
            print(summary(f"{rows} rows, peak RSS", [m for _, m in values], "MiB"))


if __name__ == "__main__":
    main()
