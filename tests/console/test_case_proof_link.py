"""The case page's timeline links each notice to its proof of notice, a download."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.identity import mask_phone
from casework.law.notices import NoticeChannel, NoticeKind
from casework.law.roles import Role
from casework.system.env import CaseEnv
from gateway.providers.sandbox import DELIVERED_NUMBER, SandboxProvider
from gateway.worker import Worker
from tests.console.conftest import SignIn
from tests.gateway.conftest import Cases


async def test_the_timeline_links_the_proof_and_it_downloads(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], env: CaseEnv
) -> None:
    cases = Cases(sessions, env)
    app_id = await cases.granted(1, phone=DELIVERED_NUMBER)
    other = await cases.granted(2, mcdb=False)
    await Worker(cases.sessions, env, {NoticeChannel.SMS: SandboxProvider()}).drain()
    [decision] = [n for n in await cases.notices(app_id) if n.kind is NoticeKind.DECISION_GRANTED]
    [foreign, *_] = await cases.notices(other)
    link = f"/console/cases/{app_id}/notices/{decision.id}/proof"

    secretary = await sign_in(Role.COMMISSION_SECRETARY)
    page = (await secretary.get(f"/console/cases/{app_id}")).text
    assert f'href="{link}"' in page

    r = await secretary.get(link)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.content.startswith(b"%PDF")
    r = await secretary.get(link, params={"format": "text"})
    assert f"Іс №{app_id}" in r.text and mask_phone(DELIVERED_NUMBER) in r.text

    # Another case's notice is not this case's: a sentence, not its proof.
    r = await secretary.get(f"/console/cases/{app_id}/notices/{foreign.id}/proof")
    assert r.status_code == 404
    assert "Бұл істе мұндай хабарлама жоқ." in r.text

    # The administrator may view cases but answers for no notice: no link, no proof.
    admin = await sign_in(Role.ADMINISTRATOR)
    assert f'href="{link}"' not in (await admin.get(f"/console/cases/{app_id}")).text
    assert (await admin.get(link)).status_code == 403
