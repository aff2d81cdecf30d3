"""Use cases: every step of a case, each one transaction-safe, audited and clock-driven.

Each function takes the caller's session (one unit of work) and a `CaseEnv` (clock, calendar,
district). None commits: the caller's transaction decides, so a case change and the notices it
causes land together or not at all.
"""

from __future__ import annotations

import calendar as _months
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from casework import notices
from casework.calendar import WorkingCalendar
from casework.clock import Clock
from casework.deadlines import Event, Term, compute_terms, is_late
from casework.district import District
from casework.income import assess_income
from casework.lifecycle import DomainError, Status, move, record
from casework.models import (
    Applicant,
    Application,
    Assistance,
    CalendarOverride,
    Deadline,
    Decision,
    Document,
    FamilyMember,
    Hearing,
    HearingProtocol,
    Objection,
    ProtocolRemark,
    Termination,
)
from casework.notices import NoticeKind
from casework.rules import (
    GROUND_RULES,
    TERMINATION_RULES,
    Channel,
    DocumentKind,
    Filer,
    Ground,
    HearingMode,
    PaymentStops,
    Periodicity,
    RefusalGround,
    TerminationGround,
    required_documents,
)

# Papers an applicant adds to an objection after the case is filed (SR §15: "in writing").
EVIDENCE_KINDS = frozenset({DocumentKind.OBJECTION_EVIDENCE})


@dataclass
class CaseEnv:
    clock: Clock
    calendar: WorkingCalendar
    district: District

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.calendar.local_date(self.clock.now())


class LateError(DomainError):
    """An applicant's window has passed; `deadline` says which day was the last."""

    code = "too_late"


class RuleError(DomainError):
    code = "rule_violation"


async def load_calendar(
    session: AsyncSession, district: District, *, timezone: str | None = None
) -> WorkingCalendar:
    overrides = {o.day: o.working for o in (await session.scalars(select(CalendarOverride)))}
    return WorkingCalendar(
        timezone=timezone or district.timezone,
        overrides=overrides,
        work_start=district.working_hours.start,
        work_end=district.working_hours.end,
    )


_CASE_LOADS = (
    selectinload(Application.applicant),
    selectinload(Application.family),
    selectinload(Application.documents),
    selectinload(Application.deadlines),
    selectinload(Application.hearings).selectinload(Hearing.objections),
    selectinload(Application.hearings)
    .selectinload(Hearing.protocol)
    .selectinload(HearingProtocol.remarks),
    selectinload(Application.decisions)
    .selectinload(Decision.assistance)
    .selectinload(Assistance.termination),
)


async def load_application(
    session: AsyncSession, application_id: int, *, for_update: bool = False
) -> Application:
    stmt = select(Application).where(Application.id == application_id).options(*_CASE_LOADS)
    if for_update:
        stmt = stmt.with_for_update(of=Application)
    app = (await session.scalars(stmt)).one_or_none()
    if app is None:
        raise DomainError(f"application {application_id} not found", application_id=application_id)
    return app


async def reload(session: AsyncSession, application: Application) -> Application:
    """Fresh relationships after a change (async sessions cannot lazy-load)."""
    application_id = application.id
    session.expire(application)
    return await load_application(session, application_id)


# ---------------------------------------------------------------- applicants and drafts


async def applicant_by_iin(session: AsyncSession, iin: str) -> Applicant | None:
    return (await session.scalars(select(Applicant).where(Applicant.iin == iin))).one_or_none()


async def get_or_create_applicant(
    session: AsyncSession, env: CaseEnv, iin: str, **fields: Any
) -> Applicant:
    applicant = await applicant_by_iin(session, iin)
    if applicant is None:
        applicant = Applicant(iin=iin, created_at=env.now(), **fields)
        session.add(applicant)
    else:
        for key, value in fields.items():
            if value is not None:
                setattr(applicant, key, value)
    await session.flush()
    return applicant


