"""The work queue, the console's first page: the cases that need someone, most urgent first.

Filters by status, ground, settlement and term; a search by application number, name or (for
roles that may see it) IIN. A search by IIN from a role that sees IINs masked is refused: with
the masked digits in view it would be an oracle (gateway/staff/board.py). Every search is recorded
in the lookup audit, a refused one too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from casework.law.roles import Action
from casework.law.rules import Ground
from casework.law.status import Status
from casework.law.terms import TERM_RULES, Term
from casework.steps import lookups, notices_at_risk, work_queue
from casework.steps.rows import ID_MAX
from casework.steps.work_queue import URGENCIES, Cursor, QueueFilter
from casework.texts.i18n import N_
from gateway.console.cases import page_helpers
from gateway.console.web import Console, ConsoleDep
from gateway.staff.deps import EnvDep, SessionDep

router = APIRouter()

E = TypeVar("E", bound=StrEnum)

URGENCY_NAMES: dict[str, str] = {
    "overdue": N_("Overdue"),
    "today": N_("Last day today"),
    "soon": N_("Due within one working day"),
    "later": N_("Later"),
    "none": N_("No term running"),
}
SEARCH_MAX = 100
_NUMBER = re.compile(r"^(?:№|#|N)?\s*(\d{1,10})$")
_IIN = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class Search:
    """What a clerk typed: an application number, a 12-digit IIN, or words of a name."""

    text: str = ""
    application_id: int | None = None
    iin: str | None = None
    words: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: str) -> Search:
        text = " ".join(raw.split())[:SEARCH_MAX]
        digits = re.sub(r"[\s-]", "", text)
        if _IIN.match(digits):
            return cls(text, iin=digits)
        number = _NUMBER.match(text)
        if number:
            found = int(number.group(1))
            return cls(text, application_id=found if found <= ID_MAX else 0)
        return cls(text, words=tuple(w[:50] for w in text.split()[:5]))


def _chosen(kind: type[E], values: list[str]) -> tuple[E, ...]:
    """The known values of a filter, in the enum's order; anything else is left out."""
    picked = set(values)
    return tuple(v for v in kind if v.value in picked)


def _filters_text(f: QueueFilter, search: Search) -> str:
    """The lookup's filters other than the IIN, from the checked values."""
    pairs = [("status", s.value) for s in f.statuses] + [("ground", g.value) for g in f.grounds]
    pairs += [("term", t.value) for t in f.terms]
    if f.settlement:
        pairs.append(("settlement", f.settlement))
    if search.application_id is not None:
        pairs.append(("number", str(search.application_id)))
    if search.words:
        pairs.append(("name", " ".join(search.words)))
    if f.everything:
        pairs.append(("all", "1"))
    return urlencode(pairs)


@router.get("/queue", response_class=HTMLResponse)
async def queue_page(console: ConsoleDep, session: SessionDep, env: EnvDep) -> Response:
    console.require(Action.VIEW_CASES)
    query = console.request.query_params
    search = Search.parse(query.get("q", ""))
    settlement = " ".join(query.get("settlement", "").split())[:200] or None
    f = QueueFilter(
        statuses=_chosen(Status, query.getlist("status")),
        grounds=_chosen(Ground, query.getlist("ground")),
        settlement=settlement,
        terms=_chosen(Term, query.getlist("term")),
        application_id=search.application_id,
        iin=search.iin,
        name_words=search.words,
        everything=query.get("all") == "1",
    )
    audit = partial(
        lookups.record,
        staff_id=console.staff.id,
        at=env.now(),
        kind=lookups.kind_of(
            iin=f.iin,
            by_deadline=bool(f.terms),
            filtered=bool(f.statuses or f.grounds or f.settlement or search.text),
        ),
        iin=f.iin,
        filters=_filters_text(f, search),
    )
    context: dict[str, Any] = {
        "f": f,
        "search": search,
        "settlements": await work_queue.settlements(session),
        "statuses": [s for s in Status if s is not Status.DRAFT],
        "grounds": list(Ground),
        "terms": [rule.term for rule in TERM_RULES],
        "urgencies": URGENCIES,
        "urgency_names": URGENCY_NAMES,
        **page_helpers(console, env),
    }
    if f.iin and not console.may(Action.VIEW_IIN):
        await audit(session, found=0, refused=True)
        context["search"] = Search()  # not shown back to a role that sees IINs masked
        return console.page("queue.html", 403, refused=True, page=None, **context)
    after = Cursor.decode(query.get("after"))
    page = await work_queue.page(session, env, f, after=after, limit=work_queue.PAGE_SIZE)
    if after is None:  # heading the first page, as the counts do
        context["at_risk_total"] = total = await notices_at_risk.count_at_risk(session, env)
        context["at_risk"] = (
            await notices_at_risk.notices_at_risk(session, env, limit=AT_RISK_SHOWN)
            if total
            else []
        )
    if f.searching:
        await audit(session, found=len(page.rows))
    return console.page(
        "queue.html",
        refused=False,
        page=page,
        more_url=None if page.after is None else _page_url(console, page.after),
        first_url=_page_url(console, None) if "after" in query else None,
        **context,
    )


# Notices at risk of their legal term shown above the queue: the earliest terms, each a call to
# make or a sheet to print today (the staff API lists them all: /staff/notices/at-risk).
AT_RISK_SHOWN = 10


def _page_url(console: Console, after: Cursor | None) -> str:
    """The same filters, from the case after `after` (from the first case if None)."""
    kept = [(k, v) for k, v in console.request.query_params.multi_items() if k != "after"]
    if after is not None:
        kept.append(("after", after.encode()))
    return "/console/queue?" + urlencode(kept)
