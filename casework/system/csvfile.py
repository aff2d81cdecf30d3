"""One reader for every list the district loads as CSV (MCDB registrations, holiday recipients).

The lists come from other offices' exports: UTF-8 with or without a BOM, UTF-16 from Excel's
"Unicode text", CP1251 from older Windows tools; commas, semicolons or tabs; with or without a
header. This module reads them all alike and knows nothing of the domain: the caller names the
columns and gives a pydantic model per list; the reader yields every good row as a validated
model and every bad row as a line number and a reason, and goes on with the next line.

It streams: a 100,000-row file is read in bounded memory. The encoding is decided from the file's
start (its BOM, the NUL-byte pattern of UTF-16, or the first bytes beyond ASCII); bytes that do
not decode later in the file, NUL bytes, overlong fields and wrong column counts become errors of
their rows, never an exception. A file that is not text at all (an .xlsx, a PNG) is one error.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from typing import Any, BinaryIO, Generic, TypeVar

from pydantic import BaseModel, ValidationError

__all__ = ["Row", "RowError", "read_rows"]

M = TypeVar("M", bound=BaseModel)

_CHUNK_BYTES = 64 * 1024  # read size; the first chunk is also what the encoding is judged by
_MAX_LINE_CHARS = 1 << 20  # a line (or a record over several lines) beyond this is an error
_MAX_RECORD_LINES = 100  # a quoted field still open after this many lines was never closed
_SNIFF_LINES = 100  # how many blank lines may precede the line the delimiter is judged by
_MAX_MESSAGE_CHARS = 300  # a model's message may quote a 128 KB cell; errors are kept by callers

# The line ends csv itself knows. str.splitlines would also split at \x1c, \x85, \u2028 and more.
_EOL = re.compile(r"\r\n|\r|\n")
# Never in a text export: C0 controls other than tab and line ends, DEL, and U+FFFD, which the
# decoder puts where bytes do not decode (a literal U+FFFD in a list is just as broken).
_JUNK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_HEADER_SPACE = re.compile(r"[\s_\-]+")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_JUDGE_BYTES = 1024  # UTF-8 or CP1251 is judged on this much text from the first non-ASCII byte

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
    "cp1251": "CP1251",
}
# What people upload instead of a CSV, by the bytes it starts with.
# A column the file's header names that the list does not have: read past, never validated.
_IGNORED = ""
_SIGNATURES = (
    (b"PK\x03\x04", "a ZIP archive: an .xlsx workbook? Save it as CSV"),
    (b"\xd0\xcf\x11\xe0", "an old Excel or Word file (.xls, .doc)? Save it as CSV"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)


@dataclass(frozen=True)
class RowError:
    """A row that was not read: the physical line it starts on, and why, in plain words."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class Row(Generic[M]):
    """A good row: the physical line it starts on and the caller's model built from it."""

    line: int
    value: M


def read_rows(
    source: os.PathLike[str] | BinaryIO | bytes,
    model: type[M],
    *,
    columns: Sequence[str],
    aliases: Mapping[str, Sequence[str]] | None = None,
    optional: Sequence[str] = (),
    key: Callable[[M], Hashable] | None = None,
    context: Mapping[str, Any] | None = None,
    multiline: bool = True,
    max_errors: int = 1000,
) -> Iterator[Row[M] | RowError]:
    """Every data row of a CSV file in file order: a `Row` if `model` accepts it, else a `RowError`.

    `source` is a path, a binary file object (read from where it is, left open) or bytes.
    `columns` are the model's field names in the file's order when it has no header. If the first
    non-empty row names columns (case, spaces, `_`/`-` and a BOM ignored; `aliases` gives more
    names per column, e.g. {"iin": ("ИИН", "ЖСН")}), columns are taken by that header instead.
    Columns in `optional` may be missing (without a header, only at the end) or empty: then they
    are left out of the data, so the model's default applies. Cells are stripped of spaces; empty
    cells after the last column are ignored, a row that is all empty is skipped.

    A quoted field may hold line breaks (`multiline`, as in CSV), over at most 100 lines;
    rows are numbered by the line they start on. A stray quote then swallows the lines up to the
    next quote into one field, and if the column count still fits the row is good: lists whose
    fields never hold line breaks should pass `multiline=False`, so that a quote left open is
    its row's error and the next line is read as the next row.

    Each row is checked by `model.model_validate(cells, context=context)`; with `key`, a row whose
    key an earlier good row already had is reported as a duplicate of that line (the one thing
    kept per row: a key of two short strings and its line take about 250 bytes). After
    `max_errors` errors the rest are only counted, in one last error. Exceptions other than a
    pydantic ValidationError from the model or `key` are bugs and propagate.
    """
    if isinstance(source, str):
        raise TypeError("read_rows takes a Path, a binary file or bytes, not a str")
    layout = list(columns)
    if not layout or len(set(layout)) != len(layout):
        raise ValueError(f"columns must be distinct and not empty: {layout}")
    if not set(optional) <= set(layout):
        raise ValueError(f"optional columns {sorted(set(optional) - set(layout))} are not columns")
    if max_errors < 0:
        raise ValueError("max_errors must not be negative")
    names: dict[str, str] = {}
    for column in layout:
        for name in (column, *(aliases or {}).get(column, ())):
            other = names.setdefault(_header_name(name), column)
            if other != column:
                raise ValueError(f"{name!r} names both {other!r} and {column!r}")
    if aliases and not set(aliases) <= set(layout):
        raise ValueError(f"aliases for unknown columns {sorted(set(aliases) - set(layout))}")
    record_lines = _MAX_RECORD_LINES if multiline else 1
    items = _read(source, model, layout, names, frozenset(optional), key, context, record_lines)
    return _cap_errors(items, max_errors)


