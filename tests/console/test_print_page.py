"""The print queue through the console: the sheet previewed as it will print, one or a batch as
one PDF, and the hand-over recorded as the applicant's receipt; a role without `print_queue`
sees none of it and is refused."""

from __future__ import annotations

import io
import re

import pytest
from markupsafe import escape
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.identity import mask_iin
from casework.law.notices import NoticeKind, NoticeStatus
from casework.law.roles import Role
from casework.steps import case_file, delivery
from casework.system.env import CaseEnv
from casework.tables.notices import Notice
from tests.builders import iin_for
from tests.console.conftest import NAMES, SignIn
from tests.console.test_hearings_page import THURSDAY, nav, with_hearing
from tests.fakes.clock import FixedClock
from tests.gateway.conftest import Cases


@pytest.fixture
def cases(sessions: async_sessionmaker[AsyncSession], env: CaseEnv) -> Cases:
    return Cases(sessions, env)


def queued(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-notice="(\d+)"', page)]


async def on_paper(cases: Cases, n: int) -> tuple[int, Notice, Notice]:
    """A case whose applicant has no registered phone: its receipt and its preliminary refusal
    wait in the print queue."""
    app_id = await with_hearing(cases, n, THURSDAY, mcdb=False)
    rows = await cases.notices(app_id)
    [receipt] = [r for r in rows if r.kind is NoticeKind.ACCEPTANCE_RECEIPT]
    [refusal] = [r for r in rows if r.kind is NoticeKind.PRELIMINARY_REFUSAL]
    assert receipt.status is refusal.status is NoticeStatus.TO_PRINT
    return app_id, receipt, refusal


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_preview_shows_the_sheet_as_it_will_print(
    sign_in: SignIn, cases: Cases, env: CaseEnv, locale: str
) -> None:
    _, receipt, refusal = await on_paper(cases, 1)
    clerk = await sign_in(Role.COMMISSION_SECRETARY, locale=locale)
    page = (await clerk.get("/console/print")).text
    assert queued(page) == [receipt.id, refusal.id]
    assert iin_for(1) not in page and mask_iin(iin_for(1)) in page
    kind = {"kk": "Алдын ала шешім және тыңдау", "ru": "Предварительное решение и заслушивание"}
    assert kind[locale] in page  # the kind in the clerk's language, never its code
    why = {"kk": "Мобильді азаматтар базасында", "ru": "Нет телефона, зарегистрированного"}
    assert why[locale] in page

    # What will print: a preliminary refusal names the last day to object counted from today.
    async with cases.sessions() as s:
        notice = await delivery.get_notice(s, refusal.id)
        words = await delivery.print_text(s, env, notice)
    r = await clerk.get(f"/console/print/{refusal.id}/preview", headers={"HX-Request": "true"})
    assert r.status_code == 200 and str(escape(words)) in r.text
    assert "<html" not in r.text  # the part alone, for htmx
    assert f'lang="{notice.locale}"' in r.text  # read in the notice's own language
    whole = await clerk.get(f"/console/print?preview={refusal.id}")
    assert str(escape(words)) in whole.text and queued(whole.text) == [receipt.id, refusal.id]
    plain = await clerk.get(f"/console/print/{refusal.id}/preview")  # no script: the whole page
    assert plain.status_code == 303
    missing = await clerk.get("/console/print/4242/preview", headers={"HX-Request": "true"})
    assert missing.status_code == 404
    assert {"kk": "мұндай хабарлама жоқ", "ru": "Такого уведомления"}[locale] in missing.text


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_one_or_a_batch_prints_as_one_pdf(sign_in: SignIn, cases: Cases, locale: str) -> None:
    _, receipt, refusal = await on_paper(cases, 1)
    _, other_receipt, _ = await on_paper(cases, 2)
    clerk = await sign_in(Role.INTAKE_OFFICE, locale=locale)

    one = await clerk.get(f"/console/print/{refusal.id}/pdf")
    assert one.status_code == 200 and one.headers["content-type"] == "application/pdf"
    assert one.headers["content-disposition"].startswith("inline")
    assert len(pages(one.content)) == 1

    chosen = [refusal.id, other_receipt.id, receipt.id]
    r = await clerk.post("/console/print/pdf", {"notice_id": chosen})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("inline")
    texts = pages(r.content)
    assert len(texts) == len(chosen)  # one sheet per notice chosen, in the order chosen
    for text, notice_id in zip(texts, chosen, strict=True):
        assert re.search(rf"\b{notice_id}\b", text)
    r = await clerk.get("/console/print/pdf", params={"notice_id": chosen[:2]})
    assert r.headers["content-type"] == "application/pdf" and len(pages(r.content)) == 2

    r = await clerk.post("/console/print/pdf", {})
    assert r.status_code == 422
    assert {"kk": "Кемінде бір хабарламаны", "ru": "хотя бы одно уведомление"}[locale] in r.text
    async with cases.sessions() as s:  # printing changes nothing
        assert (await s.get(Notice, refusal.id)).status is NoticeStatus.TO_PRINT  # type: ignore[union-attr]


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_the_hand_over_is_recorded_as_the_applicants_receipt(
    sign_in: SignIn, cases: Cases, clock: FixedClock, env: CaseEnv, locale: str
) -> None:
    app_id, receipt, refusal = await on_paper(cases, 1)
    _, other_receipt, other_refusal = await on_paper(cases, 2)
    clerk = await sign_in(Role.COMMISSION_SECRETARY, locale=locale)

    r = await clerk.post("/console/print/handed-over", {"notice_id": [refusal.id, receipt.id]})
    assert r.status_code == 303
    assert r.headers["location"] == f"/console/print?handed={refusal.id}&handed={receipt.id}"
    page = (await clerk.get(r.headers["location"])).text
    received = {
        "kk": f"№ {refusal.id} хабарлама: өтініш берушінің алған күні — 2026 жылғы 16 қараша<",
        "ru": f"Уведомление № {refusal.id}: получено заявителем 16 ноября 2026",
    }
    assert received[locale] in page
    assert queued(page) == [other_receipt.id, other_refusal.id]  # the rest still waits

    async with cases.sessions() as s:
        for notice_id in (refusal.id, receipt.id):
            notice = await s.get(Notice, notice_id)
            assert notice is not None and notice.status is NoticeStatus.HANDED_OVER
            assert notice.handed_over_at == clock.now()
            assert notice.handed_over_by == NAMES[Role.COMMISSION_SECRETARY]
        app = await case_file.load_application(s, app_id)
    # The day of the hand-over is the day the applicant received the preliminary refusal: the
    # 2 working days to object run from it.
    assert app.latest_hearing is not None and app.latest_hearing.received_at == clock.now()

    # A second time: a sentence, and nothing of the batch is marked.
    r = await clerk.post(
        "/console/print/handed-over", {"notice_id": [other_receipt.id, refusal.id]}
    )
    assert r.status_code == 409
    assert {"kk": "енді басып шығару кезегінде жоқ", "ru": "уже нет в очереди печати"}[
        locale
    ] in r.text
    async with cases.sessions() as s:
        assert (await s.get(Notice, other_receipt.id)).status is NoticeStatus.TO_PRINT  # type: ignore[union-attr]

    # One by one, each by its own button.
    for notice_id in (other_receipt.id, other_refusal.id):
        r = await clerk.post(f"/console/print/{notice_id}/handed-over")
        assert r.headers["location"] == f"/console/print?handed={notice_id}"
    page = (await clerk.get("/console/print")).text
    assert queued(page) == []
    assert {"kk": "Басып шығаратын ештеңе жоқ", "ru": "Печатать нечего"}[locale] in page


async def test_a_role_without_print_queue_sees_no_link_and_is_refused(
    sign_in: SignIn, cases: Cases
) -> None:
    _, _, refusal = await on_paper(cases, 1)
    secretary = await sign_in(Role.COMMISSION_SECRETARY, locale="ru")
    assert 'href="/console/print"' in nav((await secretary.get("/console/print")).text)

    clerk = await sign_in(Role.DECISION_MAKER, locale="ru")
    assert 'href="/console/print"' not in nav((await clerk.get("/console/password")).text)
    for path in (
        "/console/print",
        f"/console/print/{refusal.id}/pdf",
        f"/console/print/{refusal.id}/preview",
        f"/console/print/pdf?notice_id={refusal.id}",
    ):
        r = await clerk.get(path)
        assert r.status_code == 403 and "Ваша роль этого не позволяет" in r.text, path
    for path in ("/console/print/handed-over", f"/console/print/{refusal.id}/handed-over"):
        r = await clerk.post(path, {"notice_id": refusal.id})
        assert r.status_code == 403, path
    r = await clerk.post("/console/print/pdf", {"notice_id": refusal.id})
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    async with cases.sessions() as s:
        assert (await s.get(Notice, refusal.id)).status is NoticeStatus.TO_PRINT  # type: ignore[union-attr]
