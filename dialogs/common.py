"""What every flow shares: the update's session and case environment, the applicant, the draft,
and the one rule for where an applicant belongs when they come back."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.state import State
from aiogram_dialog import DialogManager, StartMode
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.rules import GROUND_RULES, Channel, Filer
from casework.law.status import Status
from casework.steps import intake
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.applications import Application
from dialogs import states

ACTOR = "applicant"


class DraftGone(Exception):
    """The screen speaks of a draft that is no longer one (taken in at the desk meanwhile), or of
    a part of it no longer there: the applicant is brought back to their place (bot.errors)."""


def session_of(manager: DialogManager) -> AsyncSession:
    return manager.middleware_data["session"]


def env_of(manager: DialogManager) -> CaseEnv:
    return manager.middleware_data["env"]


def applicant_of(manager: DialogManager) -> Applicant | None:
    return manager.middleware_data.get("applicant")


# The draft as loaded once in this update: a handler, the next step and the new window's getter
# all ask for it, and the steps change it through its collections, so the object stays current.
_DRAFT = "komek_draft"


async def draft_of(manager: DialogManager) -> Application | None:
    applicant = applicant_of(manager)
    if applicant is None:
        return None
    cached = manager.middleware_data.get(_DRAFT)
    if cached is not None and cached[0] == applicant.id:
        app: Application | None = cached[1]
        if app is None or app.status is Status.DRAFT:  # only the bot starts a draft: open_draft
            return app
    app = await intake.current_draft(session_of(manager), applicant.id)
    manager.middleware_data[_DRAFT] = (applicant.id, app)
    return app


async def open_draft(manager: DialogManager) -> Application:
    """The applicant's draft, started if there is none: filing always resumes the same one."""
    applicant = applicant_of(manager)
    assert applicant is not None, "identity comes before filing"
    app = await draft_of(manager)
    if app is None:
        app = await intake.start_application(
            session_of(manager),
            env_of(manager),
            applicant,
            channel=Channel.BOT,
            actor=ACTOR,
            phone=applicant.phone,
        )
        manager.middleware_data[_DRAFT] = (applicant.id, app)
    return app


def save_answer(app: Application, **answers: Any) -> None:
    """Keep the answers in the draft's JSON too: a new dict, so the change is noticed."""
    app.draft = {**(app.draft or {}), **answers}


def filing_step(app: Application) -> State:
    """The first question of the filing still unanswered; documents once everything is checked."""
    answers = app.draft or {}
    if app.filer is None:
        return states.Filing.filer
    if app.filer is Filer.REPRESENTATIVE and not app.representative_name:
        return states.Filing.representative
    if app.filer is Filer.REPRESENTATIVE and not app.represented_iin:
        return states.Filing.represented_iin
    if app.ground is None:
        return states.Filing.ground
    if GROUND_RULES[app.ground].income_dependent and not answers.get("family_done"):
        if answers.get("pending_member"):
            return states.Filing.member_income
        return states.Filing.family_more if app.family else states.Filing.member_name
    if not app.settlement:
        return states.Filing.settlement
    if not app.address:
        return states.Filing.address
    if not app.iban and not answers.get("iban_later"):
        return states.Filing.iban
    if not answers.get("confirmed"):
        return states.Filing.summary
    return states.Documents.checklist


async def place_of(manager: DialogManager) -> State:
    """Where this applicant belongs now, from what is saved (not from conversation state)."""
    if not manager.middleware_data.get("locale_chosen"):
        return states.Language.choose
    applicant = applicant_of(manager)
    if applicant is None:
        return states.Identity.iin
    if not applicant.phone:
        return states.Identity.contact
    if applicant.name_given_at is None:  # notices greet by it, never by a Telegram profile
        return states.Identity.name
    app = await draft_of(manager)
    if app is not None:
        return filing_step(app)
    return states.Menu.main


async def go_to_place(manager: DialogManager, **start_data: Any) -> None:
    target = await place_of(manager)
    await manager.start(target, data=start_data or None, mode=StartMode.RESET_STACK)


async def advance(manager: DialogManager) -> None:
    """After an answer: the next unanswered step, in this dialog or the next one."""
    target = await place_of(manager)
    if manager.has_context() and target.group is manager.current_context().state.group:
        await manager.switch_to(target)
    else:
        await manager.start(target, mode=StartMode.RESET_STACK)
