"""Payments (DR §23, §29–§34): the recipient's account, their payment history, the year's budget,
and the registers with the State Corporation's application, the transfer and the results."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, File, Path, UploadFile, status
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.errors import RuleError
from casework.law.payments import add_months
from casework.law.roles import Action
from casework.steps import case_file, payments, registers
from casework.steps.registers import TermView
from casework.system.env import CaseEnv
from casework.tables.payments import PaymentRegister
from casework.tables.staff import Staff
from gateway.staff.deps import CaseDep, CaseViewDep, EnvDep, SessionDep, permit
from gateway.staff.payment_schemas import (
    AccountIn,
    ApplicationIn,
    BudgetIn,
    BudgetLineOut,
    BudgetOut,
    PaymentDeadlineOut,
    PaymentHistoryOut,
    PaymentOut,
    RegisterIn,
    RegisterOut,
    ResultImportOut,
    TermOut,
    TransferIn,
)
from gateway.staff.schemas import CaseOut, RowErrorOut
from gateway.staff.views import account_out, case_out

router = APIRouter(tags=["payments"])

MAX_RESULTS_BYTES = 50 * 1024 * 1024
Year = Annotated[int, Path(ge=2000, le=2100)]


def _terms(views: list[TermView]) -> list[TermOut]:
    return [TermOut(term=t.term, due_on=t.due_on, done_on=t.done_on, law=t.law) for t in views]


# ---------------------------------------------------------------- a recipient


@router.post("/applications/{application_id}/account", tags=["cases"])
async def set_account(
    staff: Annotated[Staff, permit(Action.BANK_ACCOUNT)],
    app: CaseDep,
    body: AccountIn,
    session: SessionDep,
    env: EnvDep,
) -> CaseOut:
    """Record or change the IBAN (audited, masked). A bad one answers 422 `invalid_iban` with
    `params.reason` and `params.messages` in kk and ru."""
    await payments.set_iban(session, env, app, body.iban, actor=staff.name)
    return await case_out(session, await case_file.reload(session, app), env, staff)


@router.get("/applications/{application_id}/payments", tags=["cases"])
async def payment_history(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)],
    app: CaseViewDep,
    session: SessionDep,
    env: EnvDep,
) -> PaymentHistoryOut:
    """Every payment of the case with its status and each term of its way to the account."""
    entries = await payments.history(session, app.id)
    return PaymentHistoryOut(
        application_id=app.id,
        account=account_out(app.iban),
        flags=payments.account_flags(app),
        payments=[
            PaymentOut(
                id=e.id,
                kind=e.kind,
                payment_month=e.payment_month,
                period_from=e.period_starts,
                period_to=e.period_ends,
                amount=e.amount,
                status=e.status,
                register_id=e.register_id,
                line=e.line,
                paid_on=e.paid_on,
                returned_on=e.returned_on,
                return_reason=e.return_reason,
                overpaid_on=e.overpaid_on,
                refund_due_on=e.refund_due_on,
                terms=_terms(registers.entry_terms(env, e)),
            )
            for e in entries
        ],
    )


# ---------------------------------------------------------------- budget


async def _budget(session: AsyncSession, env: CaseEnv, year: int) -> BudgetOut:
    lines = await payments.budget_lines(session, env, year)
    budgets = [b.budget for b in lines if b.budget is not None]
    total = payments.BudgetLine(
        kind="total",
        budget=sum(budgets, Decimal(0)) if budgets else None,
        committed=sum((b.committed for b in lines), Decimal(0)),
        paid=sum((b.paid for b in lines), Decimal(0)),
    )

    def out(line: payments.BudgetLine) -> BudgetLineOut:
        return BudgetLineOut.model_validate(line, from_attributes=True)

    return BudgetOut(year=year, kinds=[out(b) for b in lines], total=out(total))


@router.get("/payments/budget/{year}")
async def budget(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)],
    year: Year,
    session: SessionDep,
    env: EnvDep,
) -> BudgetOut:
    """Per assistance kind and in total: the budget, committed (scheduled, sent and paid), paid
    and remaining. A kind without a budget set shows null and its grants are not checked."""
    return await _budget(session, env, year)


@router.put("/payments/budget/{year}/{kind}")
async def set_budget(
    staff: Annotated[Staff, permit(Action.BUDGET)],
    year: Year,
    kind: str,
    body: BudgetIn,
    session: SessionDep,
    env: EnvDep,
) -> BudgetOut:
    """The year's budget for one kind, as the district decided it (DR §23)."""
    await payments.set_budget(
        session, env, year=year, kind=kind, amount=body.amount, actor=staff.name
    )
    return await _budget(session, env, year)


# ---------------------------------------------------------------- registers


