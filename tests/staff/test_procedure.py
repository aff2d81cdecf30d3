"""The procedure refuses an unlawful step for every caller, naming the rule, the missing fact and
the first day it becomes lawful; the lawful path sits next to each refusal. Real dates: the
case is registered on Monday 16 November 2026; its decision is due on Thursday 26 November."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from casework.law.roles import Role
from tests.builders import local
from tests.fakes.clock import FixedClock
from tests.staff.conftest import Api

R = Role
URL = "/staff/applications/{}/{}"


async def post(api: Api, role: Role, cid: int, path: str, body: object = None) -> Any:
    return await api.post(role, URL.format(cid, path), body)


def refused(r: Any, rule: str, *, status: int = 422) -> dict[str, Any]:
    assert r.status_code == status, r.text
    params: dict[str, Any] = r.json()["params"]
    assert params["rule"] == rule, r.text
    assert params["law"] and params["missing"]
    return params


def prelim(grounds: list[str], day: str, at: str = "11:00") -> dict[str, object]:
    hearing = {"date": day, "time": at, "mode": "other", "details": "каб. 4"}
    return {"grounds": grounds, "hearing": hearing}


async def hand_over_refusal(api: Api, cid: int) -> None:
    """The printed preliminary refusal is handed over at the office: the applicant received it."""
    queue = (await api.get(R.INTAKE_OFFICE, "/staff/print-queue")).json()
    item = next(
        i for i in queue if i["application_id"] == cid and i["kind"] == "preliminary_refusal"
    )
    await api.ok(R.INTAKE_OFFICE, f"/staff/print-queue/{item['id']}/handed-over")


async def preliminary_refusal(api: Api, clock: FixedClock, n: int = 1, **kw: object) -> int:
    """Registered 16 Nov; the preliminary refusal issued and handed over on Tuesday 17 Nov."""
    cid: int = (await api.registered(n))["id"]
    await api.concluded(cid)
    clock.set(local(2026, 11, 17, 10))
    body = prelim(["already_assigned"], "2026-11-19", **kw)  # type: ignore[arg-type]
    await api.ok(R.DECISION_MAKER, URL.format(cid, "preliminary-refusal"), body)
    await hand_over_refusal(api, cid)
    return cid


async def actions(api: Api, cid: int, role: Role = R.DECISION_MAKER) -> dict[str, Any]:
    r = await api.get(role, URL.format(cid, "actions"))
    assert r.status_code == 200, r.text
    body = r.json()
    return {
        "now": {a["step"] for a in body["now"]},
        "later": {a["step"]: a["lawful_from"] for a in body["later"]},
        "blocked": {a["step"]: [x["rule"] for x in a["reasons"]] for a in body["blocked"]},
        "raw": body,
    }


async def test_no_refusal_inside_the_objection_window_then_after_it(
    api: Api, clock: FixedClock
) -> None:
    cid = await preliminary_refusal(api, clock)
    refusal = {"grounds": ["already_assigned"]}
    # The day after it was received: inside the 2 working days, 3 days' notice not given yet.
    clock.set(local(2026, 11, 18, 10))
    params = refused(
        await post(api, R.DECISION_MAKER, cid, "refusal", refusal), "refusal_notice_period"
    )
    assert {r["rule"] for r in params["reasons"]} == {"refusal_notice_period", "applicant_heard"}
    # 3 working days after 17 Nov; the window (to 19 Nov) has closed by then too.
    assert params["lawful_from"] == "2026-11-20"
    listed = await actions(api, cid)
    assert listed["later"]["refuse"] == "2026-11-20"
    assert "grant" in listed["now"]

    clock.set(local(2026, 11, 20, 10))
    # No objection came: the applicant could be heard and was not; the refusal is lawful now,
    # but only on the ground they were told of.
    refused(
        await post(api, R.DECISION_MAKER, cid, "refusal", {"grounds": ["false_information"]}),
        "grounds_heard",
    )
    r = await post(api, R.DECISION_MAKER, cid, "refusal", refusal)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "refused"


async def test_an_oral_objection_needs_the_hearing_its_protocol_and_the_remarks_window(
    api: Api, clock: FixedClock
) -> None:
    cid = await preliminary_refusal(api, clock)
    clock.set(local(2026, 11, 18, 9))
    await api.ok(R.COMMISSION_SECRETARY, URL.format(cid, "objection"), {"oral": True})
    # The hearing is set for 19 November at 11:00: it cannot be recorded as held before then.
    params = refused(await post(api, R.COMMISSION_SECRETARY, cid, "hearing"), "hearing_time")
    assert params["lawful_from"] == "2026-11-19"
    clock.set(local(2026, 11, 20, 10))
    refused(
        await post(api, R.DECISION_MAKER, cid, "refusal", {"grounds": ["already_assigned"]}),
        "applicant_heard",
    )

    await api.ok(R.COMMISSION_SECRETARY, URL.format(cid, "hearing"))
    params = refused(
        await post(api, R.DECISION_MAKER, cid, "refusal", {"grounds": ["already_assigned"]}),
        "protocol_and_remarks",
    )
    assert params["lawful_from"] is None  # the protocol has to be made: waiting will not do
    await api.ok(R.COMMISSION_SECRETARY, URL.format(cid, "protocol"), {"text": "Хаттама."})
    await api.ok(R.COMMISSION_SECRETARY, URL.format(cid, "protocol/read"))
    # Read on Friday 20 Nov: remarks until Wednesday 25 Nov.
    clock.set(local(2026, 11, 23, 10))
    params = refused(
        await post(api, R.DECISION_MAKER, cid, "refusal", {"grounds": ["already_assigned"]}),
        "protocol_and_remarks",
    )
    assert params["lawful_from"] == "2026-11-26"
    assert (await actions(api, cid))["later"]["refuse"] == "2026-11-26"

    clock.set(local(2026, 11, 26, 9))
    r = await post(api, R.DECISION_MAKER, cid, "refusal", {"grounds": ["already_assigned"]})
    assert r.status_code == 200, r.text


async def low_income_case(api: Api, clock: FixedClock, incomes: list[str]) -> int:
    cid: int = (await api.registered(ground="low_income"))["id"]
    await api.ok(R.COMMISSION_SECRETARY, URL.format(cid, "precinct-commission"))
    await api.ok(R.COMMISSION_SECRETARY, URL.format(cid, "inspection"), {"text": "Акт №3."})
    family = [{"full_name": f"Мүше {i}", "monthly_income": x} for i, x in enumerate(incomes)]
    await api.ok(R.COMMISSION_SECRETARY, URL.format(cid, "income"), {"family": family})
    return cid


GRANT = {"kind": "low_income", "amount": "20000", "periodicity": "one_off"}


async def test_eligibility_follows_the_computed_income_and_the_conclusion(
    api: Api, clock: FixedClock
) -> None:
    # 61 000 ₸ per person against the 2026 threshold of 50 851 ₸.
    above = await low_income_case(api, clock, ["122000", "0"])
    r = await post(api, R.COMMISSION_SECRETARY, above, "special-commission")
    assert r.status_code == 200, r.text
    # No conclusion yet: no decision of any kind (DR §20).
    refused(await post(api, R.DECISION_MAKER, above, "grant", GRANT), "commission_conclusion")
    await api.ok(R.COMMISSION_SECRETARY, URL.format(above, "conclusion"), {"text": "Табыс жоғары."})
    params = refused(
        await post(api, R.DECISION_MAKER, above, "grant", GRANT), "income_within_threshold"
    )
    assert "61000.00" in params["missing"] and "50851.00" in params["missing"]
    body = prelim(["income_above_threshold"], "2026-11-19")
    assert (
        await post(api, R.DECISION_MAKER, above, "preliminary-refusal", body)
    ).status_code == 200

    # 30 000 ₸ per person: below the threshold, so ground 3 of DR §22 does not hold.
    below = await low_income_case(api, clock, ["60000", "0"])
    await api.concluded(below)
    refused(
        await post(api, R.DECISION_MAKER, below, "preliminary-refusal", body),
        "income_above_threshold",
    )
    r = await post(api, R.DECISION_MAKER, below, "grant", GRANT)
    assert r.status_code == 200, r.text


async def test_the_income_term_is_met_by_submission_and_only_for_inspected_grounds(
    api: Api, clock: FixedClock
) -> None:
    cid = await low_income_case(api, clock, ["60000", "0"])
    case = (await api.get(R.COMMISSION_SECRETARY, f"/staff/applications/{cid}")).json()
    income = next(d for d in case["deadlines"] if d["term"] == "income_computation")
    assert income["met_at"] is None  # computed, not yet submitted to the special commission
    case = await api.ok(R.COMMISSION_SECRETARY, URL.format(cid, "special-commission"))
    income = next(d for d in case["deadlines"] if d["term"] == "income_computation")
    assert income["met_at"] is not None

    disease = (await api.registered(2))["id"]
    case = await api.ok(R.COMMISSION_SECRETARY, URL.format(disease, "special-commission"))
    assert "income_computation" not in {d["term"] for d in case["deadlines"]}


async def test_a_hearing_is_set_on_a_working_day_in_hours_by_the_decision_deadline(
    api: Api, clock: FixedClock
) -> None:
    cid: int = (await api.registered())["id"]
    await api.concluded(cid)
    for day, at in (
        ("2026-11-22", "11:00"),  # a Sunday
        ("2026-11-19", "23:30"),  # after working hours
        ("2026-11-27", "10:00"),  # the day after the decision deadline
    ):
        body = prelim(["already_assigned"], day, at)
        refused(await post(api, R.DECISION_MAKER, cid, "preliminary-refusal", body), "hearing_time")
    # Independence Day (16 December) in an extended case is a public holiday, not a working day.
    await api.ok(R.COMMISSION_SECRETARY, URL.format(cid, "extension"), {"reason": "§16"})
    body = prelim(["already_assigned"], "2026-12-16", "10:00")
    refused(await post(api, R.DECISION_MAKER, cid, "preliminary-refusal", body), "hearing_time")

    body = prelim(["already_assigned"], "2026-11-19", "11:00")
    assert (await post(api, R.DECISION_MAKER, cid, "preliminary-refusal", body)).status_code == 200
    # Moved: the history stays in the audit trail and the applicant is invited again.
    when = {"date": "2026-11-20", "time": "15:00"}
    case = await api.ok(R.COMMISSION_SECRETARY, URL.format(cid, "hearing/time"), when)
    moved = datetime.fromisoformat(case["hearings"][0]["scheduled_at"])
    assert moved == local(2026, 11, 20, 15)
    trail = (await api.get(R.COMMISSION_SECRETARY, URL.format(cid, "audit"))).json()
    assert any(e["action"] == "hearing_rescheduled" for e in trail)
    kinds = [n.kind.value for n in await api.notices(cid)]
    assert kinds.count("hearing_invitation") == 1
    sunday = {"date": "2026-11-22", "time": "15:00"}
    refused(await post(api, R.COMMISSION_SECRETARY, cid, "hearing/time", sunday), "hearing_time")


async def test_extension_counts_from_acceptance_and_only_before_the_decision(
    api: Api, clock: FixedClock
) -> None:
    cid: int = (await api.registered())["id"]
    await api.concluded(cid)
    await api.ok(R.DECISION_MAKER, URL.format(cid, "grant"), {**GRANT, "kind": "disease"})
    r = await post(api, R.COMMISSION_SECRETARY, cid, "extension", {"reason": "§16"})
    assert r.status_code == 409
    assert r.json()["code"] == "illegal_transition"

    # A filing received after closing on Friday 20 Nov is accepted (and registered) on Monday.
    clock.set(local(2026, 11, 20, 19))
    late: int = (await api.registered(2))["id"]
    case = await api.ok(R.COMMISSION_SECRETARY, URL.format(late, "extension"), {"reason": "§17"})
    due = {d["term"]: d["due_on"] for d in case["deadlines"]}
    # 20 working days from Monday 23 November, Independence Day (16 December) not counted.
    assert due["decision"] == "2026-12-22"


async def test_death_stops_payment_from_the_month_after_it_happened(
    api: Api, clock: FixedClock
) -> None:
    cid: int = (await api.registered())["id"]
    await api.concluded(cid)
    await api.ok(R.DECISION_MAKER, URL.format(cid, "grant"), {**GRANT, "kind": "disease"})
    clock.set(local(2026, 12, 3, 10))
    death = {"ground": "death", "began_on": "2026-11-28", "found_on": "2026-12-03"}
    case = await api.ok(R.DECISION_MAKER, URL.format(cid, "termination"), death)
    termination = case["decisions"][0]["assistance"]["termination"]
    assert termination["payment_stops_on"] == "2026-12-01"
    assert termination["began_on"] == "2026-11-28"


async def test_next_lawful_actions_at_each_stage(api: Api, clock: FixedClock) -> None:
    cid: int = (await api.registered())["id"]
    listed = await actions(api, cid)
    assert listed["now"] == {"to_special_commission", "extend"}
    assert listed["blocked"]["forward_to_precinct"] == ["inspected_ground"]
    now = listed["raw"]["now"]
    assert next(a for a in now if a["step"] == "to_special_commission")["permitted"] is False
    secretary = await actions(api, cid, R.COMMISSION_SECRETARY)
    assert secretary["raw"]["now"][0]["permitted"] is True

    await post(api, R.COMMISSION_SECRETARY, cid, "special-commission")
    listed = await actions(api, cid)
    assert listed["blocked"]["grant"] == ["commission_conclusion"]
    assert listed["blocked"]["preliminary_refusal"] == ["commission_conclusion"]
    assert "record_conclusion" in listed["now"]
    grant = next(a for a in listed["raw"]["blocked"] if a["step"] == "grant")
    assert grant["term"] == "decision" and grant["due_on"] == "2026-11-26"

    await api.ok(R.COMMISSION_SECRETARY, URL.format(cid, "conclusion"), {"text": "Иә."})
    assert {"grant", "preliminary_refusal", "extend"} <= (await actions(api, cid))["now"]

    clock.set(local(2026, 11, 17, 10))
    body = prelim(["already_assigned"], "2026-11-19")
    await api.ok(R.DECISION_MAKER, URL.format(cid, "preliminary-refusal"), body)
    listed = await actions(api, cid)
    assert {"grant", "record_objection", "reschedule_hearing"} <= listed["now"]
    assert listed["later"]["hold_hearing"] == "2026-11-19"
    # Not received yet: the objection window has not started, so only an action unblocks it.
    assert "applicant_heard" in listed["blocked"]["refuse"]

    clock.set(local(2026, 11, 24, 10))  # past the last day for a preliminary refusal (23 Nov)
    listed = await actions(api, cid)
    assert "preliminary_refusal_in_time" in listed["blocked"]["preliminary_refusal"]

    await api.ok(R.DECISION_MAKER, URL.format(cid, "grant"), {**GRANT, "kind": "disease"})
    listed = await actions(api, cid)
    assert listed["now"] == {"terminate"}
    assert listed["later"] == {} and listed["blocked"] == {}


async def test_a_hearing_held_before_the_notice_was_received_heard_nobody(
    api: Api, clock: FixedClock
) -> None:
    cid: int = (await api.registered())["id"]
    await api.concluded(cid)
    clock.set(local(2026, 11, 17, 10))
    body = prelim(["already_assigned"], "2026-11-17", "11:00")
    await api.ok(R.DECISION_MAKER, URL.format(cid, "preliminary-refusal"), body)
    clock.set(local(2026, 11, 17, 11, 5))
    await api.ok(R.COMMISSION_SECRETARY, URL.format(cid, "hearing"))  # the paper still waits
    clock.set(local(2026, 11, 20, 10))
    refusal = {"grounds": ["already_assigned"]}
    params = refused(await post(api, R.DECISION_MAKER, cid, "refusal", refusal), "applicant_heard")
    assert params["lawful_from"] is None  # the notice has to reach the applicant first


async def test_a_second_preliminary_refusal_adds_its_ground_to_those_heard(
    api: Api, clock: FixedClock
) -> None:
    cid = await preliminary_refusal(api, clock)  # on "already assigned", handed over 17 Nov
    clock.set(local(2026, 11, 18, 10))
    body = prelim(["false_information"], "2026-11-19", "15:00")
    await api.ok(R.DECISION_MAKER, URL.format(cid, "preliminary-refusal"), body)
    await hand_over_refusal(api, cid)
    clock.set(local(2026, 11, 23, 10))  # 3 working days after the second one, its window over
    both = {"grounds": ["already_assigned", "false_information"]}
    r = await post(api, R.DECISION_MAKER, cid, "refusal", both)
    assert r.status_code == 200, r.text


async def test_a_ground_whose_notice_never_reached_the_applicant_was_not_heard(
    api: Api, clock: FixedClock
) -> None:
    cid: int = (await api.registered())["id"]
    await api.concluded(cid)
    clock.set(local(2026, 11, 17, 10))
    first = prelim(["already_assigned"], "2026-11-19")
    await api.ok(R.DECISION_MAKER, URL.format(cid, "preliminary-refusal"), first)  # never handed
    clock.set(local(2026, 11, 18, 10))
    second = prelim(["false_information"], "2026-11-19", "15:00")
    await api.ok(R.DECISION_MAKER, URL.format(cid, "preliminary-refusal"), second)
    queue = (await api.get(R.INTAKE_OFFICE, "/staff/print-queue")).json()
    newest = max(i["id"] for i in queue if i["kind"] == "preliminary_refusal")
    await api.ok(R.INTAKE_OFFICE, f"/staff/print-queue/{newest}/handed-over")
    clock.set(local(2026, 11, 23, 10))
    both = {"grounds": ["already_assigned", "false_information"]}
    refused(await post(api, R.DECISION_MAKER, cid, "refusal", both), "grounds_heard")
    heard = {"grounds": ["false_information"]}
    assert (await post(api, R.DECISION_MAKER, cid, "refusal", heard)).status_code == 200
