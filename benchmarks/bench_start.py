"""Cold start and idle memory of `komek serve` against a minimal FastAPI app under uvicorn.

    .venv/bin/python benchmarks/bench_start.py [--rounds 5]

Each round starts `komek serve` in a fresh empty directory (the embedded default: a new SQLite
file, migrated on start, the in-process worker on, no bot token), then the floor: a FastAPI app
with one `/health` route under uvicorn. Both are timed from process start to the first 200 from
`/health`; their resident memory (VmRSS) is read two seconds later, idle. Rounds alternate, so a
busy machine slows both alike; the script prints every round, the median and range of each side,
and the ratios to the floor. Goals (issue 15): under 3 s to `/health`, under 150 MiB idle.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR_APP = """
from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
"""
IDLE_SECONDS = 2.0


@dataclass
class Round:
    seconds: float
    rss_mib: float


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def measure(argv: list[str], cwd: Path, port: int, env: dict[str, str]) -> Round:
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        url = f"http://127.0.0.1:{port}/health"
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{argv} exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.02)
            if time.perf_counter() - started > 60:
                raise RuntimeError(f"{argv}: no /health within 60 s")
        seconds = time.perf_counter() - started
        time.sleep(IDLE_SECONDS)
        return Round(seconds, rss_mib(proc.pid))
    finally:
        proc.terminate()
        proc.wait(10)


def komek_round(workdir: Path) -> Round:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOMEK_")}
    env["PYTHONPATH"] = str(ROOT)
    argv = [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)]
    return measure(argv, workdir, port, env)


def floor_round(workdir: Path) -> Round:
    port = free_port()
    (workdir / "floor_app.py").write_text(FLOOR_APP)
    argv = [sys.executable, "-m", "uvicorn", "floor_app:app", "--port", str(port)]
    return measure(argv, workdir, port, dict(os.environ))


def summary(name: str, values: list[float], unit: str) -> str:
    return (
        f"{name}: median {statistics.median(values):.2f} {unit} "
        f"(range {min(values):.2f}-{max(values):.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    komek: list[Round] = []
    floor: list[Round] = []
    with tempfile.TemporaryDirectory(prefix="komek-bench-start-") as tmp:
        for n in range(args.rounds):
            for side, runs, run in (("floor", floor, floor_round), ("komek", komek, komek_round)):
                workdir = Path(tmp) / f"{side}-{n}"  # fresh: a new database every round
                workdir.mkdir()
                result = run(workdir)
                runs.append(result)
                print(
                    f"round {n + 1} {side}: {result.seconds:.2f} s to /health, "
                    f"{result.rss_mib:.0f} MiB idle",
                    flush=True,
                )
    for name, runs in (("komek serve", komek), ("minimal FastAPI", floor)):
        print(summary(f"{name} start", [r.seconds for r in runs], "s"))
        print(summary(f"{name} idle RSS", [r.rss_mib for r in runs], "MiB"))
    start_ratios = [k.seconds / f.seconds for k, f in zip(komek, floor, strict=True)]
    rss_ratios = [k.rss_mib / f.rss_mib for k, f in zip(komek, floor, strict=True)]
    print(summary("start ratio komek/floor (paired rounds)", start_ratios, "x"))
    print(summary("RSS ratio komek/floor (paired rounds)", rss_ratios, "x"))
    start, rss = (
        statistics.median(r.seconds for r in komek),
        statistics.median(r.rss_mib for r in komek),
    )
    print(
        f"goals: start < 3 s {'met' if start < 3 else 'NOT met'}, "
        f"idle RSS < 150 MiB {'met' if rss < 150 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
