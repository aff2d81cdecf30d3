"""The deadline board: next deadline per case, overdue and due-soon first; lookup; calendar."""

from __future__ import annotations

from datetime import date

from casework.law.roles import Role
from tests.builders import local
from tests.fakes.clock import FixedClock
from tests.staff.conftest import CAL, Api

R = Role


async def registered(api: Api, n: int, ground: str = "disease") -> int:
    return (await api.registered(n, ground=ground))["id"]  # type: ignore[no-any-return]


async def test_board_puts_overdue_and_due_soon_first(api: Api, clock: FixedClock) -> None:
    # Registered Monday 16 Nov: a fire case (to the precinct commission by Tue 17 Nov).
    clock.set(local(2026, 11, 16, 10, 0))
    old_fire = await registered(api, 1, "fire")
    # Registered Thursday 19 Nov: a disease case (last day for a preliminary refusal 26 Nov).
    clock.set(local(2026, 11, 19, 10, 0))
    disease = await registered(api, 2)
    # Registered Friday 20 Nov: a fire case, to the precinct commission by Monday 23 Nov.
    clock.set(local(2026, 11, 20, 10, 0))
    new_fire = await registered(api, 3, "fire")

    board = (await api.get(R.COMMISSION_SECRETARY, "/staff/deadlines")).json()
    rows = {r["application_id"]: r for r in board}
    assert [r["application_id"] for r in board] == [old_fire, new_fire, disease]
    assert rows[old_fire]["term"] == "precinct_forwarding"
    assert rows[old_fire]["due_on"] == "2026-11-17"
    assert rows[old_fire]["urgency"] == "overdue"
    assert rows[old_fire]["working_days_left"] == -3
    # Friday → Monday is within one working day.
    assert rows[new_fire]["due_on"] == str(CAL.next_working_day(date(2026, 11, 20)))
    assert rows[new_fire]["urgency"] == "due_soon"
    assert rows[disease]["term"] == "preliminary_refusal_latest"
    assert rows[disease]["due_on"] == str(
        CAL.add_working_days(CAL.add_working_days(date(2026, 11, 19), 8), -3)
    )
    assert rows[disease]["urgency"] == "upcoming"

    # Forwarded: the met term leaves the board; the case's next term is its decision's margin.
    await api.ok(R.COMMISSION_SECRETARY, f"/staff/applications/{old_fire}/precinct-commission")
    board = (await api.get(R.COMMISSION_SECRETARY, "/staff/deadlines")).json()
    row = next(r for r in board if r["application_id"] == old_fire)
    assert row["term"] == "preliminary_refusal_latest"
    assert row["due_on"] == "2026-11-23"

    only_decisions = (
        await api.get(R.COMMISSION_SECRETARY, "/staff/deadlines?term=decision")
    ).json()
    assert {r["term"] for r in only_decisions} == {"decision"}
    assert len(only_decisions) == 3
    ranged = (
        await api.get(
            R.COMMISSION_SECRETARY,
            "/staff/deadlines?term=decision&due_from=2026-11-27&due_to=2026-12-31",
        )
    ).json()
    assert [r["application_id"] for r in ranged] == [disease, new_fire]
    by_status = (
        await api.get(R.COMMISSION_SECRETARY, "/staff/deadlines?status=at_precinct_commission")
    ).json()
    assert [r["application_id"] for r in by_status] == [old_fire]


async def test_decided_cases_leave_the_board(api: Api) -> None:
    cid = await registered(api, 1)
    await api.concluded(cid)
    await api.ok(
        R.DECISION_MAKER,
        f"/staff/applications/{cid}/grant",
        {"kind": "disease", "amount": "1000", "periodicity": "one_off"},
    )
    # A paper filing gets no chat notice term; nothing else is due.
    assert (await api.get(R.COMMISSION_SECRETARY, "/staff/deadlines")).json() == []


async def test_lookup_by_status_and_deadline(api: Api) -> None:
    a = await registered(api, 1)
    b = await registered(api, 2, "fire")
    found = (await api.get(R.COMMISSION_SECRETARY, "/staff/applications?status=registered")).json()
    assert sorted(c["id"] for c in found) == [a, b]
    found = (
        await api.get(R.COMMISSION_SECRETARY, "/staff/applications?term=precinct_forwarding")
    ).json()
    assert [(c["id"], c["next_due_on"]) for c in found] == [(b, "2026-11-17")]
    found = (await api.get(R.COMMISSION_SECRETARY, "/staff/applications?due_to=2026-11-17")).json()
    assert [c["id"] for c in found] == [b]


async def test_a_calendar_override_moves_open_deadlines(api: Api, clock: FixedClock) -> None:
    cid = await registered(api, 1)
    case = (await api.get(R.COMMISSION_SECRETARY, f"/staff/applications/{cid}")).json()
    decision = next(d for d in case["deadlines"] if d["term"] == "decision")
    assert decision["due_on"] == "2026-11-26"
    # The government makes Friday 20 November a day off.
    r = await api.http.put(
        "/staff/calendar/overrides/2026-11-20",
        json={"working": False, "note": "Government decree"},
        headers=api.headers(R.ADMINISTRATOR),
    )
    assert r.status_code == 200, r.text
    case = (await api.get(R.COMMISSION_SECRETARY, f"/staff/applications/{cid}")).json()
    decision = next(d for d in case["deadlines"] if d["term"] == "decision")
    assert decision["due_on"] == "2026-11-27"
    overrides = (await api.get(R.ADMINISTRATOR, "/staff/calendar/overrides")).json()
    assert overrides == [{"day": "2026-11-20", "working": False, "note": "Government decree"}]
    # A case registered after the change counts with the new calendar too.
    other = await registered(api, 2)
    case = (await api.get(R.COMMISSION_SECRETARY, f"/staff/applications/{other}")).json()
    assert next(d for d in case["deadlines"] if d["term"] == "decision")["due_on"] == "2026-11-27"

    r = await api.http.delete(
        "/staff/calendar/overrides/2026-11-20", headers=api.headers(R.ADMINISTRATOR)
    )
    assert r.status_code == 204
    case = (await api.get(R.COMMISSION_SECRETARY, f"/staff/applications/{cid}")).json()
    assert next(d for d in case["deadlines"] if d["term"] == "decision")["due_on"] == "2026-11-26"
