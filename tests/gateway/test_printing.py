"""Printed notices: Kazakh letters survive as text; handing over notifies the decision."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from casework.law.notices import NoticeStatus
from casework.law.status import Status
from casework.steps.delivery import PrintError, get_notice, hand_over, print_queue
from casework.system.db import transaction
from casework.system.env import CaseEnv
from gateway.printing import render_pdf
from tests.gateway.conftest import Cases


async def test_kazakh_pdf_has_every_kazakh_letter_as_text(
    case_builder: Cases, env: CaseEnv
) -> None:
    app_id = await case_builder.granted(1, locale="kk", mcdb=False)
    async with case_builder.sessions() as s:
        queue = await print_queue(s)
        decision = next(n for n in queue if n.application_id == app_id and "шешім" in n.title)
        pdf = render_pdf(await get_notice(s, decision.id), env.district)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Әлеуметтік көмек тағайындау туралы шешім" in text
    assert "Сәрсенбаева Әйгерім" in text
    assert "43 250" in text.replace("\xa0", " ")
    assert set("әғқңөұүі") <= set(text.lower())


async def test_handing_over_counts_as_notified(case_builder: Cases, env: CaseEnv) -> None:
    app_id = await case_builder.granted(1, mcdb=False)
    notices = await case_builder.notices(app_id)
    decision = notices[-1]
    assert decision.status is NoticeStatus.TO_PRINT
    async with transaction(case_builder.sessions) as s:
        await hand_over(s, env, decision.id, actor="clerk")
    assert (await case_builder.application(app_id)).status is Status.NOTIFIED_GRANTED
    async with case_builder.sessions() as s:
        assert decision.id not in [n.id for n in await print_queue(s)]


async def test_a_notice_is_handed_over_once(case_builder: Cases, env: CaseEnv) -> None:
    app_id = await case_builder.granted(1, mcdb=False)
    decision = (await case_builder.notices(app_id))[-1]
    async with transaction(case_builder.sessions) as s:
        await hand_over(s, env, decision.id, actor="clerk")
    with pytest.raises(PrintError) as refused:
        async with transaction(case_builder.sessions) as s:
            await hand_over(s, env, decision.id, actor="another clerk")
    assert refused.value.params == {"current": "handed_over"}
    handed = (await case_builder.notices(app_id))[-1]
    assert (handed.status, handed.handed_over_by) == (NoticeStatus.HANDED_OVER, "clerk")
