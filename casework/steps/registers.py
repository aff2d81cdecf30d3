"""Registers (DR §29–§33): the payments the department sends the State Corporation as one file
with control totals, its application for the sum and the department's transfer, and the results
it sends back, line by line. The file formats are in the README ("Payments")."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator
from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from casework.law.errors import DomainError, RuleError
from casework.law.identity import IIN
from casework.law.notices import NoticeKind
from casework.law.payments import PaymentEvent, PaymentStatus, PaymentTerm, payment_terms
from casework.steps import notices, rows
from casework.steps.case_file import load_application
from casework.steps.deadlines import URGENCY_ORDER, Urgency, urgency
from casework.steps.payments import flag_overpaid
from casework.system.csvfile import RowError, read_rows
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.applications import Application
from casework.tables.payments import PaymentEntry, PaymentRegister, ResultImport

FORMAT_VERSION = 1
S = PaymentStatus
Day = date  # ResultLine has a field named `date`


class AlreadyImported(DomainError):
    code = "already_imported"


# ---------------------------------------------------------------- export


@dataclass(frozen=True)
class Exported:
    register: PaymentRegister
    # Cases owed a payment in this register that have no account yet: left for the next one.
    without_account: list[int]


async def export_register(
    session: AsyncSession, env: CaseEnv, *, periodic: bool, payment_month: date, actor: str
) -> Exported:
    """Every payment owed by the month not sent yet: periodic ones whose month has come (late
    ones too), or one-off ones payable by today (formed daily, DR §30)."""
    today = env.today()
    month = (payment_month if periodic else today).replace(day=1)
    due = PaymentEntry.payment_month <= month
    if not periodic:
        due = PaymentEntry.period_starts <= today
    # Plain rows, not entities: a month's register is 100,000 lines.
    found = await session.execute(
        select(PaymentEntry.id, PaymentEntry.application_id, PaymentEntry.amount, Application.iban)
        .join(Application, Application.id == PaymentEntry.application_id)
        .where(PaymentEntry.status == S.SCHEDULED, PaymentEntry.periodic == periodic, due)
        .order_by(PaymentEntry.application_id, PaymentEntry.period_starts, PaymentEntry.id)
        .with_for_update(of=PaymentEntry)
    )
    entries, without = [], []
    for entry_id, application_id, amount, iban in found:
        if iban is None:
            without.append(application_id)
        else:
            entries.append((entry_id, amount, iban))
    if not entries:
        raise RuleError("no payment is due for this register", without_account=without)
    register = PaymentRegister(
        format_version=FORMAT_VERSION,
        periodic=periodic,
        payment_month=month,
        formed_on=today,
        count=len(entries),
        total=sum((amount for _, amount, _ in entries), Decimal(0)),
        sha256="",
        created_by=actor,
        created_at=env.now(),
    )
    session.add(register)
    await session.flush()
    # One executemany by primary key (SQLAlchemy's ORM bulk UPDATE).
    await session.execute(
        update(PaymentEntry),
        [
            {"id": entry_id, "register_id": register.id, "line": n, "iban": iban, "status": S.SENT}
            for n, (entry_id, _, iban) in enumerate(entries, start=1)
        ],
    )
    register.sha256 = hashlib.sha256(await register_file(session, register)).hexdigest()
    return Exported(register, sorted(set(without)))


async def register_file(session: AsyncSession, register: PaymentRegister) -> bytes:
    """The register as sent (README "Payments"): the same bytes every time it is asked for."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerows(
        [
            ["format", "komek-payment-register"],
            ["version", register.format_version],
            ["register", register.id],
            ["kind", "periodic" if register.periodic else "one_off"],
            ["payment_month", register.payment_month.strftime("%Y-%m")],
            ["formed_on", register.formed_on.isoformat()],
            ["count", register.count],
            ["total", f"{register.total:.2f}"],
            [],
            REGISTER_COLUMNS,
        ]
    )
    e, p = PaymentEntry, Applicant
    lines = await session.execute(
        select(
            e.line,
            e.application_id,
            p.iin,
            p.last_name,
            p.first_name,
            p.middle_name,
            e.iban,
            e.amount,
            e.period_starts,
            e.period_ends,
            e.kind,
        )
        .join(Application, Application.id == e.application_id)
        .join(p, p.id == Application.applicant_id)
        .where(e.register_id == register.id)
        .order_by(e.line)
    )
    for line, app_id, iin, last, first, middle, iban, amount, starts, ends, kind in lines:
        name = " ".join(part for part in (last, first, middle) if part)  # Applicant.full_name
        w.writerow(
            [
                line,
                app_id,
                iin,
                name,
                iban,
                f"{amount:.2f}",
                starts.isoformat(),
                ends.isoformat(),
                kind,
            ]
        )
    # UTF-8 with a BOM: integrators' parsers take it, and Excel then shows the Cyrillic names.
    return out.getvalue().encode("utf-8-sig")