async def _register_out(
    session: AsyncSession, env: CaseEnv, register: PaymentRegister, without: Sequence[int] = ()
) -> RegisterOut:
    lines = (await registers.register_lines(session, [register.id]))[register.id]
    return RegisterOut(
        id=register.id,
        format_version=register.format_version,
        periodic=register.periodic,
        payment_month=register.payment_month,
        formed_on=register.formed_on,
        count=register.count,
        total=register.total,
        sha256=register.sha256,
        created_by=register.created_by,
        created_at=register.created_at,
        application_received_on=register.application_received_on,
        application_amount=register.application_amount,
        transferred_on=register.transferred_on,
        transferred_amount=register.transferred_amount,
        terms=_terms(registers.register_terms(env, register, lines)),
        counts=lines.counts,
        without_account=list(without),
    )


@router.post("/payments/registers", status_code=status.HTTP_201_CREATED)
async def export_register(
    staff: Annotated[Staff, permit(Action.REGISTERS)],
    body: RegisterIn,
    session: SessionDep,
    env: EnvDep,
) -> RegisterOut:
    """Form the register: every payment due and not sent yet goes in it once. Cases owed a
    payment but without an account are listed in `without_account` and wait for the next."""
    month = body.payment_month or add_months(env.today(), 1)
    exported = await registers.export_register(
        session, env, periodic=body.periodic, payment_month=month, actor=staff.name
    )
    return await _register_out(session, env, exported.register, exported.without_account)


@router.get("/payments/deadlines", tags=["deadlines"])
async def payment_deadlines(
    staff: Annotated[Staff, permit(Action.REGISTERS)], session: SessionDep, env: EnvDep
) -> list[PaymentDeadlineOut]:
    """The deadline board of the payment chain (DR §30–§34): each register's terms not met yet,
    overdue first, then due within one working day."""
    return [
        PaymentDeadlineOut(
            register_id=o.register.id,
            periodic=o.register.periodic,
            payment_month=o.register.payment_month,
            term=o.term.term,
            due_on=o.term.due_on,
            law=o.term.law,
            urgency=o.urgency,
        )
        for o in await registers.open_terms(session, env)
    ]


@router.get("/payments/registers/{register_id}")
async def get_register(
    staff: Annotated[Staff, permit(Action.REGISTERS)],
    register_id: int,
    session: SessionDep,
    env: EnvDep,
) -> RegisterOut:
    """The register with each term of its chain: due day, law, and the day it was met."""
    return await _register_out(session, env, await registers.get_register(session, register_id))


@router.get("/payments/registers/{register_id}/file", response_class=Response)
async def register_file(
    staff: Annotated[Staff, permit(Action.REGISTERS)], register_id: int, session: SessionDep
) -> Response:
    """The register as CSV (format in the README, "Payments"); its SHA-256 is the register's."""
    register = await registers.get_register(session, register_id)
    data = await registers.register_file(session, register)
    name = f"komek-register-{register.id}-{register.payment_month:%Y-%m}.csv"
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/payments/registers/{register_id}/application")
async def record_application(
    staff: Annotated[Staff, permit(Action.REGISTERS)],
    register_id: int,
    body: ApplicationIn,
    session: SessionDep,
    env: EnvDep,
) -> RegisterOut:
    """The State Corporation's application for the sum, on the day it arrived (DR §31)."""
    register = await registers.record_application(
        session, env, register_id, received_on=body.received_on, amount=body.amount
    )
    return await _register_out(session, env, register)


@router.post("/payments/registers/{register_id}/transfer")
async def record_transfer(
    staff: Annotated[Staff, permit(Action.REGISTERS)],
    register_id: int,
    body: TransferIn,
    session: SessionDep,
    env: EnvDep,
) -> RegisterOut:
    """The department's transfer to the State Corporation (DR §31)."""
    register = await registers.record_transfer(
        session, env, register_id, transferred_on=body.transferred_on, amount=body.amount
    )
    return await _register_out(session, env, register)


@router.post("/payments/registers/{register_id}/results", status_code=status.HTTP_201_CREATED)
async def import_results(
    staff: Annotated[Staff, permit(Action.PAYMENT_RESULTS)],
    register_id: int,
    session: SessionDep,
    env: EnvDep,
    file: Annotated[UploadFile, File(description="CSV: register, line, iin, amount, status, …")],
) -> ResultImportOut:
    """Paid and returned lines applied; every other line reported with its number and reason.
    The same file again answers 409 `already_imported`."""
    data = await file.read(MAX_RESULTS_BYTES + 1)
    if len(data) > MAX_RESULTS_BYTES:
        raise RuleError("the results file is larger than 50 MB")
    imported = await registers.import_results(
        session,
        env,
        register_id,
        file_name=file.filename or "results.csv",
        data=data,
        actor=staff.name,
    )
    r = imported.result
    return ResultImportOut(
        id=r.id,
        register_id=r.register_id,
        file_name=r.file_name,
        paid=r.paid,
        returned=r.returned,
        errors=[RowErrorOut(line=e.line, message=e.message) for e in imported.errors],
        imported_by=r.imported_by,
        imported_at=r.imported_at,
    )
