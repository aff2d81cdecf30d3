"""Payments through the staff API on real dates: the account, the schedule a grant makes, the
budget, a register's round trip with the State Corporation, and a backdated termination."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, datetime

import pytest
from schwifty import IBAN

from casework.law.roles import Role
from casework.steps.staff import add_staff
from casework.system.db import transaction
from tests.builders import iin_for, local
from tests.fakes.clock import FixedClock
from tests.staff.conftest import Api, paper_application

R = Role
GOOD = "KZ86125KZT5004100100"


def iban_for(n: int) -> str:
    """A valid Kaspi Bank IBAN, distinct for every n."""
    return str(IBAN.generate("KZ", bank_code="722", account_code=f"{n:013d}"))


@pytest.fixture
async def accountant(api: Api, clock: FixedClock) -> Api:
    async with transaction(api.sessions) as session:
        _, token = await add_staff(
            session, name="Сәуле Бухгалтер", role=R.ACCOUNTANT, now=clock.now()
        )
    api.tokens[R.ACCOUNTANT] = token
    return api


async def granted(api: Api, n: int, *, starts_on: str, iban: str | None = None, **grant) -> int:  # type: ignore[no-untyped-def]
    extra = {"iban": iban} if iban else {}
    cid: int = (await api.registered(n, **extra))["id"]
    await api.concluded(cid)
    body = {"kind": "disease", "amount": "43250", "periodicity": "monthly", "starts_on": starts_on}
    await api.ok(R.DECISION_MAKER, f"/staff/applications/{cid}/grant", {**body, **grant})
    return cid


async def history(api: Api, cid: int) -> dict:  # type: ignore[type-arg]
    r = await api.get(R.ACCOUNTANT, f"/staff/applications/{cid}/payments")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


# ---------------------------------------------------------------- the account


async def test_the_account_is_checked_masked_and_changed_with_an_audit_row(accountant: Api) -> None:
    api = accountant
    r = await api.post(
        R.INTAKE_OFFICE, "/staff/applications", paper_application(1, iban="KZ87125KZT5004100100")
    )
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid_iban" and body["params"]["reason"] == "checksum"
    assert "бақылау цифрлары" in body["params"]["messages"]["kk"]
    assert "контрольные цифры" in body["params"]["messages"]["ru"]

    case = await api.ok(
        R.INTAKE_OFFICE,
        "/staff/applications",
        paper_application(1, iban="kz86 125k zt50 0410 0100"),
    )
    assert case["account"] == {
        "iban": "KZ••••••••••••••0100",
        "bank_code": "125",
        "bic": "NBRKKZKX",
        "bank_name": "ГУ Национальный Банк РК",
    }
    url = f"/staff/applications/{case['id']}/account"
    for bad, reason in [("DE89370400440532013000", "foreign"), ("KZ8612", "too_short")]:
        r = await api.post(R.ACCOUNTANT, url, {"iban": bad})
        assert (r.status_code, r.json()["params"]["reason"]) == (422, reason), r.text
    r = await api.post(R.DECISION_MAKER, url, {"iban": iban_for(2)})
    assert r.status_code == 403
    case = await api.ok(R.ACCOUNTANT, url, {"iban": iban_for(2)})
    assert case["account"]["bic"] == "CASPKZKA"
    assert case["account"]["iban"].endswith(iban_for(2)[-4:])

    audit = (await api.get(R.ACCOUNTANT, f"/staff/applications/{case['id']}/audit")).json()
    changes = [(e["action"], e["reason"]) for e in audit if e["action"].startswith("iban_")]
    assert changes == [
        ("iban_recorded", "— → KZ••••••••••••••0100"),
        ("iban_changed", f"KZ••••••••••••••0100 → KZ••••••••••••••{iban_for(2)[-4:]}"),
    ]
    for role in (R.INTAKE_OFFICE, R.DECISION_MAKER, R.ACCOUNTANT):
        for path in ("", "/audit", "/payments"):
            text = (await api.get(role, f"/staff/applications/{case['id']}{path}")).text
            assert GOOD not in text and iban_for(2) not in text


async def test_a_grant_without_an_account_is_flagged(accountant: Api) -> None:
    cid = await granted(accountant, 1, starts_on="2026-12-15")
    case = (await accountant.get(R.DECISION_MAKER, f"/staff/applications/{cid}")).json()
    assert case["account"] is None
    assert case["payment_flags"] == ["granted_without_account"]
    case = await accountant.ok(R.ACCOUNTANT, f"/staff/applications/{cid}/account", {"iban": GOOD})
    assert case["payment_flags"] == []


# ---------------------------------------------------------------- schedule and budget


async def test_a_monthly_grant_from_15_december_2026(accountant: Api) -> None:
    cid = await granted(accountant, 1, starts_on="2026-12-15", iban=GOOD)
    (payment,) = (await history(accountant, cid))["payments"]
    assert payment["payment_month"] == "2026-12-01"
    assert (payment["period_from"], payment["period_to"]) == ("2026-12-15", "2026-12-31")
    assert (payment["amount"], payment["status"]) == ("43250.00", "scheduled")
    assert payment["terms"] == [
        {
            "term": "request",
            "due_on": "2026-11-29",
            "done_on": None,
            "law": "DR §30: by the 29th of the month before the payment month",
        }
    ]


async def test_the_budget_warns_before_a_grant_would_exceed_it(accountant: Api) -> None:
    api = accountant
    r = await api.http.put(
        "/staff/payments/budget/2026/disease",
        json={"amount": "100000"},
        headers=api.headers(R.DECISION_MAKER),
    )
    assert r.status_code == 403
    r = await api.http.put(
        "/staff/payments/budget/2026/disease",
        json={"amount": "100000"},
        headers=api.headers(R.ACCOUNTANT),
    )
    assert r.status_code == 200, r.text
    await granted(api, 1, starts_on="2026-11-20", periodicity="one_off")
    await granted(api, 2, starts_on="2026-12-01")  # monthly: one payment left in 2026
    cid = (await api.registered(3))["id"]
    await api.concluded(cid)
    grant = {"kind": "disease", "amount": "43250", "periodicity": "one_off"}
    r = await api.post(R.DECISION_MAKER, f"/staff/applications/{cid}/grant", grant)
    assert r.status_code == 422
    assert r.json()["code"] == "over_budget"
    (year,) = r.json()["params"]["years"]
    assert year == {"year": 2026, "budget": "100000.00", "remaining": "13500.00", "grant": "43250"}
    case = await api.ok(
        R.DECISION_MAKER,
        f"/staff/applications/{cid}/grant",
        {**grant, "over_budget_confirmed": True},
    )
    assert case["status"] == "granted"
    audit = (await api.get(R.ACCOUNTANT, f"/staff/applications/{cid}/audit")).json()
    assert "over_budget_confirmed" in [e["action"] for e in audit]

    budget = (await api.get(R.DECISION_MAKER, "/staff/payments/budget/2026")).json()
    disease = next(k for k in budget["kinds"] if k["kind"] == "disease")
    assert disease == {
        "kind": "disease",
        "budget": "100000.00",
        "committed": "129750.00",
        "paid": "0.00",
        "remaining": "-29750.00",
    }
    assert budget["total"]["committed"] == "129750.00"
    assert next(k for k in budget["kinds"] if k["kind"] == "fire_damage")["budget"] is None


# ---------------------------------------------------------------- a register's round trip


def parse_register(data: bytes) -> tuple[dict[str, str], list[dict[str, str]]]:
    text = data.decode("utf-8-sig")
    head, table = text.split("\r\n\r\n", 1)
    meta = dict(row for row in csv.reader(io.StringIO(head)))  # type: ignore[misc]
    return meta, list(csv.DictReader(io.StringIO(table)))


async def upload(api: Api, register_id: int, content: str) -> object:
    files = {"file": ("results.csv", content.encode("utf-8"), "text/csv")}
    return await api.http.post(
        f"/staff/payments/registers/{register_id}/results",
        files=files,
        headers=api.headers(R.ACCOUNTANT),
    )


async def test_register_round_trip(accountant: Api, clock: FixedClock) -> None:
    api = accountant
    paid, returned, bad = [
        await granted(api, n, starts_on="2026-12-01", iban=iban_for(n)) for n in (1, 2, 3)
    ]
    no_account = await granted(api, 4, starts_on="2026-12-01")
    r = await api.post(R.ACCOUNTANT, "/staff/payments/registers", {"payment_month": "2026-12-01"})
    assert r.status_code == 201, r.text
    register = r.json()
    rid = register["id"]
    assert (register["count"], register["total"]) == (3, "129750.00")
    assert register["without_account"] == [no_account]
    assert register["counts"] == {"sent": 3}
    terms = {t["term"]: (t["due_on"], t["done_on"]) for t in register["terms"]}
    assert terms == {
        "request": ("2026-11-29", "2026-11-16"),
        "application": ("2026-11-17", None),  # the next working day after the register
    }
    # The payment chain's deadline board: what is still open, the most urgent first.
    board = (await api.get(R.ACCOUNTANT, "/staff/payments/deadlines")).json()
    assert [(b["register_id"], b["term"], b["due_on"], b["urgency"]) for b in board] == [
        (rid, "application", "2026-11-17", "due_soon")
    ]

    r = await api.get(R.ACCOUNTANT, f"/staff/payments/registers/{rid}/file")
    assert r.headers["content-type"].startswith("text/csv")
    meta, lines = parse_register(r.content)
    assert meta == {
        "format": "komek-payment-register",
        "version": "1",
        "register": str(rid),
        "kind": "periodic",
        "payment_month": "2026-12",
        "formed_on": "2026-11-16",
        "count": "3",
        "total": "129750.00",
    }
    assert [(x["line"], x["application"], x["iin"], x["iban"]) for x in lines] == [
        (str(i), str(cid), iin_for(n), iban_for(n))
        for i, (cid, n) in enumerate([(paid, 1), (returned, 2), (bad, 3)], start=1)
    ]
    assert lines[0]["amount"] == "43250.00" and lines[0]["period_from"] == "2026-12-01"
    assert hashlib.sha256(r.content).hexdigest() == register["sha256"]
    # Asking again sends nothing twice.
    r = await api.post(R.ACCOUNTANT, "/staff/payments/registers", {"payment_month": "2026-12-01"})
    assert r.status_code == 422 and r.json()["params"]["without_account"] == [no_account]

    # Saturday 28 November: after the 27th, so the transfer is due by 1 December (DR §31).
    clock.set(local(2026, 11, 30, 10))
    url = f"/staff/payments/registers/{rid}"
    register = await api.ok(
        R.ACCOUNTANT, url + "/application", {"received_on": "2026-11-28", "amount": "129750"}
    )
    r = await api.post(
        R.ACCOUNTANT, url + "/transfer", {"transferred_on": "2026-11-30", "amount": "200000"}
    )
    assert r.status_code == 422  # above the application's sum
    register = await api.ok(
        R.ACCOUNTANT, url + "/transfer", {"transferred_on": "2026-11-30", "amount": "129750"}
    )
    terms = {t["term"]: (t["due_on"], t["done_on"]) for t in register["terms"]}
    assert terms["transfer"] == ("2026-12-01", "2026-11-30")
    assert terms["payment"] == ("2026-12-02", None)
    board = (await api.get(R.ACCOUNTANT, "/staff/payments/deadlines")).json()
    assert [(b["term"], b["due_on"]) for b in board] == [("payment", "2026-12-02")]

    clock.set(local(2026, 12, 3, 10))
    results = (
        "register,line,iin,amount,status,date,reason\r\n"
        f"{rid},1,{iin_for(1)},43250.00,paid,2026-12-02,\r\n"
        f"{rid},2,{iin_for(2)},43250.00,returned,2026-12-02,Шот жабылған\r\n"
        f"{rid},3,{iin_for(3)},4325.00,paid,2026-12-02,\r\n"
        f"{rid},9,{iin_for(3)},43250.00,paid,2026-12-02,\r\n"
        f"{rid},3,{iin_for(3)},43250.00,paid,02.12.2026,\r\n"
    )
    r = await upload(api, rid, results)
    assert r.status_code == 201, r.text  # type: ignore[attr-defined]
    report = r.json()  # type: ignore[attr-defined]
    assert (report["paid"], report["returned"]) == (1, 1)
    assert [e["line"] for e in report["errors"]] == [4, 5, 6]
    assert "43250.00, not 4325.00" in report["errors"][0]["message"]
    assert "no line 9" in report["errors"][1]["message"]
    r = await upload(api, rid, results)
    assert r.status_code == 409 and r.json()["code"] == "already_imported"  # type: ignore[attr-defined]
    fixed = "register,line,iin,amount,status,date\r\n" + (
        f"{rid},3,{iin_for(3)},43250.00,paid,2026-12-02\r\n"
    )
    assert (await upload(api, rid, fixed)).json()["paid"] == 1  # type: ignore[attr-defined]

    # Every recipient's history right after.
    one = (await history(api, paid))["payments"][0]
    assert (one["status"], one["paid_on"], one["register_id"], one["line"]) == (
        "paid",
        "2026-12-02",
        rid,
        1,
    )
    assert ("payment", "2026-12-02", "2026-12-02") in [
        (t["term"], t["due_on"], t["done_on"]) for t in one["terms"]
    ]
    back = (await history(api, returned))["payments"]
    assert [(p["status"], p["return_reason"]) for p in back] == [("returned", "Шот жабылған")]
    # The recipient is asked to check the account, by the usual channels (here on paper).
    asked = [n for n in await api.notices(returned) if n.kind == "payment_returned"]
    assert [n.channel for n in asked] == ["print"] and "Шот жабылған" in asked[0].text
    assert not [n for n in await api.notices(paid) if n.kind == "payment_returned"]
    assert (await history(api, bad))["payments"][0]["status"] == "paid"
    assert (await history(api, no_account))["payments"][0]["status"] == "scheduled"
    register = (await api.get(R.ACCOUNTANT, url)).json()
    assert register["counts"] == {"paid": 2, "returned": 1}

    # A new account for the returned payment: it goes out again with the next register.
    await api.ok(R.INTAKE_OFFICE, f"/staff/applications/{returned}/account", {"iban": GOOD})
    back = (await history(api, returned))["payments"]
    assert [p["status"] for p in back] == ["returned", "scheduled"]
    budget = (await api.get(R.ACCOUNTANT, "/staff/payments/budget/2026")).json()
    disease = next(k for k in budget["kinds"] if k["kind"] == "disease")
    assert (disease["committed"], disease["paid"]) == ("173000.00", "86500.00")


async def test_a_death_backdated_into_a_paid_month_flags_that_payment(
    accountant: Api, clock: FixedClock
) -> None:
    api = accountant
    cid = await granted(api, 1, starts_on="2026-10-01", iban=GOOD)
    register = await api.ok(
        R.ACCOUNTANT, "/staff/payments/registers", {"payment_month": "2026-11-01"}
    )
    assert register["count"] == 2  # October, late, and November
    rid = register["id"]
    clock.set(datetime(2026, 11, 20, 5, tzinfo=UTC))
    results = "register,line,iin,amount,status,date,reason\r\n" + "".join(
        f"{rid},{n},{iin_for(1)},43250.00,paid,2026-11-19,\r\n" for n in (1, 2)
    )
    assert (await upload(api, rid, results)).json()["paid"] == 2  # type: ignore[attr-defined]

    # Death on 20 October, found a month later: payments stop from 1 November (DR §24).
    await api.ok(
        R.DECISION_MAKER,
        f"/staff/applications/{cid}/termination",
        {"ground": "death", "began_on": "2026-10-20", "found_on": "2026-11-20"},
    )
    payments = (await history(api, cid))["payments"]
    assert [(p["payment_month"], p["status"], p["overpaid_on"]) for p in payments] == [
        ("2026-10-01", "paid", None),
        ("2026-11-01", "paid", "2026-11-20"),
    ]
    assert payments[1]["refund_due_on"] == "2026-11-30"  # DR §34: last working day of November
    audit = (await api.get(R.ACCOUNTANT, f"/staff/applications/{cid}/audit")).json()
    assert ("payments_cut", "1 payment(s) cut, 1 overpaid") in [
        (e["action"], e["reason"]) for e in audit
    ]


async def test_the_recipient_sees_the_next_payment_and_the_last_one_paid(
    accountant: Api, clock: FixedClock
) -> None:
    api = accountant
    cid = await granted(api, 1, starts_on="2026-11-16", iban=iban_for(1))
    url = f"/staff/applications/{cid}/status-text"
    text = (await api.get(R.COMMISSION_SECRETARY, url + "?locale=kk")).json()["text"]
    assert "Келесі төлем: 2026 жылғы қараша, 43 250 ₸" in text.replace("\xa0", " ")
    assert "Соңғы төлем" not in text

    r = await api.post(R.ACCOUNTANT, "/staff/payments/registers", {"payment_month": "2026-11-01"})
    rid = r.json()["id"]
    clock.set(local(2026, 11, 20, 10))
    results = (
        f"register,line,iin,amount,status,date\r\n{rid},1,{iin_for(1)},43250.00,paid,2026-11-19\r\n"
    )
    assert (await upload(api, rid, results)).json()["paid"] == 1  # type: ignore[attr-defined]
    text = (await api.get(R.COMMISSION_SECRETARY, url + "?locale=ru")).json()["text"]
    text = text.replace("\xa0", " ").replace("\u202f", " ")
    assert "Следующая выплата: декабрь 2026, 43 250 ₸" in text
    assert "Последняя выплата: 19 ноября 2026 г., 43 250 ₸" in text
