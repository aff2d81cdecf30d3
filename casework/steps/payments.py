"""Paying a grant (DR §23, §24, §29–§34): where to pay, the schedule a grant makes, what a
termination does to it, the year's budget per assistance kind, and a recipient's history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, bindparam, extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from casework.law.errors import RuleError
from casework.law.iban import BankAccount, InvalidIBAN, mask_iban, validate_kz_iban
from casework.law.payments import (
    PaymentEvent,
    PaymentStatus,
    PaymentTerm,
    owed,
    payment_terms,
    schedule,
)
from casework.law.rules import Periodicity
from casework.law.status import Status
from casework.steps.audit import record
from casework.system.env import CaseEnv
from casework.tables.applications import Application
from casework.tables.decisions import Assistance
from casework.tables.payments import Budget, PaymentEntry
from casework.texts.payments import iban_problems

S = PaymentStatus
# Money that has gone out or will: a returned payment came back (its re-payment is a new entry),
# a cancelled one was never owed.
COMMITTED = (S.SCHEDULED, S.SENT, S.PAID)
# A granted case that will be paid; one without an account cannot be (flagged, not refused).
PAYABLE_STATES = frozenset({Status.GRANTED, Status.NOTIFIED_GRANTED})


class InvalidAccount(RuleError):
    code = "invalid_iban"


class OverBudget(RuleError):
    code = "over_budget"


# ---------------------------------------------------------------- where to pay


def checked_account(raw: str) -> BankAccount:
    """The account, or a 422 whose params carry the reason and the kk/ru words for it."""
    try:
        return validate_kz_iban(raw)
    except InvalidIBAN as exc:
        raise InvalidAccount(
            str(exc), reason=exc.reason, messages=iban_problems(exc.reason)
        ) from None


async def set_iban(
    session: AsyncSession, env: CaseEnv, app: Application, iban: str, *, actor: str
) -> BankAccount:
    """Record or change the account; the audit row names both, masked. Payments the bank sent
    back go out again to the new account with the next register (DR §33)."""
    account = checked_account(iban)
    old = app.iban
    if old == account.iban:
        return account
    app.iban = account.iban
    reason = f"{'—' if old is None else mask_iban(old)} → {account.masked}"
    action = "iban_recorded" if old is None else "iban_changed"
    await record(session, app, action, actor=actor, at=env.now(), reason=reason)
    grant = next((d.assistance for d in reversed(app.decisions) if d.assistance), None)
    stops = None if grant is None else grant.stops_on
    entries = await _entries(session, _OF_CASE, app.id)
    for entry in entries:
        if entry.status is not S.RETURNED or not owed(entry.period_starts, stops):
            continue
        if not any(_repays(e, entry) for e in entries):
            session.add(_again(entry))
    await session.flush()
    return account


@dataclass(frozen=True)
class Outlook:
    """What a recipient sees of their payments: the next one due and the last one paid."""

    next: PaymentEntry | None
    last: PaymentEntry | None


async def outlook(session: AsyncSession, application_id: int) -> Outlook:
    entries = await _entries(session, _OF_CASE, application_id)
    due = [e for e in entries if e.status in (S.SCHEDULED, S.SENT)]
    paid = [e for e in entries if e.status is S.PAID and e.paid_on is not None]
    return Outlook(
        next=min(due, key=lambda e: e.payment_month, default=None),
        last=max(paid, key=lambda e: (e.paid_on, e.id), default=None),
    )


async def clear_iban(session: AsyncSession, env: CaseEnv, app: Application, *, actor: str) -> None:
    """The applicant takes the account back to give another (or none yet): kept in the audit."""
    if app.iban is None:
        return
    await record(
        session, app, "iban_removed", actor=actor, at=env.now(), reason=mask_iban(app.iban)
    )
    app.iban = None
    await session.flush()


def account_flags(app: Application) -> list[str]:
    """What stops a granted case from being paid, for the case view and the actions."""
    return ["granted_without_account"] if app.status in PAYABLE_STATES and not app.iban else []


# ---------------------------------------------------------------- the schedule


async def schedule_grant(
    session: AsyncSession,
    env: CaseEnv,
    app: Application,
    *,
    actor: str,
    confirmed: bool = False,
) -> list[PaymentEntry]:
    """The payments of the case's grant (law/payments.schedule), checked against the year's
    budget: over it, refused unless staff confirm they mean it (then the audit says so)."""
    assistance = app.decisions[-1].assistance
    assert assistance is not None  # called by grant(), on the decision it just made
    await session.flush()  # the assistance's id
    entries = [
        PaymentEntry(
            assistance_id=assistance.id,
            application_id=app.id,
            kind=assistance.kind,
            periodic=assistance.periodicity is not Periodicity.ONE_OFF,
            payment_month=p.payment_month,
            period_starts=p.starts,
            period_ends=p.ends,
            amount=assistance.amount,
            status=S.SCHEDULED,
        )
        for p in schedule(assistance.periodicity, assistance.starts_on, assistance.stops_on)
    ]
    over = await _over_budget(session, assistance.kind, entries)
    if over and not confirmed:
        raise OverBudget(
            "the grant would exceed the year's budget for this kind of assistance; "
            "confirm with over_budget_confirmed to grant anyway",
            kind=assistance.kind,
            years=over,
        )
    for year in over:
        reason = (
            f"{assistance.kind} {year['year']}: {year['remaining']} left, {year['grant']} granted"
        )
        await record(
            session, app, "over_budget_confirmed", actor=actor, at=env.now(), reason=reason
        )
    session.add_all(entries)
    await session.flush()
    return entries


async def cut_schedule(
    session: AsyncSession, env: CaseEnv, app: Application, assistance: Assistance, *, actor: str
) -> None:
    """DR §24: payments for periods from the stop are removed; sent ones are cancelled; paid
    ones are overpayments to recover by the last working day of the month (DR §34)."""
    cut = overpaid = 0
    for entry in await _entries(session, _OF_ASSISTANCE, assistance.id):
        if owed(entry.period_starts, assistance.stops_on):
            continue
        if entry.status is S.SCHEDULED:
            await session.delete(entry)
            cut += 1
        elif entry.status is S.SENT:
            entry.status = S.CANCELLED
            cut += 1
        elif entry.status is S.PAID:
            flag_overpaid(env, entry)
            overpaid += 1
    if cut or overpaid:
        reason = f"{cut} payment(s) cut, {overpaid} overpaid"
        await record(session, app, "payments_cut", actor=actor, at=env.now(), reason=reason)
    await session.flush()


def flag_overpaid(env: CaseEnv, entry: PaymentEntry) -> None:
    today = env.today()
    terms = payment_terms(
        env.calendar,
        {PaymentEvent.OVERPAYMENT_FOUND: today},
        payment_month=entry.payment_month,
        periodic=entry.periodic,
    )
    entry.overpaid_on = today
    entry.refund_due_on = terms[PaymentTerm.OVERPAYMENT_REFUND][0]


async def history(session: AsyncSession, application_id: int) -> list[PaymentEntry]:
    """Every payment of the case, oldest period first, with the register it went in."""
    return await _entries(session, _OF_CASE, application_id)


# ---------------------------------------------------------------- budget


@dataclass(frozen=True)
class BudgetLine:
    kind: str
    budget: Decimal | None  # None: not set for the year
    committed: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.committed


async def set_budget(
    session: AsyncSession, env: CaseEnv, *, year: int, kind: str, amount: Decimal, actor: str
) -> Budget:
    """The district's decision for the year (DR §23); set again when it is amended."""
    known = [k.code for k in env.district.assistance]
    if kind not in known:
        raise RuleError(f"the district has no assistance kind {kind!r}", known=known)
    if amount < 0:
        raise RuleError("a budget cannot be negative")
    budget = await _budget(session, year, kind)
    if budget is None:
        budget = Budget(year=year, kind=kind)
        session.add(budget)
    budget.amount, budget.set_by, budget.set_at = amount, actor, env.now()
    await session.flush()
    return budget


