"""Loading a case with everything a step reads, and the state check every step starts with."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from casework.law.errors import DomainError
from casework.law.rules import Channel
from casework.law.status import Status
from casework.steps import rows
from casework.tables.applicants import Applicant
from casework.tables.applications import Application
from casework.tables.decisions import Assistance, Decision
from casework.tables.hearings import Hearing, HearingProtocol

# Async sessions cannot lazy-load: a step gets the whole case file at once.
CASE_LOADS = (
    joinedload(Application.applicant),  # one row per case: in the case's own query
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

# A draft's only move is to submission (casework/law/status.py), and terms, hearings and
# decisions all begin after it: a draft has none, so they are not asked for (three statements
# fewer on every bot update of a filing).
DRAFT_LOADS = CASE_LOADS[:3]
_AFTER_SUBMISSION = ("deadlines", "hearings", "decisions")

# The case queries every update and step runs, built once: composing one with its loads and
# computing its cache key took longer (0.3 ms) than SQLite takes to answer it.
_BY_ID = select(Application).where(Application.id == bindparam("id")).options(*CASE_LOADS)
_BY_ID_LOCKED = _BY_ID.with_for_update(of=Application)


def newest_case(
    *where: ColumnElement[bool], loads: tuple[Any, ...] = CASE_LOADS
) -> Select[Application]:
    """The applicant's most recent case among `where`, with its file, as a statement to keep."""
    return (
        select(Application)
        .where(Application.applicant_id == bindparam("applicant_id"), *where)
        .order_by(Application.id.desc())
        .limit(1)
        .options(*loads)
    )


_NEWEST_FILED = newest_case(Application.status != Status.DRAFT)
_NEWEST_FILED_IN_BOT = _NEWEST_FILED.where(Application.channel == Channel.BOT)


def known_empty(draft: Application) -> Application:
    """A draft loaded with `DRAFT_LOADS`, its later parts set to what they are: empty."""
    unloaded = inspect(draft).unloaded
    for name in _AFTER_SUBMISSION:
        if name in unloaded:
            set_committed_value(draft, name, [])
    return draft


async def load_application(
    session: AsyncSession, application_id: int, *, for_update: bool = False
) -> Application:
    """The case file; `for_update` locks it so two people cannot move it at once."""
    ids = {"what": "application", "key": "application_id"}
    rows.check_id(application_id, **ids)
    stmt = _BY_ID_LOCKED if for_update else _BY_ID
    app = (await session.scalars(stmt, {"id": application_id})).one_or_none()
    if app is None:
        raise rows.not_found(application_id, **ids)
    return app


async def reload(session: AsyncSession, application: Application) -> Application:
    """Fresh relationships after a change (async sessions cannot lazy-load)."""
    application_id = application.id
    session.expire(application)
    return await load_application(session, application_id)


def seen_by_account(applicant: Applicant, app: Application) -> bool:
    """May the applicant's Telegram account see this case? Every case once the link is proven;
    until then only what was filed in the bot (SR §6: the cabinet shows the holder's own)."""
    return app.applicant_id == applicant.id and (
        applicant.telegram_verified or app.channel is Channel.BOT
    )


async def visible_case(session: AsyncSession, applicant: Applicant) -> Application | None:
    """The most recent case the applicant's Telegram account may see (`seen_by_account`)."""
    stmt = _NEWEST_FILED if applicant.telegram_verified else _NEWEST_FILED_IN_BOT
    return (await session.scalars(stmt, {"applicant_id": applicant.id})).one_or_none()


async def find_cases(
    session: AsyncSession,
    *,
    iin: str | None = None,
    statuses: list[Status] | None = None,
    limit: int = 200,
) -> list[tuple[Application, Applicant]]:
    """Filed cases, newest first, by the applicant's IIN and the cases' states."""
    stmt = (
        select(Application, Applicant)
        .join(Applicant, Application.applicant_id == Applicant.id)
        .where(Application.status != Status.DRAFT)
        .order_by(Application.id.desc())
        .limit(limit)
    )
    if iin:
        stmt = stmt.where(Applicant.iin == iin)
    if statuses:
        stmt = stmt.where(Application.status.in_(statuses))
    return [(app, applicant) for app, applicant in await session.execute(stmt)]


def require_status(app: Application, *states: Status) -> None:
    if app.status not in states:
        raise DomainError(
            f"application {app.id} is {app.status}, expected one of {[s.value for s in states]}",
            current=app.status.value,
        )