# ---------------------------------------------------------------- rows


def _read(
    source: os.PathLike[str] | BinaryIO | bytes,
    model: type[M],
    layout: list[str],
    names: dict[str, str],
    optional: frozenset[str],
    key: Callable[[M], Hashable] | None,
    context: Mapping[str, Any] | None,
    record_lines: int,
) -> Iterator[Row[M] | RowError]:
    with _binary(source) as stream:
        prefix, at_end = _read_prefix(stream)
        if not prefix:
            return
        for signature, what in _SIGNATURES:
            if prefix.startswith(signature):
                yield RowError(1, f"this is not a text CSV file (it looks like {what})")
                return
        skip, encoding = _detect(prefix)
        decoder = _Decoder(encoding)
        first = decoder.decode(prefix[skip:], final=at_end)
        if _mostly_junk(first):
            yield RowError(1, "this is not a text CSV file")
            return

        feed = _Feed(_lines(_text(stream, decoder, first, at_end)), record_lines)
        reader = csv.reader(feed, delimiter=_delimiter(feed.first_line()), skipinitialspace=True)
        header_seen = False
        seen: dict[Hashable, int] = {}
        lo, hi = _bounds(layout, optional)
        while True:
            feed.start_record()
            try:
                cells = next(reader)
            except StopIteration:
                return
            except _Abort as exc:
                yield RowError(feed.start(exc.line), _clip(exc.message))
                feed.read_again_after_start()
                continue
            except csv.Error as exc:
                yield RowError(feed.start(feed.number), _csv_problem(exc))
                feed.read_again_after_start()
                continue
            start, end = feed.record[0][0], feed.record[-1][0]
            if feed.junk:
                junk = _junk_problem(feed.junk, decoder.encoding)
                if feed.junk_line == start:
                    yield RowError(start, f"the line {junk}")
                else:
                    message = f"a quoted field from this line runs into line {feed.junk_line}"
                    yield RowError(start, f"{message}, which {junk}")
                # A quote in junk must not take the good lines after it along.
                feed.read_again_after_start()
                continue
            if feed.hit_end and end > start and _quote_open(feed.record):
                # csv ends a quoted field at the end of the file without complaint; the lines it
                # swallowed are rows of their own.
                yield RowError(start, "a quoted field that starts on this line is never closed")
                feed.read_again_after_start()
                continue
            cells = [cell.strip() for cell in cells]
            while cells and not cells[-1]:  # spreadsheets pad rows with empty cells
                cells.pop()
            if not cells:
                continue
            if not header_seen:
                header_seen = True
                found = _header(cells, names, layout, optional)
                if isinstance(found, str):
                    yield RowError(start, found)
                    return
                if found is not None:
                    layout = found
                    lo, hi = _bounds(layout, optional)
                    continue
            if not lo <= len(cells) <= hi:
                wanted = f"{hi}" if lo == hi else f"{lo} or {hi}" if hi == lo + 1 else f"{lo}–{hi}"
                message = f"expected {wanted} columns, got {len(cells)}"
                if end > start:
                    message += f" (the row runs on to line {end}: is a quote left open?)"
                yield RowError(start, message)
                continue
            data = {
                column: cell
                for column, cell in zip(layout, cells, strict=False)
                if column != _IGNORED and (cell or column not in optional)
            }
            try:
                value = model.model_validate(data, context=context)
            except ValidationError as exc:
                yield RowError(start, _clip(_explain(exc, model)))
                continue
            if key is not None:
                first_line = seen.setdefault(key(value), start)
                if first_line != start:
                    yield RowError(start, f"duplicate of line {first_line}")
                    continue
            yield Row(start, value)


