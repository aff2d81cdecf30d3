"""Uploads are checked whole: a PDF must parse as a PDF to its last byte, an image must decode,
and nothing may ride along after the file's end (a zip appended to a PDF starts like a PDF)."""

from __future__ import annotations

import io
import zipfile

import pytest
from fpdf import FPDF
from PIL import Image
from pypdf import PdfWriter

from casework.system.files import parses_as

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"


def blank_pdf(pages: int = 1, *, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if password is not None:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_pdf() -> bytes:
    pdf = FPDF()
    for n in range(3):
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        pdf.cell(text=f"Income certificate, page {n + 1}")
    return bytes(pdf.output())


def updated_pdf() -> bytes:
    """A PDF saved with an incremental update: a second %%EOF after the first, as editors do."""
    original = blank_pdf()
    writer = PdfWriter(io.BytesIO(original), incremental=True)
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image(fmt: str, size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, fmt)
    return out.getvalue()


def a_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("payload.exe", b"MZ" + b"\x00" * 64)
    return out.getvalue()


def corrupt_middle(content: bytes) -> bytes:
    middle = len(content) // 2
    return (
        content[:middle]
        + bytes(b ^ 0xFF for b in content[middle : middle + 16])
        + content[middle + 16 :]
    )


ACCEPTED = {
    "a one-page PDF": (PDF, blank_pdf()),
    "a three-page PDF with text": (PDF, text_pdf()),
    "a PDF updated incrementally": (PDF, updated_pdf()),
    "a PDF ending in a line break and padding": (PDF, blank_pdf() + b"\r\n\x00\x00"),
    "a JPEG photo": (JPEG, image("JPEG")),
    "a PNG scan": (PNG, image("PNG")),
    "a JPEG with a line break after it": (JPEG, image("JPEG") + b"\n"),
}

REFUSED = {
    "a PDF with a zip appended": (PDF, blank_pdf() + a_zip()),
    "a PDF with a script appended": (PDF, blank_pdf() + b"<script>alert(1)</script>"),
    "a PDF cut short": (PDF, text_pdf()[: len(text_pdf()) // 2]),
    "a PDF header on nothing": (PDF, b"%PDF-1.7\n" + b"\x00" * 512 + b"%%EOF"),
    "a PDF with no page": (PDF, blank_pdf(pages=0)),
    "a PDF locked with a password": (PDF, blank_pdf(password="секрет")),
    "a JPEG with a zip appended": (JPEG, image("JPEG") + a_zip()),
    "a PNG with a zip appended": (PNG, image("PNG") + a_zip()),
    "a JPEG cut short": (JPEG, image("JPEG", (640, 480))[:600] + b"\xff\xd9"),
    "a PNG with its pixels corrupted": (PNG, corrupt_middle(image("PNG", (640, 480)))),
    "a JPEG's magic number on nothing": (JPEG, b"\xff\xd8\xff\xe0" + b"\x11" * 2048 + b"\xff\xd9"),
    "a JPEG labelled PNG": (PNG, image("JPEG")),
    "a PNG labelled JPEG": (JPEG, image("PNG")),
    "a PDF labelled JPEG": (JPEG, blank_pdf()),
    "a program labelled PDF": (PDF, b"MZ\x90\x00" + b"\x00" * 512),
    "an empty file": (PDF, b""),
    "a type that is not accepted": ("application/zip", a_zip()),
}


@pytest.mark.parametrize(("content_type", "content"), ACCEPTED.values(), ids=ACCEPTED.keys())
def test_a_whole_well_formed_file_is_accepted(content_type: str, content: bytes) -> None:
    assert parses_as(content_type, content)


@pytest.mark.parametrize(("content_type", "content"), REFUSED.values(), ids=REFUSED.keys())
def test_a_file_that_is_not_wholly_what_it_says_is_refused(
    content_type: str, content: bytes
) -> None:
    assert not parses_as(content_type, content)


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    """20,000 × 20,000 pixels of one colour pack into a few hundred kilobytes."""
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")
    assert len(out.getvalue()) < 1_000_000
    assert not parses_as(PNG, out.getvalue())
