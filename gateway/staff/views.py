"""Cases as staff see them: identity numbers and phones masked for roles that do not need them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.iban import validate_kz_iban
from casework.law.identity import mask_iin, mask_phone
from casework.law.procedure import SERVES, Blocked, Step
from casework.law.roles import STEP_ACTION, Action
from casework.law.rules import RefusalGround
from casework.steps.payments import account_flags
from casework.steps.procedure import next_actions
from casework.steps.status import applicant_status
from casework.system.env import CaseEnv
from casework.tables.applications import Application
from casework.tables.staff import Staff
from gateway.staff.schemas import (
    AccountOut,
    ActionOut,
    ApplicantOut,
    AssistanceOut,
    CaseOut,
    DeadlineOut,
    DecisionOut,
    DocumentOut,
    HearingOut,
    IncomeOut,
    NextActionsOut,
    ProtocolOut,
    ReasonOut,
    TerminationOut,
)


async def applicant_status_text(
    session: AsyncSession, app: Application, env: CaseEnv, locale: str | None = None
) -> str:
    """The bot's own status screen, word for word."""
    return await applicant_status(session, env, app, locale or app.applicant.locale)


def shown_iin(staff: Staff, iin: str) -> str:
    return iin_view(staff)(iin)


def iin_view(staff: Staff) -> Callable[[str], str]:
    """How this staff member sees IINs, for a whole page: the role is asked once, not per row."""
    return str if staff.may(Action.VIEW_IIN) else mask_iin


def shown_phone(staff: Staff, phone: str | None) -> str | None:
    if phone is None or staff.may(Action.VIEW_IIN):
        return phone
    return mask_phone(phone)


def account_out(iban: str | None) -> AccountOut | None:
    """The account as every view shows it: the bank named, the IBAN masked to its last 4."""
    if iban is None:
        return None
    account = validate_kz_iban(iban)  # stored only after this check, so it holds
    return AccountOut(
        iban=account.masked,
        bank_code=account.bank_code,
        bic=account.bic,
        bank_name=account.bank_name,
    )


async def case_out(session: AsyncSession, app: Application, env: CaseEnv, staff: Staff) -> CaseOut:
    applicant = app.applicant
    income = None
    if app.per_capita_income is not None and app.income_threshold is not None:
        income = IncomeOut(
            per_capita=app.per_capita_income,
            threshold=app.income_threshold,
            above_threshold=app.per_capita_income > app.income_threshold,
        )
    return CaseOut(
        id=app.id,
        status=app.status,
        applicant_status_text=await applicant_status_text(session, app, env),
        applicant=ApplicantOut(
            iin=shown_iin(staff, applicant.iin),
            full_name=applicant.full_name,
            phone=shown_phone(staff, app.phone or applicant.phone),
            locale=applicant.locale,
        ),
        channel=app.channel,
        ground=app.ground,
        filer=app.filer,
        representative_name=app.representative_name,
        represented_iin=shown_iin(staff, app.represented_iin) if app.represented_iin else None,
        received_at=app.received_at,
        received_by=app.received_by,
        registered_on=app.registered_on,
        extended=app.extended,
        extension_reason=app.extension_reason,
        missing_documents=app.missing_documents,
        inspection_result=app.inspection_result,
        income=income,
        commission_conclusion=app.commission_conclusion,
        documents=[
            DocumentOut(id=d.id, kind=d.kind, file_name=d.file_name, valid_until=d.valid_until)
            for d in app.documents
        ],
        deadlines=[
            DeadlineOut(term=d.term, due_on=d.due_on, met_at=d.met_at)
            for d in sorted(app.deadlines, key=lambda d: (d.due_on, d.term))
        ],
        hearings=[
            HearingOut(
                id=h.id,
                refusal_grounds=[RefusalGround(g) for g in h.refusal_grounds],
                scheduled_at=h.scheduled_at,
                mode=h.mode,
                details=h.details,
                issued_at=h.issued_at,
                received_at=h.received_at,
                held_at=h.held_at,
                objections=len(h.objections),
                protocol=None
                if h.protocol is None
                else ProtocolOut(
                    text=h.protocol.text,
                    made_by=h.protocol.made_by,
                    made_at=h.protocol.made_at,
                    read_at=h.protocol.read_at,
                    remarks=[r.text for r in h.protocol.remarks],
                ),
            )
            for h in app.hearings
        ],
        decisions=[
            DecisionOut(
                granted=d.granted,
                refusal_grounds=[RefusalGround(g) for g in d.refusal_grounds],
                decided_by=d.decided_by,
                decided_at=d.decided_at,
                assistance=None
                if d.assistance is None
                else AssistanceOut(
                    kind=d.assistance.kind,
                    amount=d.assistance.amount,
                    periodicity=d.assistance.periodicity,
                    starts_on=d.assistance.starts_on,
                    stops_on=d.assistance.stops_on,
                    termination=None
                    if d.assistance.termination is None
                    else TerminationOut(
                        ground=d.assistance.termination.ground,
                        began_on=d.assistance.termination.began_on,
                        found_on=d.assistance.termination.found_on,
                        payment_stops_on=d.assistance.termination.payment_stops_on,
                    ),
                ),
            )
            for d in app.decisions
        ],
        account=account_out(app.iban),
        payment_flags=account_flags(app),
    )


def actions_out(app: Application, env: CaseEnv, staff: Staff) -> NextActionsOut:
    """The case's next lawful actions (casework.steps.procedure), as the console shows them."""

    def one(
        step: Step, reasons: Sequence[Blocked] = (), lawful_from: date | None = None
    ) -> ActionOut:
        term = SERVES.get(step)
        return ActionOut(
            step=step,
            permitted=staff.may(STEP_ACTION[step]),
            term=term,
            due_on=app.deadline(term) if term is not None else None,
            lawful_from=lawful_from,
            reasons=[ReasonOut.model_validate(r, from_attributes=True) for r in reasons],
        )

    actions = next_actions(env, app)
    return NextActionsOut(
        now=[one(step) for step in actions.now],
        later=[one(step, reasons, day) for step, day, reasons in actions.later],
        blocked=[one(step, reasons) for step, reasons in actions.blocked],
    )
