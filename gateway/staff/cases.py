"""Every step of a case (DOMAIN.md "The case, step by step"): thin handlers over casework.cases.

Each handler checks the role, locks the case, calls one use case (which audits the step with the
staff member's name and writes its notice to the outbox), and answers with the case as it now is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status

from casework import cases
from casework.cases import CaseEnv, RuleError
from casework.models import Application
from casework.staff import INTAKE_CHANNEL, Action, Staff
from gateway.staff.deps import CaseDep, CaseViewDep, EnvDep, SessionDep, permit
from gateway.staff.schemas import (
    AuditOut,
    CaseOut,
    DocumentIn,
    DocumentsIn,
    ExtensionIn,
    GrantIn,
    IncomesIn,
    ObjectionIn,
    PreliminaryRefusalIn,
    RefuseIn,
    StatusTextOut,
    TakeIn,
    TerminateIn,
    TextIn,
)
from gateway.staff.views import applicant_status_text, case_out

router = APIRouter(prefix="/applications", tags=["cases"])

ById = "/{application_id}"


async def _answer(session: SessionDep, env: CaseEnv, app: Application, staff: Staff) -> CaseOut:
    return await case_out(session, await cases.reload(session, app), env, staff)


async def _attach(session: SessionDep, env: CaseEnv, app: Application, docs: list[DocumentIn],
                  actor: str) -> None:
    for doc in docs:
        # A paper original seen at the desk: no file is stored, only what it is and its validity.
        await cases.attach_document(
            session,
            env,
            app,
            kind=doc.kind,
            file_name=doc.title,
            content_type="paper",
            size=0,
            sha256="",
            storage_path="paper",
            valid_until=doc.valid_until,
            actor=actor,
        )


# ---------------------------------------------------------------- intake


@router.post("", status_code=status.HTTP_201_CREATED)
async def take_in(
    staff: Annotated[Staff, permit(Action.TAKE_IN)],
    body: TakeIn,
    session: SessionDep,
    env: EnvDep,
) -> CaseOut:
    """A paper application handed in at the desk; recorded with the intake channel of the role."""
    channel = INTAKE_CHANNEL.get(staff.role)
    if channel is None:
        raise RuleError(f"the role {staff.role} does not take in applications")
    applicant = await cases.get_or_create_applicant(
        session,
        env,
        body.iin,
        last_name=body.last_name,
        first_name=body.first_name,
        middle_name=body.middle_name,
        locale=body.locale,
        phone=body.phone,
    )
    app = await cases.start_application(
        session,
        env,
        applicant,
        channel=channel,
        actor=staff.name,
        ground=body.ground,
        filer=body.filer,
        representative_name=body.representative_name,
        settlement=body.settlement,
        address=body.address,
        phone=body.phone,
        received_by=staff.name,
    )
    if body.family:
        await cases.set_family(
            session,
            env,
            app,
            [(m.full_name, m.monthly_income) for m in body.family],
            actor=staff.name,
        )
    await _attach(session, env, app, body.documents, staff.name)
    await cases.submit(session, env, app, actor=staff.name)
    return await _answer(session, env, app, staff)


@router.post(ById + "/documents")
async def add_documents(
    staff: Annotated[Staff, permit(Action.TAKE_IN)],
    app: CaseDep,
    body: DocumentsIn,
    session: SessionDep,
    env: EnvDep,
) -> CaseOut:
    await _attach(session, env, app, body.documents, staff.name)
    return await _answer(session, env, app, staff)


@router.post(ById + "/completeness")
async def check_completeness(
    staff: Annotated[Staff, permit(Action.TAKE_IN)], app: CaseDep, session: SessionDep, env: EnvDep
) -> CaseOut:
    """Accepted, or refused to accept with the receipt naming what lacks (SR §6)."""
    await cases.check_completeness(session, env, app, actor=staff.name)
    return await _answer(session, env, app, staff)


@router.post(ById + "/registration")
async def register(
    staff: Annotated[Staff, permit(Action.REGISTER)], app: CaseDep, session: SessionDep, env: EnvDep
) -> CaseOut:
    await cases.register(session, env, app, actor=staff.name)
    return await _answer(session, env, app, staff)


# ---------------------------------------------------------------- commissions and income


@router.post(ById + "/precinct-commission")
async def forward_to_precinct(
    staff: Annotated[Staff, permit(Action.ROUTE)], app: CaseDep, session: SessionDep, env: EnvDep
) -> CaseOut:
    await cases.forward_to_precinct(session, env, app, actor=staff.name)
    return await _answer(session, env, app, staff)


@router.post(ById + "/inspection")
async def record_inspection(
    staff: Annotated[Staff, permit(Action.ROUTE)],
    app: CaseDep,
    body: TextIn,
    session: SessionDep,
    env: EnvDep,
) -> CaseOut:
    await cases.record_inspection(session, env, app, body.text, actor=staff.name)
    return await _answer(session, env, app, staff)


@router.post(ById + "/income")
async def record_incomes(
    staff: Annotated[Staff, permit(Action.ROUTE)],
    app: CaseDep,
    body: IncomesIn,
    session: SessionDep,
    env: EnvDep,
) -> CaseOut:
    """The family's monthly incomes; answers with the per-capita figure against the threshold."""
    members = [(m.full_name, m.monthly_income) for m in body.family]
    await cases.set_family(session, env, app, members, actor=staff.name)
    await cases.compute_income(session, env, app, actor=staff.name)
    return await _answer(session, env, app, staff)


