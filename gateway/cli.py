"""The `komek` command: database upgrades, the service, the delivery worker, staff and MCDB tools.

The web service and the worker are imported only by the commands that run them: `komek db
upgrade` or `komek staff add` should not load FastAPI, the providers and the bot to do their work.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.district import DistrictConfigError, load_district
from casework.law.errors import DomainError
from casework.law.roles import Role
from casework.steps.imports import ImportReport, import_mcdb
from casework.steps.signin import set_password
from casework.steps.staff import add_staff, rotate_token, staff_by_name
from casework.system.clock import SystemClock
from casework.system.db import make_engine, make_sessionmaker, transaction
from casework.system.logs import configure_logging
from casework.system.migrate import upgrade, upgrade_engine
from casework.system.runtime import Runtime
from casework.system.settings import (
    NotReadyForProduction,
    get_settings,
    invalid_settings,
    refuse_unready,
)

Handler = Callable[[argparse.Namespace], int]
T = TypeVar("T")


def _in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run one unit of work on the configured database, migrated first."""

    async def run() -> T:
        engine = make_engine(get_settings().database_url)
        try:
            await upgrade_engine(engine)
            async with transaction(make_sessionmaker(engine)) as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _db_upgrade(args: argparse.Namespace) -> int:
    upgrade(get_settings().database_url)
    print("database is up to date")
    return 0


def _serve(args: argparse.Namespace) -> int:
    # Deliberately lazy: the web stack loads only for the command that serves it.
    import uvicorn

    from gateway.app import create_app

    settings = get_settings()
    load_district(settings.district_file)  # fail fast, before binding the port
    # create_app refuses a production start on placeholders or the sandbox, also before binding.
    if args.access_log:
        logging.getLogger("uvicorn.access").setLevel(logging.INFO)
    app = create_app(
        settings,
        worker=not args.no_worker,
        migrate=not args.no_migrate,
        listen_url=f"http://{args.host}:{args.port}",
    )
    # log_config=None: uvicorn's loggers go through the root handlers and their masking filter
    # (an access log line can carry an IIN in a lookup URL).
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=args.access_log)
    return 0


def _worker(args: argparse.Namespace) -> int:
    # Deliberately lazy: the providers load only for the command that sends.
    from gateway.worker import start_worker

    settings = get_settings()
    refuse_unready(settings)  # production never sends through the sandbox or on placeholders

    async def run() -> None:
        runtime = await Runtime.start(settings)
        running = await start_worker(runtime)
        gc.freeze()  # start-up's objects out of the collector's sight, as `komek serve` does
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


def _read_password(args: argparse.Namespace) -> str | None:
    """The console password: one line on stdin with --password-stdin, else asked at the terminal
    (never on the command line, where `ps` and the shell's history would keep it)."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if args.staff_cmd == "password" or sys.stdin.isatty():
        first = getpass.getpass("Console password (at least 10 characters, empty to skip): ")
        if not first and args.staff_cmd != "password":
            return None
        if getpass.getpass("Again: ") != first:
            raise DomainError("the two passwords differ")
        return first
    return None


def _staff_token(args: argparse.Namespace) -> int:
    async def work(session: AsyncSession) -> str | None:
        if args.staff_cmd == "add":
            staff, token = await add_staff(
                session, name=args.name, role=args.role, now=SystemClock().now()
            )
        elif args.staff_cmd == "token":
            staff, token = await rotate_token(session, name=args.name)
        else:
            staff, token = await staff_by_name(session, args.name), None
        if password is not None:
            await set_password(session, staff, password)
        return token

    try:
        password = _read_password(args) if args.staff_cmd in ("add", "password") else None
        token = _in_transaction(work)
    except DomainError as exc:
        print(f"komek: {exc}", file=sys.stderr)
        return 1
    # The token is shown once; only its hash is stored.
    if token is not None:
        print(token)
    if password is not None:
        print("console password set: sign in at /console/login", file=sys.stderr)
    return 0


def _mcdb_import(args: argparse.Namespace) -> int:
    path: Path = args.path
    if not path.is_file():
        print(f"komek: no such file: {path}")
        return 2

    async def work(session: AsyncSession) -> ImportReport:
        with path.open("rb") as source:
            return await import_mcdb(session, source, now=SystemClock().now())

    report = _in_transaction(work)
    for line, problem in report.errors:
        print(f"{path}:{line}: {problem}")
    print(f"{report.added} added, {report.updated} updated, {len(report.errors)} rejected")
    return 1 if report.errors else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="komek", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_cmd", required=True)
    db.add_parser("upgrade", help="apply Alembic migrations").set_defaults(func=_db_upgrade)

    serve = sub.add_parser("serve", help="run the service (creates and migrates the database)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--no-worker", action="store_true", help="deliver nothing here: `komek worker`s do"
    )
    serve.add_argument(
        "--no-migrate", action="store_true", help="the schema is upgraded by `komek db upgrade`"
    )
    serve.add_argument("--access-log", action="store_true", help="log every request")
    serve.set_defaults(func=_serve)

    sub.add_parser("worker", help="run the delivery worker alone (no web server)").set_defaults(
        func=_worker
    )

    staff = sub.add_parser("staff", help="staff accounts").add_subparsers(
        dest="staff_cmd", required=True
    )
    add = staff.add_parser("add", help="add a staff member and print their bearer token")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, type=Role, choices=list(Role))
    add.add_argument(
        "--password-stdin", action="store_true", help="read the console password from stdin"
    )
    add.set_defaults(func=_staff_token)
    reset = staff.add_parser("password", help="set a staff member's console password")
    reset.add_argument("--name", required=True)
    reset.add_argument("--password-stdin", action="store_true")
    reset.set_defaults(func=_staff_token)
    rotate = staff.add_parser(
        "token", help="issue a new bearer token for a staff member (the old one stops working)"
    )
    rotate.add_argument("--name", required=True)
    rotate.set_defaults(func=_staff_token)

    mcdb = sub.add_parser("mcdb", help="mobile citizens database").add_subparsers(
        dest="mcdb_cmd", required=True
    )
    imp = mcdb.add_parser("import", help="load iin,phone,registered_on rows from a CSV file")
    imp.add_argument("path", type=Path)
    imp.set_defaults(func=_mcdb_import)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        settings = get_settings()
    except ValidationError as exc:
        print(f"komek: {invalid_settings(exc)}", file=sys.stderr)
        return 2
    configure_logging(settings.log_format)  # masks IINs and phones in every record
    args = build_parser().parse_args(argv)
    command: Handler = args.func
    try:
        return command(args)
    except DistrictConfigError as exc:
        print(f"komek: district file: {exc}", file=sys.stderr)
        return 2
    except NotReadyForProduction as exc:
        print(f"komek: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
