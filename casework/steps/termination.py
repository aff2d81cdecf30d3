"""Ending assistance (DR §24): the ground, the day the circumstance began and the day it was
found, and the day payments stop (counted from when it began)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.errors import RuleError
from casework.law.notices import NoticeKind
from casework.law.procedure import Step
from casework.law.rules import TERMINATION_RULES, TerminationGround, payment_stops_on
from casework.law.status import Status
from casework.steps import notices, payments
from casework.steps.audit import move
from casework.steps.procedure import require
from casework.system.env import CaseEnv
from casework.tables.applications import Application
from casework.tables.decisions import Termination


async def terminate(
    session: AsyncSession,
    env: CaseEnv,
    app: Application,
    *,
    ground: TerminationGround,
    began_on: date,
    found_on: date,
    actor: str,
) -> Termination:
    require(env, app, Step.TERMINATE)
    if not began_on <= found_on <= env.today():
        raise RuleError(
            "the circumstance begins no later than it is found, and is found no later than today",
            began_on=began_on,
            found_on=found_on,
        )
    decision = next((d for d in reversed(app.decisions) if d.granted), None)
    if decision is None or decision.assistance is None:
        raise RuleError("only granted assistance can be terminated")
    if app.ground is not None and app.ground in TERMINATION_RULES[ground].not_for:
        raise RuleError(f"{ground} does not end assistance on the ground {app.ground}")
    stops = payment_stops_on(ground, began_on)
    termination = Termination(
        assistance_id=decision.assistance.id,
        ground=ground,
        began_on=began_on,
        found_on=found_on,
        payment_stops_on=stops,
        recorded_by=actor,
        recorded_at=env.now(),
    )
    session.add(termination)
    decision.assistance.stops_on = stops
    decision.assistance.termination = termination
    await payments.cut_schedule(session, env, app, decision.assistance, actor=actor)
    await move(session, app, Status.TERMINATED, actor=actor, at=env.now(), reason=ground.value)
    await notices.enqueue(
        session, env, app, NoticeKind.TERMINATION, {"ground": ground.value, "stops": str(stops)}
    )
    return termination