def _cap_errors(items: Iterator[Row[M] | RowError], limit: int) -> Iterator[Row[M] | RowError]:
    """Pass rows and the first `limit` errors; count the rest into one last error."""
    shown = hidden = first_hidden = 0
    for item in items:
        if isinstance(item, RowError):
            if shown < limit:
                shown += 1
            else:
                hidden += 1
                first_hidden = first_hidden or item.line
                continue
        yield item
    if hidden:
        yield RowError(
            first_hidden,
            f"{hidden} more errors from this line on are not listed (only the first {limit} are)",
        )


def _bounds(layout: list[str], optional: frozenset[str]) -> tuple[int, int]:
    """How many cells a row may have: optional columns can be missing only after the last cell."""
    required = [
        i + 1 for i, column in enumerate(layout) if column not in optional and column != _IGNORED
    ]
    return max(required, default=1), len(layout)


def _header_name(text: str) -> str:
    return _HEADER_SPACE.sub(" ", text.replace("\ufeff", "")).strip().casefold()


def _header(
    cells: list[str], names: dict[str, str], layout: list[str], optional: frozenset[str]
) -> list[str] | str | None:
    """The columns a header row names, in its order; None if the row is data; str: what is wrong.

    Columns the header names but the list does not have (a "Note" an export adds) are read past:
    they come back as `_IGNORED`. A header whose known names all stand in their declared places
    but which lacks some of them (e.g. "ИИН;ФИО;..." with only the IIN's aliases given) is
    skipped and columns stay positional. Otherwise reading would put cells in the wrong fields of
    every row, so the file stops at its header.
    """
    known = [names.get(_header_name(cell)) for cell in cells]
    if not any(known):
        return None
    found = [column for column in known if column is not None]
    for column in found:
        if found.count(column) > 1:
            return f"the header names the column {column!r} twice"
    missing = [c for c in layout if c not in found and c not in optional]
    if not missing:
        return [column or _IGNORED for column in known]
    if len(cells) <= len(layout) and all(
        column in (None, layout[i]) for i, column in enumerate(known)
    ):
        return layout
    return f"the header lacks {', '.join(missing)} (expected {', '.join(layout)})"


def _explain(exc: ValidationError, model: type[BaseModel]) -> str:
    """pydantic's errors as one line: "IIN: IIN check digit does not match; phone: ...".

    A field is named by its title where the model gives one (the IIN type does)."""
    parts = []
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        message = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        loc = [str(part) for part in error["loc"]]
        field = model.model_fields.get(loc[0]) if loc else None
        if field is not None and field.title:
            loc[0] = field.title
        where = ".".join(loc)
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def _csv_problem(exc: csv.Error) -> str:
    if "field limit" in str(exc):
        return f"a field is longer than {csv.field_size_limit()} characters"
    return _clip(f"the row cannot be read as CSV ({exc})")


def _junk_problem(junk: str, encoding: str | None) -> str:
    if junk == "\ufffd":
        name = _ENCODING_NAMES.get(encoding or "", encoding)
        return f"has bytes that are not {name} text (binary data, or another encoding?)"
    return "has binary data (NUL or control characters)"


def _quote_open(record: list[tuple[int, str]]) -> bool:
    return sum(line.count('"') for _, line in record) % 2 == 1


def _clip(message: str) -> str:
    if len(message) <= _MAX_MESSAGE_CHARS:
        return message
    return message[: _MAX_MESSAGE_CHARS - 1] + "…"


def _delimiter(line: str) -> str:
    """Whichever of `,`, `;` and tab is most frequent outside quotes in the first line (`,` if
    none is). Tabs too: Excel's "Unicode text" export is UTF-16 with tabs."""
    outside = "".join(line.split('"')[::2])
    return max(",;\t", key=outside.count)


# ---------------------------------------------------------------- bytes to lines


