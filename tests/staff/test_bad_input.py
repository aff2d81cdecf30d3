"""Input no clerk would mean answers a clear 4xx, never a 500, and changes nothing."""

from __future__ import annotations

import json

import pytest

from casework.law.roles import Role
from tests.staff.conftest import Api, paper_application

R = Role


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
async def test_an_id_no_row_can_have_is_not_found(api: Api, number: int) -> None:
    for role, url in [
        (R.COMMISSION_SECRETARY, f"/staff/applications/{number}"),
        (R.COMMISSION_SECRETARY, f"/staff/broadcasts/{number}"),
        (R.INTAKE_OFFICE, f"/staff/print-queue/{number}/pdf"),
    ]:
        r = await api.get(role, url)
        assert (r.status_code, r.json()["code"]) == (404, "not_found"), (url, r.text)
    r = await api.post(R.COMMISSION_SECRETARY, "/staff/broadcasts", {"application_ids": [number]})
    assert r.status_code == 404


async def test_a_hearing_step_on_a_case_with_no_hearing_is_refused(api: Api) -> None:
    cid = (await api.registered())["id"]
    for path, body in [("hearing", None), ("protocol", {"text": "Хаттама"})]:
        r = await api.post(R.COMMISSION_SECRETARY, f"/staff/applications/{cid}/{path}", body)
        assert r.status_code in (409, 422), r.text
        assert r.json()["code"] in ("rule_violation", "illegal_transition")
    case = (await api.get(R.COMMISSION_SECRETARY, f"/staff/applications/{cid}")).json()
    assert case["status"] == "registered"


@pytest.mark.parametrize("bad", ["Әлия\x00", "\ud800"])
async def test_text_the_database_cannot_store_is_refused(api: Api, bad: str) -> None:
    body = json.dumps(paper_application(first_name=bad))  # "\ud800" goes as JSON's \ud800
    r = await api.http.post(
        "/staff/applications",
        content=body,
        headers={**api.headers(R.INTAKE_OFFICE), "Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert "NUL or an invalid character" in r.text
    listed = await api.get(R.INTAKE_OFFICE, "/staff/applications")
    assert listed.json() == []
