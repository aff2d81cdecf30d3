"""Every notice kind reads right in Kazakh and Russian, with a short SMS version."""

from __future__ import annotations

from datetime import date

import pytest

from casework.law.notices import NoticeKind
from casework.law.rules import TerminationGround
from casework.steps import case_file
from casework.steps.notices import enqueue
from casework.system.db import transaction
from casework.system.env import CaseEnv
from gateway.sms import segments
from tests.gateway.conftest import Cases

KAZAKH_ONLY = set("әғқңөұүһі")

# What each kind must say, in each language (a fragment of the full text).
MUST_SAY = {
    NoticeKind.ACCEPTANCE_RECEIPT: {"kk": ["қабылданып", "тіркелді"], "ru": ["принято"]},
    NoticeKind.REFUSAL_TO_ACCEPT: {
        "kk": ["қабылданбады", "Жетіспейтін"],
        "ru": ["не принято", "Не хватает"],
    },
    NoticeKind.PRELIMINARY_REFUSAL: {
        "kk": [
            "алдын ала шешім",
            "Негіздері",
            "Тыңдау",
            "бейнеконференция",
            "2 жұмыс күні",
            "meet.example",
        ],
        "ru": [
            "Предварительное решение",
            "Основания",
            "Заслушивание",
            "видеоконференц",
            "2 рабочих дней",
            "meet.example",
        ],
    },
    NoticeKind.HEARING_INVITATION: {"kk": ["тыңдауға шақырамыз"], "ru": ["Приглашаем"]},
    NoticeKind.DECISION_GRANTED: {
        "kk": ["тағайындалды", "43", "бір жолғы"],
        "ru": ["назначена", "единовременно"],
    },
    NoticeKind.DECISION_REFUSED: {
        "kk": ["бас тартылды", "шағым", "сотқа"],
        "ru": ["отказано", "жалобу", "суд"],
    },
    NoticeKind.TERMINATION: {"kk": ["тоқтатылды", "Қайтыс"], "ru": ["прекращена"]},
    NoticeKind.HOLIDAY_ASSISTANCE: {"kk": ["өтінішсіз"], "ru": ["без заявления"]},
    NoticeKind.SIGNING_CODE: {"kk": ["қол қою коды", "424242"], "ru": ["подписи", "424242"]},
    NoticeKind.LINK_CODE: {"kk": ["байланыстыру коды", "424242"], "ru": ["привязки", "424242"]},
    NoticeKind.PAYMENT_RETURNED: {"kk": ["қайтарылды", "IBAN"], "ru": ["вернулась", "IBAN"]},
    NoticeKind.PROTOCOL_READY: {
        "kk": ["хаттамасы дайын", "3 жұмыс күні", "ескертулер"],
        "ru": ["Протокол заслушивания", "3 рабочих дней", "замечания"],
    },
    NoticeKind.QUESTION_ANSWER: {
        "kk": ["сұрағыңыз", "Бөлімнің жауабы", "Төлем бола ма?", "Иә, келесі айда."],
        "ru": ["Ваш вопрос", "Ответ отдела", "Будет ли выплата?", "Да, в следующем месяце."],
    },
    NoticeKind.REMINDER: {
        "kk": ["Еске салу", "қарсылық білдіру мерзімі бүгін аяқталады"],
        "ru": ["Напоминание", "истекает сегодня"],
    },
}


async def _notice_of(case_builder: Cases, env: CaseEnv, kind: NoticeKind, locale: str):  # type: ignore[no-untyped-def]
    if kind is NoticeKind.REFUSAL_TO_ACCEPT:
        app_id = await case_builder.registered(1, locale=locale)
        payload = {"missing": ["income"], "expired": ["identity"]}
    elif kind in (NoticeKind.PRELIMINARY_REFUSAL, NoticeKind.HEARING_INVITATION):
        app_id = await case_builder.preliminary_refusal(1, locale=locale)
        payload = {}
    elif kind in (NoticeKind.DECISION_GRANTED, NoticeKind.TERMINATION):
        app_id = await case_builder.granted(1, locale=locale)
        payload = {"ground": TerminationGround.DEATH.value, "stops": str(date(2026, 12, 1))}
    elif kind is NoticeKind.DECISION_REFUSED:
        app_id = await case_builder.refused(1, locale=locale)
        payload = {}
    elif kind is NoticeKind.PROTOCOL_READY:
        app_id = await case_builder.preliminary_refusal(1, locale=locale)
        payload = {"remarks_due": "2026-11-19"}
    elif kind is NoticeKind.PAYMENT_RETURNED:
        app_id = await case_builder.granted(1, locale=locale)
        payload = {"months": ["2026-12-01"], "amount": "43250", "reason": "Счёт закрыт"}
    elif kind is NoticeKind.REMINDER:
        app_id = await case_builder.registered(1, locale=locale)
        payload = {"reminder": "objection_closes", "day": str(env.today())}
    elif kind is NoticeKind.QUESTION_ANSWER:
        app_id = await case_builder.registered(1, locale=locale)
        asked = {
            "kk": ("Төлем бола ма?", "Иә, келесі айда."),
            "ru": ("Будет ли выплата?", "Да, в следующем месяце."),
        }
        payload = dict(zip(("question", "answer"), asked[locale], strict=True))
    elif kind in (NoticeKind.SIGNING_CODE, NoticeKind.LINK_CODE):
        app_id = await case_builder.registered(1, locale=locale)
        payload = {"code": "424242", "phone": "+77010000001"}
    else:
        app_id = await case_builder.registered(1, locale=locale)
        payload = {}
    async with transaction(case_builder.sessions) as s:
        app = await case_file.load_application(s, app_id)
        [notice] = await enqueue(s, env, app, kind, payload)  # SMS only: an office filing
        return notice


@pytest.mark.parametrize("locale", ["kk", "ru"])
@pytest.mark.parametrize("kind", list(NoticeKind))
async def test_each_kind_in_each_language(
    case_builder: Cases, env: CaseEnv, kind: NoticeKind, locale: str
) -> None:
    notice = await _notice_of(case_builder, env, kind, locale)
    for fragment in MUST_SAY[kind][locale]:
        assert fragment.lower() in notice.text.lower(), (fragment, notice.text)
    assert ".." not in notice.text
    own_words = (notice.text + notice.sms_text + notice.title).replace("Сәрсенбаева Әйгерім", "")
    letters = set(own_words)
    if locale == "ru":
        assert not letters & KAZAKH_ONLY - {"і"}, notice.text
    else:
        assert letters & KAZAKH_ONLY
    assert "{" not in notice.text and "{" not in notice.sms_text
    assert segments(notice.sms_text) <= 2, notice.sms_text
    assert len(notice.sms_text) < len(notice.text)