@contextmanager
def _binary(source: os.PathLike[str] | BinaryIO | bytes) -> Iterator[BinaryIO]:
    if isinstance(source, bytes | bytearray | memoryview):
        yield io.BytesIO(source)
    elif isinstance(source, os.PathLike):
        with open(source, "rb") as stream:
            yield stream
    else:
        yield source  # the caller's file: theirs to close


def _read_prefix(stream: BinaryIO) -> tuple[bytes, bool]:
    """The first chunk, read fully even from a pipe, and whether it is the whole file."""
    parts: list[bytes] = []
    size = 0
    while size < _CHUNK_BYTES:
        data = stream.read(_CHUNK_BYTES - size)
        if isinstance(data, str):
            raise TypeError("read_rows needs a binary file: open it with 'rb'")
        if not data:
            return b"".join(parts), True
        parts.append(bytes(data))
        size += len(data)
    return b"".join(parts), False


def _detect(prefix: bytes) -> tuple[int, str | None]:
    """(BOM length, encoding); None: UTF-8 or CP1251, decided where the first non-ASCII byte is.

    No charset-normalizer (installed with httpx): it weighs dozens of code pages and may call a
    short Cyrillic sample KOI8-R or MacCyrillic. Our four encodings have exact tests: a BOM; for
    BOM-less UTF-16, the NUL high bytes of its ASCII characters (digits, commas, line ends) all
    on one side of each pair; for the rest, strict UTF-8 succeeds on UTF-8 and fails on CP1251
    Cyrillic at nearly every letter.
    """
    for bom, encoding in _BOMS:
        if prefix.startswith(bom):
            return len(bom), encoding
    sample = prefix[:4096]
    pairs = len(sample) // 2
    if pairs:
        even = sample[0 : 2 * pairs : 2].count(0) / pairs
        odd = sample[1 : 2 * pairs : 2].count(0) / pairs
        if odd >= 0.3 and even <= 0.02:
            return 0, "utf-16-le"
        if even >= 0.3 and odd <= 0.02:
            return 0, "utf-16-be"
    return 0, None


def _utf8_or_cp1251(data: bytes, final: bool) -> str:
    # Not "any error means CP1251": a UTF-8 list with a burst of junk would turn every name into
    # mojibake that validates. CP1251 Cyrillic almost never forms a valid UTF-8 sequence.
    text = codecs.getincrementaldecoder("utf-8")("replace").decode(data, final)
    bad = text.count("\ufffd")
    good = len(text) - len(text.encode("ascii", "ignore")) - bad
    return "utf-8" if good > bad else "cp1251"


class _Decoder:
    """Bytes to text; undecodable bytes become U+FFFD (reported with their row, never raised).

    A file that starts with only ASCII (an MCDB list is all digits) may still have CP1251 names
    further down, so until the first non-ASCII byte it is read as ASCII, which both encodings
    share, and the choice is made on what follows that byte (at least _JUDGE_BYTES of it).
    """

    def __init__(self, encoding: str | None) -> None:
        self.encoding = encoding
        self._decode = self._decoder(encoding) if encoding else None
        self._held = b""  # from the first non-ASCII byte: too little yet to judge by

    @staticmethod
    def _decoder(encoding: str) -> Callable[[bytes, bool], str]:
        return codecs.getincrementaldecoder(encoding)("replace").decode

    def decode(self, data: bytes, final: bool) -> str:
        if self._decode is None:
            data, self._held = self._held + data, b""
            if data.isascii():
                return data.decode("ascii")
            found = _NON_ASCII.search(data)
            first = found.start() if found else 0
            if len(data) - first < _JUDGE_BYTES and not final:
                self._held = data[first:]
                return data[:first].decode("ascii")
            self.encoding = _utf8_or_cp1251(data[first:], final)
            self._decode = self._decoder(self.encoding)
        return self._decode(data, final)


def _mostly_junk(text: str) -> bool:
    """Whether most lines at the start of the file have bytes no text export has."""
    lines = [line for line in _EOL.split(text) if line.strip()]
    return sum(1 for line in lines if _JUNK.search(line)) * 2 > len(lines)


def _text(stream: BinaryIO, decoder: _Decoder, first: str, at_end: bool) -> Iterator[str]:
    yield first
    while not at_end:
        data = stream.read(_CHUNK_BYTES)
        at_end = not data
        yield decoder.decode(data, at_end)


