"""Console pages: the print queue — preview, print one or a batch as one PDF, mark handed over.

The queue is `casework.steps.delivery.print_queue`; every sheet is `gateway.printing.notice_pdf`
(the words as handed over today: a preliminary refusal names its last day to object counted from
today), and a batch is those sheets joined into one PDF. Marking handed over is
`delivery.hand_over`, as in `POST /staff/print-queue/{id}/handed-over`: the moment it is marked is
the moment the applicant received the notice, the day the law counts from (the objection window of
a preliminary refusal, the notification of a decision).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response

from casework.law.errors import DomainError, NotFound
from casework.law.identity import mask_iin
from casework.law.notices import NoticeStatus
from casework.law.roles import Action
from casework.steps import delivery
from casework.steps.broadcast_views import ToPrint, applicant_of, print_list
from casework.system.env import CaseEnv
from casework.tables.notices import Notice
from casework.texts.i18n import N_
from casework.texts.labels import label
from gateway import printing
from gateway.console.broadcasts import channel_name, kind_name
from gateway.console.web import Console, ConsoleDep, FormDep, see_other
from gateway.staff.deps import EnvDep, SessionDep

router = APIRouter()
log = logging.getLogger(__name__)

BATCH_MAX = 200  # the most sheets one PDF holds (the page lists at most this many)
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский"}

_NONE_CHOSEN = N_("Choose at least one notice.")
_NOT_IN_QUEUE = N_(
    "Notice No. {number} is no longer in the print queue: it was handed over or sent again "
    "meanwhile. Nothing was marked; the list below is up to date."
)
_NO_NOTICE = N_("There is no such notice in the print queue.")
_REFUSED = N_(
    "Nothing was marked handed over: a case did not allow it. Open the case of each notice to "
    "see its state, then try again."
)


@dataclass(frozen=True)
class PrintRow:
    id: int
    application_id: int
    kind: str
    title: str
    made_on: date
    full_name: str
    iin: str  # masked
    language: str
    why: str
    failed: str | None


def _row(console: Console, env: CaseEnv, item: ToPrint) -> PrintRow:
    n = item.notice
    return PrintRow(
        id=n.id,
        application_id=n.application_id,
        kind=kind_name(n.kind, console.locale),
        title=n.title,
        made_on=env.calendar.local_date(n.created_at),
        full_name=item.full_name,
        iin=mask_iin(item.iin),
        language=LANGUAGE_NAMES.get(n.locale, n.locale),
        why=label(n.channel_reason, console.locale),
        failed=channel_name(n.failed_channel, console.locale) if n.failed_channel else None,
    )


@dataclass(frozen=True)
class Preview:
    id: int
    locale: str
    title: str
    provider: str
    text: str
    kind: str
    full_name: str


async def _preview(console: Console, session: SessionDep, env: CaseEnv, notice_id: int) -> Preview:
    """The sheet's words as `printing.notice_pdf` prints them today."""
    notice = await delivery.get_notice(session, notice_id)
    applicant = await applicant_of(session, notice)
    return Preview(
        id=notice.id,
        locale=notice.locale,
        title=notice.title,
        provider=getattr(env.district.provider.name, notice.locale),
        text=await delivery.print_text(session, env, notice),
        kind=kind_name(notice.kind, console.locale),
        full_name=applicant.full_name,
    )


async def _handed(session: SessionDep, env: CaseEnv, ids: list[int]) -> list[tuple[int, date]]:
    """The notices just marked, with the day each was received (from their own rows)."""
    out = []
    for notice_id in ids[:BATCH_MAX]:
        notice = await session.get(Notice, notice_id) if 0 < notice_id < 2**31 else None
        if notice and notice.status is NoticeStatus.HANDED_OVER and notice.handed_over_at:
            out.append((notice.id, env.calendar.local_date(notice.handed_over_at)))
    return out


async def _page(
    console: Console,
    session: SessionDep,
    env: CaseEnv,
    *,
    preview: int | None = None,
    handed: list[int] | None = None,
    error: str | None = None,
    chosen: frozenset[int] = frozenset(),
    status_code: int = 200,
) -> HTMLResponse:
    rows = [_row(console, env, item) for item in await print_list(session, limit=BATCH_MAX)]
    shown = None
    if preview is not None:
        try:
            shown = await _preview(console, session, env, preview)
        except NotFound:
            error = error or console.t(_NO_NOTICE)
    return console.page(
        "print_queue.html",
        status_code,
        rows=rows,
        preview=shown,
        handed=await _handed(session, env, handed or []),
        error=error,
        chosen=chosen,
        today=env.today(),
    )


def _ids(raw: list[str] | None) -> list[int]:
    """Numbers from a query string, skipping anything else (the page writes them itself)."""
    return [int(v) for v in raw or [] if v.isdigit() and len(v) < 10]


@router.get("/print", response_class=HTMLResponse)
async def print_page(
    console: ConsoleDep,
    session: SessionDep,
    env: EnvDep,
    preview: Annotated[list[str] | None, Query()] = None,
    handed: Annotated[list[str] | None, Query()] = None,
    problem: str | None = None,
) -> Response:
    console.require(Action.PRINT_QUEUE)
    shown = _ids(preview)
    return await _page(
        console,
        session,
        env,
        preview=shown[0] if shown else None,
        handed=_ids(handed),
        error=console.t(_REFUSED) if problem else None,
    )


