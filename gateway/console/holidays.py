"""Holiday and memorable-day assistance (DR §12, §28): upload a recipient list, see each bad line
with its reason in words, grant, and follow the notices' broadcasts.

The lists are CSV files other offices export; every line is read by the one CSV reader
(casework.system.csvfile), whose reasons are English sentences for logs and the API. `reason`
turns them into sentences in the clerk's language (the MCDB import on the Administration page
uses it too).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.district import District, Holiday
from casework.law.errors import DomainError, NotFound, RuleError
from casework.law.roles import Action
from casework.steps import broadcasts, holidays
from casework.system.csvfile import RowError
from casework.system.env import CaseEnv
from casework.texts.i18n import N_, day_and_time, format_day, format_tenge, gettext
from gateway.console.errors import explain
from gateway.console.web import Console, ConsoleDep, FormDep, see_other
from gateway.staff.deps import EnvDep, SessionDep

router = APIRouter()

MAX_LIST_BYTES = 10 * 1024 * 1024  # as the JSON API takes

# ---------------------------------------------------------------- a bad line's reason in words

# Columns of the lists, by the name the reader gives them (a model field or its title).
_COLUMNS = {
    "iin": N_("IIN"),
    "IIN": N_("IIN"),
    "full_name": N_("full name"),
    "name": N_("full name"),
    "category": N_("category"),
    "phone": N_("phone"),
    "registered_on": N_("registration date"),
    "date": N_("registration date"),
}

# What people upload instead of a CSV (casework.system.csvfile._SIGNATURES), in words.
_NOT_CSV = (
    ("ZIP archive", N_("an Excel workbook (.xlsx) or a ZIP archive")),
    ("old Excel or Word", N_("an old Excel or Word file (.xls, .doc)")),
    ("PDF", N_("a PDF document")),
    ("image", N_("an image")),
    ("archive", N_("an archive")),
)

Params = Callable[[re.Match[str]], dict[str, object]]


def _none(m: re.Match[str]) -> dict[str, object]:
    return {}


def _quoted(value: str) -> str:
    """A value the reader quoted with repr(): 'x' or "x"."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


# One reason of the reader (or of a list's model, per column) → a sentence.
_WHOLE: list[tuple[re.Pattern[str], str, Params]] = [
    (
        re.compile(r"^duplicate of line (\d+)$"),
        N_("This line repeats line {line}."),
        lambda m: {"line": m[1]},
    ),
    (
        re.compile(r"^the line has bytes that are not"),
        N_(
            "The line has characters that cannot be read: the file may be saved in another "
            "encoding. Save it as CSV in UTF-8."
        ),
        _none,
    ),
    (
        re.compile(r"^the line has binary data"),
        N_("The line has characters a text table cannot have (binary data)."),
        _none,
    ),
    (
        re.compile(r"^a quoted field from this line runs into line (\d+)"),
        N_("A value in quotes that starts on this line runs into line {line}, which is broken."),
        lambda m: {"line": m[1]},
    ),
    (
        re.compile(r"^a quoted field (that starts on this line is never closed|.*not closed)"),
        N_("A value in quotes on this line has no closing quote."),
        _none,
    ),
    (
        re.compile(r"^(the line|the row|a field) (is longer|runs on to line \d+, longer)"),
        N_("The line is too long to be a row of this list."),
        _none,
    ),
    (
        re.compile(r"^the row cannot be read as CSV"),
        N_("The line cannot be read as a row of a CSV table."),
        _none,
    ),
    (
        re.compile(r"^(\d+) more errors from this line on are not listed \(only the first (\d+)"),
        N_(
            "Lines with errors from this line on that are not listed: {count}. Only the "
            "first {limit} are shown."
        ),
        lambda m: {"count": m[1], "limit": m[2]},
    ),
]

_PART = re.compile(r"^(IIN|name|category|phone|date|iin|full_name|registered_on): (.*)$", re.S)
_NEXT_PART = re.compile(r"; (?=(?:IIN|name|category|phone|date|iin|full_name|registered_on): )")
_FIELD: list[tuple[re.Pattern[str], str, Params]] = [
    (re.compile(r"IIN must be exactly 12 digits"), N_("The IIN must be exactly 12 digits."), _none),
    (
        re.compile(r"IIN century digit must be 1–6"),
        N_("The 7th digit of the IIN must be from 1 to 6."),
        _none,
    ),
    (
        re.compile(r"IIN birth date \d+ does not exist"),
        N_("The first six digits of the IIN are not a real date of birth."),
        _none,
    ),
    (
        re.compile(r"IIN check digit does not match"),
        N_("The check digit of the IIN does not match: the number has a typo."),
        _none,
    ),
    (re.compile(r"^name is empty$"), N_("The full name is empty."), _none),
    (
        re.compile(r"^category (.+) is not one of", re.S),
        N_("The category «{category}» is not one of this day's categories: {categories}."),
        lambda m: {"category": _quoted(m[1])},
    ),
    (re.compile(r"^not a mobile number$"), N_("The phone number is not a mobile one."), _none),
    (
        re.compile(r"^not a Kazakhstan number$"),
        N_("The phone number is not a Kazakhstan number."),
        _none,
    ),
    (re.compile(r"^not a (valid )?phone number"), N_("The phone number is not valid."), _none),
    (
        re.compile(r"^registration date (.+) is not YYYY-MM-DD or DD\.MM\.YYYY$", re.S),
        N_("The registration date «{value}» is not written as YYYY-MM-DD or DD.MM.YYYY."),
        lambda m: {"value": _quoted(m[1])},
    ),
    (re.compile(r"^Field required$"), N_("The column «{column}» is empty."), _none),
]