async def budget_lines(session: AsyncSession, env: CaseEnv, year: int) -> list[BudgetLine]:
    """Per assistance kind of the district file: the budget, committed (scheduled, sent and
    paid), paid and remaining, counted by the payment month's year."""
    budgets = {
        b.kind: b.amount for b in await session.scalars(select(Budget).where(Budget.year == year))
    }
    sums: dict[tuple[str, PaymentStatus], Decimal] = {}
    rows = await session.execute(
        select(PaymentEntry.kind, PaymentEntry.status, func.sum(PaymentEntry.amount))
        .where(extract("year", PaymentEntry.payment_month) == year)
        .group_by(PaymentEntry.kind, PaymentEntry.status)
    )
    for kind, status, total in rows:
        sums[(kind, status)] = Decimal(total)
    return [
        BudgetLine(
            kind=k.code,
            budget=budgets.get(k.code),
            committed=sum((sums.get((k.code, s), Decimal(0)) for s in COMMITTED), Decimal(0)),
            paid=sums.get((k.code, S.PAID), Decimal(0)),
        )
        for k in env.district.assistance
    ]


async def _budget(session: AsyncSession, year: int, kind: str) -> Budget | None:
    stmt = select(Budget).where(Budget.year == year, Budget.kind == kind)
    return (await session.scalars(stmt)).one_or_none()


