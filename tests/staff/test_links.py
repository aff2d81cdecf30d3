"""Staff see Telegram links, confirm one in person after seeing the identity card, and revoke
one; every change is kept with who made it."""

from __future__ import annotations

from sqlalchemy import select

from casework.law.roles import Role
from casework.tables.applicants import Applicant
from tests.builders import iin_for
from tests.staff.conftest import NAMES, Api

R = Role


async def test_confirmed_in_person_then_revoked_every_step_kept(api: Api) -> None:
    case = await api.registered()
    async with api.sessions() as s:
        applicant = await s.scalar(select(Applicant).where(Applicant.iin == iin_for(1)))
    url = f"/staff/telegram-links/{applicant.id}"

    # Deciding cases is not seeing people at the counter.
    assert (
        await api.http.put(url, json={"telegram_id": 4242}, headers=api.headers(R.DECISION_MAKER))
    ).status_code == 403
    r = await api.http.put(url, json={"telegram_id": 4242}, headers=api.headers(R.INTAKE_OFFICE))
    assert r.status_code == 200, r.text
    link = r.json()
    assert link["telegram_id"] == 4242 and link["verified_at"] is not None
    assert link["how"] == f"in_person: {NAMES[R.INTAKE_OFFICE]}"

    listed = (await api.get(R.DECISION_MAKER, "/staff/telegram-links")).json()
    assert [(x["applicant_id"], x["telegram_id"]) for x in listed] == [(applicant.id, 4242)]
    assert listed[0]["iin"] != iin_for(1)  # masked for a role that does not see IINs

    # The administrator never sees the person: no linking, no revoking.
    assert (await api.http.delete(url, headers=api.headers(R.ADMINISTRATOR))).status_code == 403
    r = await api.http.delete(url, headers=api.headers(R.INTAKE_AKIM))
    assert r.status_code == 200 and r.json()["telegram_id"] is None
    history = (await api.get(R.INTAKE_OFFICE, f"{url}/history")).json()
    assert [(e["event"], e["actor"]) for e in history] == [
        ("verified", NAMES[R.INTAKE_OFFICE]),
        ("revoked", NAMES[R.INTAKE_AKIM]),
    ]
    assert case["id"]  # the case itself is untouched by the link's changes
    assert (
        await api.get(R.INTAKE_OFFICE, "/staff/telegram-links/99999/history")
    ).status_code == 404
