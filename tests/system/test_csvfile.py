"""The CSV reader every list goes through, on the files offices actually send.

Each test writes the file a user would upload and checks what they would see: the good rows'
values, and each bad row's line number and reason, with the rows after a bad one still read.
"""

from __future__ import annotations

import io
import random
import tracemalloc
import zipfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationInfo, field_validator

from casework.system.csvfile import Row, RowError, read_rows

COLUMNS = ("iin", "name", "category", "phone")
ALIASES = {
    "iin": ("ИИН", "ЖСН"),
    "name": ("ФИО", "Аты-жөні"),
    "category": ("Категория", "Санаты"),
    "phone": ("Телефон",),
}


class Recipient(BaseModel):
    """A holiday-list row, checked just enough to tell good rows from bad."""

    iin: str
    name: str
    category: str
    phone: str | None = None

    @field_validator("iin")
    @classmethod
    def _twelve_digits(cls, value: str) -> str:
        if not (len(value) == 12 and value.isascii() and value.isdigit()):
            raise ValueError("IIN must be exactly 12 digits")
        return value

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str, info: ValidationInfo) -> str:
        known = (info.context or {}).get("categories")
        if known is not None and value not in known:
            raise ValueError(f"{value!r} is not one of {', '.join(known)}")
        return value

    @field_validator("phone")
    @classmethod
    def _mobile(cls, value: str | None) -> str | None:
        if value is not None and not (len(value) == 12 and value.startswith("+7")):
            raise ValueError("phone must be +7 and 10 digits")
        return value


class Registration(BaseModel):
    """An MCDB row: a phone verified for an IIN on a day."""

    iin: str
    phone: str
    registered_on: date


def iin(n: int) -> str:
    return f"{870101300000 + n}"


def phone(n: int) -> str:
    return f"+7701{n:07d}"


def line(n: int, name: str = "Иванов Иван", category: str = "veteran", sep: str = ",") -> str:
    return sep.join((iin(n), name, category, phone(n))) + "\n"


def read(
    source: Path | io.BytesIO | bytes, **options: Any
) -> tuple[list[Row[Recipient]], list[RowError]]:
    options = {"columns": COLUMNS, "aliases": ALIASES, "optional": ("phone",), **options}
    rows: list[Row[Recipient]] = []
    errors: list[RowError] = []
    for item in read_rows(source, Recipient, **options):
        if isinstance(item, RowError):
            errors.append(item)
        else:
            rows.append(item)
    return rows, errors


def write(tmp_path: Path, data: bytes, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def messages(errors: Iterable[RowError]) -> list[str]:
    return [str(e) for e in errors]


# ---------------------------------------------------------------- encodings


def test_cp1251_cyrillic_names(tmp_path: Path) -> None:
    text = line(1, "Иванов Иван") + line(2, "Ёлкина Анна Сергеевна") + line(3, "Щукин Пётр")
    rows, errors = read(write(tmp_path, text.encode("cp1251")))
    assert errors == []
    assert [(r.line, r.value.name) for r in rows] == [
        (1, "Иванов Иван"),
        (2, "Ёлкина Анна Сергеевна"),
        (3, "Щукин Пётр"),
    ]


def test_cp1251_names_after_an_all_ascii_start(tmp_path: Path) -> None:
    # The first 64 KiB are plain ASCII, so the encoding is only decided where Cyrillic appears.
    ascii_rows = "".join(line(n, "Ivanov Ivan") for n in range(2000))
    text = ascii_rows + line(2000, "Петров Пётр") + line(2001, "Ёлкина Анна")
    assert len(ascii_rows) > 64 * 1024
    rows, errors = read(write(tmp_path, text.encode("cp1251")))
    assert errors == []
    assert [r.value.name for r in rows[-2:]] == ["Петров Пётр", "Ёлкина Анна"]
    assert rows[-1].line == 2002


@pytest.mark.parametrize("encoding", ["cp1251", "utf-8"])
def test_first_cyrillic_byte_ends_a_chunk(tmp_path: Path, encoding: str) -> None:
    # The choice between UTF-8 and CP1251 waits for enough bytes after the first non-ASCII one.
    count = (64 * 1024 - 100) // len(line(0, "Ivanov Ivan"))
    head = "".join(line(n, "Ivanov Ivan") for n in range(count))
    pad = 64 * 1024 - 1 - len(head) - len(f"{iin(count)},")
    text = head + line(count, "P" * pad + "Ёлкина") + line(count + 1, "Петров Пётр")
    data = text.encode(encoding)
    assert data[: 64 * 1024 - 1].isascii() and not data[: 64 * 1024].isascii()
    rows, errors = read(write(tmp_path, data))
    assert errors == []
    assert [r.value.name for r in rows[-2:]] == ["P" * pad + "Ёлкина", "Петров Пётр"]


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda t: t.encode("utf-16"), id="utf-16 with BOM (little-endian)"),
        pytest.param(lambda t: b"\xfe\xff" + t.encode("utf-16-be"), id="utf-16-be with BOM"),
        pytest.param(lambda t: t.encode("utf-16-le"), id="utf-16-le without BOM"),
    ],
)
def test_utf16(tmp_path: Path, encode: Any) -> None:
    text = "ИИН,ФИО,Категория,Телефон\r\n" + line(1, "Әлихан Нұрлан") + line(2, "Жанна Өмірзақ")
    rows, errors = read(write(tmp_path, encode(text)))
    assert errors == []
    assert [(r.line, r.value.iin, r.value.name) for r in rows] == [
        (2, iin(1), "Әлихан Нұрлан"),
        (3, iin(2), "Жанна Өмірзақ"),
    ]