def _columns(names: str, locale: str) -> str:
    words = [gettext(locale, _COLUMNS.get(n.strip(), n.strip())) for n in names.split(",")]
    return ", ".join(words)


def _categories(holiday: Holiday | None, locale: str) -> str:
    if holiday is None:
        return ""
    return "; ".join(getattr(c.name, locale) for c in holiday.categories)


def reason(message: str, locale: str, holiday: Holiday | None = None) -> str:
    """A reason the CSV reader gave for a line, as sentences in `locale` (never English)."""
    message = message.strip()
    found = re.match(r"^this is not a text CSV file(?: \(it looks like (.+)\))?$", message)
    if found:
        what = next((w for key, w in _NOT_CSV if found[1] and key in found[1]), None)
        if what is None:
            return gettext(
                locale,
                N_("The file is not a CSV table. Save the table as CSV and upload it again."),
            )
        return gettext(
            locale,
            N_(
                "The file is not a CSV table: it looks like {what}. Save the table as CSV "
                "and upload it again."
            ),
            what=gettext(locale, what),
        )
    found = re.match(r"^expected (\d+)(?: or (\d+)|–(\d+))? columns, got (\d+)(.*)$", message)
    if found:
        low, high, got = found[1], found[2] or found[3], found[4]
        if high:
            text = gettext(
                locale,
                N_("The line has {got} columns; the list needs from {low} to {high}."),
                got=got,
                low=low,
                high=high,
            )
        else:
            text = gettext(
                locale,
                N_("The line has {got} columns; the list needs {wanted}."),
                got=got,
                wanted=low,
            )
        if runs_on := re.search(r"runs on to line (\d+)", found[5]):
            text += " " + gettext(
                locale,
                N_("A quote may be left open: the line runs on to line {line}."),
                line=runs_on[1],
            )
        return text
    found = re.match(r"^the header names the column '?(\w+)'? twice$", message)
    if found:
        return gettext(
            locale,
            N_("The header names the column «{column}» twice."),
            column=_columns(found[1], locale),
        )
    found = re.match(r"^the header lacks (.+) \(expected (.+)\)$", message)
    if found:
        return gettext(
            locale,
            N_("The header has no column for: {missing}. The list's columns are: {expected}."),
            missing=_columns(found[1], locale),
            expected=_columns(found[2], locale),
        )
    for pattern, text, params in _WHOLE:
        if found := pattern.search(message):
            return gettext(locale, text, **params(found))
    parts = [_field_reason(part, locale, holiday) for part in _NEXT_PART.split(message)]
    return " ".join(parts)


def _field_reason(part: str, locale: str, holiday: Holiday | None) -> str:
    found = _PART.match(part)
    column = found[1] if found else ""
    problem = found[2] if found else part
    for pattern, text, params in _FIELD:
        if hit := pattern.search(problem):
            values = params(hit)
            return gettext(
                locale,
                text,
                **values,
                **({"categories": _categories(holiday, locale)} if "{categories}" in text else {}),
                **({"column": gettext(locale, _COLUMNS[column])} if "{column}" in text else {}),
            )
    if column in _COLUMNS:
        return gettext(
            locale,
            N_("The column «{column}» on this line is not filled in correctly."),
            column=gettext(locale, _COLUMNS[column]),
        )
    return gettext(locale, N_("This line could not be read. Check it against the list's columns."))


@dataclass(frozen=True)
class BadLine:
    line: int
    reason: str


def bad_lines(
    errors: Sequence[RowError | tuple[int, str] | dict[str, object]],
    locale: str,
    holiday: Holiday | None = None,
) -> list[BadLine]:
    out = []
    for e in errors:
        if isinstance(e, RowError):
            line, message = e.line, e.message
        elif isinstance(e, tuple):
            line, message = e
        else:
            line, message = int(str(e["line"])), str(e["message"])
        out.append(BadLine(line, reason(message, locale, holiday)))
    return out


