"""The decision (SR App. 5, DR §20–§22): a grant within the district's ceiling, or a refusal
after the preliminary refusal and hearing; and its notice reaching the applicant (SR §15)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.errors import RuleError
from casework.law.notices import NoticeKind
from casework.law.procedure import Step, refusal_grounds_heard, refusal_grounds_hold
from casework.law.rules import Channel, Periodicity, RefusalGround
from casework.law.status import NOTIFIED, Status
from casework.law.terms import Term
from casework.steps import notices, payments
from casework.steps.audit import move
from casework.steps.deadlines import meet, refresh_deadlines
from casework.steps.procedure import raise_first, require
from casework.system.env import CaseEnv
from casework.tables.applications import Application
from casework.tables.decisions import Assistance, Decision


async def grant(
    session: AsyncSession,
    env: CaseEnv,
    app: Application,
    *,
    kind: str,
    amount: Decimal,
    periodicity: Periodicity,
    starts_on: date | None = None,
    over_budget_confirmed: bool = False,
    actor: str,
) -> Decision:
    """SR App. 5: grant on the commission's conclusion, within the district's ceiling; its
    payment schedule within the year's budget (DR §23), unless staff confirm going over."""
    require(env, app, Step.GRANT)
    known = [k.code for k in env.district.assistance]
    if kind not in known:
        raise RuleError(f"the district has no assistance kind {kind!r}", known=known)
    assistance_kind = env.district.assistance_kind(kind)
    if app.ground is not None and app.ground not in assistance_kind.grounds:
        raise RuleError(f"assistance {kind} is not given on the ground {app.ground}")
    if periodicity not in assistance_kind.periodicity:
        raise RuleError(f"assistance {kind} is not paid {periodicity}")
    ceiling = env.district.ceiling(kind, env.today().year)
    if amount <= 0 or amount > ceiling:
        raise RuleError(f"the amount must be above 0 and at most {ceiling}", ceiling=ceiling)
    decision = Decision(application_id=app.id, granted=True, decided_by=actor, decided_at=env.now())
    decision.assistance = Assistance(
        kind=kind,
        amount=amount,
        periodicity=periodicity,
        starts_on=starts_on or env.today(),
        termination=None,
    )
    session.add(decision)
    app.decisions.append(decision)
    await payments.schedule_grant(session, env, app, actor=actor, confirmed=over_budget_confirmed)
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
    """SR App. 5: refusal on DR §22 grounds, only after the applicant could be heard on them."""
    grounds = list(grounds)
    if not grounds:
        raise RuleError("a refusal names at least one ground")
    facts = require(env, app, Step.REFUSE)
    checks = (refusal_grounds_heard(facts, grounds), refusal_grounds_hold(facts, grounds))
    raise_first(app, Step.REFUSE, checks)
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


async def mark_notified(
    session: AsyncSession, env: CaseEnv, app: Application, *, actor: str, via: str
) -> None:
    """The decision notice reached the applicant: by chat, SMS or a handed-over print.

    A decision goes by SMS and chat alike, so this runs once per delivery: the first moves the
    case; later ones change nothing but the chat term, which only the chat meets for bot filings.
    """
    # Only a decided case moves; one already notified (or terminated since) stays where it is.
    target = NOTIFIED.get(app.status)
    if target is not None:
        await move(session, app, target, actor=actor, at=env.now(), reason=via)
    if via == "chat" or app.channel is not Channel.BOT:
        meet(app, (Term.CHAT_NOTICE,), env.now())