def test_utf16_over_many_chunks(tmp_path: Path) -> None:
    text = "".join(line(n, "Әлихан Нұрлан" if n % 2 else "Жанна Өмірзақ") for n in range(5000))
    rows, errors = read(write(tmp_path, text.encode("utf-16")))
    assert errors == []
    assert len(rows) == 5000
    assert {r.value.name for r in rows} == {"Әлихан Нұрлан", "Жанна Өмірзақ"}
    assert (rows[-1].line, rows[-1].value.iin) == (5000, iin(4999))


def test_utf8_with_bom_and_header(tmp_path: Path) -> None:
    text = "iin,name,category,phone\n" + line(1, "Сәуле Қайратқызы") + line(2, "Ержан Ұлан")
    rows, errors = read(write(tmp_path, b"\xef\xbb\xbf" + text.encode("utf-8")))
    assert errors == []
    assert [(r.line, r.value.name) for r in rows] == [(2, "Сәуле Қайратқызы"), (3, "Ержан Ұлан")]


def test_undecodable_bytes_far_into_a_utf8_file_are_that_row_error(tmp_path: Path) -> None:
    start = "".join(line(n, "Сәуле Қайратқызы") for n in range(1500)).encode()
    assert len(start) > 64 * 1024
    data = start + line(1500, "Иванов Иван").encode("cp1251") + line(1501, "Ержан Ұлан").encode()
    rows, errors = read(write(tmp_path, data))
    assert messages(errors) == [
        "line 1501: the line has bytes that are not UTF-8 text (binary data, or another encoding?)"
    ]
    assert (rows[-1].line, rows[-1].value.name) == (1502, "Ержан Ұлан")
    assert len(rows) == 1501


def test_windows_line_ends_split_across_chunks(tmp_path: Path) -> None:
    # The reader takes 64 KiB at a time; here a \r ends one chunk and its \n starts the next.
    def crlf(text: str) -> str:
        return text.replace("\n", "\r\n")

    count = (64 * 1024 - 100) // len(crlf(line(0, "Ivanov Ivan")))
    head = "".join(crlf(line(n, "Ivanov Ivan")) for n in range(count))
    pad = 64 * 1024 - len(head) - len(line(count, ""))  # puts that row's \r last in the chunk
    text = (
        head
        + crlf(line(count, "P" * pad))
        + f'{iin(1)},"Сәуле\r\nҚайратқызы",veteran\r\n'
        + crlf(line(2, "Ержан Ұлан"))
    )
    data = text.encode()
    assert data[64 * 1024 - 1 : 64 * 1024 + 1] == b"\r\n"
    rows, errors = read(write(tmp_path, data))
    assert errors == []
    assert [(r.line, r.value.name) for r in rows[-3:]] == [
        (count + 1, "P" * pad),
        (count + 2, "Сәуле\r\nҚайратқызы"),
        (count + 4, "Ержан Ұлан"),
    ]


