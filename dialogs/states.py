"""Every place an applicant can be in a conversation, one group per flow."""

from aiogram.fsm.state import State, StatesGroup


class Language(StatesGroup):
    choose = State()


class Identity(StatesGroup):
    iin = State()
    contact = State()
    code = State()
    result = State()
    name = State()
    name_check = State()


class Menu(StatesGroup):
    main = State()


class Filing(StatesGroup):
    filer = State()
    representative = State()
    represented_iin = State()
    ground = State()
    member_name = State()
    member_income = State()
    family_more = State()
    member = State()
    member_rename = State()
    member_reincome = State()
    settlement = State()
    address = State()
    iban = State()
    summary = State()


class Documents(StatesGroup):
    checklist = State()
    upload = State()
    confirm_incomplete = State()
    sign = State()
    no_signing = State()
    receipt = State()


class CaseStatus(StatesGroup):
    main = State()


class Objection(StatesGroup):
    main = State()
    text = State()
    evidence = State()
    done = State()
    protocol = State()
    remarks = State()


class Question(StatesGroup):
    main = State()
    text = State()
    done = State()