async def _over_budget(
    session: AsyncSession, kind: str, entries: Iterable[PaymentEntry]
) -> list[dict[str, object]]:
    """The years whose budget these payments would exceed. A year without a budget set is not
    checked: the budget view shows it unset."""
    adding: dict[int, Decimal] = defaultdict(Decimal)
    for entry in entries:
        adding[entry.payment_month.year] += entry.amount
    over: list[dict[str, object]] = []
    for year, amount in sorted(adding.items()):
        budget = await _budget(session, year, kind)
        if budget is None:
            continue
        committed = await session.scalar(
            select(func.coalesce(func.sum(PaymentEntry.amount), 0)).where(
                PaymentEntry.kind == kind,
                PaymentEntry.status.in_(COMMITTED),
                extract("year", PaymentEntry.payment_month) == year,
            )
        )
        remaining = budget.amount - Decimal(committed or 0)
        if amount > remaining:
            over.append(
                {"year": year, "budget": budget.amount, "remaining": remaining, "grant": amount}
            )
    return over


# ---------------------------------------------------------------- rows


def _entries_by(key: Any) -> Select[PaymentEntry]:
    return (
        select(PaymentEntry)
        .where(key == bindparam("id"))
        .options(selectinload(PaymentEntry.register))
        .order_by(PaymentEntry.period_starts, PaymentEntry.id)
    )


# Built once: the case page and the bot's status screen ask on every view.
_OF_CASE = _entries_by(PaymentEntry.application_id)
_OF_ASSISTANCE = _entries_by(PaymentEntry.assistance_id)


async def _entries(
    session: AsyncSession, stmt: Select[PaymentEntry], key: int
) -> list[PaymentEntry]:
    return list(await session.scalars(stmt, {"id": key}))


def _repays(entry: PaymentEntry, returned: PaymentEntry) -> bool:
    return (
        entry.id != returned.id
        and entry.assistance_id == returned.assistance_id
        and entry.period_starts == returned.period_starts
        and entry.status in COMMITTED
    )


def _again(returned: PaymentEntry) -> PaymentEntry:
    return PaymentEntry(
        assistance_id=returned.assistance_id,
        application_id=returned.application_id,
        kind=returned.kind,
        periodic=returned.periodic,
        payment_month=returned.payment_month,
        period_starts=returned.period_starts,
        period_ends=returned.period_ends,
        amount=returned.amount,
        status=S.SCHEDULED,
    )