# ---------------------------------------------------------------- what the pages show


def moment(value: datetime | None, console: Console, env: CaseEnv) -> str:
    """A moment on the district's clock, as the portal writes it: its day and time."""
    if value is None:
        return ""
    day, time = day_and_time(value, env.calendar.tz)
    return f"{format_day(day, console.locale)}, {time}"


@dataclass(frozen=True)
class CategoryRow:
    code: str
    name: str
    amount: str  # in words: "43 250 ₸", or why there is none
    amount_value: Decimal | None


def _category_rows(
    district: District, holiday: Holiday, year: int, console: Console
) -> list[CategoryRow]:
    rows = []
    for c in holiday.categories:
        try:
            value: Decimal | None = district.holiday_amount(c, year)
        except ValueError:  # no АЕК for that year in the district file
            value = None
        amount = (
            format_tenge(value, console.locale)
            if value is not None
            else console.t(N_("No amount for {year} in the district file"), year=year)
        )
        rows.append(CategoryRow(c.code, getattr(c.name, console.locale), amount, value))
    return rows


@dataclass(frozen=True)
class Day:
    """A holiday or memorable day of the district file, for one year."""

    code: str  # MM-DD
    name: str
    date: str
    memorial: bool
    categories: list[CategoryRow]


def _days(env: CaseEnv, year: int, console: Console) -> list[Day]:
    return [
        Day(
            h.date,
            getattr(h.name, console.locale),
            format_day(h.on(year), console.locale),
            h.memorial,
            _category_rows(env.district, h, year, console),
        )
        for h in env.district.holidays
    ]


def _year(raw: str, env: CaseEnv) -> int | None:
    raw = raw.strip()
    if not raw:
        return env.today().year
    if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return None


async def _index(
    console: Console,
    session: AsyncSession,
    env: CaseEnv,
    status_code: int = 200,
    *,
    year: int | None = None,
    error: str | None = None,
    errors: list[BadLine] | None = None,
    chosen: str = "",
) -> Response:
    year = year or env.today().year
    lists = []
    for holiday_list, count in await holidays.recent_lists(session):
        holiday = env.district.holiday(holiday_list.holiday)
        lists.append(
            {
                "id": holiday_list.id,
                "name": getattr(holiday.name, console.locale) if holiday else holiday_list.holiday,
                "date": format_day(holiday.on(holiday_list.year), console.locale)
                if holiday
                else holiday_list.year,
                "file_name": holiday_list.file_name,
                "recipients": count,
                "imported": moment(holiday_list.imported_at, console, env),
                "imported_by": holiday_list.imported_by,
                "granted": moment(holiday_list.granted_at, console, env),
            }
        )
    return console.page(
        "holidays.html",
        status_code,
        year=year,
        days=_days(env, year, console),
        lists=lists,
        error=error,
        errors=errors or [],
        chosen=chosen,
    )


@router.get("/holidays", response_class=HTMLResponse)
async def index(console: ConsoleDep, session: SessionDep, env: EnvDep, year: str = "") -> Response:
    console.require(Action.VIEW_CASES)
    return await _index(console, session, env, year=_year(year, env))