def test_old_mac_line_ends(tmp_path: Path) -> None:
    text = (line(1) + line(2) + "\n" + line(3)).replace("\n", "\r")
    rows, errors = read(write(tmp_path, text.encode("cp1251")))
    assert errors == []
    assert [(r.line, r.value.name) for r in rows] == [
        (1, "Иванов Иван"),
        (2, "Иванов Иван"),
        (4, "Иванов Иван"),
    ]


# ---------------------------------------------------------------- delimiters and columns


def test_semicolons_with_quoted_commas_and_semicolons(tmp_path: Path) -> None:
    text = (
        line(1, "Иванов Иван", sep=";")
        + f'{iin(2)};"Петров; Пётр, мл.";disabled;{phone(2)}\n'
        + f"{iin(3)};Сидорова Анна;veteran\n"
    )
    rows, errors = read(write(tmp_path, text.encode()))
    assert errors == []
    assert [(r.value.name, r.value.category, r.value.phone) for r in rows] == [
        ("Иванов Иван", "veteran", phone(1)),
        ("Петров; Пётр, мл.", "disabled", phone(2)),
        ("Сидорова Анна", "veteran", None),
    ]


def test_excel_unicode_text_is_utf16_with_tabs(tmp_path: Path) -> None:
    text = "ИИН\tФИО\tКатегория\tТелефон\r\n" + line(1, "Әлихан Нұрлан, мл.", sep="\t")
    rows, errors = read(write(tmp_path, text.encode("utf-16")))
    assert errors == []
    assert [(r.line, r.value.name) for r in rows] == [(2, "Әлихан Нұрлан, мл.")]


def test_comma_list_whose_first_name_has_semicolons_in_quotes(tmp_path: Path) -> None:
    text = f'{iin(1)},"Иванов; Иван; Иванович",veteran\n' + line(2)
    rows, errors = read(write(tmp_path, text.encode()))
    assert errors == []
    assert [r.value.name for r in rows] == ["Иванов; Иван; Иванович", "Иванов Иван"]


def test_wrong_column_counts_are_row_errors(tmp_path: Path) -> None:
    text = (
        line(1)
        + f"{iin(2)},Петров Пётр,veteran,{phone(2)},лишнее\n"  # an extra column
        + f"{iin(3)},Сидорова Анна\n"  # the category is missing
        + f"{iin(4)},Ахметов Ерлан,veteran,,\n"  # an empty phone and spreadsheet padding
        + f"  {iin(5)} , Омаров Асхат ,  disabled , {phone(5)} \n"
    )
    rows, errors = read(write(tmp_path, text.encode()))
    assert messages(errors) == [
        "line 2: expected 3 or 4 columns, got 5",
        "line 3: expected 3 or 4 columns, got 2",
    ]
    assert [(r.line, r.value.name, r.value.phone) for r in rows] == [
        (1, "Иванов Иван", phone(1)),
        (4, "Ахметов Ерлан", None),
        (5, "Омаров Асхат", phone(5)),
    ]


def test_without_optional_columns_the_count_is_exact(tmp_path: Path) -> None:
    text = line(1) + f"{iin(2)},Петров Пётр,veteran\n"
    _, errors = read(write(tmp_path, text.encode()), optional=())
    assert messages(errors) == ["line 2: expected 4 columns, got 3"]


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    text = "\n" + line(1) + "\r\n   \n,,,\n" + f"{iin(2)},x,veteran,123\n" + line(3)
    rows, errors = read(write(tmp_path, text.encode()))
    assert [r.line for r in rows] == [2, 7]
    assert messages(errors) == ["line 6: phone: phone must be +7 and 10 digits"]


# ---------------------------------------------------------------- validation


def test_model_errors_name_the_field_in_one_line(tmp_path: Path) -> None:
    text = f"12345,Иванов Иван,veteran,{phone(1)}\n" + f"{iin(2)},Петров,pensioner,+7\n" + line(3)
    context = {"categories": ("veteran", "disabled")}
    rows, errors = read(write(tmp_path, text.encode()), context=context)
    assert messages(errors) == [
        "line 1: iin: IIN must be exactly 12 digits",
        "line 2: category: 'pensioner' is not one of veteran, disabled;"
        " phone: phone must be +7 and 10 digits",
    ]
    assert [r.line for r in rows] == [3]