REGISTER_COLUMNS = (
    "line",
    "application",
    "iin",
    "full_name",
    "iban",
    "amount",
    "period_from",
    "period_to",
    "assistance",
)


# ---------------------------------------------------------------- the State Corporation's steps


async def get_register(
    session: AsyncSession, register_id: int, *, for_update: bool = False
) -> PaymentRegister:
    return await rows.get(
        session,
        PaymentRegister,
        register_id,
        what="register",
        key="register_id",
        for_update=for_update,
    )


async def record_application(
    session: AsyncSession, env: CaseEnv, register_id: int, *, received_on: date, amount: Decimal
) -> PaymentRegister:
    """DR §31: the State Corporation's application for the sum, on the day it arrived."""
    register = await get_register(session, register_id, for_update=True)
    if register.application_received_on is not None:
        raise DomainError("the application for this register is recorded already")
    _between(received_on, register.formed_on, env.today(), "the application")
    if not 0 < amount <= register.total:
        raise RuleError(
            "the application asks for more than the register's total", total=register.total
        )
    register.application_received_on, register.application_amount = received_on, amount
    return register


async def record_transfer(
    session: AsyncSession, env: CaseEnv, register_id: int, *, transferred_on: date, amount: Decimal
) -> PaymentRegister:
    """DR §31: the department's transfer, within the sum of the application."""
    register = await get_register(session, register_id, for_update=True)
    asked = register.application_amount
    if register.application_received_on is None or asked is None:
        raise DomainError("the State Corporation's application is not recorded yet")
    if register.transferred_on is not None:
        raise DomainError("the transfer for this register is recorded already")
    _between(transferred_on, register.application_received_on, env.today(), "the transfer")
    if not 0 < amount <= asked:
        raise RuleError("a transfer is within the application's sum (DR §31)", application=asked)
    register.transferred_on, register.transferred_amount = transferred_on, amount
    return register


def _between(day: date, earliest: date, today: date, what: str) -> None:
    if not earliest <= day <= today:
        raise RuleError(f"{what} must fall between {earliest} and today", earliest=earliest)


@dataclass(frozen=True)
class TermView:
    term: PaymentTerm
    due_on: date
    done_on: date | None
    law: str


@dataclass
class Lines:
    """What a register's terms and counts need of its lines, without the lines themselves (a
    month's register is 100,000 of them)."""

    counts: dict[str, int] = field(default_factory=dict)  # by status
    first_period: date | None = None
    owed: int = 0  # lines not cancelled
    settled: int = 0  # of those, paid or returned
    last_outcome: date | None = None

    def add(self, status: S, n: int, first: date, outcomes: int, last: date | None) -> None:
        self.counts[status.value] = self.counts.get(status.value, 0) + n
        self.first_period = min(first, self.first_period or first)
        if status is not S.CANCELLED:
            self.owed += n
            self.settled += outcomes
            if last is not None:
                self.last_outcome = max(last, self.last_outcome or last)


async def register_lines(session: AsyncSession, register_ids: Sequence[int]) -> dict[int, Lines]:
    """Each register's `Lines`, from one aggregate query."""
    outcome = func.coalesce(PaymentEntry.paid_on, PaymentEntry.returned_on)
    found = await session.execute(
        select(
            PaymentEntry.register_id,
            PaymentEntry.status,
            func.count(),
            func.min(PaymentEntry.period_starts),
            func.count(outcome),
            func.max(outcome),
        )
        .where(PaymentEntry.register_id.in_(register_ids))
        .group_by(PaymentEntry.register_id, PaymentEntry.status)
    )
    lines: dict[int | None, Lines] = {i: Lines() for i in register_ids}
    for register_id, status, n, first, outcomes, last in found:  # register_id is never None
        lines[register_id].add(status, n, first, outcomes, last)
    return {i: lines[i] for i in register_ids}


