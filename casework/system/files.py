"""Uploaded files on disk, addressed by their SHA-256 so the same scan is stored once, and the
check that an upload is wholly the PDF or image it claims to be.

The hash goes on the document row too: staff can prove later that the file they see is the one the
applicant sent.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StoredFile:
    path: Path
    sha256: str
    size: int


def store_file(files_dir: Path, content: bytes, suffix: str) -> StoredFile:
    """Write `content` under files_dir/ab/<sha256><suffix> atomically; an existing copy is kept."""
    digest = hashlib.sha256(content).hexdigest()
    target = Path(files_dir) / digest[:2] / f"{digest}{suffix.lower()}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename: a crash never leaves a half-written file in place.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return StoredFile(path=target, sha256=digest, size=len(content))


# A phone camera makes 12-50 megapixels; more from a 20 MB file is a decompression bomb.
MAX_PIXELS = 100_000_000
# What may follow a file's end marker: line ends and padding some scanners write, nothing else.
_TRAILING = b" \t\r\n\x00"


def _whole_pdf(content: bytes) -> bool:
    # The last %%EOF ends the file: anything after it (a zip, a script) rides along unseen by
    # a PDF viewer. Incremental updates put their own %%EOF before the last one, which is fine.
    end = content.rfind(b"%%EOF")
    if end < 0 or content[end + 5 :].strip(_TRAILING):
        return False
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        return False  # staff could not open it either
    for page in reader.pages:  # the page tree and every page's content stream must load
        page.get_contents()
    return len(reader.pages) > 0


def _whole_image(content: bytes, fmt: str, end: bytes) -> bool:
    if not content.rstrip(_TRAILING).endswith(end):
        return False  # bytes after the image's end marker
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(content), formats=[fmt]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                return False
            image.load()  # decodes every pixel: a truncated or corrupt image fails here
    return True


_PARSES: dict[str, Callable[[bytes], bool]] = {
    "application/pdf": _whole_pdf,
    "image/jpeg": lambda content: _whole_image(content, "JPEG", b"\xff\xd9"),  # EOI
    "image/png": lambda content: _whole_image(content, "PNG", b"IEND\xaeB`\x82"),  # IEND + CRC
}


def parses_as(content_type: str, content: bytes) -> bool:
    """Is the whole of `content` one well-formed file of `content_type`, with nothing appended?

    The first bytes alone prove nothing: a PDF with a zip appended starts like a PDF. Any parser
    error, however the file is malformed, means no.
    """
    check = _PARSES.get(content_type)
    if check is None:
        return False
    try:
        return check(content)
    except Exception:  # pypdf and Pillow raise many kinds for malformed input; all mean "no"
        return False
