"""`komek worker` (the delivery worker on its own) and `komek mcdb import PATH.csv`."""

from __future__ import annotations

import argparse
import asyncio
import signal
from pathlib import Path
from typing import Any


def _worker(args: argparse.Namespace) -> int:
    from casework.runtime import Runtime
    from casework.settings import get_settings
    from gateway.worker import start_worker

    async def run() -> None:
        runtime = await Runtime.start(get_settings())
        running = await start_worker(runtime)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, running.stop.set)
        print("delivery worker running; Ctrl-C to stop", flush=True)
        try:
            await running.task
        finally:
            await running.close()
            await runtime.close()

    asyncio.run(run())
    return 0


def _mcdb_import(args: argparse.Namespace) -> int:
    from casework.clock import SystemClock
    from casework.db import make_engine, make_sessionmaker, transaction
    from casework.migrate import upgrade_engine
    from casework.settings import get_settings
    from gateway.mcdb import import_csv

    path: Path = args.path
    if not path.is_file():
        print(f"komek: no such file: {path}")
        return 2

    async def run() -> Any:
        engine = make_engine(get_settings().database_url)
        try:
            await upgrade_engine(engine)
            async with transaction(make_sessionmaker(engine)) as session:
                return await import_csv(session, path, now=SystemClock().now())
        finally:
            await engine.dispose()

    report = asyncio.run(run())
    for line, problem in report.errors:
        print(f"{path}:{line}: {problem}")
    print(f"{report.added} added, {report.updated} updated, {len(report.errors)} rejected")
    return 1 if report.errors else 0


def add_commands(sub: Any) -> None:
    worker = sub.add_parser("worker", help="run the delivery worker alone (no web server)")
    worker.set_defaults(func=_worker)
    mcdb = sub.add_parser("mcdb", help="mobile citizens database").add_subparsers(
        dest="mcdb_cmd", required=True
    )
    imp = mcdb.add_parser("import", help="load iin,phone,registered_on rows from a CSV file")
    imp.add_argument("path", type=Path)
    imp.set_defaults(func=_mcdb_import)