def register_terms(env: CaseEnv, register: PaymentRegister, lines: Lines) -> list[TermView]:
    """Each term of the register's chain with its last day and the day it was met."""
    events = {
        PaymentEvent.PAYMENT_MONTH: register.payment_month,
        PaymentEvent.PAYABLE: lines.first_period or register.formed_on,
        PaymentEvent.REQUEST_FORMED: register.formed_on,
    }
    if register.application_received_on is not None:
        events[PaymentEvent.APPLICATION_RECEIVED] = register.application_received_on
    if register.transferred_on is not None:
        events[PaymentEvent.TRANSFERRED] = register.transferred_on
    all_settled = lines.settled > 0 and lines.settled == lines.owed
    done = {
        PaymentTerm.REQUEST: register.formed_on,
        PaymentTerm.APPLICATION: register.application_received_on,
        PaymentTerm.TRANSFER: register.transferred_on,
        PaymentTerm.PAYMENT: lines.last_outcome if all_settled else None,
    }
    terms = payment_terms(
        env.calendar, events, payment_month=register.payment_month, periodic=register.periodic
    )
    return [TermView(t, due, done.get(t), rule.law) for t, (due, rule) in terms.items()]


@dataclass(frozen=True)
class OpenTerm:
    register: PaymentRegister
    term: TermView
    urgency: Urgency


async def open_terms(session: AsyncSession, env: CaseEnv, *, limit: int = 200) -> list[OpenTerm]:
    """The payment chain's deadline board: every register term not met yet, the late first.
    Only registers with something still to do are read: a settled one has no term left."""
    unsettled = (
        select(PaymentEntry.id)
        .where(PaymentEntry.register_id == PaymentRegister.id, PaymentEntry.status == S.SENT)
        .exists()
    )
    found = list(
        await session.scalars(
            select(PaymentRegister)
            .where(
                or_(
                    PaymentRegister.application_received_on.is_(None),
                    PaymentRegister.transferred_on.is_(None),
                    unsettled,
                )
            )
            .order_by(PaymentRegister.id)
            .limit(limit)
        )
    )
    lines = await register_lines(session, [r.id for r in found])
    rows = [
        OpenTerm(register, view, urgency(env, view.due_on))
        for register in found
        for view in register_terms(env, register, lines[register.id])
        if view.done_on is None
    ]
    rank = {name: i for i, name in enumerate(URGENCY_ORDER)}
    rows.sort(key=lambda r: (rank[r.urgency], r.term.due_on, r.register.id))
    return rows


# ---------------------------------------------------------------- results


class ResultLine(BaseModel):
    """One line of the results file (README "Payments")."""

    register_id: int
    line: Annotated[int, Field(ge=1)]
    iin: IIN
    amount: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
    status: Literal["paid", "returned"]
    date: Day
    reason: Annotated[str | None, Field(max_length=500)] = None

    @field_validator("register_id")
    @classmethod
    def _this_register(cls, value: int, info: ValidationInfo) -> int:
        expected = (info.context or {})["register"]
        if value != expected:
            raise ValueError(f"the line is of register {value}, not {expected}")
        return value

    @model_validator(mode="after")
    def _returned_with_reason(self) -> Self:
        if self.status == "returned" and not self.reason:
            raise ValueError("a returned payment needs its reason")
        return self


RESULT_COLUMNS = ("register_id", "line", "iin", "amount", "status", "date", "reason")
RESULT_ALIASES = {"register_id": ("register",)}  # the file's header says `register`


@dataclass(frozen=True)
class Imported:
    result: ResultImport
    errors: list[RowError]