@router.post("/holidays/lists", response_class=HTMLResponse)
async def upload(
    console: FormDep,
    session: SessionDep,
    env: EnvDep,
    holiday: Annotated[str, Form(max_length=5)] = "",
    year: Annotated[str, Form(max_length=10)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    console.require(Action.HOLIDAY_IMPORT)
    chosen_year = _year(year, env)

    async def refused(message: str, errors: list[BadLine] | None = None) -> Response:
        return await _index(
            console,
            session,
            env,
            422,
            year=chosen_year,
            error=message,
            errors=errors,
            chosen=holiday,
        )

    found = env.district.holiday(holiday)
    if found is None:
        return await refused(console.t(N_("Choose the holiday or memorable day of the list.")))
    if chosen_year is None:
        return await refused(console.t(N_("The year must be a number from 2000 to 2100.")))
    if file is None or not file.filename:
        return await refused(console.t(N_("Choose the list file (CSV).")))
    data = await file.read(MAX_LIST_BYTES + 1)
    if len(data) > MAX_LIST_BYTES:
        return await refused(console.t(N_("The file is larger than 10 MB.")))
    try:
        holiday_list, errors = await holidays.import_list(
            session,
            env,
            holiday=holiday,
            year=chosen_year,
            file_name=file.filename,
            data=data,
            actor=console.staff.name,
        )
    except RuleError as exc:
        lines = exc.params.get("errors")
        if isinstance(lines, list):
            message = console.t(N_("No line of the list could be read, so nothing is saved."))
            if not lines:
                message = console.t(N_("The file is empty."))
            return await refused(message, bad_lines(lines, console.locale, found))
        return await refused(explain(exc, console.locale))
    return await _list_page(
        console, session, env, holiday_list.id, errors=bad_lines(errors, console.locale, found)
    )


async def _list_page(
    console: Console,
    session: AsyncSession,
    env: CaseEnv,
    list_id: int,
    status_code: int = 200,
    *,
    errors: list[BadLine] | None = None,
    error: str | None = None,
    just_granted: bool = False,
) -> Response:
    try:
        overview = await holidays.list_overview(session, list_id)
    except NotFound:
        return console.page("error.html", 404, message=N_("There is no such recipient list."))
    holiday_list = overview.holiday_list
    holiday = env.district.holiday(holiday_list.holiday)
    categories = []
    total = Decimal(0)
    complete = True
    if holiday is not None:
        for row in _category_rows(env.district, holiday, holiday_list.year, console):
            count = overview.categories.get(row.code, 0)
            if not count:
                continue
            line_total = row.amount_value * count if row.amount_value is not None else None
            if line_total is None:
                complete = False
            else:
                total += line_total
            categories.append(
                {
                    "name": row.name,
                    "count": count,
                    "amount": row.amount,
                    "total": format_tenge(line_total, console.locale) if line_total else "",
                }
            )
    return console.page(
        "holiday_list.html",
        status_code,
        list=holiday_list,
        name=getattr(holiday.name, console.locale) if holiday else holiday_list.holiday,
        memorial=holiday.memorial if holiday else False,
        date=format_day(holiday.on(holiday_list.year), console.locale) if holiday else "",
        recipients=overview.recipients,
        imported=moment(holiday_list.imported_at, console, env),
        granted=moment(holiday_list.granted_at, console, env),
        categories=categories,
        total=format_tenge(total, console.locale) if complete and categories else "",
        skipped=overview.skipped_lines,
        broadcasts=await _broadcasts(session, holiday, overview.broadcasts, console),
        errors=errors,
        error=error,
        just_granted=just_granted,
    )


async def _broadcasts(
    session: AsyncSession, holiday: Holiday | None, found: dict[int, str], console: Console
) -> list[dict[str, object]]:
    out = []
    for broadcast_id, code in found.items():
        category = holiday.category(code) if holiday else None
        out.append(
            {
                "id": broadcast_id,
                "category": getattr(category.name, console.locale) if category else code,
                "counts": await broadcasts.broadcast_counts(session, broadcast_id),
            }
        )
    return out


@router.get("/holidays/lists/{list_id}", response_class=HTMLResponse)
async def show_list(
    console: ConsoleDep, session: SessionDep, env: EnvDep, list_id: int, granted: str = ""
) -> Response:
    console.require(Action.VIEW_CASES)
    return await _list_page(console, session, env, list_id, just_granted=granted == "1")


@router.get("/holidays/lists/{list_id}/broadcasts", response_class=HTMLResponse)
async def list_broadcasts(
    console: ConsoleDep, session: SessionDep, env: EnvDep, list_id: int
) -> Response:
    """The broadcasts' counts alone, for the page to refresh them without a reload (htmx)."""
    console.require(Action.VIEW_CASES)
    try:
        overview = await holidays.list_overview(session, list_id)
    except NotFound:
        return console.page("error.html", 404, message=N_("There is no such recipient list."))
    return console.page(
        "_holiday_broadcasts.html",
        list=overview.holiday_list,
        broadcasts=await _broadcasts(
            session,
            env.district.holiday(overview.holiday_list.holiday),
            overview.broadcasts,
            console,
        ),
    )


@router.post("/holidays/lists/{list_id}/grant", response_class=HTMLResponse)
async def grant(console: FormDep, session: SessionDep, env: EnvDep, list_id: int) -> Response:
    console.require(Action.HOLIDAY_GRANT)
    try:
        await holidays.grant_list(session, env, list_id, actor=console.staff.name)
    except NotFound:
        return console.page("error.html", 404, message=N_("There is no such recipient list."))
    except RuleError as exc:
        if "year" in exc.params:
            message = console.t(
                N_(
                    "The district file has no amounts for {year}: enter that year's monthly "
                    "calculation index first. Nobody on the list is granted yet."
                ),
                year=exc.params["year"],
            )
        else:
            message = explain(exc, console.locale)
        return await _list_page(console, session, env, list_id, 422, error=message)
    except DomainError as exc:
        if "list_id" in exc.params:
            message = console.t(N_("This list has been granted already."))
        else:
            message = explain(exc, console.locale)
        return await _list_page(console, session, env, list_id, 409, error=message)
    return see_other(f"/console/holidays/lists/{list_id}?granted=1")


__all__ = ["bad_lines", "reason", "router"]
