"""Every path of a case through the staff API, on real dates, with each deadline and notice."""

from __future__ import annotations

from datetime import UTC, date, datetime

from casework.law.district import load_district
from casework.law.roles import Role
from casework.steps import case_file
from casework.system.env import CaseEnv, load_calendar
from casework.system.settings import DEFAULT_DISTRICT_FILE
from casework.texts.status import status_text
from tests.builders import iin_for, local
from tests.fakes.clock import FixedClock
from tests.staff.conftest import CAL, NAMES, Api, paper_application

R = Role


def deadlines(case: dict) -> dict[str, date]:  # type: ignore[type-arg]
    return {d["term"]: date.fromisoformat(d["due_on"]) for d in case["deadlines"]}


async def notice_kinds(api: Api, application_id: int) -> list[str]:
    return [n.kind.value for n in await api.notices(application_id)]


async def granted(api: Api, n: int, *, amount: str, periodicity: str) -> int:
    """A disease case registered, through the special commission, and granted."""
    cid: int = (await api.registered(n))["id"]
    await api.concluded(cid)
    await api.ok(
        R.DECISION_MAKER,
        f"/staff/applications/{cid}/grant",
        {"kind": "disease", "amount": amount, "periodicity": periodicity},
    )
    return cid


async def test_granted_at_once(api: Api) -> None:
    # Monday 16 November 2026, 10:00 in Almaty.
    case = await api.registered()
    cid = case["id"]
    assert case["channel"] == "provider_office"
    assert case["received_by"] == NAMES[R.INTAKE_OFFICE]
    assert case["registered_on"] == "2026-11-16"
    due = deadlines(case)
    assert due["registration"] == date(2026, 11, 16)
    assert due["decision"] == CAL.add_working_days(date(2026, 11, 16), 8) == date(2026, 11, 26)
    assert due["preliminary_refusal_latest"] == CAL.add_working_days(due["decision"], -3)
    assert "precinct_forwarding" not in due  # a disease case is not inspected
    assert await notice_kinds(api, cid) == ["acceptance_receipt"]

    case = await api.concluded(cid)
    case = await api.ok(
        R.COMMISSION_SECRETARY, f"/staff/applications/{cid}/conclusion", {"text": "Көмек керек."}
    )
    assert case["commission_conclusion"] == "Көмек керек."
    case = await api.ok(
        R.DECISION_MAKER,
        f"/staff/applications/{cid}/grant",
        {"kind": "disease", "amount": "43250", "periodicity": "monthly"},
    )
    assert case["status"] == "granted"
    assert case["decisions"][0]["assistance"]["amount"] == "43250.00"
    assert case["decisions"][0]["decided_by"] == NAMES[R.DECISION_MAKER]
    met = {d["term"]: d["met_at"] for d in case["deadlines"]}
    assert met["decision"] is not None
    assert await notice_kinds(api, cid) == ["acceptance_receipt", "decision_granted"]

    audit = (await api.get(R.COMMISSION_SECRETARY, f"/staff/applications/{cid}/audit")).json()
    actors = {(e["action"], e["actor"]) for e in audit}
    assert ("registered", NAMES[R.INTAKE_OFFICE]) in actors
    assert ("at_special_commission", NAMES[R.COMMISSION_SECRETARY]) in actors
    assert ("granted", NAMES[R.DECISION_MAKER]) in actors


async def test_grant_above_the_ceiling_is_refused(api: Api) -> None:
    cid = (await api.registered())["id"]
    await api.concluded(cid)
    # 15 АЕК × 4 325 ₸ = 64 875 ₸ in 2026.
    r = await api.post(
        R.DECISION_MAKER,
        f"/staff/applications/{cid}/grant",
        {"kind": "disease", "amount": "64875.01", "periodicity": "monthly"},
    )
    assert r.status_code == 422
    assert r.json()["code"] == "rule_violation"
    assert r.json()["params"]["ceiling"] == "64875.00"
    case = (await api.get(R.DECISION_MAKER, f"/staff/applications/{cid}")).json()
    assert case["status"] == "at_special_commission"
    assert await notice_kinds(api, cid) == ["acceptance_receipt"]