@router.post(ById + "/special-commission")
async def to_special_commission(
    staff: Annotated[Staff, permit(Action.ROUTE)], app: CaseDep, session: SessionDep, env: EnvDep
) -> CaseOut:
    await cases.to_special_commission(session, env, app, actor=staff.name)
    return await _answer(session, env, app, staff)


@router.post(ById + "/conclusion")
async def record_conclusion(
    staff: Annotated[Staff, permit(Action.ROUTE)],
    app: CaseDep,
    body: TextIn,
    session: SessionDep,
    env: EnvDep,
) -> CaseOut:
    await cases.record_conclusion(session, env, app, body.text, actor=staff.name)
    return await _answer(session, env, app, staff)


@router.post(ById + "/extension")
async def extend(
    staff: Annotated[Staff, permit(Action.EXTEND)],
    app: CaseDep,
    body: ExtensionIn,
    session: SessionDep,
    env: EnvDep,
) -> CaseOut:
    """Model Rules §16–17: the decision term becomes 20 working days from registration."""
    await cases.extend(session, env, app, body.reason, actor=staff.name)
    return await _answer(session, env, app, staff)


# ---------------------------------------------------------------- preliminary refusal and hearing


@router.post(ById + "/preliminary-refusal")
async def issue_preliminary_refusal(
    staff: Annotated[Staff, permit(Action.PRELIMINARY_REFUSAL)],
    app: CaseDep,
    body: PreliminaryRefusalIn,
    session: SessionDep,
    env: EnvDep,
) -> CaseOut:
    """Refused with 409 `too_late` when fewer than 3 working days remain before the decision."""
    scheduled_at = datetime.combine(body.hearing.date, body.hearing.time, tzinfo=env.calendar.tz)
    await cases.issue_preliminary_refusal(
        session,
        env,
        app,
        grounds=body.grounds,
        scheduled_at=scheduled_at,
        mode=body.hearing.mode,
        details=body.hearing.details,
        actor=staff.name,
    )
    return await _answer(session, env, app, staff)


@router.post(ById + "/objection")
async def record_objection(
    staff: Annotated[Staff, permit(Action.HEARING)],
    app: CaseDep,
    body: ObjectionIn,
    session: SessionDep,
    env: EnvDep,
) -> CaseOut:
    """An objection the applicant brought to the office: oral (to be heard) or written."""
    await cases.object_to_refusal(
        session, env, app, text=body.text, oral=body.oral, via="office", actor=staff.name
    )
    return await _answer(session, env, app, staff)


