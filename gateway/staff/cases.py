"""Every step of a case (DOMAIN.md "The case, step by step"): thin handlers over casework.steps.

Each handler checks the role, locks the case, calls one use case (which audits the step with the
staff member's name and writes its notice to the outbox), and answers with the case as it now is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.roles import Action
from casework.steps import (
    audit,
    case_file,
    commission,
    decisions,
    hearings,
    intake,
    lookups,
    termination,
)
from casework.system.env import CaseEnv
from casework.tables.applications import Application
from casework.tables.staff import Staff
from gateway.staff.deps import CaseDep, CaseViewDep, EnvDep, SessionDep, permit
from gateway.staff.schemas import (
    AuditOut,
    CaseOut,
    DocumentIn,
    DocumentsIn,
    ExtensionIn,
    FamilyMemberIn,
    GrantIn,
    HearingTimeIn,
    IncomesIn,
    NextActionsOut,
    ObjectionIn,
    PreliminaryRefusalIn,
    RefuseIn,
    StatusTextOut,
    TakeIn,
    TerminateIn,
    TextIn,
)
from gateway.staff.views import actions_out, applicant_status_text, case_out

router = APIRouter(prefix="/applications", tags=["cases"])

ById = "/{application_id}"


async def _answer(session: AsyncSession, env: CaseEnv, app: Application, staff: Staff) -> CaseOut:
    return await case_out(session, await case_file.reload(session, app), env, staff)


@dataclass(frozen=True)
class Step:
    """One staff member's step on one case, locked in this request's transaction."""

    staff: Staff
    app: Application
    session: AsyncSession
    env: CaseEnv

    async def run(
        self, use_case: Callable[..., Awaitable[object]], *args: Any, **kw: Any
    ) -> CaseOut:
        """Call `use_case(session, env, app, *args, actor=<staff name>, **kw)`; answer the case."""
        await use_case(self.session, self.env, self.app, *args, actor=self.staff.name, **kw)
        return await self.answer()

    async def answer(self) -> CaseOut:
        return await _answer(self.session, self.env, self.app, self.staff)


@cache
def _step(action: Action) -> Callable[..., Awaitable[Step]]:
    # The role is checked before the case is looked up and locked. A default, not Annotated:
    # FastAPI resolves string annotations in the module's globals, where `action` is not.
    async def locked_step(
        *,
        staff: Staff = permit(action),  # noqa: B008
        app: CaseDep,
        session: SessionDep,
        env: EnvDep,
    ) -> Step:
        return Step(staff, app, session, env)

    return locked_step


def step(action: Action) -> Any:
    """Use as `s: Annotated[Step, step(Action.ROUTE)]`."""
    return Depends(_step(action))


def _family(members: list[FamilyMemberIn]) -> list[tuple[str, Decimal]]:
    return [(m.full_name, m.monthly_income) for m in members]


def _papers(documents: list[DocumentIn]) -> list[intake.PaperDocument]:
    return [intake.PaperDocument(d.kind, d.title, d.valid_until) for d in documents]


# ---------------------------------------------------------------- intake


@router.post("", status_code=status.HTTP_201_CREATED)
async def take_in(
    staff: Annotated[Staff, permit(Action.TAKE_IN)],
    body: TakeIn,
    session: SessionDep,
    env: EnvDep,
) -> CaseOut:
    """A paper application handed in at the desk; recorded with the intake channel of the role."""
    paper = intake.PaperApplication(
        **body.model_dump(exclude={"family", "documents"}),
        family=_family(body.family),
        documents=_papers(body.documents),
    )
    app = await intake.take_in_paper(session, env, paper, role=staff.role, actor=staff.name)
    return await _answer(session, env, app, staff)


@router.post(ById + "/documents")
async def add_documents(s: Annotated[Step, step(Action.TAKE_IN)], body: DocumentsIn) -> CaseOut:
    return await s.run(intake.attach_paper, _papers(body.documents))


@router.post(ById + "/signature")
async def sign_at_desk(s: Annotated[Step, step(Action.TAKE_IN)]) -> CaseOut:
    """A bot draft signed at the desk by an applicant who could not sign in the bot (no phone
    registered in the MCDB): the same draft, taken in as it is (SR §6)."""
    return await s.run(intake.take_in_signed_at_desk)


@router.post(ById + "/completeness")
async def check_completeness(s: Annotated[Step, step(Action.TAKE_IN)]) -> CaseOut:
    """Accepted, or refused to accept with the receipt naming what lacks (SR §6)."""
    return await s.run(intake.check_completeness)


@router.post(ById + "/registration")
async def register(s: Annotated[Step, step(Action.REGISTER)]) -> CaseOut:
    return await s.run(intake.register)


# ---------------------------------------------------------------- commissions and income


@router.post(ById + "/precinct-commission")
async def forward_to_precinct(s: Annotated[Step, step(Action.ROUTE)]) -> CaseOut:
    return await s.run(commission.forward_to_precinct)


@router.post(ById + "/inspection")
async def record_inspection(s: Annotated[Step, step(Action.ROUTE)], body: TextIn) -> CaseOut:
    return await s.run(commission.record_inspection, body.text)


@router.post(ById + "/income")
async def record_incomes(s: Annotated[Step, step(Action.ROUTE)], body: IncomesIn) -> CaseOut:
    """The family's monthly incomes; answers with the per-capita figure against the threshold."""
    return await s.run(commission.record_incomes, _family(body.family))


