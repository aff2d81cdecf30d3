"""Printed notices: the PDF handed over at the office when no SMS can carry a notice (SR §15).

PDFs use DejaVu Sans (shipped in gateway/fonts/, Bitstream Vera licence) because it has every
Kazakh letter (ә ғ қ ң ө ұ ү һ і); the core PDF fonts have none of them. The queue and the
hand-over are casework.steps.delivery's, and so are the words printed (`notice_pdf`).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.district import District
from casework.steps import delivery
from casework.system.env import CaseEnv
from casework.tables.notices import Notice
from casework.texts.i18n import format_day, gettext
from casework.texts.notices import district_day

FONT = Path(__file__).resolve().parent / "fonts" / "DejaVuSans.ttf"
# The chat's marks that the font lacks, printed as the plain signs it has.
_PLAIN_MARKS = str.maketrans({"✅": "✓", "❌": "✗"})


async def notice_pdf(session: AsyncSession, env: CaseEnv, notice_id: int) -> bytes:
    """The sheet to hand over now: a preliminary refusal names the last day to object counted
    from today, the day it is handed over."""
    notice = await delivery.get_notice(session, notice_id)
    return render_pdf(notice, env.district, text=await delivery.print_text(session, env, notice))


def render_pdf(notice: Notice, district: District, *, text: str | None = None) -> bytes:
    """`text`: the words to print, when they differ from the stored ones (see `notice_pdf`)."""
    loc = notice.locale
    from fpdf import FPDF

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
    created = format_day(district_day(notice.created_at, district), loc)
    pdf.multi_cell(0, 5, gettext(loc, "Notice No. {id}. Date: {date}", id=notice.id, date=created))
    pdf.ln(4)
    pdf.set_font("DejaVu", size=11)
    pdf.multi_cell(0, 6, (text or notice.text).translate(_PLAIN_MARKS))
    pdf.ln(10)
    pdf.multi_cell(0, 6, gettext(loc, "Received by the applicant: ____________ (signature, date)"))
    return bytes(pdf.output())