async def start_application(
    session: AsyncSession,
    env: CaseEnv,
    applicant: Applicant,
    *,
    channel: Channel,
    actor: str,
    **fields: Any,
) -> Application:
    now = env.now()
    app = Application(
        applicant_id=applicant.id,
        channel=channel,
        status=Status.DRAFT,
        draft={},
        created_at=now,
        updated_at=now,
        **fields,
    )
    session.add(app)
    await session.flush()
    await record(session, app, "draft_started", actor=actor, at=now)
    return await load_application(session, app.id)


async def current_draft(session: AsyncSession, applicant_id: int) -> Application | None:
    stmt = (
        select(Application)
        .where(Application.applicant_id == applicant_id, Application.status == Status.DRAFT)
        .order_by(Application.id.desc())
        .limit(1)
        .options(*_CASE_LOADS)
    )
    return (await session.scalars(stmt)).one_or_none()


def _require(app: Application, *states: Status) -> None:
    if app.status not in states:
        raise DomainError(
            f"application {app.id} is {app.status}, expected one of {[s.value for s in states]}",
            current=app.status.value,
        )


async def set_family(
    session: AsyncSession,
    env: CaseEnv,
    app: Application,
    members: Sequence[tuple[str, Decimal]],
    *,
    actor: str,
) -> Application:
    """Replace the family list (name, monthly income); the applicant is one of the members."""
    _require(app, Status.DRAFT, Status.SUBMITTED, Status.REGISTERED, Status.AT_PRECINCT_COMMISSION)
    app.family.clear()
    for name, income in members:
        if income < 0:
            raise RuleError("income cannot be negative")
        app.family.append(FamilyMember(full_name=name, monthly_income=income))
    await record(session, app, "family_recorded", actor=actor, at=env.now())
    return app


async def attach_document(
    session: AsyncSession,
    env: CaseEnv,
    app: Application,
    *,
    kind: DocumentKind,
    file_name: str,
    content_type: str,
    size: int,
    sha256: str,
    storage_path: str,
    valid_until: date | None = None,
    actor: str,
) -> Document:
    if kind in EVIDENCE_KINDS:
        # Papers backing an objection: only while the refusal can still be objected to.
        _require(app, Status.PRELIMINARY_REFUSAL, Status.OBJECTION_RECEIVED)
        await _objection_window_open(session, env, app)
    else:
        _require(app, Status.DRAFT, Status.SUBMITTED)
    doc = Document(
        application_id=app.id,
        kind=kind,
        file_name=file_name,
        content_type=content_type,
        size=size,
        sha256=sha256,
        storage_path=storage_path,
        valid_until=valid_until,
        uploaded_at=env.now(),
    )
    session.add(doc)
    await record(session, app, "document_attached", actor=actor, at=env.now(), reason=kind.value)
    app.documents.append(doc)
    await session.flush()  # the id at once: an objection names its documents by id
    return doc


@dataclass(frozen=True)
class Completeness:
    missing: list[DocumentKind]
    expired: list[DocumentKind]

    @property
    def complete(self) -> bool:
        return not self.missing and not self.expired


def completeness(app: Application, today: date) -> Completeness:
    """What the checklist for this ground still lacks (DR §13), and what has expired."""
    if app.ground is None:
        raise RuleError("the ground of need is not chosen yet")
    needed = required_documents(app.ground, app.filer or Filer.SELF)
    valid = {d.kind for d in app.documents if d.valid_until is None or d.valid_until >= today}
    present = {d.kind for d in app.documents}
    expired = [k for k in needed if k in present and k not in valid]
    missing = [k for k in needed if k not in present]
    return Completeness(missing=missing, expired=expired)


# ---------------------------------------------------------------- intake and registration