@router.post(ById + "/special-commission")
async def to_special_commission(s: Annotated[Step, step(Action.ROUTE)]) -> CaseOut:
    return await s.run(commission.to_special_commission)


@router.post(ById + "/conclusion")
async def record_conclusion(s: Annotated[Step, step(Action.ROUTE)], body: TextIn) -> CaseOut:
    return await s.run(commission.record_conclusion, body.text)


@router.post(ById + "/extension")
async def extend(s: Annotated[Step, step(Action.EXTEND)], body: ExtensionIn) -> CaseOut:
    """Model Rules §16–17: the decision term becomes 20 working days from registration."""
    return await s.run(commission.extend, body.reason)


# ---------------------------------------------------------------- preliminary refusal and hearing


@router.post(ById + "/preliminary-refusal")
async def issue_preliminary_refusal(
    s: Annotated[Step, step(Action.PRELIMINARY_REFUSAL)], body: PreliminaryRefusalIn
) -> CaseOut:
    """Refused with 409 `too_late` when fewer than 3 working days remain before the decision."""
    hearing = body.hearing
    return await s.run(
        hearings.issue_preliminary_refusal,
        grounds=body.grounds,
        scheduled_at=datetime.combine(hearing.date, hearing.time, tzinfo=s.env.calendar.tz),
        mode=hearing.mode,
        details=hearing.details,
    )


@router.post(ById + "/hearing/time")
async def reschedule_hearing(
    s: Annotated[Step, step(Action.HEARING)], body: HearingTimeIn
) -> CaseOut:
    """A new time for a hearing not held yet; the applicant is invited again."""
    at = datetime.combine(body.date, body.time, tzinfo=s.env.calendar.tz)
    return await s.run(hearings.reschedule_hearing, scheduled_at=at)


@router.post(ById + "/objection")
async def record_objection(s: Annotated[Step, step(Action.HEARING)], body: ObjectionIn) -> CaseOut:
    """An objection the applicant brought to the office: oral (to be heard) or written."""
    return await s.run(hearings.object_to_refusal, text=body.text, oral=body.oral, via="office")


@router.post(ById + "/hearing")
async def hold_hearing(s: Annotated[Step, step(Action.HEARING)]) -> CaseOut:
    return await s.run(hearings.hold_hearing)


@router.post(ById + "/protocol")
async def make_protocol(s: Annotated[Step, step(Action.HEARING)], body: TextIn) -> CaseOut:
    return await s.run(hearings.make_protocol, body.text)


@router.post(ById + "/protocol/read")
async def protocol_read(s: Annotated[Step, step(Action.HEARING)]) -> CaseOut:
    """The applicant read the protocol at the office: the 3 working days for remarks start."""
    await hearings.read_protocol(s.session, s.env, s.app)  # the applicant's step: no staff actor
    return await s.answer()


@router.post(ById + "/remarks")
async def submit_remarks(s: Annotated[Step, step(Action.HEARING)], body: TextIn) -> CaseOut:
    return await s.run(hearings.submit_remarks, body.text)


# ---------------------------------------------------------------- decision and termination


@router.post(ById + "/grant")
async def grant(s: Annotated[Step, step(Action.DECIDE)], body: GrantIn) -> CaseOut:
    """Within the district's ceiling for the kind of assistance and the year."""
    return await s.run(
        decisions.grant,
        kind=body.kind,
        amount=body.amount,
        periodicity=body.periodicity,
        starts_on=body.starts_on,
        over_budget_confirmed=body.over_budget_confirmed,
    )


@router.post(ById + "/refusal")
async def refuse(s: Annotated[Step, step(Action.DECIDE)], body: RefuseIn) -> CaseOut:
    return await s.run(decisions.refuse, grounds=body.grounds)


@router.post(ById + "/termination")
async def terminate(s: Annotated[Step, step(Action.TERMINATE)], body: TerminateIn) -> CaseOut:
    """DR §24: payment stops from the month after it began, or from the day it began, by ground."""
    return await s.run(
        termination.terminate, ground=body.ground, began_on=body.began_on, found_on=body.found_on
    )


# ---------------------------------------------------------------- reading a case


@router.get(ById)
async def get_case(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)],
    app: CaseViewDep,
    session: SessionDep,
    env: EnvDep,
) -> CaseOut:
    await lookups.record_case_opened(session, app, staff_id=staff.id, at=env.now())
    return await case_out(session, app, env, staff)


@router.get(ById + "/status-text")
async def status_text(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)],
    app: CaseViewDep,
    session: SessionDep,
    env: EnvDep,
    locale: Annotated[str | None, Query(pattern="^(kk|ru)$")] = None,
) -> StatusTextOut:
    """The status exactly as the applicant sees it in the bot (their language unless asked)."""
    chosen = locale or app.applicant.locale
    text = await applicant_status_text(session, app, env, chosen)
    return StatusTextOut(locale=chosen, text=text)


@router.get(ById + "/actions")
async def next_actions(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)], app: CaseViewDep, env: EnvDep
) -> NextActionsOut:
    """What may lawfully be done on the case now, from which day the rest, and what blocks it:
    each with the rule and its law (casework/law/procedure.py)."""
    return actions_out(app, env, staff)


@router.get(ById + "/audit")
async def audit_trail(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)], app: CaseViewDep, session: SessionDep
) -> list[AuditOut]:
    rows = await audit.trail(session, app.id)
    return [AuditOut.model_validate(e, from_attributes=True) for e in rows]
