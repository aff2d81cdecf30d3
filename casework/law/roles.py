"""District staff roles and which role may do which action (rules as data)."""

from __future__ import annotations

from enum import StrEnum

from casework.law.procedure import Step
from casework.law.rules import Channel


class Role(StrEnum):
    INTAKE_OFFICE = "intake_office"
    INTAKE_AKIM = "intake_akim"
    INTAKE_STATE_CORPORATION = "intake_state_corporation"
    COMMISSION_SECRETARY = "commission_secretary"
    DECISION_MAKER = "decision_maker"
    ADMINISTRATOR = "administrator"
    ACCOUNTANT = "accountant"


class Action(StrEnum):
    TAKE_IN = "take_in"  # paper application, its documents, the completeness check
    REGISTER = "register"
    ROUTE = "route"  # precinct commission, inspection, incomes, special commission, conclusion
    EXTEND = "extend"
    PRELIMINARY_REFUSAL = "preliminary_refusal"
    HEARING = "hearing"  # oral objection, hearing, protocol, remarks
    DECIDE = "decide"
    TERMINATE = "terminate"
    VIEW_CASES = "view_cases"  # lookup, case file, deadline board
    VIEW_IIN = "view_iin"  # see identity numbers unmasked
    BROADCAST = "broadcast"
    HOLIDAY_IMPORT = "holiday_import"
    HOLIDAY_GRANT = "holiday_grant"
    PRINT_QUEUE = "print_queue"  # printed notices to hand over in person (SR §15)
    CALENDAR = "calendar"
    MANAGE_STAFF = "manage_staff"
    BANK_ACCOUNT = "bank_account"  # record or change where assistance is paid
    REGISTERS = "registers"  # payment registers, the State Corporation's application, transfers
    PAYMENT_RESULTS = "payment_results"  # import what was paid and returned
    BUDGET = "budget"  # set the year's budget per assistance kind
    LINK_ACCOUNTS = "link_accounts"  # confirm a Telegram account in person, or revoke a link
    ANSWER_QUESTIONS = "answer_questions"  # answer applicants' questions (never a legal act)


A = Action
# Intake staff see the person and the identity card: they confirm Telegram links in person.
# Paper intake asks where to pay (the IBAN), so intake may record and change it.
_INTAKE = frozenset(
    {A.TAKE_IN, A.VIEW_CASES, A.VIEW_IIN, A.PRINT_QUEUE, A.LINK_ACCOUNTS, A.BANK_ACCOUNT}
)

# Who may do what. The provider's office registers; the akim and the State Corporation accept
# and hand results over (DOMAIN.md "Actors"); deciding is the decision maker's alone.
PERMISSIONS: dict[Role, frozenset[Action]] = {
    # The department's own staff who handle cases answer questions; the akim's office and the
    # State Corporation only take applications in, and send people to the department.
    Role.INTAKE_OFFICE: _INTAKE | {A.REGISTER, A.ANSWER_QUESTIONS},
    Role.INTAKE_AKIM: _INTAKE,
    Role.INTAKE_STATE_CORPORATION: _INTAKE,
    Role.COMMISSION_SECRETARY: frozenset(
        {
            A.REGISTER,
            A.ROUTE,
            A.EXTEND,
            A.HEARING,
            A.VIEW_CASES,
            A.VIEW_IIN,
            A.BROADCAST,
            A.HOLIDAY_IMPORT,
            A.PRINT_QUEUE,
            A.ANSWER_QUESTIONS,
        }
    ),
    # Decides on the case file; the identity number is not needed for that, so it stays masked.
    Role.DECISION_MAKER: frozenset(
        {
            A.EXTEND,
            A.PRELIMINARY_REFUSAL,
            A.DECIDE,
            A.TERMINATE,
            A.VIEW_CASES,
            A.HOLIDAY_GRANT,
            A.ANSWER_QUESTIONS,
        }
    ),
    # Never sees the person at the counter: does not link Telegram accounts.
    Role.ADMINISTRATOR: frozenset({A.CALENDAR, A.MANAGE_STAFF, A.VIEW_CASES}),
    # Pays what was decided (DR §29–§34): a register names recipients by IIN and IBAN.
    Role.ACCOUNTANT: frozenset(
        {A.REGISTERS, A.PAYMENT_RESULTS, A.BUDGET, A.BANK_ACCOUNT, A.VIEW_CASES, A.VIEW_IIN}
    ),
}

# The intake channel a paper application is recorded with (SR §2), by who took it in.
INTAKE_CHANNEL: dict[Role, Channel] = {
    Role.INTAKE_OFFICE: Channel.PROVIDER_OFFICE,
    Role.INTAKE_AKIM: Channel.RURAL_AKIM,
    Role.INTAKE_STATE_CORPORATION: Channel.STATE_CORPORATION,
}


# The permission each step of the procedure (law/procedure.py) needs.
STEP_ACTION: dict[Step, Action] = {
    Step.REGISTER: A.REGISTER,
    Step.FORWARD_TO_PRECINCT: A.ROUTE,
    Step.RECORD_INSPECTION: A.ROUTE,
    Step.RECORD_INCOMES: A.ROUTE,
    Step.TO_SPECIAL_COMMISSION: A.ROUTE,
    Step.RECORD_CONCLUSION: A.ROUTE,
    Step.EXTEND: A.EXTEND,
    Step.PRELIMINARY_REFUSAL: A.PRELIMINARY_REFUSAL,
    Step.RESCHEDULE_HEARING: A.HEARING,
    Step.RECORD_OBJECTION: A.HEARING,
    Step.HOLD_HEARING: A.HEARING,
    Step.MAKE_PROTOCOL: A.HEARING,
    Step.RECORD_REMARKS: A.HEARING,
    Step.GRANT: A.DECIDE,
    Step.REFUSE: A.DECIDE,
    Step.TERMINATE: A.TERMINATE,
}


def may(role: Role, action: Action) -> bool:
    return action in PERMISSIONS.get(role, frozenset())
