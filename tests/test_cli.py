"""The `komek` command as an operator runs it: upgrade, serve, and a clear stop on a bad file."""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from casework.system.settings import DEFAULT_DISTRICT_FILE

KOMEK = [sys.executable, "-m", "gateway.cli"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOMEK_")}
    env["KOMEK_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'komek.sqlite3'}"
    env.update(extra)
    return env


def _komek(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """One `komek` command run to its end, in `tmp_path`, with these KOMEK_ settings."""
    return subprocess.run(
        [*KOMEK, *args],
        env=_env(tmp_path, **env),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    run = _komek(tmp_path, "db", "upgrade")
    assert run.returncode == 0, run.stderr
    tables = {
        r[0]
        for r in sqlite3.connect(tmp_path / "komek.sqlite3").execute(
            "select name from sqlite_master where type='table'"
        )
    }
    assert {"applicants", "applications", "deadlines", "audit_events"} <= tables


def test_bad_district_file_stops_the_start_naming_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "district.toml"
    bad.write_text(
        DEFAULT_DISTRICT_FILE.read_text(encoding="utf-8").replace(
            "threshold_multiple", "threshold_multiplier", 1
        ),
        encoding="utf-8",
    )
    run = _komek(tmp_path, "serve", "--port", "9", KOMEK_DISTRICT_FILE=str(bad))
    assert run.returncode == 2
    assert "income.threshold_multiple" in run.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_creates_the_database_and_answers_health(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [*KOMEK, "serve", "--port", str(port)],
        env=_env(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                reply = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "the service did not start in 60 s"
                time.sleep(0.3)
        assert reply.status_code == 200
        assert reply.json()["status"] == "ok"
        assert (tmp_path / "komek.sqlite3").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_lost_staff_token_is_reissued_and_the_old_one_stops_working(tmp_path: Path) -> None:
    added = _komek(tmp_path, "staff", "add", "--name", "Айгүл Серікова", "--role", "decision_maker")
    assert added.returncode == 0, added.stderr
    # Adding the same name again is refused: that is what reissuing is for.
    again = _komek(tmp_path, "staff", "add", "--name", "Айгүл Серікова", "--role", "decision_maker")
    assert again.returncode == 1 and "already exists" in again.stderr
    reissued = _komek(tmp_path, "staff", "token", "--name", "Айгүл  Серікова")
    assert reissued.returncode == 0, reissued.stderr
    old, new = added.stdout.strip(), reissued.stdout.strip()
    assert old and new and old != new
    stored = {
        r[0]
        for r in sqlite3.connect(tmp_path / "komek.sqlite3").execute("select token_hash from staff")
    }
    assert stored == {hashlib.sha256(new.encode()).hexdigest()}
    unknown = _komek(tmp_path, "staff", "token", "--name", "Нобади")
    assert unknown.returncode == 1 and "no staff member" in unknown.stderr


def test_a_bad_setting_stops_the_start_naming_the_variable_not_its_value(tmp_path: Path) -> None:
    run = _komek(
        tmp_path, "worker", KOMEK_WORKER_LEASE_SECONDS="0", KOMEK_TWILIO_RATE_PER_SECOND="ten"
    )
    assert run.returncode == 2
    assert "KOMEK_WORKER_LEASE_SECONDS: Input should be greater than or equal to 3" in run.stderr
    assert "KOMEK_TWILIO_RATE_PER_SECOND: Input should be a valid number" in run.stderr
    assert "Traceback" not in run.stderr and "ten" not in run.stderr