async def submit(session: AsyncSession, env: CaseEnv, app: Application, *, actor: str) -> None:
    if app.ground is None:
        raise RuleError("the ground of need is not chosen yet")
    if app.filer is Filer.REPRESENTATIVE and not app.representative_name:
        raise RuleError("a representative files with a name and a power of attorney")
    app.received_at = env.now()
    await move(session, app, Status.SUBMITTED, actor=actor, at=env.now())
    await refresh_deadlines(session, env, app)


async def check_completeness(
    session: AsyncSession, env: CaseEnv, app: Application, *, actor: str
) -> Completeness:
    """Acceptance receipt for a full set; refusal-to-accept receipt naming what lacks (SR §6)."""
    result = completeness(app, env.today())
    if result.complete:
        await move(session, app, Status.ACCEPTED, actor=actor, at=env.now())
        app.missing_documents = None
    else:
        app.missing_documents = [k.value for k in result.missing + result.expired]
        await move(
            session,
            app,
            Status.REFUSED_TO_ACCEPT,
            actor=actor,
            at=env.now(),
            reason=", ".join(app.missing_documents),
        )
        await notices.enqueue(
            session,
            env,
            app,
            NoticeKind.REFUSAL_TO_ACCEPT,
            {
                "missing": [k.value for k in result.missing],
                "expired": [k.value for k in result.expired],
            },
        )
    return result


async def register(session: AsyncSession, env: CaseEnv, app: Application, *, actor: str) -> None:
    """Registration day per SR §7: the day received in working hours, else the next working day."""
    assert app.received_at is not None
    app.registered_on = env.calendar.registration_date(app.received_at)
    await move(session, app, Status.REGISTERED, actor=actor, at=env.now())
    await refresh_deadlines(session, env, app)
    await notices.enqueue(session, env, app, NoticeKind.ACCEPTANCE_RECEIPT, {})


async def take_in(session: AsyncSession, env: CaseEnv, app: Application, *, actor: str) -> bool:
    """Submit, check and, when complete, register: what one intake act does. True if accepted."""
    await submit(session, env, app, actor=actor)
    if (await check_completeness(session, env, app, actor=actor)).complete:
        await register(session, env, app, actor=actor)
        return True
    return False


# ---------------------------------------------------------------- inspection, income, commission


def needs_inspection(app: Application) -> bool:
    return app.ground is not None and GROUND_RULES[app.ground].needs_inspection


async def forward_to_precinct(
    session: AsyncSession, env: CaseEnv, app: Application, *, actor: str
) -> None:
    if not needs_inspection(app):
        raise RuleError("only disaster, fire and income cases go to the precinct commission")
    await move(session, app, Status.AT_PRECINCT_COMMISSION, actor=actor, at=env.now())
    await refresh_deadlines(session, env, app)


async def record_inspection(
    session: AsyncSession, env: CaseEnv, app: Application, result: str, *, actor: str
) -> None:
    _require(app, Status.AT_PRECINCT_COMMISSION)
    app.inspection_result = result
    app.inspection_returned_at = env.now()
    await record(session, app, "inspection_recorded", actor=actor, at=env.now(), reason=result)
    await refresh_deadlines(session, env, app)


async def compute_income(
    session: AsyncSession, env: CaseEnv, app: Application, *, actor: str
) -> Decimal:
    """Per-capita income against the district threshold for the registration year (SR §11)."""
    _require(app, Status.AT_PRECINCT_COMMISSION)
    if app.inspection_returned_at is None:
        raise RuleError("the precinct commission's inspection is not recorded yet")
    if not app.family:
        raise RuleError("no family members with incomes are recorded")
    year = (app.registered_on or env.today()).year
    threshold = env.district.income_threshold(year)
    result = assess_income([m.monthly_income for m in app.family], threshold)
    app.per_capita_income = result.per_capita
    app.income_threshold = result.threshold
    await move(
        session,
        app,
        Status.INCOME_COMPUTED,
        actor=actor,
        at=env.now(),
        reason=f"{result.per_capita} / {result.threshold}",
    )
    await refresh_deadlines(session, env, app)
    return result.per_capita


