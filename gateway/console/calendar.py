"""The working-day calendar, a month at a time: working days, days off, public holidays and the
days moved by law or by the government, with the overrides staff enter from a decree.

Every legal term is counted on this calendar (casework.law.calendar), so a change of a day moves
the open cases' terms at once (casework.steps.calendar); the page says how many cases moved.
"""

from __future__ import annotations

import re
from calendar import Calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Annotated, Literal

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.calendar import WorkingCalendar
from casework.law.errors import NotFound
from casework.law.roles import Action
from casework.law.terms import LIVE_IN, Term
from casework.steps import calendar as overrides
from casework.steps.deadlines import next_deadlines
from casework.system.env import CaseEnv
from casework.texts.i18n import N_, format_day, format_month
from gateway.console.web import Console, ConsoleDep, FormDep, see_other
from gateway.staff.deps import EnvDep, SessionDep

router = APIRouter()

MAX_NOTE = 300  # the override's note column

WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)

# The public holidays by the `holidays` library's English names (it has no Russian for
# Kazakhstan): the name as the clerk reads it. A name the library adds later shows as "Public
# holiday" until it is added here, never in English.
HOLIDAY_NAMES = {
    "New Year's Day": N_("New Year"),
    "Orthodox Christmas": N_("Orthodox Christmas"),
    "International Women's Day": N_("International Women's Day"),
    "Nowruz Holiday": N_("Nauryz meiramy"),
    "Kazakhstan's People Solidarity Holiday": N_("Unity Day of the People of Kazakhstan"),
    "Defender of the Fatherland Day": N_("Defender of the Fatherland Day"),
    "Victory Day": N_("Victory Day"),
    "Capital Day": N_("Capital Day"),
    "Eid al-Adha": N_("Kurban Ait"),
    "Constitution Day": N_("Constitution Day of the Republic of Kazakhstan"),
    "Republic Day": N_("Republic Day"),
    "Independence Day": N_("Independence Day"),
    "First President Day": N_("First President Day"),
}
_OBSERVED = " (observed)"
_ESTIMATED = " (estimated)"
_SUBSTITUTED = re.compile(r"^Day off \(substituted from (\d{2})/(\d{2})/(\d{4})\)$")

Kind = Literal[
    "working", "weekend", "holiday", "moved_off", "moved_working", "made_off", "made_working"
]


@cache
def _law_calendar(timezone: str) -> WorkingCalendar:
    """The calendar as the law and the government's transfers make it, without staff overrides,
    with the library's English names (the keys of HOLIDAY_NAMES)."""
    return WorkingCalendar(timezone=timezone, language="en_US")


@dataclass(frozen=True)
class Day:
    day: date
    number: int
    in_month: bool
    today: bool
    working: bool
    kind: Kind
    label: str  # what kind of day, in words
    detail: str  # the holiday's name, where the day off was moved from, the override's reason


def _moved_from(law: WorkingCalendar, weekend: date) -> date | None:
    """The weekday made a day off in exchange for this weekend day, which became a working one."""
    wanted = weekend.strftime("%m/%d/%Y")
    for offset in range(-60, 61):
        other = weekend + timedelta(days=offset)
        name = law.holiday_name(other) or ""
        found = _SUBSTITUTED.match(name)
        if found and f"{found[1]}/{found[2]}/{found[3]}" == wanted:
            return other
    return None


def describe(
    day: date, env: CaseEnv, notes: dict[date, str | None], console: Console
) -> tuple[Kind, str, str]:
    """What kind of day `day` is, in words: (kind, label, detail)."""
    t = console.t
    law = _law_calendar(env.calendar.tz.key)
    made = env.calendar.overrides.get(day)
    if made is not None:
        note = notes.get(day) or ""
        detail = t(N_("Reason: {note}"), note=note) if note else ""
        if made:
            return "made_working", t(N_("Working day (marked by staff)")), detail
        return "made_off", t(N_("Day off (marked by staff)")), detail
    name = law.holiday_name(day)
    if not law.is_working_day(day):
        if name and (found := _SUBSTITUTED.match(name)):
            source = date(int(found[3]), int(found[1]), int(found[2]))
            moved = format_day(source, console.locale, case="ablative")
            return "moved_off", t(N_("Day off (moved)")), t(N_("Moved from {day}"), day=moved)
        if name and name.endswith(_OBSERVED):
            holiday = _holiday_name(name.removesuffix(_OBSERVED), console)
            return (
                "moved_off",
                t(N_("Day off (moved)")),
                t(N_("For a holiday that fell on a weekend: {holiday}"), holiday=holiday),
            )
        if name:
            return "holiday", t(N_("Public holiday")), _holiday_name(name, console)
        return "weekend", t(N_("Day off")), ""
    if day.weekday() >= 5:  # a weekend day the government made a working one
        target = _moved_from(law, day)
        detail = (
            t(
                N_("Its day off moved to {day}"),
                day=format_day(target, console.locale, case="dative"),
            )
            if target
            else ""
        )
        return "moved_working", t(N_("Working day (moved)")), detail
    return "working", t(N_("Working day")), ""


def _holiday_name(name: str, console: Console) -> str:
    estimated = name.endswith(_ESTIMATED)
    message = HOLIDAY_NAMES.get(name.removesuffix(_ESTIMATED))
    words = console.t(message) if message else console.t(N_("Public holiday"))
    if estimated:
        words = console.t(N_("{holiday} (the date is estimated)"), holiday=words)
    return words


# ---------------------------------------------------------------- the month


