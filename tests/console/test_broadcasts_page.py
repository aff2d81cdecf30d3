"""Broadcast pages through the console: live counts from the outbox as the worker delivers,
every recipient masked, "send again to the failed" that reaches only the failed, and a role
without `broadcast` that sees nothing of it and is refused."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.identity import mask_iin, mask_phone
from casework.law.notices import NoticeChannel, NoticeStatus
from casework.law.roles import Role
from casework.steps import broadcasts, case_file
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.tables.mcdb import McdbEntry
from casework.tables.notices import Notice
from gateway.providers.sandbox import PERMANENT_FAILURE_NUMBER, SandboxProvider
from gateway.worker import Worker
from tests.builders import iin_for, phone_for
from tests.console.conftest import Clerk, SignIn
from tests.console.test_hearings_page import THURSDAY, nav, with_hearing
from tests.gateway.conftest import Cases

POLL = {"HX-Request": "true"}
NEW_PHONE = "+77019999999"


@pytest.fixture
def cases(sessions: async_sessionmaker[AsyncSession], env: CaseEnv) -> Cases:
    return Cases(sessions, env)


def counts_in(page: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', page)}


async def invitations(clerk: Clerk, *app_ids: int) -> int:
    r = await clerk.post(
        "/console/hearings/invite", {"day": THURSDAY.date().isoformat(), "application_id": app_ids}
    )
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


async def three_invited(cases: Cases, clerk: Clerk) -> tuple[int, int, int, int]:
    """One SMS that goes, one to a number that fails for good, one with no phone (paper)."""
    ok = await with_hearing(cases, 1, THURSDAY)
    dead = await with_hearing(cases, 2, THURSDAY.replace(hour=12), phone=PERMANENT_FAILURE_NUMBER)
    paper = await with_hearing(cases, 3, THURSDAY.replace(hour=14), mcdb=False)
    # The receipts and preliminary refusals went out before; only the invitations are watched.
    async with transaction(cases.sessions) as s:
        await s.execute(update(Notice).values(status=NoticeStatus.DELIVERED))
    return ok, dead, paper, await invitations(clerk, ok, dead, paper)


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_the_counts_follow_the_delivery_and_the_failed_get_it_again(
    sign_in: SignIn, cases: Cases, env: CaseEnv, locale: str
) -> None:
    clerk = await sign_in(Role.COMMISSION_SECRETARY, locale=locale)
    ok, dead, paper, broadcast_id = await three_invited(cases, clerk)
    url = f"/console/broadcasts/{broadcast_id}"

    opened = await clerk.get(url)
    assert opened.status_code == 200
    page = opened.text
    expected = {"queued": 2, "sent": 0, "delivered": 0, "failed": 0, "printed": 1, "total": 3}
    assert counts_in(page) == expected
    assert f'hx-get="{url}/counts?seen=2.0.0.0.1"' in page  # polls, saying what it shows
    assert 'hx-trigger="every 2s"' in page
    assert {"kk": "Жеткізілмегендерге қайта жіберу", "ru": "Отправить повторно"}[
        locale
    ] not in page  # nothing failed yet

    # The partial the page polls; it says the same as the step.
    r = await clerk.get(f"{url}/counts", headers=POLL)
    assert r.status_code == 200 and counts_in(r.text) == expected
    r = await clerk.get(f"{url}/counts?seen=2.0.0.0.1", headers=POLL)
    assert r.status_code == 204 and not r.content  # unchanged: nothing to swap, polling goes on
    async with cases.sessions() as s:
        assert await broadcasts.broadcast_counts(s, broadcast_id) == expected

    # One is with the provider, its receipt awaited: still live.
    async with transaction(cases.sessions) as s:
        await s.execute(
            update(Notice)
            .where(Notice.broadcast_id == broadcast_id, Notice.application_id == ok)
            .values(status=NoticeStatus.SENT)
        )
    r = await clerk.get(f"{url}/counts", headers=POLL)
    assert r.status_code == 200 and counts_in(r.text)["sent"] == 1
    async with transaction(cases.sessions) as s:
        await s.execute(
            update(Notice)
            .where(Notice.broadcast_id == broadcast_id, Notice.application_id == ok)
            .values(status=NoticeStatus.QUEUED)
        )

    # The worker sends with the sandbox: one delivered, one failed for good.
    sandbox = SandboxProvider()
    worker = Worker(cases.sessions, env, {NoticeChannel.SMS: sandbox})
    await worker.drain()
    r = await clerk.get(f"{url}/counts?seen=2.0.0.0.1", headers=POLL)
    settled = {"queued": 0, "sent": 0, "delivered": 1, "failed": 1, "printed": 1, "total": 3}
    assert counts_in(r.text) == settled
    assert r.status_code == 286  # nothing on its way: htmx stops polling
    assert 'hx-trigger="every' not in r.text
    assert r.headers["HX-Trigger"] == "recipients-changed"  # the page draws them again
    part = (await clerk.get(f"{url}/recipients", headers=POLL)).text
    assert f'data-recipient="{dead}" data-state="failed"' in part and "<html" not in part
    assert (await clerk.get(f"{url}/counts")).status_code == 200  # a plain request: just the part

    # Each recipient with where they stand, masked.
    page = (await clerk.get(url)).text
    states = dict(re.findall(r'data-recipient="(\d+)" data-state="(\w+)"', page))
    assert states == {str(ok): "delivered", str(dead): "failed", str(paper): "printed"}
    for n in (1, 2, 3):
        assert iin_for(n) not in page and mask_iin(iin_for(n)) in page
    assert phone_for(1) not in page and mask_phone(phone_for(1)) in page
    assert {"kk": "SMS арқылы жеткізілмеді", "ru": "SMS: не доставлено"}[locale] in page
    assert 'hx-trigger="every' not in page  # settled: the page does not poll
    resend = {"kk": "Жеткізілмегендерге қайта жіберу", "ru": "Отправить повторно не получившим"}
    assert resend[locale] in page

    # The failed one's number is corrected: only they get the invitation again.
    async with transaction(cases.sessions) as s:
        app = await case_file.load_application(s, dead)
        app.phone = NEW_PHONE
        s.add(
            McdbEntry(
                iin=iin_for(2),
                phone=NEW_PHONE,
                registered_on=date(2024, 1, 1),
                imported_at=env.now(),
            )
        )
    sent_before = len(sandbox.sent)
    r = await clerk.post(f"{url}/resend")
    assert r.headers["location"] == f"{url}?resent=1"
    page = (await clerk.get(r.headers["location"])).text
    assert {"kk": "қайта жіберілді: 1", "ru": "Повторно отправлено не получившим: 1"}[
        locale
    ] in page
    assert counts_in(page)["queued"] == 1 and 'hx-trigger="every 2s"' in page  # live again
    await worker.drain()
    assert [m.address for m in sandbox.sent[sent_before:]] == [NEW_PHONE]  # the failed only
    r = await clerk.get(f"{url}/counts", headers=POLL)
    assert counts_in(r.text) == {**settled, "delivered": 2, "failed": 0}
    async with cases.sessions() as s:
        rows = (await s.scalars(select(Notice).where(Notice.broadcast_id == broadcast_id))).all()
    assert sum(n.application_id == ok for n in rows) == 1  # the delivered one: never twice

    # Nobody left to send to: nothing goes, and the page says why.
    r = await clerk.post(f"{url}/resend")
    assert r.status_code == 303 and r.headers["location"] == f"{url}?resent=0"
    page = (await clerk.get(r.headers["location"])).text
    assert {"kk": "жеткізілмеген хабарлама жоқ", "ru": "недоставленных уведомлений нет"}[
        locale
    ] in page
    assert resend[locale] not in page  # no failed: no button
    await worker.drain()
    assert len(sandbox.sent) == sent_before + 1

    # The list of broadcasts shows it with its counts.
    listing = (await clerk.get("/console/broadcasts")).text
    assert f'href="{url}"' in listing


async def test_a_role_without_broadcast_sees_no_link_and_is_refused(
    sign_in: SignIn, cases: Cases, env: CaseEnv
) -> None:
    secretary = await sign_in(Role.COMMISSION_SECRETARY, locale="kk")
    _, _, _, broadcast_id = await three_invited(cases, secretary)
    await Worker(cases.sessions, env, {NoticeChannel.SMS: SandboxProvider()}).drain()
    url = f"/console/broadcasts/{broadcast_id}"
    assert 'href="/console/broadcasts"' in nav((await secretary.get(url)).text)

    for role in (Role.DECISION_MAKER, Role.INTAKE_OFFICE):
        clerk = await sign_in(role, locale="kk")
        page = (await clerk.get("/console/password")).text
        assert 'href="/console/broadcasts"' not in nav(page)
        for path in ("/console/broadcasts", url, f"{url}/counts", f"{url}/recipients"):
            r = await clerk.get(path)
            assert r.status_code == 403 and "рұқсат жоқ" in r.text, path
        r = await clerk.post(f"{url}/resend")
        assert r.status_code == 403
    async with cases.sessions() as s:
        counts = await broadcasts.broadcast_counts(s, broadcast_id)
    assert counts["failed"] == 1 and counts["queued"] == 0  # nothing was sent again


async def test_an_unknown_broadcast_is_a_sentence_not_a_crash(sign_in: SignIn) -> None:
    clerk = await sign_in(Role.COMMISSION_SECRETARY, locale="ru")
    for r in (
        await clerk.get("/console/broadcasts/999"),
        await clerk.get("/console/broadcasts/999/counts"),
        await clerk.get("/console/broadcasts/999/recipients"),
        await clerk.post("/console/broadcasts/999/resend"),
    ):
        assert r.status_code == 404 and "Такой рассылки нет" in r.text


async def test_a_resend_without_the_csrf_token_is_refused(sign_in: SignIn) -> None:
    clerk = await sign_in(Role.COMMISSION_SECRETARY, locale="ru")
    r = await clerk.http.post("/console/broadcasts/1/resend")
    assert r.status_code == 403 and "Эта форма устарела" in r.text
    assert isinstance(clerk.http, httpx.AsyncClient)