def _lines(chunks: Iterator[str]) -> Iterator[str | None]:
    """Physical lines with their ends; None for a line over _MAX_LINE_CHARS (its text dropped)."""
    return chain.from_iterable(_line_batches(chunks))


def _line_batches(chunks: Iterator[str]) -> Iterator[list[str | None]]:
    # A list per chunk: one generator step per 64 KiB, not per line.
    tail = ""
    overlong = False  # inside a line already over the limit: drop text up to its end
    for chunk in chunks:
        text = tail + chunk if tail else chunk
        lines, tail = _split(text)
        if lines and overlong:
            lines[0], overlong = None, False
        if len(text) > _MAX_LINE_CHARS:
            lines = [None if line and len(line) > _MAX_LINE_CHARS else line for line in lines]
        if len(tail) > _MAX_LINE_CHARS:
            overlong, tail = True, "\r" if tail.endswith("\r") else ""
        yield lines
    if tail or overlong:
        yield [None if overlong else tail]


def _split(text: str) -> tuple[list[str | None], str]:
    """The complete lines of `text`, with their ends, and the rest (a line's start, or a line
    ending in \r whose \n may begin the next chunk)."""
    carriage_returns = text.count("\r")
    if not carriage_returns:
        parts, end = text.split("\n"), "\n"
    elif carriage_returns == text.count("\r\n") == text.count("\n") and text[-1] != "\r":
        parts, end = text.split("\r\n"), "\r\n"
    else:  # mixed or old-Mac line ends
        lines: list[str | None] = []
        start = 0
        for found in _EOL.finditer(text):
            if found.end() == len(text) and text[-1] == "\r":
                break
            lines.append(text[start : found.end()])
            start = found.end()
        return lines, text[start:]
    rest = parts.pop()
    return [part + end for part in parts], rest


class _Abort(Exception):
    """Raised through csv.reader by _Feed: the record cannot be completed."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


class _Feed:
    """The lines csv.reader reads, numbered, with the lines of the record being read.

    csv.reader's line_num counts the lines it has taken, so after a multi-line record it names
    the record's last line; this remembers the first. When a record turns out broken (a quote
    never closed, a line over the limit), its later lines are put back to be read again as rows
    of their own, and csv.reader, which starts afresh at every call, reads them from here.
    """

    def __init__(self, lines: Iterator[str | None], max_lines: int) -> None:
        self._lines = lines
        self._max_lines = max_lines
        self._again: deque[tuple[int, str | None]] = deque()
        self.number = 0  # of the last line taken from the file
        self.record: list[tuple[int, str]] = []
        self.junk = ""  # a character no text has, seen in the record
        self.junk_line = 0
        self.hit_end = False  # the record was ended by the end of the file
        self._chars = 0

    def first_line(self) -> str:
        """The first non-blank line, to judge the delimiter by; it will still be read."""
        for _ in range(_SNIFF_LINES):
            line = next(self._lines, "")
            if line == "":
                break
            self.number += 1
            self._again.append((self.number, line))
            if line is not None and line.strip():
                return line
        return ""

    def start_record(self) -> None:
        self.record.clear()
        self.junk, self.hit_end, self._chars = "", False, 0

    def start(self, line: int) -> int:
        return self.record[0][0] if self.record else line

    def read_again_after_start(self) -> None:
        self._again.extendleft(reversed(self.record[1:]))

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        if self._again:
            number, line = self._again.popleft()
        else:
            try:
                line = next(self._lines)
            except StopIteration:
                self.hit_end = True
                raise
            self.number += 1
            number = self.number
        if line is None:
            if not self.record:
                raise _Abort(number, f"the line is longer than {_MAX_LINE_CHARS} characters")
            raise _Abort(
                number,
                f"the row runs on to line {number}, longer than {_MAX_LINE_CHARS} characters",
            )
        self.record.append((number, line))
        self._chars += len(line)
        if len(self.record) > self._max_lines:
            if self._max_lines == 1:
                raise _Abort(number, "a quoted field is not closed on this line")
            raise _Abort(
                number,
                "a quoted field that starts on this line is not closed "
                f"within {self._max_lines} lines",
            )
        if self._chars > _MAX_LINE_CHARS:
            raise _Abort(number, f"the row is longer than {_MAX_LINE_CHARS} characters")
        if not self.junk and (found := _JUNK.search(line)):
            self.junk, self.junk_line = found.group(), number
        return line