async def test_refused_after_preliminary_refusal_objection_hearing_protocol_remarks(
    api: Api, clock: FixedClock
) -> None:
    case = await api.registered(ground="low_income")
    cid = case["id"]
    assert deadlines(case)["precinct_forwarding"] == date(2026, 11, 17)
    case = await api.ok(R.COMMISSION_SECRETARY, f"/staff/applications/{cid}/precinct-commission")
    assert case["status"] == "at_precinct_commission"

    clock.set(local(2026, 11, 17, 15, 0))  # the inspection comes back on Tuesday
    case = await api.ok(
        R.COMMISSION_SECRETARY,
        f"/staff/applications/{cid}/inspection",
        {"text": "Отбасы екі адам, жұмыс істейтін біреу."},
    )
    assert deadlines(case)["income_computation"] == CAL.add_working_days(date(2026, 11, 17), 1)
    case = await api.ok(
        R.COMMISSION_SECRETARY,
        f"/staff/applications/{cid}/income",
        {
            "family": [
                {"full_name": "Сейітқалиева Әлия", "monthly_income": "120000"},
                {"full_name": "Сейітқалиев Нұрлан", "monthly_income": "0"},
            ]
        },
    )
    assert case["status"] == "income_computed"
    # 60 000 per person against one subsistence minimum of 2026 (50 851 ₸).
    assert case["income"] == {
        "per_capita": "60000.00",
        "threshold": "50851.00",
        "above_threshold": True,
    }
    await api.concluded(cid)

    clock.set(local(2026, 11, 18, 11, 0))
    case = await api.ok(
        R.DECISION_MAKER,
        f"/staff/applications/{cid}/preliminary-refusal",
        {
            "grounds": ["income_above_threshold"],
            "hearing": {
                "date": "2026-11-20",
                "time": "11:00",
                "mode": "videoconference",
                "details": "https://meet.example.kz/komek-1",
            },
        },
    )
    assert case["status"] == "preliminary_refusal"
    hearing = case["hearings"][0]
    assert datetime.fromisoformat(hearing["scheduled_at"]) == local(2026, 11, 20, 11, 0)
    assert await notice_kinds(api, cid) == ["acceptance_receipt", "preliminary_refusal"]

    clock.set(local(2026, 11, 19, 9, 30))  # the applicant comes to object in person
    case = await api.ok(R.COMMISSION_SECRETARY, f"/staff/applications/{cid}/objection", {})
    assert case["status"] == "objection_received"
    assert deadlines(case)["objection"] == CAL.add_working_days(date(2026, 11, 19), 2)

    clock.set(local(2026, 11, 20, 11, 40))
    case = await api.ok(R.COMMISSION_SECRETARY, f"/staff/applications/{cid}/hearing")
    assert case["status"] == "hearing_held"
    case = await api.ok(
        R.COMMISSION_SECRETARY,
        f"/staff/applications/{cid}/protocol",
        {"text": "Өтініш беруші табысы тұрақсыз екенін айтты."},
    )
    assert case["status"] == "protocol_made"
    case = await api.ok(R.COMMISSION_SECRETARY, f"/staff/applications/{cid}/protocol/read")
    remarks_due = deadlines(case)["protocol_remarks"]
    assert remarks_due == CAL.add_working_days(date(2026, 11, 20), 3) == date(2026, 11, 25)

    clock.set(local(2026, 11, 23, 10, 0))
    case = await api.ok(
        R.COMMISSION_SECRETARY,
        f"/staff/applications/{cid}/remarks",
        {"text": "Хаттамада жалақы туралы айтылмаған."},
    )
    assert case["status"] == "remarks_received"
    assert case["hearings"][0]["protocol"]["remarks"] == ["Хаттамада жалақы туралы айтылмаған."]

    clock.set(local(2026, 11, 24, 16, 0))
    case = await api.ok(
        R.DECISION_MAKER,
        f"/staff/applications/{cid}/refusal",
        {"grounds": ["income_above_threshold"]},
    )
    assert case["status"] == "refused"
    assert deadlines(case)["decision"] == date(2026, 11, 26)
    assert await notice_kinds(api, cid) == [
        "acceptance_receipt",
        "preliminary_refusal",
        "protocol_ready",
        "decision_refused",
    ]


async def test_refused_to_accept(api: Api) -> None:
    body = paper_application(ground="disease", documents=["identity"])
    case = await api.ok(R.INTAKE_AKIM, "/staff/applications", body)
    assert case["channel"] == "rural_akim"
    case = await api.ok(R.INTAKE_AKIM, f"/staff/applications/{case['id']}/completeness")
    assert case["status"] == "refused_to_accept"
    assert case["missing_documents"] == ["disease_proof"]
    assert await notice_kinds(api, case["id"]) == ["refusal_to_accept"]
    # A refused filing is final: it cannot be registered.
    r = await api.post(R.INTAKE_OFFICE, f"/staff/applications/{case['id']}/registration")
    assert r.status_code == 409
    assert r.json()["code"] == "illegal_transition"


async def test_expired_document_is_refused_to_accept(api: Api) -> None:
    body = paper_application(n=2)
    body["documents"][1]["valid_until"] = "2026-11-15"
    case = await api.ok(R.INTAKE_STATE_CORPORATION, "/staff/applications", body)
    assert case["channel"] == "state_corporation"
    url = f"/staff/applications/{case['id']}/completeness"
    case = await api.ok(R.INTAKE_STATE_CORPORATION, url)
    assert case["status"] == "refused_to_accept"
    assert case["missing_documents"] == ["disease_proof"]


