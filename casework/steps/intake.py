"""Intake: the applicant and their draft, family, documents, the completeness check and
registration (SR §6–§7, DR §13–§14)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.errors import NotFound, RuleError
from casework.law.names import PersonName
from casework.law.notices import NoticeKind
from casework.law.roles import INTAKE_CHANNEL, Role
from casework.law.rules import Channel, DocumentKind, Filer, Ground, required_documents
from casework.law.status import AWAITING_HEARING, Status
from casework.steps import notices, payments, signing
from casework.steps.audit import move, record
from casework.steps.case_file import (
    DRAFT_LOADS,
    known_empty,
    load_application,
    newest_case,
    require_status,
)
from casework.steps.deadlines import refresh_deadlines
from casework.steps.hearings import EVIDENCE_KINDS, objection_window_open
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.applications import Application, Document, FamilyMember

# Until the income is computed for the commission, the family may still be corrected.
FAMILY_EDITABLE = (
    Status.DRAFT,
    Status.SUBMITTED,
    Status.REGISTERED,
    Status.AT_PRECINCT_COMMISSION,
)

# ---------------------------------------------------------------- applicants and drafts


async def applicant_by_iin(session: AsyncSession, iin: str) -> Applicant | None:
    return (await session.scalars(select(Applicant).where(Applicant.iin == iin))).one_or_none()


async def get_or_create_applicant(
    session: AsyncSession, env: CaseEnv, iin: str, **fields: Any
) -> Applicant:
    """Staff's names come from a document (a desk, a holiday list): they count as given."""
    if fields.get("last_name") or fields.get("first_name"):
        fields["name_given_at"] = env.now()
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


async def record_name(
    session: AsyncSession, env: CaseEnv, applicant: Applicant, name: PersonName
) -> None:
    """The name the person gave in the bot, once: a name already given (by them, or by staff
    from the identity card) is changed only at the department."""
    if applicant.name_given_at is not None:
        raise RuleError("the name is already given; staff correct it", reason="given")
    applicant.last_name = name.last_name
    applicant.first_name = name.first_name
    applicant.middle_name = name.middle_name
    applicant.name_given_at = env.now()
    await session.flush()


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


# Built once: every update of a filing asks it (see casework/steps/case_file.py).
_NEWEST_DRAFT = newest_case(Application.status == Status.DRAFT, loads=DRAFT_LOADS)


async def current_draft(session: AsyncSession, applicant_id: int) -> Application | None:
    draft = (await session.scalars(_NEWEST_DRAFT, {"applicant_id": applicant_id})).one_or_none()
    return known_empty(draft) if draft is not None else None


async def set_family(
    session: AsyncSession,
    env: CaseEnv,
    app: Application,
    members: Sequence[tuple[str, Decimal]],
    *,
    actor: str,
) -> Application:
    """Replace the family list (name, monthly income); the applicant is one of the members."""
    require_status(app, *FAMILY_EDITABLE)
    app.family.clear()
    for name, income in members:
        if income < 0:
            raise RuleError("income cannot be negative")
        app.family.append(FamilyMember(full_name=name, monthly_income=income))
    await record(session, app, "family_recorded", actor=actor, at=env.now())
    return app


def _member(app: Application, member_id: int) -> FamilyMember:
    member = next((m for m in app.family if m.id == member_id), None)
    if member is None:  # removed meanwhile (a stale button), or another case's
        raise NotFound(f"no family member {member_id} in application {app.id}", key="member_id")
    return member


async def change_family_member(
    session: AsyncSession,
    env: CaseEnv,
    app: Application,
    member_id: int,
    *,
    name: str | None = None,
    income: Decimal | None = None,
    actor: str,
) -> FamilyMember:
    """Correct one member's name or income; the others stay as they are."""
    require_status(app, *FAMILY_EDITABLE)
    member = _member(app, member_id)
    if income is not None and income < 0:
        raise RuleError("income cannot be negative")
    if name is not None:
        member.full_name = name
    if income is not None:
        member.monthly_income = income
    await record(session, app, "family_member_changed", actor=actor, at=env.now())
    return member