def _month(raw: str, today: date) -> date | None:
    """The first day of `raw` (YYYY-MM); today's month when empty; None when not a month."""
    if not raw.strip():
        return today.replace(day=1)
    found = re.fullmatch(r"(\d{4})-(\d{2})", raw.strip())
    if not found or not 2000 <= int(found[1]) <= 2100 or not 1 <= int(found[2]) <= 12:
        return None
    return date(int(found[1]), int(found[2]), 1)


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


async def _page(
    console: Console,
    session: AsyncSession,
    env: CaseEnv,
    first: date,
    status_code: int = 200,
    *,
    error: str | None = None,
    done: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    rows = await overrides.overrides(session)
    notes = {row.day: row.note for row in rows}
    today = env.today()
    weeks = []
    for week in Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        cells = []
        for d in week:
            kind, label, detail = describe(d, env, notes, console)
            cells.append(
                Day(
                    day=d,
                    number=d.day,
                    in_month=d.month == first.month,
                    today=d == today,
                    working=env.calendar.is_working_day(d),
                    kind=kind,
                    label=label,
                    detail=detail,
                )
            )
        weeks.append(cells)
    month_words = format_month(first, console.locale)
    return console.page(
        "calendar.html",
        status_code,
        first=first,
        month_value=first.strftime("%Y-%m"),
        month_words=month_words,
        previous=_shift(first, -1),
        previous_words=format_month(_shift(first, -1), console.locale),
        next=_shift(first, 1),
        next_words=format_month(_shift(first, 1), console.locale),
        weekdays=[console.t(w) for w in WEEKDAYS],
        weeks=weeks,
        overrides=[
            {
                "day": row.day.isoformat(),
                "words": format_day(row.day, console.locale),
                "working": row.working,
                "note": row.note or "",
            }
            for row in rows
        ],
        error=error,
        done=done,
        form=form or {},
    )


@router.get("/calendar", response_class=HTMLResponse)
async def month_view(
    console: ConsoleDep,
    session: SessionDep,
    env: EnvDep,
    month: str = "",
    done: str = "",
    day: str = "",
    moved: str = "",
) -> Response:
    console.require(Action.VIEW_CASES)
    first = _month(month, env.today())
    if first is None:
        error = console.t(N_("The month must be written as YYYY-MM, for example 2026-12."))
        return await _page(console, session, env, env.today().replace(day=1), 422, error=error)
    said = None
    changed = _date(day)
    if done in ("set", "removed") and changed is not None and moved.isdigit():
        words = format_day(changed, console.locale)
        said = (
            console.t(
                N_("The change for {day} is saved.")
                if done == "set"
                else N_("The mark on {day} is removed."),
                day=words,
            )
            + " "
            + console.t(N_("Open cases whose terms moved: {count}."), count=int(moved))
        )
    return await _page(console, session, env, first, done=said)


def _date(raw: str) -> date | None:
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


async def _open_terms(session: AsyncSession) -> dict[tuple[int, Term], date]:
    """Every open case's unmet terms still running, with their due days."""
    out = {}
    for term in LIVE_IN:
        for application_id, due in (await next_deadlines(session, terms=[term])).items():
            out[(application_id, term)] = due.due_on
    return out


def _moved(before: dict[tuple[int, Term], date], after: dict[tuple[int, Term], date]) -> int:
    changed = {key[0] for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    return len(changed)


def _back(day: date, moved: int, done: str) -> Response:
    return see_other(
        f"/console/calendar?month={day:%Y-%m}&done={done}&day={day.isoformat()}&moved={moved}"
    )


@router.post("/calendar/overrides", response_class=HTMLResponse)
async def set_override(
    console: FormDep,
    session: SessionDep,
    env: EnvDep,
    day: Annotated[str, Form(max_length=20)] = "",
    working: Annotated[str, Form(max_length=5)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    month: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    console.require(Action.CALENDAR)
    chosen = _date(day)
    note = " ".join(note.split())
    form = {"day": day, "working": working, "note": note}
    first = (chosen.replace(day=1) if chosen else None) or _month(month, env.today())
    first = first or env.today().replace(day=1)
    error = None
    if chosen is None:
        error = console.t(N_("Enter the day as a date."))
    elif working not in ("1", "0"):
        error = console.t(N_("Choose whether the day becomes a working day or a day off."))
    elif not note:
        error = console.t(N_("Write the reason: the decree or decision that changes the day."))
    elif len(note) > MAX_NOTE:
        error = console.t(N_("The reason is too long: at most {limit} characters."), limit=MAX_NOTE)
    if error is not None or chosen is None:
        return await _page(console, session, env, first, 422, error=error, form=form)
    before = await _open_terms(session)
    await overrides.set_override(session, env, chosen, working=working == "1", note=note)
    return _back(chosen, _moved(before, await _open_terms(session)), "set")


@router.post("/calendar/overrides/{day}/delete", response_class=HTMLResponse)
async def delete_override(console: FormDep, session: SessionDep, env: EnvDep, day: str) -> Response:
    console.require(Action.CALENDAR)
    chosen = _date(day)
    before = await _open_terms(session)
    try:
        if chosen is None:
            raise NotFound("no such day")
        await overrides.delete_override(session, env, chosen)
    except NotFound:
        first = chosen.replace(day=1) if chosen else env.today().replace(day=1)
        error = console.t(N_("This day has no mark to remove: the page was out of date."))
        return await _page(console, session, env, first, 404, error=error)
    return _back(chosen, _moved(before, await _open_terms(session)), "removed")
