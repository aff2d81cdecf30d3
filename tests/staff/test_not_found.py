"""Asking for what does not exist answers 404 with the domain's `not_found`, whatever the route,
and changes nothing."""

from __future__ import annotations

import pytest

from casework.law.roles import Role
from tests.staff.conftest import Api

R = Role
MISSING = [
    ("get", R.COMMISSION_SECRETARY, "/staff/applications/99999"),
    ("get", R.COMMISSION_SECRETARY, "/staff/applications/99999/audit"),
    ("post", R.COMMISSION_SECRETARY, "/staff/applications/99999/precinct-commission"),
    ("post", R.DECISION_MAKER, "/staff/applications/99999/refusal"),
    ("get", R.COMMISSION_SECRETARY, "/staff/broadcasts/99999"),
    ("post", R.COMMISSION_SECRETARY, "/staff/broadcasts/99999/resend"),
    ("get", R.COMMISSION_SECRETARY, "/staff/holidays/lists/99999"),
    ("post", R.DECISION_MAKER, "/staff/holidays/lists/99999/grant"),
    ("get", R.INTAKE_OFFICE, "/staff/print-queue/99999/pdf"),
    ("post", R.INTAKE_OFFICE, "/staff/print-queue/99999/handed-over"),
    ("post", R.ADMINISTRATOR, "/staff/members/99999/deactivation"),
]


@pytest.mark.parametrize(("method", "role", "url"), MISSING)
async def test_what_does_not_exist_is_404(api: Api, method: str, role: Role, url: str) -> None:
    if method == "get":
        r = await api.get(role, url)
    else:
        body = {"grounds": ["already_assigned"]} if url.endswith("/refusal") else None
        r = await api.post(role, url, body)
    assert r.status_code == 404, r.text
    assert r.json()["code"] == "not_found"


async def test_an_unknown_case_in_a_broadcast_is_404(api: Api) -> None:
    cid = (await api.registered())["id"]
    r = await api.post(
        R.COMMISSION_SECRETARY, "/staff/broadcasts", {"application_ids": [cid, 99999]}
    )
    assert r.status_code == 404 and r.json()["params"]["application_id"] == 99999
    listed = await api.get(R.COMMISSION_SECRETARY, "/staff/broadcasts")
    assert listed.json() == []  # nothing was written