def test_duplicates_name_the_first_line(tmp_path: Path) -> None:
    text = (
        line(1)
        + line(2)
        + line(1, "Иванов Иван Иванович")  # same IIN and category: a duplicate
        + line(1, category="disabled")  # same IIN, another category: fine
        + line(2)
    )
    rows, errors = read(write(tmp_path, text.encode()), key=lambda r: (r.iin, r.category))
    assert messages(errors) == ["line 3: duplicate of line 1", "line 5: duplicate of line 2"]
    assert [r.line for r in rows] == [1, 2, 4]


# ---------------------------------------------------------------- headers


def test_kazakh_header_in_another_order(tmp_path: Path) -> None:
    text = "Телефон;ЖСН;Санаты;Аты-жөні\n" + f"{phone(1)};{iin(1)};veteran;Әлихан Нұрлан\n"
    rows, errors = read(write(tmp_path, text.encode()))
    assert errors == []
    assert rows[0].line == 2
    assert rows[0].value == Recipient(
        iin=iin(1), name="Әлихан Нұрлан", category="veteran", phone=phone(1)
    )


def test_russian_header_without_the_optional_column(tmp_path: Path) -> None:
    text = " ИИН , ФИО , КАТЕГОРИЯ \n" + f"{iin(1)},Иванов Иван,veteran\n"
    rows, errors = read(write(tmp_path, text.encode("cp1251")))
    assert errors == []
    assert [(r.value.name, r.value.phone) for r in rows] == [("Иванов Иван", None)]


def test_mcdb_header_maps_columns_by_name(tmp_path: Path) -> None:
    text = (
        "Phone,IIN,Registered On\n"
        f"{phone(1)},{iin(1)},2024-03-01\n"
        f"{phone(2)},{iin(2)},01.03.2024\n"
        f"{phone(3)},{iin(3)},2024-02-30\n"
    )
    items = list(
        read_rows(
            write(tmp_path, text.encode()),
            Registration,
            columns=("iin", "phone", "registered_on"),
            key=lambda r: (r.iin, r.phone),
        )
    )
    assert items[0] == Row(
        2, Registration(iin=iin(1), phone=phone(1), registered_on=date(2024, 3, 1))
    )
    assert [(e.line, e.message.split(":")[0]) for e in items[1:] if isinstance(e, RowError)] == [
        (3, "registered_on"),
        (4, "registered_on"),
    ]


def test_header_with_unknown_names_in_place_is_skipped(tmp_path: Path) -> None:
    # Only the IIN column's names are declared; the rest of the header is read positionally.
    text = "ИИН;Фамилия Имя;Кат.;Тел.\n" + line(1, sep=";")
    rows, errors = read(write(tmp_path, text.encode()), aliases={"iin": ("ИИН",)})
    assert errors == []
    assert [(r.line, r.value.name) for r in rows] == [(2, "Иванов Иван")]


def test_columns_the_list_does_not_have_are_read_past(tmp_path: Path) -> None:
    text = "Note,IIN,Name,Category,Phone\n" + "a," + line(1) + "," + line(2)
    rows, errors = read(write(tmp_path, text.encode()))
    assert errors == []
    assert [(r.line, r.value.iin, r.value.name) for r in rows] == [
        (2, iin(1), "Иванов Иван"),
        (3, iin(2), "Иванов Иван"),
    ]


def test_header_that_cannot_be_mapped_stops_the_file(tmp_path: Path) -> None:
    _, errors = read(write(tmp_path, b"iin,name,phone\n" + line(1).encode()))
    assert messages(errors) == [
        "line 1: the header lacks category (expected iin, name, category, phone)"
    ]


# ---------------------------------------------------------------- broken lines


def test_multi_line_quoted_field_counts_physical_lines(tmp_path: Path) -> None:
    text = (
        "iin,name,category,phone\n"
        f'{iin(1)},"Иванов\nИван\nИванович",veteran,{phone(1)}\n'
        f"{iin(2)},Петров Пётр,veteran,8701\n" + line(3)
    )
    rows, errors = read(write(tmp_path, text.encode()))
    assert [(r.line, r.value.name) for r in rows] == [
        (2, "Иванов\nИван\nИванович"),
        (6, "Иванов Иван"),
    ]
    assert messages(errors) == ["line 5: phone: phone must be +7 and 10 digits"]