async def to_special_commission(
    session: AsyncSession, env: CaseEnv, app: Application, *, actor: str
) -> None:
    if app.status is Status.AT_PRECINCT_COMMISSION:
        if app.inspection_returned_at is None:
            raise RuleError("the precinct commission's inspection is not recorded yet")
        if app.ground is Ground.LOW_INCOME:
            raise RuleError("compute the per-capita income first")
    elif app.status is Status.REGISTERED and needs_inspection(app):
        raise RuleError("this ground needs the precinct commission's inspection first")
    await move(session, app, Status.AT_SPECIAL_COMMISSION, actor=actor, at=env.now())


async def record_conclusion(
    session: AsyncSession, env: CaseEnv, app: Application, conclusion: str, *, actor: str
) -> None:
    _require(app, Status.AT_SPECIAL_COMMISSION)
    app.commission_conclusion = conclusion
    await record(session, app, "commission_concluded", actor=actor, at=env.now(), reason=conclusion)


async def extend(
    session: AsyncSession, env: CaseEnv, app: Application, reason: str, *, actor: str
) -> None:
    """Model Rules §16–17 cases: the decision term becomes 20 working days."""
    if app.registered_on is None or app.status in (Status.GRANTED, Status.REFUSED):
        raise RuleError("only a registered, undecided case can be extended")
    if not reason.strip():
        raise RuleError("an extension needs its reason")
    app.extended = True
    app.extension_reason = reason
    await record(session, app, "extended", actor=actor, at=env.now(), reason=reason)
    await refresh_deadlines(session, env, app)


# ---------------------------------------------------------------- preliminary refusal and hearing


def open_hearing(app: Application) -> Hearing | None:
    return app.hearings[-1] if app.hearings else None


async def issue_preliminary_refusal(
    session: AsyncSession,
    env: CaseEnv,
    app: Application,
    *,
    grounds: Iterable[RefusalGround],
    scheduled_at: datetime,
    mode: HearingMode,
    details: str | None,
    actor: str,
) -> Hearing:
    """Notify the preliminary refusal and the hearing ≥ 3 working days before the decision."""
    grounds = list(grounds)
    if not grounds:
        raise RuleError("a preliminary refusal names at least one ground")
    latest = app.deadline(Term.PRELIMINARY_REFUSAL_LATEST)
    if latest is not None and env.today() > latest:
        raise LateError(
            "fewer than 3 working days remain before the decision deadline",
            deadline=latest,
            decision=app.deadline(Term.DECISION),
        )
    if scheduled_at <= env.now():
        raise RuleError("the hearing must be in the future")
    hearing = Hearing(
        application_id=app.id,
        refusal_grounds=[g.value for g in grounds],
        scheduled_at=scheduled_at,
        mode=mode,
        details=details,
        issued_at=env.now(),
        objections=[],  # new objects start with loaded, empty relationships (no lazy IO)
        protocol=None,
    )
    session.add(hearing)
    app.hearings.append(hearing)
    await move(
        session,
        app,
        Status.PRELIMINARY_REFUSAL,
        actor=actor,
        at=env.now(),
        reason=", ".join(g.value for g in grounds),
    )
    await refresh_deadlines(session, env, app)
    await notices.enqueue(
        session, env, app, NoticeKind.PRELIMINARY_REFUSAL, {"hearing_id": hearing.id}
    )
    return hearing


async def mark_refusal_received(
    session: AsyncSession, env: CaseEnv, app: Application, at: datetime
) -> None:
    """The objection window runs from receipt: the gateway calls this on delivery."""
    hearing = open_hearing(app)
    if hearing is not None and hearing.received_at is None:
        hearing.received_at = at
        await refresh_deadlines(session, env, app)


