"""The mobile citizens database: CSV import with line-numbered errors, table and HTTP backends."""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from casework.law.notices import NoticeChannel
from casework.steps.imports import import_mcdb
from casework.steps.notices import TableRegistry, use_registry
from casework.system.db import transaction
from casework.system.env import CaseEnv
from gateway.cli import main as komek
from gateway.mcdb import HttpRegistry
from tests.builders import iin_for, phone_for
from tests.gateway.conftest import Cases


async def test_import_keeps_good_rows_and_reports_bad_ones_by_line(
    case_builder: Cases, env: CaseEnv, tmp_path: Path
) -> None:
    csv_file = tmp_path / "mcdb.csv"
    csv_file.write_text(
        "iin,phone,registered_on\n"
        f"{iin_for(1)},+7 701 000 0001,2021-03-04\n"
        "123,+77010000002,2021-03-04\n"
        f"{iin_for(3)},+1 202 555 0100,2021-03-04\n"
        f"{iin_for(4)},87010000004,04.03.2021\n"
        f"{iin_for(5)},+77010000005,yesterday\n",
        encoding="utf-8",
    )
    async with transaction(case_builder.sessions) as s:
        report = await import_mcdb(s, csv_file, now=env.now())
    assert (report.added, report.updated) == (2, 0)
    assert [line for line, _ in report.errors] == [3, 4, 6]
    assert "IIN" in report.errors[0][1] and "phone" in report.errors[1][1]
    async with transaction(case_builder.sessions) as s:
        again = await import_mcdb(s, csv_file, now=env.now())
    assert (again.added, again.updated) == (0, 2)
    async with case_builder.sessions() as s:
        assert await TableRegistry().is_registered(s, iin_for(4), "+77010000004")
        assert not await TableRegistry().is_registered(s, iin_for(1), "+77010000004")


def test_cli_import_reports_lines(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from casework.system.settings import get_settings

    monkeypatch.setenv("KOMEK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'k.sqlite3'}")
    get_settings.cache_clear()
    csv_file = tmp_path / "m.csv"
    csv_file.write_text(f"iin,phone,registered_on\n{iin_for(1)},+77010000001,2021-01-01\nx,y,z\n")
    try:
        assert komek(["mcdb", "import", str(csv_file)]) == 1
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr().out
    assert f"{csv_file}:3: IIN" in out and "1 added, 0 updated, 1 rejected" in out


async def test_http_registry_decides_the_channel(case_builder: Cases) -> None:
    asked: list[dict[str, str]] = []

    async def registrations(request: web.Request) -> web.Response:
        asked.append(dict(request.query))
        return web.Response(
            text=json.dumps({"registered": request.query["iin"] == iin_for(1)}),
            content_type="application/json",
        )

    app = web.Application()
    app.router.add_get("/registrations", registrations)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    use_registry(HttpRegistry(f"http://127.0.0.1:{port}"))
    try:
        yes = await case_builder.registered(1, mcdb=False)
        no = await case_builder.registered(2, mcdb=False)
    finally:
        use_registry(TableRegistry())
        await runner.cleanup()
    assert (await case_builder.notices(yes))[0].channel is NoticeChannel.SMS
    assert (await case_builder.notices(no))[0].channel is NoticeChannel.PRINT
    assert asked[0] == {"iin": iin_for(1), "phone": phone_for(1)}
