"""Who may do what: 401 without a valid token, 403 without the right, and nothing leaks."""

from __future__ import annotations

import pytest

from casework.law.roles import PERMISSIONS, Action, Role
from tests.builders import iin_for
from tests.staff.conftest import Api, paper_application

R = Role
SECRET_BITS = ("Сейітқалиева", "Әлия", "disease", iin_for(1), iin_for(1)[:6])


def assert_no_case_data(text: str) -> None:
    for bit in SECRET_BITS:
        assert bit not in text


async def a_case(api: Api) -> int:
    case = await api.ok(R.INTAKE_OFFICE, "/staff/applications", paper_application())
    return case["id"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
    ],
    ids=["missing", "bad", "basic", "empty"],
)
async def test_without_a_valid_token_nothing_is_shown(api: Api, headers: dict[str, str]) -> None:
    cid = await a_case(api)
    for method, url in [
        ("GET", f"/staff/applications/{cid}"),
        ("GET", f"/staff/applications?iin={iin_for(1)}"),
        ("GET", "/staff/deadlines"),
        ("POST", f"/staff/applications/{cid}/completeness"),
        ("GET", "/staff/applications/999999"),  # no existence oracle either
    ]:
        r = await api.http.request(method, url, headers=headers)
        assert r.status_code == 401, (method, url, r.text)
        assert r.headers["WWW-Authenticate"] == "Bearer"
        assert r.json()["code"] == "unauthorized"
        assert_no_case_data(r.text)
    case = (await api.get(R.COMMISSION_SECRETARY, f"/staff/applications/{cid}")).json()
    assert case["status"] == "submitted"  # the refused POST changed nothing


async def test_a_role_without_the_right_is_refused_and_nothing_changes(api: Api) -> None:
    cid = await a_case(api)
    await api.ok(R.INTAKE_OFFICE, f"/staff/applications/{cid}/completeness")
    await api.ok(R.INTAKE_OFFICE, f"/staff/applications/{cid}/registration")
    await api.concluded(cid)
    grant = {"kind": "disease", "amount": "1000", "periodicity": "one_off"}
    for role in (R.INTAKE_OFFICE, R.INTAKE_AKIM, R.COMMISSION_SECRETARY, R.ADMINISTRATOR):
        r = await api.post(role, f"/staff/applications/{cid}/grant", grant)
        assert r.status_code == 403, role
        assert r.json()["code"] == "forbidden"
        assert r.json()["params"] == {"role": role.value, "action": "decide"}
        assert_no_case_data(r.text)
    # Checked before the case is looked up: a 403 says nothing about whether a case exists.
    r = await api.post(R.ADMINISTRATOR, "/staff/applications/999999/grant", grant)
    assert r.status_code == 403
    r = await api.post(R.DECISION_MAKER, "/staff/applications", paper_application(2))
    assert r.status_code == 403
    r = await api.get(R.INTAKE_OFFICE, "/staff/members")
    assert r.status_code == 403
    r = await api.http.put(
        "/staff/calendar/overrides/2026-11-20",
        json={"working": False},
        headers=api.headers(R.COMMISSION_SECRETARY),
    )
    assert r.status_code == 403
    case = (await api.get(R.DECISION_MAKER, f"/staff/applications/{cid}")).json()
    assert case["status"] == "at_special_commission"
    assert case["decisions"] == []


async def test_a_deactivated_token_stops_working(api: Api) -> None:
    me = (await api.get(R.INTAKE_AKIM, "/staff/members/me")).json()
    assert me["role"] == "intake_akim"
    r = await api.post(R.ADMINISTRATOR, f"/staff/members/{me['id']}/deactivation")
    assert r.status_code == 200 and r.json()["active"] is False
    r = await api.get(R.INTAKE_AKIM, "/staff/members/me")
    assert r.status_code == 401


async def test_iin_and_phone_are_masked_for_roles_that_do_not_need_them(api: Api) -> None:
    cid = await a_case(api)
    iin = iin_for(1)
    for role, masked in [
        (R.INTAKE_OFFICE, False),
        (R.COMMISSION_SECRETARY, False),
        (R.DECISION_MAKER, True),
        (R.ADMINISTRATOR, True),
    ]:
        case = (await api.get(role, f"/staff/applications/{cid}")).json()
        listed = (await api.get(role, "/staff/applications")).json()
        assert [c["id"] for c in listed] == [cid]
        if masked:
            assert case["applicant"]["iin"] == f"{iin[:4]}******{iin[-2:]}"
            assert listed[0]["iin"] == case["applicant"]["iin"]
            assert "*" in case["applicant"]["phone"]
            r = await api.get(role, f"/staff/applications/{cid}")
            assert iin not in r.text
            # A search by full IIN would be an oracle for the masked digits: refused.
            by_iin = await api.get(role, f"/staff/applications?iin={iin}")
            assert by_iin.status_code == 403
            assert by_iin.json()["params"] == {"role": role.value, "action": "view_iin"}
        else:
            found = (await api.get(role, f"/staff/applications?iin={iin}")).json()
            assert case["applicant"]["iin"] == found[0]["iin"] == listed[0]["iin"] == iin


def test_every_action_has_someone_who_may_do_it() -> None:
    granted = set().union(*PERMISSIONS.values())
    assert granted == set(Action)
    # Deciding stays with the decision maker alone.
    assert [r for r, acts in PERMISSIONS.items() if Action.DECIDE in acts] == [R.DECISION_MAKER]