async def remove_family_member(
    session: AsyncSession, env: CaseEnv, app: Application, member_id: int, *, actor: str
) -> None:
    require_status(app, *FAMILY_EDITABLE)
    app.family.remove(_member(app, member_id))
    await record(session, app, "family_member_removed", actor=actor, at=env.now())


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
        require_status(app, *AWAITING_HEARING)
        await objection_window_open(session, env, app)
    else:
        require_status(app, Status.DRAFT, Status.SUBMITTED)
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
    if app.filer is Filer.REPRESENTATIVE and not (app.representative_name and app.represented_iin):
        raise RuleError(
            "a representative files with their name, the IIN of the person represented and a "
            "power of attorney"
        )
    if app.channel is Channel.BOT:
        await signing.require_signature(session, app)
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
    await move(session, app, Status.REGISTERED, actor=actor, at=env.now())
    assert app.received_at is not None  # an accepted filing was received
    app.registered_on = env.calendar.registration_date(app.received_at)
    await refresh_deadlines(session, env, app)
    await notices.enqueue(session, env, app, NoticeKind.ACCEPTANCE_RECEIPT, {})


async def take_in(session: AsyncSession, env: CaseEnv, app: Application, *, actor: str) -> bool:
    """Submit, check and, when complete, register: what one intake act does. True if accepted."""
    await submit(session, env, app, actor=actor)
    if (await check_completeness(session, env, app, actor=actor)).complete:
        await register(session, env, app, actor=actor)
        return True
    return False


async def take_in_signed_at_desk(
    session: AsyncSession, env: CaseEnv, app: Application, *, actor: str
) -> bool:
    """A bot draft its applicant could not sign in the bot (no MCDB-registered phone): staff
    see the identity card, the applicant signs at the desk, and the same draft is taken in."""
    require_status(app, Status.DRAFT)
    if app.channel is not Channel.BOT:
        raise RuleError("only a draft started in the bot is signed at the desk")
    await signing.sign_in_person(session, env, app, actor=actor)
    app.received_by = actor
    return await take_in(session, env, app, actor=actor)


@dataclass(frozen=True)
class PaperDocument:
    """A paper original seen at the desk: no file is stored, only what it is and its validity."""

    kind: DocumentKind
    title: str
    valid_until: date | None = None


@dataclass(frozen=True)
class PaperApplication:
    iin: str
    last_name: str
    first_name: str
    middle_name: str | None
    locale: str
    phone: str | None
    ground: Ground
    filer: Filer
    representative_name: str | None
    represented_iin: str | None
    settlement: str | None
    address: str | None
    family: Sequence[tuple[str, Decimal]]
    documents: Sequence[PaperDocument]
    iban: str | None = None  # where to pay if granted (DR §23)


async def attach_paper(
    session: AsyncSession,
    env: CaseEnv,
    app: Application,
    documents: Sequence[PaperDocument],
    *,
    actor: str,
) -> None:
    for doc in documents:
        await attach_document(
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


async def take_in_paper(
    session: AsyncSession, env: CaseEnv, paper: PaperApplication, *, role: Role, actor: str
) -> Application:
    """A paper application handed in at a desk (SR §2), recorded with the intake channel of the
    desk that took it in, and submitted."""
    channel = INTAKE_CHANNEL.get(role)
    if channel is None:
        raise RuleError(f"the role {role} does not take in applications", role=role.value)
    applicant = await get_or_create_applicant(
        session,
        env,
        paper.iin,
        last_name=paper.last_name,
        first_name=paper.first_name,
        middle_name=paper.middle_name,
        locale=paper.locale,
        phone=paper.phone,
    )
    app = await start_application(
        session,
        env,
        applicant,
        channel=channel,
        actor=actor,
        ground=paper.ground,
        filer=paper.filer,
        representative_name=paper.representative_name,
        represented_iin=paper.represented_iin,
        settlement=paper.settlement,
        address=paper.address,
        phone=paper.phone,
        received_by=actor,
    )
    if paper.family:
        await set_family(session, env, app, paper.family, actor=actor)
    await attach_paper(session, env, app, paper.documents, actor=actor)
    if paper.iban:
        await payments.set_iban(session, env, app, paper.iban, actor=actor)
    await submit(session, env, app, actor=actor)
    return app