def test_quote_never_closed_loses_only_its_line(tmp_path: Path) -> None:
    text = f'{iin(1)},"Иванов Иван,veteran\n' + "".join(line(n) for n in range(2, 6))
    rows, errors = read(write(tmp_path, text.encode()))
    assert messages(errors) == ["line 1: a quoted field that starts on this line is never closed"]
    assert [r.line for r in rows] == [2, 3, 4, 5]

    long = f'{iin(1)},"Иванов Иван,veteran\n' + "".join(line(n) for n in range(2, 202))
    rows, errors = read(write(tmp_path, long.encode()))
    assert messages(errors) == [
        "line 1: a quoted field that starts on this line is not closed within 100 lines"
    ]
    assert [r.line for r in rows] == list(range(2, 202))


def test_stray_quote_in_a_list_without_line_breaks(tmp_path: Path) -> None:
    # As CSV, lines 1-3 would be one row whose name holds row 2: multiline=False refuses that.
    text = f'{iin(1)},"Иванов Иван,veteran\n' + line(2) + f'{iin(3)},Петров",veteran\n' + line(4)
    rows, errors = read(write(tmp_path, text.encode()), multiline=False)
    assert messages(errors) == ["line 1: a quoted field is not closed on this line"]
    assert [(r.line, r.value.name) for r in rows] == [
        (2, "Иванов Иван"),
        (3, 'Петров"'),
        (4, "Иванов Иван"),
    ]


def test_stray_quote_that_breaks_the_column_count_names_the_lines(tmp_path: Path) -> None:
    text = f'{iin(1)},"Иванов,veteran,{phone(1)}\n{iin(2)},x",y,veteran,{phone(2)}\n' + line(3)
    rows, errors = read(write(tmp_path, text.encode()))
    assert messages(errors) == [
        "line 1: expected 3 or 4 columns, got 5 (the row runs on to line 2: is a quote left open?)"
    ]
    assert [r.line for r in rows] == [3]


def test_field_over_the_csv_limit_and_an_endless_line(tmp_path: Path) -> None:
    huge = "Я" * 200_000  # about 400 KB in UTF-8, over csv's 131072-character field limit
    endless = "x" * (1 << 20) * 2  # 2 MB without a line end
    text = line(1) + line(2, huge) + line(3) + endless + "\n" + line(5)
    rows, errors = read(write(tmp_path, text.encode()))
    assert messages(errors) == [
        "line 2: a field is longer than 131072 characters",
        "line 4: the line is longer than 1048576 characters",
    ]
    assert [r.line for r in rows] == [1, 3, 5]


def test_nul_bytes_in_a_row(tmp_path: Path) -> None:
    data = line(1).encode() + f"{iin(2)},Ив\x00\x00анов,veteran\n".encode() + line(3).encode()
    rows, errors = read(write(tmp_path, data))
    assert messages(errors) == ["line 2: the line has binary data (NUL or control characters)"]
    assert [r.line for r in rows] == [1, 3]


def test_binary_junk_in_the_middle_of_a_file(tmp_path: Path) -> None:
    good = "".join(line(n, "Сәуле Қайратқызы") for n in range(200)).encode()
    junk = b"\x00\x89PNG\xff\xfe\x00\x1a\xc3\x28\xd0\x00 garbage \xfa\xfb\x01\x02"
    after = "".join(line(n, "Ержан Ұлан") for n in range(200, 205)).encode()
    rows, errors = read(write(tmp_path, good + junk + b"\n" + after))
    assert messages(errors) == ["line 201: the line has binary data (NUL or control characters)"]
    assert len(rows) == 205
    # One junk line does not make the UTF-8 file CP1251: the names after it are intact.
    assert [(r.line, r.value.name) for r in rows[-2:]] == [(205, "Ержан Ұлан"), (206, "Ержан Ұлан")]


@pytest.mark.parametrize("multiline", [True, False])
@pytest.mark.parametrize("seed", range(10))
def test_random_junk_lines_lose_no_good_row(seed: int, multiline: bool) -> None:
    # Junk has quotes and line ends of its own; neither may take a good line along with it.
    rng = random.Random(seed)
    parts = []
    for n in range(100):
        parts.append(line(n).encode())
        if n % 10 == 5:
            parts.append(rng.randbytes(rng.randrange(1, 200)) + b"\n")
    rows, errors = read(b"".join(parts), multiline=multiline)
    assert [r.value.iin for r in rows] == [iin(n) for n in range(100)]
    assert errors
    assert {e.line for e in errors}.isdisjoint(r.line for r in rows)