async def _objection_window_open(session: AsyncSession, env: CaseEnv, app: Application) -> None:
    """Raise LateError once the 2 working days from receipt have passed."""
    hearing = open_hearing(app)
    assert hearing is not None
    if hearing.received_at is None:  # the applicant objecting proves they received it
        await mark_refusal_received(session, env, app, env.now())
    deadline = app.deadline(Term.OBJECTION)
    assert deadline is not None
    if is_late(env.calendar, deadline, env.now()):
        raise LateError("the objection window has closed", deadline=deadline)


async def object_to_refusal(
    session: AsyncSession,
    env: CaseEnv,
    app: Application,
    *,
    text: str | None,
    oral: bool,
    via: str,
    document_ids: Sequence[int] = (),
    actor: str,
) -> Objection:
    """A written objection or a request to be heard orally, within 2 working days of receipt."""
    hearing = open_hearing(app)
    _require(app, Status.PRELIMINARY_REFUSAL, Status.OBJECTION_RECEIVED)
    assert hearing is not None
    await _objection_window_open(session, env, app)
    if not oral and not (text or "").strip():
        raise RuleError("a written objection needs its text")
    evidence = {d.id for d in app.documents if d.kind in EVIDENCE_KINDS}
    if not set(document_ids) <= evidence:
        raise RuleError("an objection names only evidence attached to its own case")
    objection = Objection(
        hearing_id=hearing.id,
        oral=oral,
        text=text,
        via=via,
        document_ids=list(document_ids),
        received_at=env.now(),
    )
    session.add(objection)
    hearing.objections.append(objection)
    await move(session, app, Status.OBJECTION_RECEIVED, actor=actor, at=env.now(), reason=via)
    await refresh_deadlines(session, env, app)
    return objection


async def confirm_attendance(session: AsyncSession, env: CaseEnv, app: Application) -> None:
    hearing = open_hearing(app)
    if hearing is None:
        raise RuleError("no hearing is scheduled")
    hearing.attendance_confirmed_at = env.now()
    await record(session, app, "attendance_confirmed", actor="applicant", at=env.now())


async def hold_hearing(
    session: AsyncSession, env: CaseEnv, app: Application, *, actor: str
) -> None:
    hearing = open_hearing(app)
    assert hearing is not None
    await move(session, app, Status.HEARING_HELD, actor=actor, at=env.now())
    hearing.held_at = env.now()


async def make_protocol(
    session: AsyncSession, env: CaseEnv, app: Application, text: str, *, actor: str
) -> HearingProtocol:
    """SR §15: an oral objection is minuted and the applicant may read the protocol."""
    hearing = open_hearing(app)
    assert hearing is not None
    if not text.strip():
        raise RuleError("the protocol needs its text")
    await move(session, app, Status.PROTOCOL_MADE, actor=actor, at=env.now())
    protocol = HearingProtocol(
        hearing_id=hearing.id, text=text, made_by=actor, made_at=env.now(), remarks=[]
    )
    session.add(protocol)
    hearing.protocol = protocol
    await session.flush()
    return protocol


async def read_protocol(session: AsyncSession, env: CaseEnv, app: Application) -> HearingProtocol:
    """The applicant reads the protocol; the 3 working days for remarks start then."""
    hearing = open_hearing(app)
    if hearing is None or hearing.protocol is None:
        raise RuleError("no hearing protocol has been made")
    if hearing.protocol.read_at is None:
        hearing.protocol.read_at = env.now()
        await record(session, app, "protocol_read", actor="applicant", at=env.now())
        await refresh_deadlines(session, env, app)
    return hearing.protocol


