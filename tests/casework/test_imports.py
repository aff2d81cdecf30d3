"""The district's lists through the real importers: every file an office sends gives a
line-numbered report and keeps every good row, in the database the service uses."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.district import load_district
from casework.steps.holidays import find_holiday, parse_recipients
from casework.steps.imports import ImportReport, import_mcdb
from casework.system.db import transaction
from casework.system.settings import DEFAULT_DISTRICT_FILE
from casework.tables.mcdb import McdbEntry
from tests.builders import iin_for, phone_for
from tests.test_cli import KOMEK, _env

HEADER = "iin,phone,registered_on"
NOW = datetime(2026, 11, 16, 5, tzinfo=UTC)


def good(n: int, sep: str = ",") -> str:
    return sep.join((iin_for(n), phone_for(n), "2021-03-04"))


def lines(*rows: str, sep: str = ",", header: bool = True) -> str:
    return "\n".join(([HEADER.replace(",", sep)] if header else []) + list(rows)) + "\n"


# name → (file bytes, the good IIN numbers kept, {line: a word of its reason})
FileCase = tuple[bytes, list[int], dict[int, str]]
FILES: dict[str, Callable[[], FileCase]] = {
    "cp1251": lambda: (
        lines(good(1), "ИИН нет,+77050000002,2021-03-04", good(3)).encode("cp1251"),
        [1, 3],
        {3: "IIN"},
    ),
    "utf-16": lambda: (
        lines(good(1), good(2), f"{iin_for(3)},+1 202 555 0100,2021-03-04").encode("utf-16"),
        [1, 2],
        {4: "phone"},
    ),
    "bom": lambda: (lines(good(1), good(2)).encode("utf-8-sig"), [1, 2], {}),
    "semicolons": lambda: (
        lines(good(1, ";"), good(2, ";"), f"{iin_for(3)};{phone_for(3)};вчера", sep=";").encode(),
        [1, 2],
        {4: "registration date"},
    ),
    "extra column": lambda: (
        lines(good(1), good(2) + ",лишнее", good(3)).encode(),
        [1, 3],
        {3: "columns"},
    ),
    "huge field": lambda: (
        lines(good(1), f"{iin_for(2)},{'7' * 200_000},2021-03-04", good(3)).encode(),
        [1, 3],
        {3: "longer than"},
    ),
    "binary junk": lambda: (
        lines(good(1)).encode() + b"\x00\x01\x02\xff\xfe\x00garbage\n" + good(3).encode() + b"\n",
        [1, 3],
        {3: "binary"},
    ),
    "named extra column": lambda: (
        ("iin,phone,registered_on,source\n" + good(1) + ",ЦОН\n" + good(2) + "\n").encode(),
        [1, 2],
        {},
    ),
    "duplicate IINs": lambda: (
        lines(good(1), good(2), good(1)).encode(),
        [1, 2],
        {4: "duplicate of line 2"},
    ),
}


async def _import(sessions: async_sessionmaker[AsyncSession], path: Path) -> ImportReport:
    async with transaction(sessions) as session:
        with path.open("rb") as source:
            return await import_mcdb(session, source, now=NOW)


@pytest.mark.parametrize("name", FILES)
async def test_every_file_keeps_its_good_rows_and_names_the_bad_lines(
    name: str, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    data, kept, bad = FILES[name]()
    path = tmp_path / "mcdb.csv"
    path.write_bytes(data)
    report = await _import(sessions, path)
    assert report.added == len(kept)
    assert [line for line, _ in report.errors] == sorted(bad)
    for (line, message), word in zip(report.errors, (bad[k] for k in sorted(bad)), strict=True):
        assert word in message, (line, message)
    async with sessions() as session:
        stored = set(await session.scalars(select(McdbEntry.iin)))
    assert stored == {iin_for(n) for n in kept}


async def test_a_100000_row_file_is_imported_in_full(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    path = tmp_path / "mcdb.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for n in range(100_000):
            # 26,000 distinct IINs, each with several phones: every (IIN, phone) pair is new.
            out.write(f"{iin_for(n % 26_000)},+7705{n:07d},2021-03-04\n")
        out.write("not,a,row\n")
    report = await _import(sessions, path)
    assert (report.added, report.updated) == (100_000, 0)
    assert [line for line, _ in report.errors] == [100_002]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(McdbEntry)) == 100_000


def _komek_import(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*KOMEK, "mcdb", "import", str(path)],
        env=_env(path.parent),
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("name", ["cp1251", "utf-16", "huge field", "binary junk"])
def test_the_command_reports_lines_and_never_a_traceback(name: str, tmp_path: Path) -> None:
    data, kept, bad = FILES[name]()
    path = tmp_path / "mcdb.csv"
    path.write_bytes(data)
    run = _komek_import(path)
    assert "Traceback" not in run.stderr
    assert run.returncode == 1
    assert [f"{path}:{line}:" in run.stdout for line in bad] == [True] * len(bad)
    assert f"{len(kept)} added, 0 updated, {len(bad)} rejected" in run.stdout


def test_a_not_csv_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "list.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 40)
    run = _komek_import(path)
    assert "Traceback" not in run.stderr
    assert run.stdout.splitlines()[0].startswith(f"{path}:1: this is not a text CSV file")
    assert "0 added, 0 updated, 1 rejected" in run.stdout


VICTORY_DAY = find_holiday(load_district(DEFAULT_DISTRICT_FILE), "05-09")


@pytest.mark.parametrize("encoding", ["cp1251", "utf-16", "utf-8-sig"])
def test_a_holiday_list_with_a_kazakh_header_in_any_encoding(encoding: str) -> None:
    data = (
        "ЖСН;Аты-жөні;Санаты;Телефон\n"
        f"{iin_for(1)};Жұмабаев Серік;wwii_veterans;{phone_for(1)}\n"
        f"{iin_for(2)};Ахметова Айша;wwii_widows;;артық\n"
        f"{iin_for(1)};Жұмабаев Серік;wwii_veterans;\n"
    )
    if encoding == "cp1251":  # it has no Kazakh letters: such exports are in Russian
        data = data.replace("ЖСН;Аты-жөні;Санаты", "ИИН;ФИО;Категория")
        data = data.replace("Жұмабаев Серік", "Жумабаев Серик").replace("артық", "лишнее")
    parsed = parse_recipients(data.encode(encoding), VICTORY_DAY)
    assert [(r.line, r.category) for r in parsed.rows] == [(2, "wwii_veterans")]
    assert [(e.line, e.message) for e in parsed.errors] == [
        (3, parsed.errors[0].message),
        (4, "duplicate of line 2"),
    ]
    assert "columns" in parsed.errors[0].message
