"""Looking a person up: only roles that see IINs may search by one, and every lookup is audited."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from casework.law.identity import mask_iin
from casework.law.roles import PERMISSIONS, Action, Role
from tests.builders import iin_for
from tests.fakes.clock import FixedClock
from tests.staff.conftest import Api

R = Role
# Who is refused follows the permission table: roles that see cases but IINs only masked.
MASKED = [
    r
    for r, acts in PERMISSIONS.items()
    if Action.VIEW_CASES in acts and Action.VIEW_IIN not in acts
]


async def audit(api: Api, query: str = "") -> list[dict]:  # type: ignore[type-arg]
    r = await api.get(R.ADMINISTRATOR, f"/staff/lookups{query}")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def staff_id(api: Api, role: Role) -> int:
    return (await api.get(role, "/staff/members/me")).json()["id"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("role", MASKED)
async def test_a_role_that_sees_iins_masked_may_not_search_by_one(api: Api, role: Role) -> None:
    known = iin_for(1)
    await api.registered(1)
    answers = [await api.get(role, f"/staff/applications?iin={iin}") for iin in (known, iin_for(2))]
    # Known and unknown alike: the answer says nothing about whether the person has a case.
    for r in answers:
        assert r.status_code == 403
        assert r.json() == {
            "code": "forbidden",
            "message": f"the role {role.value} may not look cases up by IIN",
            "params": {"role": role.value, "action": "view_iin"},
        }
    # With a deadline filter as well: the same refusal.
    r = await api.get(role, f"/staff/applications?iin={known}&term=decision")
    assert r.status_code == 403
    # Listing without an IIN still works, masked.
    listed = (await api.get(role, "/staff/applications")).json()
    assert [c["iin"] for c in listed] == [mask_iin(known)]


async def test_trying_the_masked_digits_gets_nowhere_and_every_try_is_recorded(api: Api) -> None:
    """Today's attack: the masked IIN's hidden digits tried one candidate after another."""
    real = iin_for(7)
    await api.registered(7)
    candidates = [iin_for(n) for n in range(1, 31)]
    assert real in candidates
    codes = {
        (await api.get(R.DECISION_MAKER, f"/staff/applications?iin={c}")).status_code
        for c in candidates
    }
    assert codes == {403}
    rows = await audit(api, "?refused=true")
    assert len(rows) == len(candidates)
    assert {row["staff_role"] for row in rows} == {"decision_maker"}
    assert {row["kind"] for row in rows} == {"iin"}
    assert {row["found"] for row in rows} == {0}
    # The administrator reads the audit with the IINs masked, as everywhere else.
    assert {row["iin"] for row in rows} == {mask_iin(c) for c in candidates}


async def test_every_lookup_is_recorded_with_who_when_and_what(
    api: Api, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    iin = iin_for(1)
    await api.registered(1)
    caplog.set_level(logging.DEBUG)
    for url in [
        f"/staff/applications?iin={iin}",
        "/staff/applications?status=registered&status=accepted",
        "/staff/applications?term=decision&due_to=2026-12-31",
        "/staff/applications?limit=5",
    ]:
        r = await api.get(R.COMMISSION_SECRETARY, url)
        assert r.status_code == 200, r.text
    secretary = await staff_id(api, R.COMMISSION_SECRETARY)
    rows = await audit(api)
    assert [(row["kind"], row["filters"], row["found"]) for row in rows] == [
        ("all", "limit=5", 1),
        ("deadline", "term=decision&due_to=2026-12-31&limit=200", 1),
        ("status", "status=registered&status=accepted&limit=200", 1),
        ("iin", "limit=200", 1),
    ]
    assert {row["staff_id"] for row in rows} == {secretary}
    assert {row["staff_name"] for row in rows} == {"Айгүл Серікова"}
    assert {row["at"] for row in rows} == {clock.now().isoformat().replace("+00:00", "Z")}
    assert {row["refused"] for row in rows} == {False}
    # Stored in full for the audit, shown masked to the administrator, never in our logs (the
    # server's access log goes through the masking filter: gateway/cli.py).
    assert rows[-1]["iin"] == mask_iin(iin)
    ours = [r.getMessage() for r in caplog.records if r.name.startswith(("komek", "gateway"))]
    assert not [m for m in ours if iin in m]


async def test_opening_cases_by_number_is_recorded_under_each_persons_iin(api: Api) -> None:
    """Going through cases number by number shows people as surely as searching their IINs."""
    first = (await api.registered(1))["id"]
    second = (await api.registered(2))["id"]
    for number in (first, second, 999_999):  # the last has no case: nobody is shown
        await api.get(R.DECISION_MAKER, f"/staff/applications/{number}")
    rows = await audit(api, "?kind=case")
    assert [(row["filters"], row["iin"], row["found"]) for row in rows] == [
        (f"case={second}", mask_iin(iin_for(2)), 1),
        (f"case={first}", mask_iin(iin_for(1)), 1),
    ]
    assert {row["staff_role"] for row in rows} == {"decision_maker"}


async def test_the_audit_is_filtered_by_who_what_and_when(api: Api, clock: FixedClock) -> None:
    await api.get(R.INTAKE_OFFICE, f"/staff/applications?iin={iin_for(3)}")
    clock.set(clock.now() + timedelta(hours=1))
    await api.get(R.DECISION_MAKER, f"/staff/applications?iin={iin_for(3)}")
    await api.get(R.DECISION_MAKER, "/staff/applications?status=granted")
    office, maker = await staff_id(api, R.INTAKE_OFFICE), await staff_id(api, R.DECISION_MAKER)

    assert [r["staff_id"] for r in await audit(api, f"?staff_id={office}")] == [office]
    assert [r["kind"] for r in await audit(api, f"?staff_id={maker}")] == ["status", "iin"]
    assert [r["staff_id"] for r in await audit(api, "?kind=iin")] == [maker, office]
    assert [r["refused"] for r in await audit(api, "?refused=true")] == [True]
    since = (clock.now() - timedelta(minutes=30)).isoformat()
    later = await api.get(R.ADMINISTRATOR, "/staff/lookups", params={"since": since})
    assert [r["staff_id"] for r in later.json()] == [maker, maker]
    earlier = await api.get(R.ADMINISTRATOR, "/staff/lookups", params={"until": since})
    assert [r["staff_id"] for r in earlier.json()] == [office]
    assert len(await audit(api, "?limit=1")) == 1


@pytest.mark.parametrize(
    "query",
    [
        "?since=2026-11-16T10:00:00",  # no time zone: which 10 o'clock?
        "?until=9999-12-31T23:00:00-05:00",  # past the last moment a datetime holds, in UTC
        f"?staff_id={2**31}",
        "?staff_id=0",
        "?kind=phone",
        "?limit=0",
    ],
)
async def test_a_query_the_audit_cannot_answer_is_a_4xx(api: Api, query: str) -> None:
    r = await api.get(R.ADMINISTRATOR, f"/staff/lookups{query}")
    assert r.status_code == 422, r.text


async def test_only_the_administrator_reads_the_lookup_audit(api: Api) -> None:
    for role in api.tokens:
        if role is R.ADMINISTRATOR:
            continue
        r = await api.get(role, "/staff/lookups")
        assert (r.status_code, r.json()["code"]) == (403, "forbidden"), role


def test_the_decision_maker_and_the_administrator_see_iins_masked() -> None:
    assert {R.DECISION_MAKER, R.ADMINISTRATOR} <= set(MASKED)