async def submit_remarks(
    session: AsyncSession, env: CaseEnv, app: Application, text: str, *, actor: str
) -> ProtocolRemark:
    _require(app, Status.PROTOCOL_MADE, Status.REMARKS_RECEIVED)
    if not text.strip():
        raise RuleError("remarks need their text")
    protocol = await read_protocol(session, env, app)
    deadline = app.deadline(Term.PROTOCOL_REMARKS)
    assert deadline is not None
    if is_late(env.calendar, deadline, env.now()):
        raise LateError("the window for remarks has closed", deadline=deadline)
    remark = ProtocolRemark(protocol_id=protocol.id, text=text, submitted_at=env.now())
    session.add(remark)
    protocol.remarks.append(remark)
    await move(session, app, Status.REMARKS_RECEIVED, actor=actor, at=env.now())
    await refresh_deadlines(session, env, app)
    return remark


# ---------------------------------------------------------------- decision, notice, termination


async def grant(
    session: AsyncSession,
    env: CaseEnv,
    app: Application,
    *,
    kind: str,
    amount: Decimal,
    periodicity: Periodicity,
    starts_on: date | None = None,
    actor: str,
) -> Decision:
    """SR App. 5: grant within the district's ceiling for that kind of assistance."""
    assistance_kind = env.district.assistance_kind(kind)
    if app.ground is not None and app.ground not in assistance_kind.grounds:
        raise RuleError(f"assistance {kind} is not given on the ground {app.ground}")
    if periodicity not in assistance_kind.periodicity:
        raise RuleError(f"assistance {kind} is not paid {periodicity}")
    ceiling = env.district.ceiling(kind, env.today().year)
    if amount <= 0 or amount > ceiling:
        raise RuleError(f"the amount must be above 0 and at most {ceiling}", ceiling=ceiling)
    decision = Decision(
        application_id=app.id, granted=True, decided_by=actor, decided_at=env.now()
    )
    decision.assistance = Assistance(
        kind=kind,
        amount=amount,
        periodicity=periodicity,
        starts_on=starts_on or env.today(),
        termination=None,
    )
    session.add(decision)
    app.decisions.append(decision)
    await move(session, app, Status.GRANTED, actor=actor, at=env.now())
    await refresh_deadlines(session, env, app)
    await notices.enqueue(session, env, app, NoticeKind.DECISION_GRANTED, {})
    return decision


async def refuse(
    session: AsyncSession,
    env: CaseEnv,
    app: Application,
    *,
    grounds: Iterable[RefusalGround],
    actor: str,
) -> Decision:
    """SR App. 5: refusal on DR §22 grounds, only after the preliminary refusal and hearing."""
    grounds = list(grounds)
    if not grounds:
        raise RuleError("a refusal names at least one ground")
    decision = Decision(
        application_id=app.id,
        granted=False,
        refusal_grounds=[g.value for g in grounds],
        decided_by=actor,
        decided_at=env.now(),
        assistance=None,
    )
    await move(
        session,
        app,
        Status.REFUSED,
        actor=actor,
        at=env.now(),
        reason=", ".join(g.value for g in grounds),
    )
    session.add(decision)
    app.decisions.append(decision)
    await refresh_deadlines(session, env, app)
    await notices.enqueue(session, env, app, NoticeKind.DECISION_REFUSED, {})
    return decision


_NOTIFIED = {Status.GRANTED: Status.NOTIFIED_GRANTED, Status.REFUSED: Status.NOTIFIED_REFUSED}


async def mark_notified(
    session: AsyncSession, env: CaseEnv, app: Application, *, actor: str, via: str
) -> None:
    """The decision notice reached the applicant: by chat, SMS or a handed-over print.

    A decision goes by SMS and chat alike, so this runs once per delivery: the first moves the
    case; later ones change nothing but the chat term, which only the chat meets for bot filings.
    """
    # Only a decided case moves; one already notified (or terminated since) stays where it is.
    target = _NOTIFIED.get(app.status)
    if target is not None:
        await move(session, app, target, actor=actor, at=env.now(), reason=via)
    if via == "chat" or app.channel is not Channel.BOT:
        await _meet(app, (Term.CHAT_NOTICE,), env.now())


