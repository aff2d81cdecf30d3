"""Small builders for case tests: an applicant with a filed application on a real date."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.rules import Channel, DocumentKind, Filer, Ground, required_documents
from casework.steps import intake
from casework.system.env import CaseEnv
from casework.tables.applications import Application
from tests.fakes.clock import FixedClock

VALID_IIN = "900101300811"  # check digit from the second weight pass


async def draft(
    session: AsyncSession,
    env: CaseEnv,
    *,
    ground: Ground,
    iin: str = VALID_IIN,
    filer: Filer = Filer.SELF,
    channel: Channel = Channel.BOT,
    documents: list[DocumentKind] | None = None,
) -> Application:
    applicant = await intake.get_or_create_applicant(
        session, env, iin, last_name="Сейітқали", first_name="Әлия", locale="kk"
    )
    app = await intake.start_application(
        session, env, applicant, channel=channel, actor="applicant", ground=ground, filer=filer
    )
    for kind in required_documents(ground, filer) if documents is None else documents:
        await intake.attach_document(
            session,
            env,
            app,
            kind=kind,
            file_name=f"{kind}.pdf",
            content_type="application/pdf",
            size=1000,
            sha256="0" * 64,
            storage_path=f"files/{kind}.pdf",
            actor="applicant",
        )
    return app


def at(clock: FixedClock, moment: datetime) -> None:
    clock.set(moment)


FAMILY = [("Сейітқали Әлия", Decimal("60000")), ("Сейітқали Нұрлан", Decimal("0"))]