async def import_results(
    session: AsyncSession,
    env: CaseEnv,
    register_id: int,
    *,
    file_name: str,
    data: bytes,
    actor: str,
) -> Imported:
    """Apply every good line; report every other with its number and reason. The same file
    twice is refused by its hash, so nothing is counted twice."""
    digest = hashlib.sha256(data).hexdigest()
    register = await get_register(session, register_id, for_update=True)
    earlier = await session.scalar(select(ResultImport).where(ResultImport.sha256 == digest))
    if earlier is not None:
        raise AlreadyImported(
            f"this results file was imported on {earlier.imported_at:%Y-%m-%d} by "
            f"{earlier.imported_by}",
            import_id=earlier.id,
        )
    lines = {
        e.line: e
        for e in await session.scalars(
            select(PaymentEntry)
            .where(PaymentEntry.register_id == register.id)
            .options(selectinload(PaymentEntry.register))
        )
    }
    persons = await _iins(session, register.id)
    errors: list[RowError] = []
    counts = {"paid": 0, "returned": 0}
    read = read_rows(
        data,
        ResultLine,
        columns=RESULT_COLUMNS,
        aliases=RESULT_ALIASES,
        optional=("reason",),
        key=lambda r: r.line,
        context={"register": register.id},
        multiline=False,
    )
    returned: dict[int, list[PaymentEntry]] = {}  # still owed, by case
    for item in read:
        if isinstance(item, RowError):
            errors.append(item)
            continue
        entry = lines.get(item.value.line)
        owed = entry is not None and entry.status is not S.CANCELLED
        problem = _apply(env, register, entry, persons, item.value)
        if problem:
            errors.append(RowError(item.line, problem))
        else:
            counts[item.value.status] += 1
            if item.value.status == "returned" and entry is not None and owed:
                returned.setdefault(entry.application_id, []).append(entry)
    for application_id, back in returned.items():  # one notice a case (DR §33)
        app = await load_application(session, application_id)
        payload = {
            "months": [e.payment_month.isoformat() for e in back],
            "amount": str(sum((e.amount for e in back), Decimal(0))),
            "reason": back[0].return_reason or "",
        }
        await notices.enqueue(session, env, app, NoticeKind.PAYMENT_RETURNED, payload)
    result = ResultImport(
        register_id=register.id,
        sha256=digest,
        file_name=file_name,
        paid=counts["paid"],
        returned=counts["returned"],
        errors=[{"line": e.line, "message": e.message} for e in errors],
        imported_by=actor,
        imported_at=env.now(),
    )
    session.add(result)
    await session.flush()
    return Imported(result, errors)


def _apply(
    env: CaseEnv,
    register: PaymentRegister,
    entry: PaymentEntry | None,
    iins: dict[int, str],
    line: ResultLine,
) -> str | None:
    """The line applied to its payment, or why not."""
    if entry is None:
        return f"register {register.id} has no line {line.line}"
    if iins.get(entry.application_id) != line.iin:
        return f"line {line.line} of the register is for another IIN"
    if line.amount != entry.amount:
        return f"line {line.line} is for {entry.amount:.2f}, not {line.amount:.2f}"
    if not register.formed_on <= line.date <= env.today():
        return f"the date must fall between {register.formed_on} and today"
    if line.status == "paid":
        if entry.status not in (S.SENT, S.CANCELLED):
            return f"line {line.line} is recorded already as {entry.status}"
        if entry.status is S.CANCELLED:  # no longer owed after a termination: to recover
            flag_overpaid(env, entry)
        entry.status, entry.paid_on = S.PAID, line.date
        return None
    if entry.status not in (S.SENT, S.CANCELLED, S.PAID):
        return f"line {line.line} is recorded already as {entry.status}"
    entry.status, entry.returned_on, entry.return_reason = S.RETURNED, line.date, line.reason
    entry.overpaid_on = entry.refund_due_on = None  # the money came back by the bank
    return None


async def _iins(session: AsyncSession, register_id: int) -> dict[int, str]:
    found = await session.execute(
        select(Application.id, Applicant.iin)
        .join(Applicant, Applicant.id == Application.applicant_id)
        .join(PaymentEntry, PaymentEntry.application_id == Application.id)
        .where(PaymentEntry.register_id == register_id)
    )
    return {app_id: iin for app_id, iin in found}


def entry_terms(env: CaseEnv, entry: PaymentEntry) -> list[TermView]:
    """One payment's terms for the recipient's history: its register's, or, before it is sent,
    the day its request is due (DR §30)."""
    if entry.register is not None:
        one = Lines()
        outcome = entry.paid_on or entry.returned_on
        one.add(entry.status, 1, entry.period_starts, int(outcome is not None), outcome)
        return register_terms(env, entry.register, one)
    events = {
        PaymentEvent.PAYMENT_MONTH: entry.payment_month,
        PaymentEvent.PAYABLE: entry.period_starts,
    }
    terms = payment_terms(
        env.calendar, events, payment_month=entry.payment_month, periodic=entry.periodic
    )
    return [TermView(t, due, None, rule.law) for t, (due, rule) in terms.items()]
