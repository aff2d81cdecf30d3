"""Printed notices: the PDF handed over at the office when no SMS or chat can carry a notice.

PDFs use DejaVu Sans (shipped in gateway/fonts/, Bitstream Vera licence) because it has every
Kazakh letter (ә ғ қ ң ө ұ ү һ і); the core PDF fonts have none of them. The queue and the
hand-over are casework.steps.delivery's.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from casework.law.district import District
from casework.tables.notices import Notice
from casework.texts.i18n import format_day, gettext

FONT = Path(__file__).resolve().parent / "fonts" / "DejaVuSans.ttf"
# The chat's marks that the font lacks, printed as the plain signs it has.
_PLAIN_MARKS = str.maketrans({"✅": "✓", "❌": "✗"})


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
    pdf.multi_cell(0, 6, notice.text.translate(_PLAIN_MARKS))
    pdf.ln(10)
    pdf.multi_cell(0, 6, gettext(loc, "Received by the applicant: ____________ (signature, date)"))
    return bytes(pdf.output())