@router.post(ById + "/hearing")
async def hold_hearing(
    staff: Annotated[Staff, permit(Action.HEARING)], app: CaseDep, session: SessionDep, env: EnvDep
) -> CaseOut:
    await cases.hold_hearing(session, env, app, actor=staff.name)
    return await _answer(session, env, app, staff)


@router.post(ById + "/protocol")
async def make_protocol(
    staff: Annotated[Staff, permit(Action.HEARING)],
    app: CaseDep,
    body: TextIn,
    session: SessionDep,
    env: EnvDep,
) -> CaseOut:
    await cases.make_protocol(session, env, app, body.text, actor=staff.name)
    return await _answer(session, env, app, staff)


@router.post(ById + "/protocol/read")
async def protocol_read(
    staff: Annotated[Staff, permit(Action.HEARING)], app: CaseDep, session: SessionDep, env: EnvDep
) -> CaseOut:
    """The applicant read the protocol at the office: the 3 working days for remarks start."""
    await cases.read_protocol(session, env, app)
    return await _answer(session, env, app, staff)


@router.post(ById + "/remarks")
async def submit_remarks(
    staff: Annotated[Staff, permit(Action.HEARING)],
    app: CaseDep,
    body: TextIn,
    session: SessionDep,
    env: EnvDep,
) -> CaseOut:
    await cases.submit_remarks(session, env, app, body.text, actor=staff.name)
    return await _answer(session, env, app, staff)


# ---------------------------------------------------------------- decision and termination


@router.post(ById + "/grant")
async def grant(
    staff: Annotated[Staff, permit(Action.DECIDE)],
    app: CaseDep,
    body: GrantIn,
    session: SessionDep,
    env: EnvDep,
) -> CaseOut:
    """Within the district's ceiling for the kind of assistance and the year."""
    known = [k.code for k in env.district.assistance]
    if body.kind not in known:
        raise RuleError(f"the district has no assistance kind {body.kind!r}", known=known)
    await cases.grant(
        session,
        env,
        app,
        kind=body.kind,
        amount=body.amount,
        periodicity=body.periodicity,
        starts_on=body.starts_on,
        actor=staff.name,
    )
    return await _answer(session, env, app, staff)


@router.post(ById + "/refusal")
async def refuse(
    staff: Annotated[Staff, permit(Action.DECIDE)],
    app: CaseDep,
    body: RefuseIn,
    session: SessionDep,
    env: EnvDep,
) -> CaseOut:
    await cases.refuse(session, env, app, grounds=body.grounds, actor=staff.name)
    return await _answer(session, env, app, staff)


@router.post(ById + "/termination")
async def terminate(
    staff: Annotated[Staff, permit(Action.TERMINATE)],
    app: CaseDep,
    body: TerminateIn,
    session: SessionDep,
    env: EnvDep,
) -> CaseOut:
    """DR §24: payment stops from the next month or from the day found, by ground."""
    await cases.terminate(
        session, env, app, ground=body.ground, found_on=body.found_on, actor=staff.name
    )
    return await _answer(session, env, app, staff)


# ---------------------------------------------------------------- reading a case


@router.get(ById)
async def get_case(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)],
    app: CaseViewDep,
    session: SessionDep,
    env: EnvDep,
) -> CaseOut:
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


@router.get(ById + "/audit")
async def audit_trail(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)], app: CaseViewDep, session: SessionDep
) -> list[AuditOut]:
    from sqlalchemy import select

    from casework.models import AuditEvent

    rows = await session.scalars(
        select(AuditEvent)
        .where(AuditEvent.application_id == app.id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return [
        AuditOut(
            at=e.at,
            actor=e.actor,
            action=e.action,
            from_status=e.from_status,
            to_status=e.to_status,
            reason=e.reason,
        )
        for e in rows
    ]
