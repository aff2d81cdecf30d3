"""What one update costs the database: a bounded number of SQL statements, however much the case
holds. A per-row query (one per family member, document or notice) breaks these bounds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from casework.law.notices import NoticeStatus
from casework.law.rules import DocumentKind, Ground
from casework.steps import intake
from casework.steps.case_file import load_application
from casework.steps.notices import enqueue, sent_notices
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.applications import Application
from casework.tables.notices import Notice
from tests.bot.flows import Sessions, t
from tests.bot.telegram import Phone
from tests.builders import iin_for, phone_for, take_in_signed
from tests.casework.helpers import draft

# Reached by removing what was read more than once per update (bot/storage.py, bot/middlewares.py,
# dialogs/common.py); before that the same updates took 22 and 34 statements.
STATUS_SCREEN_STATEMENTS = 16
FILING_STEP_STATEMENTS = 10  # a draft has no terms, hearings or decisions to read


class Statements:
    """Counts every statement the engine sends to the database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine, self.count = engine, 0

    def _seen(self, *_: Any) -> None:
        self.count += 1

    def __enter__(self) -> Statements:
        self.count = 0
        event.listen(self.engine.sync_engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_: Any) -> None:
        event.remove(self.engine.sync_engine, "before_cursor_execute", self._seen)


@pytest.fixture
def statements(engine: AsyncEngine) -> Iterator[Statements]:
    yield Statements(engine)


async def _applicant_with(
    sessions: Sessions, env: CaseEnv, n: int, rows: int, ground: Ground
) -> Application:
    """A linked, named applicant whose draft has `rows` family members and `rows` documents more
    than the ground's checklist."""
    async with sessions() as session, session.begin():
        app = await draft(session, env, ground=ground, iin=iin_for(n))
        for k in range(rows):
            await intake.attach_document(
                session,
                env,
                app,
                kind=DocumentKind.IDENTITY,
                file_name=f"scan{k}.pdf",
                content_type="application/pdf",
                size=1000,
                sha256=f"{k:064d}",
                storage_path=f"files/scan{k}.pdf",
                actor="applicant",
            )
        members = [(f"Сейітқали {k}", Decimal(10000 * k)) for k in range(rows)]
        await intake.set_family(session, env, app, members, actor="applicant")
        applicant = await session.get(Applicant, app.applicant_id)
        assert applicant is not None
        applicant.telegram_id, applicant.locale, applicant.phone = 5000 + n, "kk", phone_for(n)
        applicant.name_given_at = datetime.now(UTC)
        return app


async def _registered_with(sessions: Sessions, env: CaseEnv, n: int, rows: int) -> int:
    """A registered case with `rows` family members, documents and notices sent to the chat."""
    app = await _applicant_with(sessions, env, n, rows, Ground.DISEASE)
    async with sessions() as session, session.begin():
        app = await load_application(session, app.id)
        assert await take_in_signed(session, env, app, actor="Омарова")
        written = select(Notice).where(Notice.application_id == app.id)
        receipt = (await session.scalars(written.limit(1))).one()
        for _ in range(rows - 1):  # the receipt again: a notice of the case, sent to the chat
            await enqueue(session, env, app, receipt.kind, receipt.payload)
        for notice in await session.scalars(written):
            notice.status, notice.sent_at = NoticeStatus.SENT, env.now()
        await session.flush()
        assert len(await sent_notices(session, app.id)) >= rows
        return app.id


async def test_the_status_screen_costs_the_same_statements_for_1_and_for_20_of_everything(
    phone, sessions: Sessions, env: CaseEnv, statements: Statements
) -> None:
    counts = {}
    for n, rows in ((1, 1), (2, 20)):
        await _registered_with(sessions, env, n, rows)
        p: Phone = phone(user_id=5000 + n)
        await p.send("/start")
        with statements:
            await p.tap(t("kk", "📄 My application"))
        assert t("kk", "🏠 Main menu") in p.buttons()  # the status screen, not an error
        counts[rows] = statements.count
    assert counts[20] == counts[1], counts
    assert counts[1] <= STATUS_SCREEN_STATEMENTS, counts


async def test_a_filing_step_costs_the_same_statements_for_1_and_for_20_of_everything(
    phone, sessions: Sessions, env: CaseEnv, statements: Statements
) -> None:
    counts = {}
    for n, rows in ((1, 1), (2, 20)):
        await _applicant_with(sessions, env, n, rows, Ground.LOW_INCOME)
        p: Phone = phone(user_id=5000 + n)
        await p.send("/start")  # back at the family list of the draft
        await p.tap(t("kk", "➕ Add a family member"))
        with statements:
            await p.send("Сейітқали Нұрлан")
        assert t("kk", "No income") in p.buttons(), p.text  # asked for the member's income
        counts[rows] = statements.count
    assert counts[20] == counts[1], counts
    assert counts[1] <= FILING_STEP_STATEMENTS, counts
