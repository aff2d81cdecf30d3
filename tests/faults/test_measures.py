"""The suite's own measures, on a log written by hand: a wrong count here would hide a fault."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.faults.harness import busiest_second, parse_log

pytestmark = pytest.mark.faults


def test_busiest_second_counts_a_burst_across_a_second_boundary() -> None:
    # Two in each calendar second, but three within the second from 0.2.
    assert busiest_second([0.2, 0.7, 1.1, 1.4, 2.5, 2.9, 4.0]) == 3
    assert busiest_second([0.0, 1.0, 2.0]) == 1
    assert busiest_second([]) == 0


def test_log_names_the_notice_and_reads_only_whole_lines(tmp_path: Path) -> None:
    log = tmp_path / "twilio.jsonl"
    lines = [
        {"method": "POST", "time": 2.0, "to": "+77010000001", "notice": 7, "status": 201},
        {"method": "GET", "time": 1.0, "to": "+77010000001", "notice": None, "status": 200},
        {
            "method": "POST",
            "time": 3.0,
            "StatusCallback": "https://komek.example.kz/twilio/status?notice=8",
            "status": 503,
        },
        {"method": "POST", "time": 4.0, "path": "/_control", "status": 200},
    ]
    whole = "\n".join(json.dumps(line) for line in lines) + "\n"
    # The fake is writing its next line as the suite reads: half a line, cut inside a letter.
    log.write_bytes(whole.encode() + '{"method": "POST", "body": "Құр'.encode()[:-1])
    found = parse_log(log)
    assert [(r.at, r.notice_id, r.accepted) for r in found] == [
        (1.0, None, False),
        (2.0, 7, True),
        (3.0, 8, False),
    ]