async def test_extended_case_and_the_late_preliminary_refusal(api: Api, clock: FixedClock) -> None:
    cid = (await api.registered())["id"]
    await api.concluded(cid)
    refusal = {
        "grounds": ["already_assigned"],
        "hearing": {"date": "2026-11-30", "time": "10:00", "mode": "other", "details": "каб. 4"},
    }
    # The decision is due on 26 November; the last day for a preliminary refusal is the 23rd.
    clock.set(local(2026, 11, 24, 9, 0))
    r = await api.post(R.DECISION_MAKER, f"/staff/applications/{cid}/preliminary-refusal", refusal)
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "too_late"
    assert body["params"]["rule"] == "preliminary_refusal_in_time"
    assert body["params"]["deadline"] == "2026-11-23"
    assert "3 working days" in body["message"] and "SR §15" in body["message"]
    assert await notice_kinds(api, cid) == ["acceptance_receipt"]

    case = await api.ok(
        R.COMMISSION_SECRETARY,
        f"/staff/applications/{cid}/extension",
        {"reason": "Model Rules §16: a further inspection is needed"},
    )
    assert case["extended"] is True
    due = deadlines(case)
    assert due["decision"] == CAL.add_working_days(date(2026, 11, 16), 20) == date(2026, 12, 14)
    assert due["preliminary_refusal_latest"] == CAL.add_working_days(due["decision"], -3)
    r = await api.post(R.DECISION_MAKER, f"/staff/applications/{cid}/preliminary-refusal", refusal)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "preliminary_refusal"


async def test_terminated(api: Api, clock: FixedClock) -> None:
    cid = await granted(api, 1, amount="20000", periodicity="monthly")
    clock.set(datetime(2027, 2, 10, 5, 0, tzinfo=UTC))
    case = await api.ok(
        R.DECISION_MAKER,
        f"/staff/applications/{cid}/termination",
        {"ground": "moved_out", "began_on": "2027-02-03", "found_on": "2027-02-10"},
    )
    assert case["status"] == "terminated"
    assistance = case["decisions"][0]["assistance"]
    # DR §24: moving out stops payment from the next month.
    assert assistance["termination"]["payment_stops_on"] == "2027-03-01"
    assert assistance["stops_on"] == "2027-03-01"
    kinds = await notice_kinds(api, cid)
    assert kinds == ["acceptance_receipt", "decision_granted", "termination"]


async def test_termination_on_false_information_stops_payment_on_the_day_found(api: Api) -> None:
    cid = await granted(api, 3, amount="20000", periodicity="one_off")
    case = await api.ok(
        R.DECISION_MAKER,
        f"/staff/applications/{cid}/termination",
        {"ground": "false_information", "began_on": "2026-11-16", "found_on": "2026-11-16"},
    )
    assert case["decisions"][0]["assistance"]["termination"]["payment_stops_on"] == "2026-11-16"


async def test_status_text_is_the_bots(api: Api) -> None:
    cid = (await api.registered())["id"]
    r = await api.get(R.COMMISSION_SECRETARY, f"/staff/applications/{cid}/status-text?locale=ru")
    assert r.status_code == 200
    async with api.sessions() as s:
        app = await case_file.load_application(s, cid)
        district = load_district(DEFAULT_DISTRICT_FILE)
        env = CaseEnv(
            clock=FixedClock(datetime(2026, 11, 16, 5, 0, tzinfo=UTC)),
            calendar=await load_calendar(s, district),
            district=district,
        )
        expected = status_text(app, env, "ru")
    assert r.json() == {"locale": "ru", "text": expected}
    assert "Зарегистр" in expected or "зарегистр" in expected
    assert iin_for(1) not in expected


async def test_a_decision_without_sms_or_chat_is_printed_and_handed_over(api: Api) -> None:
    # The phone is not in the mobile citizens database: the notice goes to the print queue.
    cid = await granted(api, 4, amount="1000", periodicity="one_off")
    queue = (await api.get(R.INTAKE_OFFICE, "/staff/print-queue")).json()
    item = next(i for i in queue if i["application_id"] == cid and i["kind"] == "decision_granted")
    pdf = await api.get(R.INTAKE_OFFICE, f"/staff/print-queue/{item['id']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    done = await api.ok(R.INTAKE_OFFICE, f"/staff/print-queue/{item['id']}/handed-over")
    assert done["status"] == "handed_over"
    case = (await api.get(R.INTAKE_OFFICE, f"/staff/applications/{cid}")).json()
    assert case["status"] == "notified_granted"
    assert (await api.get(R.DECISION_MAKER, "/staff/print-queue")).status_code == 403
