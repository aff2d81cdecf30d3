"""The print queue: notices to hand over in person when no SMS or chat can carry them (SR §15)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from casework.law.roles import Action
from casework.steps import delivery
from casework.tables.staff import Staff
from gateway import printing
from gateway.staff.deps import EnvDep, SessionDep, permit

router = APIRouter(prefix="/print-queue", tags=["print queue"])


class PrintItem(BaseModel):
    id: int
    application_id: int
    kind: str
    title: str
    locale: str
    # The channel that failed for good before the notice fell back to print, if any.
    failed_channel: str | None
    created_at: datetime


@router.get("")
async def list_queue(
    staff: Annotated[Staff, permit(Action.PRINT_QUEUE)],
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[PrintItem]:
    rows = await delivery.print_queue(session, limit=limit)
    return [
        PrintItem(
            id=n.id,
            application_id=n.application_id,
            kind=n.kind.value,
            title=n.title,
            locale=n.locale,
            failed_channel=n.failed_channel.value if n.failed_channel else None,
            created_at=n.created_at,
        )
        for n in rows
    ]


@router.get("/{notice_id}/pdf", response_class=Response)
async def notice_pdf(
    staff: Annotated[Staff, permit(Action.PRINT_QUEUE)],
    notice_id: int,
    session: SessionDep,
    env: EnvDep,
) -> Response:
    """The sheet as handed over today: a preliminary refusal names its last day to object."""
    pdf = await printing.notice_pdf(session, env, notice_id)
    return Response(pdf, media_type="application/pdf")


@router.post("/{notice_id}/handed-over")
async def handed_over(
    staff: Annotated[Staff, permit(Action.PRINT_QUEUE)],
    notice_id: int,
    session: SessionDep,
    env: EnvDep,
) -> dict[str, object]:
    """The applicant took the printed notice; for a decision that notifies the case."""
    notice = await delivery.hand_over(session, env, notice_id, actor=staff.name)
    return {"id": notice.id, "status": notice.status.value, "handed_over_by": staff.name}
