"""The commissions: the precinct commission's inspection and the family's income (SR §7, §11),
the special commission's conclusion, and the extension of the decision term."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.errors import RuleError
from casework.law.income import assess_income
from casework.law.procedure import Step
from casework.law.status import Status
from casework.steps.audit import move, record
from casework.steps.deadlines import refresh_deadlines
from casework.steps.intake import set_family
from casework.steps.procedure import require
from casework.system.env import CaseEnv
from casework.tables.applications import Application


async def forward_to_precinct(
    session: AsyncSession, env: CaseEnv, app: Application, *, actor: str
) -> None:
    require(env, app, Step.FORWARD_TO_PRECINCT)
    await move(session, app, Status.AT_PRECINCT_COMMISSION, actor=actor, at=env.now())
    await refresh_deadlines(session, env, app)


async def record_inspection(
    session: AsyncSession, env: CaseEnv, app: Application, result: str, *, actor: str
) -> None:
    require(env, app, Step.RECORD_INSPECTION)
    app.inspection_result = result
    app.inspection_returned_at = env.now()
    await record(session, app, "inspection_recorded", actor=actor, at=env.now(), reason=result)
    await refresh_deadlines(session, env, app)


async def compute_income(
    session: AsyncSession, env: CaseEnv, app: Application, *, actor: str
) -> Decimal:
    """Per-capita income against the district threshold for the registration year (SR §11)."""
    require(env, app, Step.RECORD_INCOMES)
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


async def record_incomes(
    session: AsyncSession,
    env: CaseEnv,
    app: Application,
    members: Sequence[tuple[str, Decimal]],
    *,
    actor: str,
) -> Decimal:
    """The family's monthly incomes as the precinct commission found them, and the per-capita
    figure against the threshold."""
    require(env, app, Step.RECORD_INCOMES)
    await set_family(session, env, app, members, actor=actor)
    return await compute_income(session, env, app, actor=actor)


async def to_special_commission(
    session: AsyncSession, env: CaseEnv, app: Application, *, actor: str
) -> None:
    """SR §11: the income computed and the file submitted within 1 working day of the
    inspection's return; the submission meets that term."""
    require(env, app, Step.TO_SPECIAL_COMMISSION)
    await move(session, app, Status.AT_SPECIAL_COMMISSION, actor=actor, at=env.now())
    await refresh_deadlines(session, env, app)


async def record_conclusion(
    session: AsyncSession, env: CaseEnv, app: Application, conclusion: str, *, actor: str
) -> None:
    require(env, app, Step.RECORD_CONCLUSION)
    if not conclusion.strip():
        raise RuleError("the conclusion needs its text")
    app.commission_conclusion = conclusion
    await record(session, app, "commission_concluded", actor=actor, at=env.now(), reason=conclusion)


async def extend(
    session: AsyncSession, env: CaseEnv, app: Application, reason: str, *, actor: str
) -> None:
    """Model Rules §16–17 cases: the decision term becomes 20 working days from the day the
    documents were accepted (DR §20)."""
    require(env, app, Step.EXTEND)
    if not reason.strip():
        raise RuleError("an extension needs its reason")
    app.extended = True
    app.extension_reason = reason
    await record(session, app, "extended", actor=actor, at=env.now(), reason=reason)
    await refresh_deadlines(session, env, app)