# ---------------------------------------------------------------- not a CSV at all


def test_png_is_one_error(tmp_path: Path) -> None:
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(1).randbytes(50_000)
    assert read(write(tmp_path, data, "photo.csv")) == (
        [],
        [RowError(1, "this is not a text CSV file (it looks like a PNG image)")],
    )


def test_xlsx_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<sheetData>" + "<row/>" * 10_000)
    _, errors = read(path)
    assert messages(errors) == [
        "line 1: this is not a text CSV file"
        " (it looks like a ZIP archive: an .xlsx workbook? Save it as CSV)"
    ]


def test_unknown_binary_is_one_error(tmp_path: Path) -> None:
    data = random.Random(2).randbytes(300_000)
    assert read(write(tmp_path, data)) == ([], [RowError(1, "this is not a text CSV file")])


def test_errors_are_capped_and_counted(tmp_path: Path) -> None:
    text = "".join(line(n) if n % 4 == 0 else f"bad{n},x,y\n" for n in range(40))
    rows, errors = read(write(tmp_path, text.encode()), max_errors=10)
    assert len(rows) == 10  # the good rows are still all read
    assert len(errors) == 11
    assert str(errors[-1]) == (
        "line 15: 20 more errors from this line on are not listed (only the first 10 are)"
    )


# ---------------------------------------------------------------- sources and arguments


def test_path_file_and_bytes_read_alike(tmp_path: Path) -> None:
    data = (line(1) + line(2)).encode()
    stream = io.BytesIO(data)
    from_file = read(stream)
    assert not stream.closed  # the caller's file stays the caller's
    assert read(write(tmp_path, data)) == from_file == read(data)
    assert read(b"") == ([], [])


def test_misuse_is_an_exception_at_the_call() -> None:
    with pytest.raises(TypeError, match="not a str"):
        read_rows("list.csv", Recipient, columns=COLUMNS)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="optional"):
        read_rows(b"", Recipient, columns=COLUMNS, optional=("email",))
    with pytest.raises(ValueError, match="names both"):
        read_rows(b"", Recipient, columns=COLUMNS, aliases={"name": ("iin",)})
    with pytest.raises(TypeError, match="binary"):
        list(read_rows(io.StringIO("a,b"), Recipient, columns=COLUMNS))  # type: ignore[arg-type]


# ---------------------------------------------------------------- size


def big_file(tmp_path: Path, rows: int) -> Path:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("ЖСН;Аты-жөні;Санаты;Телефон\n")
        for n in range(rows):
            name = "Сәуле Қайратқызы Әбенова" if n % 2 else "Иванов Иван Иванович"
            iin_cell = iin(n) if n % 1000 else f"{n}x"  # one bad IIN in a thousand
            out.write(f"{iin_cell};{name};veteran;{phone(n)}\n")
    return path


def test_100000_rows_stream_in_bounded_memory(tmp_path: Path) -> None:
    path = big_file(tmp_path, 100_000)
    size = path.stat().st_size
    assert size > 6_000_000

    rows = errors = 0
    last: Row[Recipient] | None = None
    read_so_far: dict[int, int] = {}
    try:
        with path.open("rb") as stream:
            for item in read_rows(stream, Recipient, columns=COLUMNS, aliases=ALIASES):
                if isinstance(item, RowError):
                    errors += 1
                    assert item.message == "iin: IIN must be exactly 12 digits"
                else:
                    rows, last = rows + 1, item
                done = rows + errors
                if done in (1, 50_000):
                    read_so_far[done] = stream.tell()
                if done == 90_000:  # tracing every allocation is slow: the last 10,000 rows
                    tracemalloc.start()
                    before, _ = tracemalloc.get_traced_memory()
            after, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert (rows, errors) == (99_900, 100)
    assert last is not None and last.line == 100_001
    assert last.value.name == "Сәуле Қайратқызы Әбенова"
    # It reads as it goes: one 64 KiB chunk for the first row, half the file for half the rows.
    assert read_so_far[1] <= 64 * 1024
    assert abs(read_so_far[50_000] - size / 2) < 0.02 * size
    # ...and keeps nothing of the rows it has yielded: 10,000 rows need a few chunks' worth.
    assert peak - before < 2_000_000, f"peak {peak - before:,} bytes over 10,000 rows"
    assert after - before < 100_000, f"{after - before:,} bytes kept after 10,000 rows"
