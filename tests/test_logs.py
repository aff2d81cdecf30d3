"""Logs as an operator sees them: `komek serve` run for real in each KOMEK_LOG_FORMAT, a request
whose URL carries an IIN and a phone, and not one full IIN or phone in what it wrote; a quiet
start (one line saying where it listens, no migration chatter)."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from casework.law.identity import mask_iin, mask_phone
from casework.system.logs import configure_logging
from tests.builders import iin_for

ROOT = Path(__file__).resolve().parents[1]
IIN = iin_for(7)
PHONE = "+77051234567"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _serve_and_log(tmp_path: Path, log_format: str) -> str:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOMEK_")}
    env |= {"KOMEK_LOG_FORMAT": log_format, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port), "--access-log"]
    proc = subprocess.Popen(
        argv, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.communicate()[0]
            try:
                if _get(f"{base}/health") == 200:
                    break
            except OSError:
                time.sleep(0.1)
            assert time.monotonic() < deadline, "no /health within 60 s"
        # A clerk's lookup by IIN and phone, as the access log records its URL.
        assert _get(f"{base}/staff/applications?iin={IIN}&phone=%2B{PHONE[1:]}") == 401
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=20)
    return output


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_served_requests_log_no_full_iin_or_phone(tmp_path: Path, log_format: str) -> None:
    output = _serve_and_log(tmp_path, log_format)
    lines = output.strip().splitlines()
    assert any("/staff/applications" in line for line in lines), output  # it was logged
    assert IIN not in output and PHONE[1:] not in output
    assert mask_iin(IIN) in output
    if log_format == "json":
        records = [json.loads(line) for line in lines]  # every line is one JSON object
        assert {"time", "level", "logger", "message"} <= set(records[0])
        messages = [r["message"] for r in records]
    else:
        messages = lines
        with pytest.raises(json.JSONDecodeError):
            json.loads(lines[0])
    # A quiet start: the first line says where the service is and where the staff side is.
    assert "listening on http://127.0.0.1:" in messages[0] and "/console/" in messages[0]
    assert not any("alembic" in line.lower() for line in lines)


def test_json_masks_extra_fields_and_tracebacks() -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    handler = configure_logging("json")
    stream = io.StringIO()
    handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        log = logging.getLogger("komek.test")
        log.warning("code sent to %s", PHONE, extra={"applicant": f"IIN {IIN}"})
        try:
            raise ValueError(f"no such applicant {IIN}")
        except ValueError:
            log.exception("lookup failed")
    finally:
        for h in list(root.handlers):
            root.removeHandler(h)
        for h in saved[0]:
            root.addHandler(h)
        root.setLevel(saved[1])
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == f"code sent to {mask_phone(PHONE)}"
    assert first["applicant"] == f"IIN {mask_iin(IIN)}"
    assert "ValueError" in second["exc_info"] and IIN not in second["exc_info"]
