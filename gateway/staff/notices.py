"""Notices for staff: those at risk of their legal term, and one notice's proof of notice.

The proof is a download (JSON for systems, plain text or PDF to print and file): the case, the
route chosen and why with the mobile citizens database's answer, the provider and its message id,
every status with its time (`notice_events`), the hand-over, and whether the legal term was met.
Identity numbers and phones are always masked in it: it is filed and shown to others.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.identity import mask_iin, mask_phone
from casework.law.notices import NoticeChannel
from casework.law.roles import Action
from casework.steps import notice_proof, notices_at_risk
from casework.steps.notice_proof import NoticeProof
from casework.system.env import CaseEnv
from casework.tables.staff import Staff
from casework.texts.i18n import LOCALES, format_day, gettext
from casework.texts.labels import label
from casework.texts.notice_names import NOTICE_CHANNEL_NAMES, NOTICE_KIND_NAMES, NOTICE_STATUS_NAMES
from gateway.printing import FONT
from gateway.staff.deps import EnvDep, SessionDep, permit
from gateway.staff.errors import Forbidden

router = APIRouter(prefix="/notices", tags=["notices"])

ProofFormat = Literal["json", "text", "pdf"]

# Whom a proof is for: staff who send, hand over or rely on notices to decide. Viewing cases is
# not enough: the administrator (staff, calendar) and the accountant never answer for a notice.
PROOF_FOR = frozenset(
    {Action.PRINT_QUEUE, Action.HEARING, Action.PRELIMINARY_REFUSAL, Action.DECIDE}
)


class AtRiskRow(BaseModel):
    id: int
    application_id: int
    kind: str
    channel: str
    status: str
    deliver_by: datetime
    overdue: bool  # the term has passed and the notice has not reached the applicant
    attempts: int
    error_code: str | None


class AtRiskPage(BaseModel):
    total: int  # all notices at risk; `items` is the first `limit` of them
    items: list[AtRiskRow]


@router.get("/at-risk")
async def at_risk(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)],
    session: SessionDep,
    env: EnvDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> AtRiskPage:
    """Notices not yet delivered whose legal term is near or past, the earliest term first."""
    found = await notices_at_risk.notices_at_risk(session, env, limit=limit)
    return AtRiskPage(
        total=await notices_at_risk.count_at_risk(session, env),
        items=[
            AtRiskRow(
                id=r.notice.id,
                application_id=r.notice.application_id,
                kind=r.notice.kind.value,
                channel=r.notice.channel.value,
                status=r.notice.status.value,
                deliver_by=r.notice.deliver_by,  # type: ignore[arg-type]  # at risk: has a term
                overdue=r.overdue,
                attempts=r.notice.attempts,
                error_code=r.notice.error_code,
            )
            for r in found
        ],
    )


@router.get("/{notice_id}/proof", response_class=Response)
async def proof(
    staff: Annotated[Staff, permit(Action.VIEW_CASES)],
    notice_id: int,
    session: SessionDep,
    env: EnvDep,
    format: ProofFormat = "json",
    lang: Literal["kk", "ru"] | None = None,
) -> Response:
    """The proof of notice as a download; viewing it is recorded in the lookup audit."""
    if not may_read_proof(staff):
        raise Forbidden(
            f"the role {staff.role} may not read proofs of notice",
            role=staff.role.value,
            action=Action.VIEW_CASES.value,
        )
    found = await notice_proof.notice_proof(session, notice_id, now=env.now())
    return await proof_download(session, env, staff, found, format=format, lang=lang)


def may_read_proof(staff: Staff) -> bool:
    return staff.may(Action.VIEW_CASES) and any(staff.may(action) for action in PROOF_FOR)


async def proof_download(
    session: AsyncSession,
    env: CaseEnv,
    staff: Staff,
    found: NoticeProof,
    *,
    format: ProofFormat,
    lang: str | None = None,
) -> Response:
    """The proof as a file, recorded as viewed (the staff API and the console's case page)."""
    now = env.now()
    await notice_proof.record_viewed(session, found, staff_id=staff.id, at=now)
    loc = lang or (staff.locale if staff.locale in LOCALES else "kk")
    name = f"notice-{found.notice.id}-proof"
    if format == "json":
        body = proof_json(found, now).model_dump_json(indent=2).encode()
        return _download(body, "application/json", f"{name}.json")
    lines = proof_lines(found, loc, now=now, tz=env.calendar.tz)
    if format == "text":
        text = ("\n".join(lines) + "\n").encode()
        return _download(text, "text/plain; charset=utf-8", f"{name}.txt")
    return _download(proof_pdf(lines), "application/pdf", f"{name}.pdf")


def _download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# ---------------------------------------------------------------- the document


class EventOut(BaseModel):
    status: str
    channel: str
    at: datetime
    attempts: int
    claimed_by: str | None
    provider: str | None
    provider_id: str | None
    provider_status: str | None
    error_code: str | None


class ProofOut(BaseModel):
    notice_id: int
    application_id: int
    kind: str
    full_name: str
    iin: str  # masked
    channel: str
    channel_reason: str
    failed_channel: str | None
    address: str | None  # a phone masked; a chat id as is
    mcdb_phone: str | None  # masked: the phone the application gave, asked of the database
    mcdb_registered_on: date | None  # None: not registered to the IIN
    provider: str | None
    provider_id: str | None
    status: str
    events: list[EventOut]
    handed_over_at: datetime | None
    handed_over_by: str | None
    deliver_by: datetime | None
    reached_at: datetime | None
    term_met: bool | None
    drawn_up_at: datetime


def _address(p: NoticeProof) -> str | None:
    a = p.notice.address
    return mask_phone(a) if a and p.notice.channel is NoticeChannel.SMS else a


def proof_json(p: NoticeProof, now: datetime) -> ProofOut:
    n = p.notice
    return ProofOut(
        notice_id=n.id,
        application_id=n.application_id,
        kind=n.kind.value,
        full_name=p.full_name,
        iin=mask_iin(p.iin),
        channel=n.channel.value,
        channel_reason=n.channel_reason.value,
        failed_channel=n.failed_channel.value if n.failed_channel else None,
        address=_address(p),
        mcdb_phone=mask_phone(p.mcdb.phone) if p.mcdb.phone else None,
        mcdb_registered_on=p.mcdb.registered_on,
        provider=n.provider,
        provider_id=n.provider_id,
        status=n.status.value,
        events=[
            EventOut(
                status=e.status.value,
                channel=e.channel.value,
                at=e.at,
                attempts=e.attempts,
                claimed_by=e.claimed_by,
                provider=e.provider,
                provider_id=e.provider_id,
                provider_status=e.provider_status,
                error_code=e.error_code,
            )
            for e in p.events
        ],
        handed_over_at=n.handed_over_at,
        handed_over_by=n.handed_over_by,
        deliver_by=n.deliver_by,
        reached_at=p.reached_at,
        term_met=p.term_met,
        drawn_up_at=now,
    )


def proof_lines(p: NoticeProof, loc: str, *, now: datetime, tz: ZoneInfo) -> list[str]:
    """The printable proof, line by line, in Kazakh or Russian."""
    n = p.notice

    def t(message: str, **params: object) -> str:
        return gettext(loc, message, **params)

    def when(moment: datetime) -> str:
        local = moment.astimezone(tz)  # to the second: the order of events is the proof
        return f"{format_day(local.date(), loc)}, {local.strftime('%H:%M:%S')}"

    def until(moment: datetime) -> str:
        """A term ending at local midnight is its last day's 24:00, not the next day's 00:00."""
        local = moment.astimezone(tz)
        if local.time() != time(0):
            return when(moment)
        return f"{format_day(local.date() - timedelta(days=1), loc)}, 24:00"

    lines = [
        t("Proof of notice No. {id}", id=n.id),
        t("Case No. {number}", number=n.application_id),
        t("Applicant: {name}, IIN {iin}", name=p.full_name, iin=mask_iin(p.iin)),
        t("Notice: {kind}", kind=t(NOTICE_KIND_NAMES[n.kind])),
        t("Route: {channel}", channel=t(NOTICE_CHANNEL_NAMES[n.channel]))
        + (f" ({_address(p)})" if _address(p) else ""),
        t("Why: {reason}", reason=label(n.channel_reason, loc)),
    ]
    if p.mcdb.phone is None:
        lines.append(t("Mobile citizens database: the application gave no mobile phone"))
    elif p.mcdb.registered_on is None:
        lines.append(
            t(
                "Mobile citizens database: phone {phone} is not registered to this IIN",
                phone=mask_phone(p.mcdb.phone),
            )
        )
    else:
        lines.append(
            t(
                "Mobile citizens database: phone {phone} registered to this IIN on {day}",
                phone=mask_phone(p.mcdb.phone),
                day=format_day(p.mcdb.registered_on, loc, case="locative"),
            )
        )
    if n.provider or n.provider_id:
        lines.append(
            t(
                "Provider: {provider}, message id {id}",
                provider=n.provider or "—",
                id=n.provider_id or "—",
            )
        )
    lines.append(t("History:"))
    for e in p.events:
        status, channel = t(NOTICE_STATUS_NAMES[e.status]), t(NOTICE_CHANNEL_NAMES[e.channel])
        line = f"  {when(e.at)} — {status}, {channel}"
        if e.provider_status or e.error_code:
            line += f" [{' '.join(x for x in (e.provider_status, e.error_code) if x)}]"
        lines.append(line)
    if n.handed_over_at is not None:
        lines.append(
            t(
                "Handed over on paper by {who}: {when}",
                who=n.handed_over_by or "—",
                when=when(n.handed_over_at),
            )
        )
    if n.deliver_by is None:
        lines.append(t("The law sets this notice no term to reach the applicant"))
    else:
        lines.append(t("To reach the applicant by: {when}", when=until(n.deliver_by)))
        if p.term_met is None:
            lines.append(t("The term is still running"))
        elif p.term_met:
            lines.append(t("Term met: reached the applicant {when}", when=when(p.reached_at)))  # type: ignore[arg-type]
        elif p.reached_at is not None:
            lines.append(t("Term missed: reached the applicant {when}", when=when(p.reached_at)))
        else:
            lines.append(t("Term missed: the notice has not reached the applicant"))
    lines.append(t("Drawn up: {when}", when=when(now)))
    return lines


def proof_pdf(lines: list[str]) -> bytes:
    from fpdf import FPDF, XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_title(lines[0])
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.add_page()
    pdf.set_font("DejaVu", size=14)
    pdf.multi_cell(0, 8, lines[0], align="C")
    pdf.ln(4)
    pdf.set_font("DejaVu", size=10)
    for line in lines[1:]:
        pdf.multi_cell(0, 5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