@router.get("/print/{notice_id}/preview", response_class=HTMLResponse)
async def preview_part(
    console: ConsoleDep, session: SessionDep, env: EnvDep, notice_id: int
) -> Response:
    """The preview alone, for htmx; a plain request gets the whole page with it."""
    console.require(Action.PRINT_QUEUE)
    if console.request.headers.get("HX-Request") != "true":
        return see_other(f"/console/print?preview={notice_id}#preview")
    try:
        shown = await _preview(console, session, env, notice_id)
    except NotFound:
        return console.page("_print_preview.html", 404, preview=None, error=console.t(_NO_NOTICE))
    return console.page("_print_preview.html", preview=shown, error=None)


def _pdf(content: bytes, name: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"},
    )


async def _batch_pdf(session: SessionDep, env: CaseEnv, ids: list[int]) -> bytes:
    """One PDF of the sheets, in the order chosen, each as `printing.notice_pdf` makes it."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for notice_id in ids:
        sheet = PdfReader(io.BytesIO(await printing.notice_pdf(session, env, notice_id)))
        for page in sheet.pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@router.get("/print/{notice_id}/pdf")
async def one_pdf(
    console: ConsoleDep, session: SessionDep, env: EnvDep, notice_id: int
) -> Response:
    console.require(Action.PRINT_QUEUE)
    try:
        return _pdf(await printing.notice_pdf(session, env, notice_id), f"notice-{notice_id}.pdf")
    except NotFound:
        return console.page("error.html", 404, message=_NO_NOTICE)


async def _batch(
    console: Console, session: SessionDep, env: CaseEnv, notice_id: list[int] | None
) -> Response:
    ids = list(dict.fromkeys(notice_id or []))[:BATCH_MAX]
    if not ids:
        return await _page(console, session, env, error=console.t(_NONE_CHOSEN), status_code=422)
    try:
        content = await _batch_pdf(session, env, ids)
    except NotFound:
        return await _page(console, session, env, error=console.t(_NO_NOTICE), status_code=404)
    return _pdf(content, "notices.pdf")


@router.get("/print/pdf")
async def batch_pdf_get(
    console: ConsoleDep,
    session: SessionDep,
    env: EnvDep,
    notice_id: Annotated[list[int] | None, Query()] = None,
) -> Response:
    """The chosen sheets as one PDF (`?notice_id=3&notice_id=5`), shown in the browser."""
    console.require(Action.PRINT_QUEUE)
    return await _batch(console, session, env, notice_id)


@router.post("/print/pdf")
async def batch_pdf_post(
    console: FormDep,
    session: SessionDep,
    env: EnvDep,
    notice_id: Annotated[list[int] | None, Form()] = None,
) -> Response:
    """The page's "print the selected": the same PDF, from the form's checkboxes."""
    console.require(Action.PRINT_QUEUE)
    return await _batch(console, session, env, notice_id)


async def _hand_over(
    console: Console, session: SessionDep, env: CaseEnv, notice_id: list[int] | None
) -> Response:
    ids = list(dict.fromkeys(notice_id or []))[:BATCH_MAX]
    if not ids:
        return await _page(console, session, env, error=console.t(_NONE_CHOSEN), status_code=422)
    # Every one still waiting, or none is marked (each row locked until the end).
    for one in ids:
        try:
            notice = await delivery.get_notice(session, one, for_update=True)
        except NotFound:
            return await _page(console, session, env, error=console.t(_NO_NOTICE), status_code=404)
        if notice.status is not NoticeStatus.TO_PRINT:
            error = console.t(_NOT_IN_QUEUE, number=one)
            return await _page(console, session, env, error=error, status_code=409)
    try:
        for one in ids:
            notice = await delivery.get_notice(session, one, for_update=True)
            if notice.status is NoticeStatus.HANDED_OVER:
                continue  # another row of the same notice, marked with it just now
            await delivery.hand_over(session, env, one, actor=console.staff.name)
    except DomainError as exc:
        # Nothing of the batch is kept; the session is closed, so the page is loaded anew.
        await session.rollback()
        log.warning("hand-over of notices %s refused: %s", ids, exc)
        return see_other("/console/print?problem=1")
    return see_other("/console/print?" + "&".join(f"handed={i}" for i in ids))


@router.post("/print/handed-over")
async def hand_over_batch(
    console: FormDep,
    session: SessionDep,
    env: EnvDep,
    notice_id: Annotated[list[int] | None, Form()] = None,
) -> Response:
    console.require(Action.PRINT_QUEUE)
    return await _hand_over(console, session, env, notice_id)


@router.post("/print/{notice_id}/handed-over")
async def hand_over_one(
    console: FormDep, session: SessionDep, env: EnvDep, notice_id: int
) -> Response:
    console.require(Action.PRINT_QUEUE)
    return await _hand_over(console, session, env, [notice_id])
