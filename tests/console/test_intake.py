"""Paper intake in the console as a desk clerk uses it (no browser): the form with the checklist
of the chosen ground, the channel of the clerk's desk, the acceptance receipt or the refusal to
accept printed in the applicant's language, and bad input answered in words with nothing lost."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.law.notices import NoticeKind, NoticeStatus
from casework.law.roles import Role
from casework.law.rules import Channel
from casework.law.status import Status
from casework.steps.case_file import load_application
from casework.tables.applications import Application
from casework.tables.notices import Notice
from casework.texts.i18n import gettext
from tests.builders import iin_for
from tests.console.conftest import NAMES, SignIn
from tests.console.test_actions import text_of

R = Role


def paper(n: int = 1, **fields: object) -> dict[str, object]:
    """A low-income application as the clerk types it in from the paper form."""
    return {
        "iin": iin_for(n),
        "last_name": "Сейітқалиева",
        "first_name": "Әлия",
        "middle_name": "Нұрланқызы",
        "phone": "",
        "locale": "kk",
        "settlement": "Құлан",
        "address": "Абай көшесі, 12",
        "filer": "self",
        "ground": "low_income",
        "doc_identity": "yes",
        "title_identity": "Жеке куәлік № 045678912",
        "valid_identity": "2030-05-01",
        "doc_income": "yes",
        "member_name": ["Сейітқалиева Әлия", "Сейітқалиев Нұрлан", ""],
        "member_income": ["85 000", "0", ""],
        **fields,
    }


async def applications(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(Application)) or 0)


async def notices(sessions: async_sessionmaker[AsyncSession], cid: int) -> list[Notice]:
    async with sessions() as s:
        rows = await s.scalars(select(Notice).where(Notice.application_id == cid))
        return list(rows)


@pytest.mark.parametrize(
    ("role", "locale", "place"),
    [
        (R.INTAKE_OFFICE, "kk", "Жұмыспен қамту және әлеуметтік бағдарламалар бөлімі"),
        (R.INTAKE_AKIM, "ru", "Аким сельского округа"),
        (R.INTAKE_STATE_CORPORATION, "ru", "Правительство для граждан"),
    ],
)
async def test_the_form_names_the_clerks_desk_and_every_field(
    sign_in: SignIn, role: Role, locale: str, place: str
) -> None:
    clerk = await sign_in(role, locale=locale)
    page = await clerk.get("/console/intake")
    assert page.status_code == 200
    assert place in text_of(page)
    for field in ("iin", "last_name", "first_name", "phone", "ground", "iban", "member-name-1"):
        assert f'for="{field}"' in page.text and f'id="{field}"' in page.text
    assert 'hx-get="/console/intake/checklist"' in page.text


async def test_roles_that_do_not_take_in_get_no_form(sign_in: SignIn) -> None:
    boss = await sign_in(R.DECISION_MAKER, locale="ru")
    assert (await boss.get("/console/intake")).status_code == 403
    assert (await boss.post("/console/intake", paper())).status_code == 403
    assert 'href="/console/intake"' not in (await boss.get("/console/password")).text


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_the_checklist_follows_the_ground_and_the_filer(sign_in: SignIn, locale: str) -> None:
    clerk = await sign_in(R.INTAKE_OFFICE, locale=locale)
    r = await clerk.get("/console/intake/checklist?ground=disease&filer=self")
    names = [
        gettext(locale, m)
        for m in ("Identity document", "Document proving a socially significant disease")
    ]
    assert all(n in text_of(r) for n in names)
    assert gettext(locale, "Incomes of the family members") not in text_of(r)
    r = await clerk.get(
        "/console/intake/checklist?ground=low_income&filer=representative&doc_identity=yes"
    )
    assert gettext(locale, "Power of attorney") in text_of(r)
    assert 'name="doc_identity" value="yes" checked' in r.text  # what was ticked stays ticked
    # Without scripts the same comes from a plain submit, and nothing is taken in.
    r = await clerk.post("/console/intake", {"ground": "fire", "refresh": "1", "last_name": "Ким"})
    assert r.status_code == 200
    assert gettext(locale, "Document proving fire damage") in text_of(r)
    assert 'value="Ким"' in r.text
    r = await clerk.post("/console/intake", {**paper(), "more_rows": "1"})
    assert r.text.count('name="member_name"') == 2 + 1 + 3  # typed, one blank, three more


@pytest.mark.parametrize(("clerk_locale", "applicant_locale"), [("kk", "ru"), ("ru", "kk")])
async def test_a_complete_application_is_accepted_with_its_receipt_in_the_applicants_language(
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    clerk_locale: str,
    applicant_locale: str,
) -> None:
    clerk = await sign_in(R.INTAKE_OFFICE, locale=clerk_locale)
    r = await clerk.post(
        "/console/intake", paper(locale=applicant_locale, iban="KZ86125KZT5004100100")
    )
    assert r.status_code == 303, text_of(r)[-500:]
    url = r.headers["location"]
    cid = int(url.split("/")[3])
    assert url == f"/console/intake/{cid}/receipt"
    async with sessions() as s:
        app = await load_application(s, cid)
        assert app.status is Status.ACCEPTED and app.channel is Channel.PROVIDER_OFFICE
        assert app.received_by == NAMES[R.INTAKE_OFFICE]
        assert [(m.full_name, int(m.monthly_income)) for m in app.family] == [
            ("Сейітқалиева Әлия", 85000),
            ("Сейітқалиев Нұрлан", 0),
        ]
        assert {d.kind.value: d.valid_until for d in app.documents} == {
            "identity": date(2030, 5, 1),
            "income": None,
        }
        assert app.iban == "KZ86125KZT5004100100"
        assert app.applicant.locale == applicant_locale

    receipt = await clerk.get(url)
    assert receipt.status_code == 200
    words = text_of(receipt)
    # The clerk's page around it, the applicant's receipt inside.
    assert gettext(clerk_locale, "Print the receipt") in words
    assert gettext(applicant_locale, "Acceptance receipt") in words
    assert gettext(applicant_locale, "The result will be ready by") in words
    ready = {"kk": "2026 жылғы 26 қараша", "ru": "26 ноября 2026 г."}[applicant_locale]
    assert ready in words  # 8 working days from Monday 16 November
    assert "Жеке куәлік № 045678912" in words
    assert NAMES[R.INTAKE_OFFICE] in words
    assert f'lang="{applicant_locale}"' in receipt.text

    # The office registers it from the receipt; the acceptance notice is then printable.
    assert f'action="/console/cases/{cid}/register"' in receipt.text
    r = await clerk.post(f"/console/cases/{cid}/register")
    assert r.status_code == 303
    receipt = await clerk.get(url)
    assert gettext(applicant_locale, "Registered on") in text_of(receipt)
    pdf = await clerk.get(f"/console/intake/{cid}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


async def test_an_incomplete_application_gets_the_refusal_to_accept_printed_and_handed_over(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession]
) -> None:
    akim = await sign_in(R.INTAKE_AKIM, locale="ru")
    body = paper(ground="disease", doc_income="", valid_identity="2026-11-15")
    r = await akim.post("/console/intake", body)
    assert r.status_code == 303
    cid = int(r.headers["location"].split("/")[3])
    async with sessions() as s:
        app = await load_application(s, cid)
        assert app.status is Status.REFUSED_TO_ACCEPT and app.channel is Channel.RURAL_AKIM
    receipt = await akim.get(r.headers["location"])
    words = text_of(receipt)
    assert "Заявление не принято" in words  # the clerk's words (ru)
    assert "Өтінішті қабылдаудан бас тарту туралы қолхат" in words  # the applicant's (kk)
    assert "Жетіспейтін құжаттар:" in words and "Мерзімі өткен құжаттар:" in words
    assert gettext("kk", "Document proving a socially significant disease") in words
    assert f"/console/cases/{cid}/register" not in receipt.text  # the akim does not register
    pdf = await akim.get(f"/console/intake/{cid}/receipt.pdf")
    assert pdf.content.startswith(b"%PDF")
    (notice,) = [n for n in await notices(sessions, cid) if n.kind is NoticeKind.REFUSAL_TO_ACCEPT]
    assert notice.status is NoticeStatus.TO_PRINT
    r = await akim.post(f"/console/intake/{cid}/receipt/handed-over")
    assert r.status_code == 303
    assert "Расписка отмечена как врученная" in text_of(await akim.get(r.headers["location"]))
    (notice,) = [n for n in await notices(sessions, cid) if n.kind is NoticeKind.REFUSAL_TO_ACCEPT]
    assert notice.status is NoticeStatus.HANDED_OVER
    # A second time: a sentence, not a crash.
    r = await akim.post(f"/console/intake/{cid}/receipt/handed-over")
    assert r.status_code == 409
    assert "уже не ожидает печати" in text_of(r)


@pytest.mark.parametrize(
    ("locale", "sentences"),
    [
        (
            "kk",
            [
                "ЖСН-де қате бар: бақылау цифры сәйкес келмейді.",
                "Өтініш берушінің тегін жазыңыз.",
                "Қазақстандық ұялы телефон нөмірін жазыңыз",
                "2-жол: айлық табысты теңгемен, цифрмен жазыңыз",
                "IBAN-да қате бар",
            ],
        ),
        (
            "ru",
            [
                "В ИИН ошибка: не сходится контрольная цифра.",
                "Укажите фамилию заявителя.",
                "Укажите казахстанский номер мобильного телефона",
                "Строка 2: укажите месячный доход в тенге цифрами",
                "В IBAN ошибка",
            ],
        ),
    ],
)
async def test_bad_input_is_answered_field_by_field_with_nothing_lost_or_saved(
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    locale: str,
    sentences: list[str],
) -> None:
    clerk = await sign_in(R.INTAKE_OFFICE, locale=locale)
    bad_iin = iin_for(1)[:-1] + str((int(iin_for(1)[-1]) + 1) % 10)
    body = paper(
        iin=bad_iin,
        last_name="",
        phone="12345",
        member_income=["85 000", "сексен мың", ""],
        iban="KZ86125KZT5004100101",
    )
    r = await clerk.post("/console/intake", body)
    assert r.status_code == 422
    words = text_of(r)
    for sentence in sentences:
        assert sentence in words, sentence
    for typed in (
        bad_iin,
        "Нұрланқызы",
        "сексен мың",
        "Жеке куәлік № 045678912",
        "Абай көшесі, 12",
    ):
        assert f'value="{typed}"' in r.text, typed
    assert 'name="doc_identity" value="yes" checked' in r.text
    assert 'aria-invalid="true"' in r.text
    assert await applications(sessions) == 0
    # Nothing at all: sentences, not a crash.
    r = await clerk.post("/console/intake", {})
    assert r.status_code == 422
    assert gettext(locale, "Choose the ground of need.") in text_of(r)
    assert await applications(sessions) == 0


async def test_a_representative_needs_the_name_and_iin_of_the_person_represented(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession]
) -> None:
    clerk = await sign_in(R.INTAKE_STATE_CORPORATION, locale="kk")
    r = await clerk.post("/console/intake", paper(filer="representative"))
    assert r.status_code == 422
    assert "Өкілдің тегін, атын, әкесінің атын жазыңыз." in text_of(r)
    assert "Өкілдік етілетін адамның ЖСН-ін жазыңыз." in text_of(r)
    r = await clerk.post(
        "/console/intake",
        paper(
            filer="representative",
            representative_name="Омаров Ерлан",
            represented_iin=iin_for(7),
            doc_power_of_attorney="yes",
        ),
    )
    assert r.status_code == 303
    cid = int(r.headers["location"].split("/")[3])
    async with sessions() as s:
        app = await load_application(s, cid)
        assert app.status is Status.ACCEPTED and app.channel is Channel.STATE_CORPORATION
        assert app.represented_iin == iin_for(7)


async def test_intake_forms_need_their_csrf_token(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession]
) -> None:
    clerk = await sign_in(R.INTAKE_OFFICE)
    r = await clerk.http.post("/console/intake", data=paper())
    assert r.status_code == 403
    assert await applications(sessions) == 0
    for url in ("/console/intake/999/receipt", "/console/intake/x/receipt.pdf"):
        assert (await clerk.get(url)).status_code == 404