def payment_stops_on(ground: TerminationGround, found_on: date) -> date:
    """DR §24: death, moving out, institution: from the next month; the rest: from the day found."""
    if TERMINATION_RULES[ground].stops is PaymentStops.DATE_FOUND:
        return found_on
    last = _months.monthrange(found_on.year, found_on.month)[1]
    return found_on.replace(day=last) + timedelta(days=1)


async def terminate(
    session: AsyncSession,
    env: CaseEnv,
    app: Application,
    *,
    ground: TerminationGround,
    found_on: date,
    actor: str,
) -> Termination:
    decision = next((d for d in reversed(app.decisions) if d.granted), None)
    if decision is None or decision.assistance is None:
        raise RuleError("only granted assistance can be terminated")
    if app.ground is not None and app.ground in TERMINATION_RULES[ground].not_for:
        raise RuleError(f"{ground} does not end assistance on the ground {app.ground}")
    stops = payment_stops_on(ground, found_on)
    termination = Termination(
        assistance_id=decision.assistance.id,
        ground=ground,
        found_on=found_on,
        payment_stops_on=stops,
        recorded_by=actor,
        recorded_at=env.now(),
    )
    session.add(termination)
    decision.assistance.stops_on = stops
    decision.assistance.termination = termination
    await move(session, app, Status.TERMINATED, actor=actor, at=env.now(), reason=ground.value)
    await notices.enqueue(
        session, env, app, NoticeKind.TERMINATION, {"ground": ground.value, "stops": str(stops)}
    )
    return termination


# ---------------------------------------------------------------- deadlines kept on the case

# Which step of the case meets which term: once met, a term leaves the deadline board.
_MET_BY: dict[Status, tuple[Term, ...]] = {
    Status.REGISTERED: (Term.REGISTRATION,),
    Status.AT_PRECINCT_COMMISSION: (Term.PRECINCT_FORWARDING,),
    Status.INCOME_COMPUTED: (Term.INCOME_COMPUTATION,),
    Status.PRELIMINARY_REFUSAL: (Term.PRELIMINARY_REFUSAL_LATEST,),
    Status.OBJECTION_RECEIVED: (Term.OBJECTION,),
    Status.REMARKS_RECEIVED: (Term.PROTOCOL_REMARKS,),
    Status.GRANTED: (Term.DECISION, Term.PRELIMINARY_REFUSAL_LATEST),
    Status.REFUSED: (Term.DECISION,),
}


def case_events(app: Application) -> dict[Event, date | datetime]:
    events: dict[Event, date | datetime] = {}
    if app.received_at:
        events[Event.RECEIVED] = app.received_at
    if app.registered_on:
        events[Event.REGISTERED] = app.registered_on
    if app.inspection_returned_at:
        events[Event.INSPECTION_RETURNED] = app.inspection_returned_at
    hearing = open_hearing(app)
    if hearing is not None and hearing.received_at:
        events[Event.PRELIMINARY_REFUSAL_RECEIVED] = hearing.received_at
    if hearing is not None and hearing.protocol is not None and hearing.protocol.read_at:
        events[Event.PROTOCOL_READ] = hearing.protocol.read_at
    if app.decisions:
        events[Event.DECIDED] = app.decisions[-1].decided_at
    return events


async def _meet(app: Application, terms: Iterable[Term], at: datetime) -> None:
    for row in app.deadlines:
        if row.term in terms and row.met_at is None:
            row.met_at = at


async def refresh_deadlines(session: AsyncSession, env: CaseEnv, app: Application) -> None:
    """Recompute every term from the case's events and store them on the case."""
    terms = compute_terms(
        env.calendar,
        case_events(app),
        extended=app.extended,
        needs_inspection=needs_inspection(app),
    )
    rows = {row.term: row for row in app.deadlines}
    for term, due in terms.items():
        if term in rows:
            rows[term].due_on = due
        else:
            app.deadlines.append(Deadline(term=term, due_on=due))
    await _meet(app, _MET_BY.get(app.status, ()), env.now())
    await session.flush()
