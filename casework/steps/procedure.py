"""The procedure's guards applied to a stored case: its facts, the check every step makes before
it changes anything, and the case's next lawful actions (law/procedure.py holds the rules)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date

from casework.law.errors import IllegalTransition, LateError, Unlawful
from casework.law.procedure import STARTS_FROM, Blocked, CaseFacts, HearingFacts, Step, blocked
from casework.law.rules import GROUND_RULES, RefusalGround
from casework.system.env import CaseEnv
from casework.tables.applications import Application


def case_facts(env: CaseEnv, app: Application) -> CaseFacts:
    cal = env.calendar
    hearing = app.latest_hearing
    heard = None
    if hearing is not None:
        protocol = hearing.protocol
        heard = HearingFacts(
            grounds=frozenset(RefusalGround(g) for g in hearing.refusal_grounds),
            issued_on=cal.local_date(hearing.issued_at),
            scheduled_at=hearing.scheduled_at,
            received_on=cal.local_date(hearing.received_at) if hearing.received_at else None,
            held=hearing.held_at is not None,
            objection=bool(hearing.objections),
            oral=any(o.oral for o in hearing.objections),
            protocol_made=protocol is not None,
            protocol_read=protocol is not None and protocol.read_at is not None,
            remarks_given=protocol is not None and bool(protocol.remarks),
        )
    return CaseFacts(
        status=app.status,
        now=env.now(),
        today=env.today(),
        calendar=cal,
        ground=app.ground,
        needs_inspection=env.district.inspects(app.ground),
        income_dependent=app.ground is not None and GROUND_RULES[app.ground].income_dependent,
        inspection_recorded=app.inspection_returned_at is not None,
        per_capita_income=app.per_capita_income,
        income_threshold=app.income_threshold,
        conclusion_recorded=bool(app.commission_conclusion),
        deadlines={row.term: row.due_on for row in app.deadlines},
        hearing=heard,
        # A ground counts as heard once its notice reached the applicant (the latest
        # hearing's own window is checked by the refusal's guards).
        heard_grounds=frozenset(
            RefusalGround(g)
            for h in app.hearings
            if h.received_at is not None
            for g in h.refusal_grounds
        ),
    )


def raise_first(app: Application, step: Step, reasons: Iterable[Blocked | None]) -> None:
    """Raise the domain error every caller shows: the first rule broken, its law and missing
    fact, every reason found, and the first day the step becomes lawful if waiting is enough."""
    found = [b for b in reasons if b is not None]
    if not found:
        return
    first = found[0]
    days = [b.lawful_from for b in found]
    params = {
        "step": step.value,
        "rule": first.rule,
        "law": first.law,
        "missing": first.missing,
        "lawful_from": max(d for d in days if d) if all(days) else None,
        "reasons": [asdict(b) for b in found],
        "current": app.status.value,
    }
    if first.rule == "state":
        message = f"application {app.id} is {app.status}: {step} needs {first.missing}"
        raise IllegalTransition(message, **params)
    if first.closed_on is not None:
        message = f"{step}: {first.missing} ({first.law})"
        raise LateError(message, deadline=first.closed_on, **params)
    raise Unlawful(f"{step}: needs {first.missing} ({first.law})", **params)


def require(env: CaseEnv, app: Application, step: Step) -> CaseFacts:
    """Refuse the step unless every guard holds now; the facts for the step's own checks."""
    facts = case_facts(env, app)
    raise_first(app, step, blocked(step, facts))
    return facts


@dataclass(frozen=True)
class NextActions:
    now: list[Step]
    later: list[tuple[Step, date, list[Blocked]]]
    blocked: list[tuple[Step, list[Blocked]]]


def next_actions(env: CaseEnv, app: Application) -> NextActions:
    """The steps lawful now, those lawful from a later day (the first one), and those blocked
    until something is done (with the rules); steps that do not start from this state are left
    out."""
    facts = case_facts(env, app)
    result = NextActions([], [], [])
    for step in Step:
        if app.status not in STARTS_FROM[step]:
            continue
        reasons = blocked(step, facts)
        waits = [b.lawful_from for b in reasons]
        if not reasons:
            result.now.append(step)
        elif all(day is not None for day in waits):
            result.later.append((step, max(d for d in waits if d is not None), reasons))
        else:
            result.blocked.append((step, reasons))
    return result
