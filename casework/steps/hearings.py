"""The preliminary refusal and its hearing (SR §15, DR §20; APPC art. 73): the objection
window, oral and written objections, the hearing, its protocol and the remarks on it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.errors import RuleError
from casework.law.notices import NoticeKind
from casework.law.procedure import Step, hearing_time, refusal_grounds_hold
from casework.law.rules import DocumentKind, HearingMode, RefusalGround
from casework.law.status import AWAITING_HEARING, Status
from casework.law.terms import Event, Term, compute_terms
from casework.steps import notices
from casework.steps.audit import move, record
from casework.steps.deadlines import refresh_deadlines
from casework.steps.procedure import raise_first, require
from casework.system.env import CaseEnv
from casework.tables.applications import Application
from casework.tables.hearings import Hearing, HearingProtocol, Objection, ProtocolRemark

# Papers an applicant adds to an objection after the case is filed (SR §15: "in writing").
EVIDENCE_KINDS = frozenset({DocumentKind.OBJECTION_EVIDENCE})


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
    facts = require(env, app, Step.PRELIMINARY_REFUSAL)
    checks = (hearing_time(facts, scheduled_at), refusal_grounds_hold(facts, grounds))
    raise_first(app, Step.PRELIMINARY_REFUSAL, checks)
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
    hearing = app.latest_hearing
    if hearing is not None and hearing.received_at is None:
        hearing.received_at = at
        await refresh_deadlines(session, env, app)


def scheduled_hearing(app: Application) -> Hearing:
    """The case's hearing; a hearing step on a case that has none is refused, not a crash."""
    hearing = app.latest_hearing
    if hearing is None:
        raise RuleError(f"application {app.id} has no hearing", current=app.status.value)
    return hearing


async def refusal_read(session: AsyncSession, env: CaseEnv, app: Application) -> None:
    """The applicant opened the preliminary refusal in the chat: reading it is receiving it, so
    the 2 working days run from now at the latest."""
    if app.status is Status.PRELIMINARY_REFUSAL:
        await mark_refusal_received(session, env, app, env.now())


async def objection_window_open(session: AsyncSession, env: CaseEnv, app: Application) -> None:
    """Raise LateError once the 2 working days from receipt have passed."""
    hearing = scheduled_hearing(app)
    require(env, app, Step.RECORD_OBJECTION)  # the case's state first: nothing written if not
    if hearing.received_at is None:  # the applicant objecting proves they received it
        await mark_refusal_received(session, env, app, env.now())
    require(env, app, Step.RECORD_OBJECTION)


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
    hearing = scheduled_hearing(app)
    await objection_window_open(session, env, app)
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


def attendance_closed(env: CaseEnv, app: Application) -> str | None:
    """Why attendance can no longer be confirmed: 'none' (no hearing), 'held', 'over' (decided
    without it), 'passed' (its time has come); None while the hearing is still ahead."""
    hearing = app.latest_hearing
    if hearing is None:
        return "none"
    if hearing.held_at is not None:
        return "held"
    if app.status not in AWAITING_HEARING:
        return "over"
    if env.now() >= hearing.scheduled_at:
        return "passed"
    return None


async def confirm_attendance(session: AsyncSession, env: CaseEnv, app: Application) -> None:
    """The applicant says they will come: only to a hearing still ahead (an old button under a
    notice is pressed after the hearing too)."""
    reason = attendance_closed(env, app)
    if reason is not None:
        raise RuleError("no hearing ahead to attend", reason=reason, current=app.status.value)
    hearing = scheduled_hearing(app)
    hearing.attendance_confirmed_at = env.now()
    await record(session, app, "attendance_confirmed", actor="applicant", at=env.now())


async def hold_hearing(
    session: AsyncSession, env: CaseEnv, app: Application, *, actor: str
) -> None:
    """Held no earlier than its scheduled moment."""
    require(env, app, Step.HOLD_HEARING)
    hearing = scheduled_hearing(app)
    await move(session, app, Status.HEARING_HELD, actor=actor, at=env.now())
    hearing.held_at = env.now()


async def reschedule_hearing(
    session: AsyncSession, env: CaseEnv, app: Application, *, scheduled_at: datetime, actor: str
) -> Hearing:
    """A new time for a hearing not yet held: the old one stays in the audit trail, and the
    applicant is invited again."""
    facts = require(env, app, Step.RESCHEDULE_HEARING)
    raise_first(app, Step.RESCHEDULE_HEARING, [hearing_time(facts, scheduled_at)])
    hearing = scheduled_hearing(app)
    previous = hearing.scheduled_at
    hearing.scheduled_at = scheduled_at
    hearing.attendance_confirmed_at = None
    await record(
        session,
        app,
        "hearing_rescheduled",
        actor=actor,
        at=env.now(),
        reason=f"{previous.isoformat()} -> {scheduled_at.isoformat()}",
    )
    await notices.enqueue(
        session, env, app, NoticeKind.HEARING_INVITATION, {"hearing_id": hearing.id}
    )
    return hearing


async def make_protocol(
    session: AsyncSession, env: CaseEnv, app: Application, text: str, *, actor: str
) -> HearingProtocol:
    """SR §15: an oral objection is minuted and the applicant may read the protocol."""
    require(env, app, Step.MAKE_PROTOCOL)
    hearing = scheduled_hearing(app)
    if not text.strip():
        raise RuleError("the protocol needs its text")
    await move(session, app, Status.PROTOCOL_MADE, actor=actor, at=env.now())
    protocol = HearingProtocol(
        hearing_id=hearing.id, text=text, made_by=actor, made_at=env.now(), remarks=[]
    )
    session.add(protocol)
    hearing.protocol = protocol
    await session.flush()
    # SR §15: the applicant is given the protocol to read; the remarks window runs from reading,
    # so the message names the last day for one who reads it today.
    remarks_due = compute_terms(env.calendar, {Event.PROTOCOL_READ: env.now()})[
        Term.PROTOCOL_REMARKS
    ]
    await notices.enqueue(
        session,
        env,
        app,
        NoticeKind.PROTOCOL_READY,
        {"hearing_id": hearing.id, "remarks_due": remarks_due.isoformat()},
    )
    return protocol


async def read_protocol(session: AsyncSession, env: CaseEnv, app: Application) -> HearingProtocol:
    """The applicant reads the protocol; the 3 working days for remarks start then."""
    hearing = app.latest_hearing
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
    if not text.strip():
        raise RuleError("remarks need their text")
    protocol = await read_protocol(session, env, app)
    require(env, app, Step.RECORD_REMARKS)
    remark = ProtocolRemark(protocol_id=protocol.id, text=text, submitted_at=env.now())
    session.add(remark)
    protocol.remarks.append(remark)
    await move(session, app, Status.REMARKS_RECEIVED, actor=actor, at=env.now())
    await refresh_deadlines(session, env, app)
    return remark


async def hearings_on(session: AsyncSession, env: CaseEnv, day: date) -> list[int]:
    """The cases whose hearing, still to be held, is on this local day."""
    start = datetime.combine(day, time(0), tzinfo=env.calendar.tz)
    stmt = (
        select(Application.id)
        .join(Hearing, Hearing.application_id == Application.id)
        .where(
            Application.status.in_(AWAITING_HEARING),
            Hearing.held_at.is_(None),
            Hearing.scheduled_at >= start,
            Hearing.scheduled_at < start + timedelta(days=1),
        )
        .order_by(Hearing.scheduled_at, Application.id)
    )
    return list(dict.fromkeys(await session.scalars(stmt)))
