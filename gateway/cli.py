"""The `komek` command: database upgrades, the service, and staff tools."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from casework.district import DistrictConfigError, load_district
from casework.identity import PersonalDataFilter
from casework.settings import get_settings

Handler = Callable[[argparse.Namespace], int]


def _db_upgrade(args: argparse.Namespace) -> int:
    from casework.migrate import upgrade

    settings = get_settings()
    upgrade(settings.database_url)
    print("database is up to date")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.app import create_app

    settings = get_settings()
    load_district(settings.district_file)  # fail fast, before binding the port
    # log_config=None: uvicorn's loggers go through the root handlers and their masking filter
    # (an access log line can carry an IIN in a lookup URL).
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_config=None)
    return 0


def _staff_add(args: argparse.Namespace) -> int:
    import asyncio
    from datetime import UTC, datetime

    from casework.db import make_engine, make_sessionmaker, transaction
    from casework.lifecycle import DomainError
    from casework.migrate import upgrade
    from casework.staff import add_staff

    settings = get_settings()
    upgrade(settings.database_url)

    async def add() -> str:
        engine = make_engine(settings.database_url)
        try:
            async with transaction(make_sessionmaker(engine)) as session:
                _, token = await add_staff(
                    session, name=args.name, role=args.role, now=datetime.now(UTC)
                )
            return token
        finally:
            await engine.dispose()

    try:
        token = asyncio.run(add())
    except DomainError as exc:
        print(f"komek: {exc}", file=sys.stderr)
        return 1
    # The token is shown once; only its hash is stored.
    print(token)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="komek", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_cmd", required=True)
    db.add_parser("upgrade", help="apply Alembic migrations").set_defaults(func=_db_upgrade)

    serve = sub.add_parser("serve", help="run the service (creates and migrates the database)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=_serve)
    from casework.staff import Role

    staff = sub.add_parser("staff", help="staff accounts").add_subparsers(
        dest="staff_cmd", required=True
    )
    add = staff.add_parser("add", help="add a staff member and print their bearer token")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, type=Role, choices=list(Role))
    add.set_defaults(func=_staff_add)

    from gateway.worker_cli import add_commands as add_gateway_commands

    add_gateway_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for handler in logging.getLogger().handlers:  # no full IIN or phone ever reaches a log
        handler.addFilter(PersonalDataFilter())
    args = build_parser().parse_args(argv)
    handler: Handler = args.func
    try:
        return handler(args)
    except DistrictConfigError as exc:
        print(f"komek: district file: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
