"""The print queue: notices handed over at the office when no SMS or chat can carry them.

PDFs use DejaVu Sans (shipped in gateway/fonts/, Bitstream Vera licence) because it has every
Kazakh letter (ә ғ қ ң ө ұ ү һ і); the core PDF fonts have none of them. Staff list the queue,
print, and mark a notice handed over, which counts as the applicant receiving it.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.cases import CaseEnv
from casework.district import District
from casework.i18n import format_day, gettext
from casework.lifecycle import DomainError
from casework.outbox import Notice, NoticeStatus
from gateway.delivery import notice_reached

FONT = Path(__file__).resolve().parent / "fonts" / "DejaVuSans.ttf"


class PrintError(DomainError):
    code = "print_error"


async def print_queue(session: AsyncSession, *, limit: int = 200) -> list[Notice]:
    """Notices waiting to be printed and handed over, oldest first."""
    stmt = (
        select(Notice)
        .where(Notice.status == NoticeStatus.TO_PRINT)
        .order_by(Notice.created_at, Notice.id)
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())


def render_pdf(notice: Notice, district: District) -> bytes:
    loc = notice.locale
    pdf = FPDF(format="A4")
    pdf.set_title(notice.title)
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.add_page()
    pdf.set_font("DejaVu", size=10)
    pdf.multi_cell(0, 5, getattr(district.provider.name, loc), align="C")
    pdf.ln(4)
    pdf.set_font("DejaVu", size=14)
    pdf.multi_cell(0, 8, notice.title, align="C")
    pdf.ln(2)
    pdf.set_font("DejaVu", size=10)
    created = format_day(notice.created_at, loc, tz=district.timezone)
    pdf.multi_cell(0, 5, gettext(loc, "Notice No. {id} of {date}", id=notice.id, date=created))
    pdf.ln(4)
    pdf.set_font("DejaVu", size=11)
    pdf.multi_cell(0, 6, notice.text)
    pdf.ln(10)
    pdf.multi_cell(0, 6, gettext(loc, "Received by the applicant: ____________ (signature, date)"))
    return bytes(pdf.output())


async def notice_pdf(session: AsyncSession, env: CaseEnv, notice_id: int) -> bytes:
    notice = await session.get(Notice, notice_id)
    if notice is None:
        raise PrintError(f"notice {notice_id} not found", notice_id=notice_id)
    return render_pdf(notice, env.district)


async def mark_handed_over(
    session: AsyncSession, env: CaseEnv, notice_id: int, *, actor: str
) -> Notice:
    """The applicant took the printed notice: it reached them (SR §15)."""
    notice = await session.get(Notice, notice_id, with_for_update=True)
    if notice is None:
        raise PrintError(f"notice {notice_id} not found", notice_id=notice_id)
    if notice.status is not NoticeStatus.TO_PRINT:
        raise PrintError(
            f"notice {notice_id} is {notice.status}, not in the print queue",
            current=notice.status.value,
        )
    now = env.now()
    notice.status = NoticeStatus.HANDED_OVER
    notice.handed_over_at = notice.updated_at = now
    notice.handed_over_by = actor
    await notice_reached(
        session, env, application_id=notice.application_id, kind=notice.kind, at=now, via="print"
    )
    await session.flush()
    return notice
