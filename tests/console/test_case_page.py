"""The case page: personal data masked per role, incomes against the threshold, every term with
its law and state, one timeline of steps and notices, the documents served only to signed-in
staff (inline, as the type they were checked to be), a missing case as a sentence, and a
statement count that does not grow with the number of cases."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
from fastapi import FastAPI
from PIL import Image
from pypdf import PdfWriter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from casework.law.identity import mask_iin, mask_phone
from casework.law.notices import ChannelReason
from casework.law.roles import Role
from casework.law.rules import (
    Channel,
    DocumentKind,
    Filer,
    Ground,
    HearingMode,
    Periodicity,
    RefusalGround,
)
from casework.law.status import Status
from casework.law.terms import TERM_RULES, Term
from casework.steps import commission, decisions, hearings, intake
from casework.system.db import transaction
from casework.system.env import CaseEnv
from casework.system.files import store_file
from casework.system.settings import Settings
from casework.tables.applications import Document
from casework.tables.lookups import LookupKind, StaffLookup
from casework.tables.mcdb import McdbEntry
from casework.texts.i18n import format_tenge, gettext
from casework.texts.labels import label
from gateway.console.cases import EXTENDED_DECISION_SPAN, TERM_SPANS, law_text
from tests.builders import iin_for, local, phone_for, take_in_signed
from tests.console.conftest import SignIn
from tests.console.test_queue import CLERK, paper_case, statements
from tests.fakes.clock import FixedClock


def jpeg(size: tuple[int, int] = (120, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass(frozen=True)
class Uploaded:
    case: int
    photo: int  # the identity card, a JPEG
    scan: int  # the medical certificate, a PDF


async def uploaded_case(
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    settings: Settings,
    n: int = 7,
    *,
    locale: str = "ru",
) -> Uploaded:
    """A filing through the bot with a photo and a PDF, its phone registered in the MCDB, signed
    at the desk and taken in."""
    files = {
        DocumentKind.IDENTITY: ("удостоверение.jpg", "image/jpeg", jpeg(), ".jpg"),
        DocumentKind.DISEASE_PROOF: ("справка ВКК.pdf", "application/pdf", pdf(), ".pdf"),
    }
    async with transaction(sessions) as session:
        session.add(
            McdbEntry(
                iin=iin_for(n),
                phone=phone_for(n),
                registered_on=date(2020, 1, 1),
                imported_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
        applicant = await intake.get_or_create_applicant(
            session,
            env,
            iin_for(n),
            last_name="Ахметова",
            first_name="Дина",
            locale=locale,
            phone=phone_for(n),
            telegram_id=700_000 + n,
        )
        app = await intake.start_application(
            session,
            env,
            applicant,
            channel=Channel.BOT,
            actor="applicant",
            ground=Ground.DISEASE,
            filer=Filer.SELF,
            phone=phone_for(n),
            settlement="Құлан",
        )
        ids = {}
        for kind, (name, content_type, content, suffix) in files.items():
            stored = store_file(settings.files_dir, content, suffix)
            doc = await intake.attach_document(
                session,
                env,
                app,
                kind=kind,
                file_name=name,
                content_type=content_type,
                size=stored.size,
                sha256=stored.sha256,
                storage_path=str(stored.path),
                actor="applicant",
            )
            ids[kind] = doc.id
        assert await take_in_signed(session, env, app, actor=CLERK)
        return Uploaded(app.id, ids[DocumentKind.IDENTITY], ids[DocumentKind.DISEASE_PROOF])


# ---------------------------------------------------------------- what the page shows


async def test_identity_numbers_and_phones_are_shown_as_the_role_may_see_them(
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    settings: Settings,
) -> None:
    case = (await uploaded_case(sessions, env, settings)).case
    iin, phone = iin_for(7), phone_for(7)
    secretary = await sign_in(Role.COMMISSION_SECRETARY, locale="ru")
    page = (await secretary.get(f"/console/cases/{case}")).text
    assert "Ахметова Дина" in page and iin in page and phone in page
    assert "частично скрытыми" not in page

    decider = await sign_in(Role.DECISION_MAKER, locale="kk")
    r = await decider.get(f"/console/cases/{case}")
    assert r.status_code == 200
    assert iin not in r.text and phone not in r.text
    assert mask_iin(iin) in r.text and mask_phone(phone) in r.text
    assert "жартылай жасырылып көрсетіледі" in r.text
    # The actions partial is included where the next actions go, with the case in scope.
    assert r.text.index("Өтініш беруші және отбасы") > r.text.index(f"№ {case} өтініш")


async def test_incomes_and_the_per_capita_income_against_the_threshold(
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    clock: FixedClock,
) -> None:
    clock.set(local(2026, 11, 16, 10, 0))
    case = await paper_case(sessions, env, 1, ground=Ground.LOW_INCOME)
    family = [("Сейітқалиева Әлия", Decimal("90000")), ("Сейітқалиев Нұрлан", Decimal("30000"))]
    async with transaction(sessions) as session:
        app = await intake.load_application(session, case)
        await commission.forward_to_precinct(session, env, app, actor=CLERK)
        await commission.record_inspection(session, env, app, "Тұрмыс жағдайы төмен.", actor=CLERK)
        await commission.record_incomes(session, env, app, family, actor=CLERK)
        per_capita, threshold = app.per_capita_income, app.income_threshold
    assert per_capita is not None and threshold is not None
    clerk = await sign_in(Role.COMMISSION_SECRETARY, locale="kk")
    page = (await clerk.get(f"/console/cases/{case}")).text
    assert "Сейітқалиев Нұрлан" in page and format_tenge(Decimal("30000"), "kk") in page
    assert "Жан басына шаққандағы орташа табыс" in page
    assert format_tenge(per_capita, "kk") in page and format_tenge(threshold, "kk") in page
    verdict = "Шекті мөлшерден аспайды." if per_capita <= threshold else "Шекті мөлшерден жоғары"
    assert verdict in page
    assert "Тұрмыс жағдайы төмен." in page  # the inspection's result, as written


async def test_every_term_with_its_legal_basis_and_state(
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    clock: FixedClock,
) -> None:
    clock.set(local(2026, 11, 16, 10, 0))
    case = await paper_case(sessions, env, 1, ground=Ground.FIRE)
    clock.set(local(2026, 11, 18, 10, 0))  # the precinct forwarding's day (17 Nov) has passed
    clerk = await sign_in(Role.COMMISSION_SECRETARY, locale="kk")
    page = (await clerk.get(f"/console/cases/{case}")).text
    terms = page.split('id="h-terms"')[1].split("</table>")[0]
    rows = terms.split("<tr>")[2:]
    assert len(rows) == 4  # registration, precinct forwarding, decision, preliminary refusal
    registration, forwarding, decision, margin = rows
    assert "Тіркеу" in registration and "2026 жылғы 16 қарашада орындалды" in registration
    assert (
        "Мемлекеттік қызмет көрсету қағидалары, 7-тармақ; "
        "Әлеуметтік көмек көрсетудің аудандық қағидалары, 14-тармақ"
    ) in forwarding
    assert "Тіркелген күннен бастап 1 жұмыс күні" in forwarding
    assert "state-overdue" in forwarding and "1 жұмыс күні өтіп кетті" in forwarding
    assert "Тіркелген күннен бастап 8 жұмыс күні" in decision
    assert "аудандық қағидалары, 20-тармақ" in decision and "state-running" in decision
    assert "Үлгілік" not in decision  # the Model Rules only for an extended term
    assert "Әкімшілік рәсімдік-процестік кодексі, 73-бап" in margin
    assert "Шешім қабылдау мерзімі аяқталғанға дейін кемінде 3 жұмыс күні бұрын" in margin

    ru = await sign_in(Role.DECISION_MAKER, locale="ru")
    page = (await ru.get(f"/console/cases/{case}")).text
    assert (
        "Правила оказания государственной услуги, п. 7; "
        "Районные правила оказания социальной помощи, п. 14"
    ) in page
    assert "Просрочено: просрочено рабочих дней: 1" in page


async def test_the_timeline_has_every_step_and_every_notice_with_its_channel_and_why(
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    settings: Settings,
) -> None:
    case = (await uploaded_case(sessions, env, settings)).case
    clerk = await sign_in(Role.INTAKE_OFFICE, locale="ru")
    page = (await clerk.get(f"/console/cases/{case}")).text
    timeline = page.split('id="h-timeline"')[1].split("</table>")[0]
    steps = [
        "Начато заполнение заявления",  # the applicant in the bot
        "Приложен документ",
        "Заявление отправлено",
        "Заявление принято",
        "Заявление зарегистрировано",
    ]
    positions = [timeline.index(s) for s in steps]
    assert positions == sorted(positions)
    assert "Документ, удостоверяющий личность" in timeline  # which document, by its name
    assert "Заявитель" in timeline and CLERK in timeline  # who did it
    # The acceptance receipt: by SMS to the MCDB-registered phone (waiting for the worker),
    # and in the chat, where the bot showed it at filing.
    notices = [row for row in timeline.split("<tr") if "notice" in row.split(">")[0]]
    assert len(notices) == 2
    sms, chat = sorted(notices, key=lambda row: "SMS" not in row)
    receipt = gettext("ru", "Acceptance receipt")
    assert receipt in sms and receipt in chat
    assert label(ChannelReason.MCDB_REGISTERED, "ru") in sms
    assert gettext("ru", "Waiting to be sent") in sms and phone_for(7) in sms
    assert gettext("ru", "Telegram chat") in chat and gettext("ru", "Delivered") in chat
    assert label(ChannelReason.SHOWN_WHEN_FILED, "ru") in chat
    assert "acceptance_receipt" not in page and "mcdb_registered" not in page  # no codes


async def test_the_hearing_and_the_decision_with_their_grounds(
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    clock: FixedClock,
) -> None:
    clock.set(local(2026, 11, 16, 10, 0))
    granted, refused = [await paper_case(sessions, env, n) for n in (1, 2)]
    async with transaction(sessions) as session:
        for case in (granted, refused):
            app = await intake.load_application(session, case)
            await commission.to_special_commission(session, env, app, actor=CLERK)
            await commission.record_conclusion(session, env, app, "Көмек қажет.", actor=CLERK)
        app = await intake.load_application(session, granted)
        await decisions.grant(
            session,
            env,
            app,
            kind="disease",
            amount=Decimal("20000"),
            periodicity=Periodicity.ONE_OFF,
            actor="Марат Жұмабаев",
        )
        app = await intake.load_application(session, refused)
        await hearings.issue_preliminary_refusal(
            session,
            env,
            app,
            grounds=[RefusalGround.FALSE_INFORMATION],
            scheduled_at=local(2026, 11, 20, 11, 0),
            mode=HearingMode.VIDEOCONFERENCE,
            details="https://meet.example.kz/komek-2",
            actor="Марат Жұмабаев",
        )
    clerk = await sign_in(Role.COMMISSION_SECRETARY, locale="kk")
    page = (await clerk.get(f"/console/cases/{granted}")).text
    section = page.split('id="h-hearing"')[1].split("</section>")[0]
    assert "Шешім: көмек тағайындалды" in section and "Марат Жұмабаев" in section
    kind = next(k for k in env.district.assistance if k.code == "disease")
    assert kind.name.kk in section  # the kind's name, never its code
    assert format_tenge(Decimal("20000"), "kk") in section
    assert label(Periodicity.ONE_OFF, "kk") in section

    page = (await clerk.get(f"/console/cases/{refused}")).text
    section = page.split('id="h-hearing"')[1].split("</section>")[0]
    assert "Алдын ала бас тарту және тыңдау" in section
    assert label(RefusalGround.FALSE_INFORMATION, "kk") in section
    assert "2026 жылғы 20 қараша, 11:00" in section
    assert label(HearingMode.VIDEOCONFERENCE, "kk") in section and "meet.example.kz" in section
    timeline = page.split('id="h-timeline"')[1].split("</table>")[0]
    assert gettext("kk", "Preliminary decision and hearing") in timeline
    assert label(Status.PRELIMINARY_REFUSAL, "kk") in timeline
    assert "false_information" not in page and "videoconference" not in page


async def test_a_missing_case_is_a_sentence_in_the_clerks_language(sign_in: SignIn) -> None:
    clerk = await sign_in(Role.COMMISSION_SECRETARY, locale="ru")
    for url in ("/console/cases/999", "/console/cases/abc", "/console/cases/99999999999999"):
        r = await clerk.get(url)
        assert r.status_code == 404 and "Дела с таким номером нет." in r.text, url
        assert "Not Found" not in r.text and "detail" not in r.text
    kk = await sign_in(Role.DECISION_MAKER, locale="kk")
    r = await kk.get("/console/cases/999")
    assert r.status_code == 404 and "Мұндай нөмірлі іс жоқ." in r.text


# ---------------------------------------------------------------- documents


async def test_a_document_is_served_inline_to_signed_in_staff_only(
    app: FastAPI,
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    settings: Settings,
) -> None:
    made = await uploaded_case(sessions, env, settings)
    other = await uploaded_case(sessions, env, settings, n=8)
    decider = await sign_in(Role.DECISION_MAKER, locale="kk")
    page = (await decider.get(f"/console/cases/{made.case}")).text
    photo_url = f"/console/cases/{made.case}/documents/{made.photo}"
    scan_url = f"/console/cases/{made.case}/documents/{made.scan}"
    assert f'<img src="{photo_url}"' in page and f'<iframe src="{scan_url}"' in page

    r = await decider.get(photo_url)
    assert r.status_code == 200 and r.content == jpeg()
    assert r.headers["content-type"] == "image/jpeg"
    assert r.headers["content-disposition"].startswith("inline")
    assert r.headers["x-content-type-options"] == "nosniff"
    r = await decider.get(scan_url)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("inline;")
    assert r.content.startswith(b"%PDF")

    # Another case's document is not this case's, whatever number is typed.
    r = await decider.get(f"/console/cases/{made.case}/documents/{other.scan}")
    assert r.status_code == 404 and "Бұл істе мұндай құжат жоқ." in r.text
    # Only files in the uploads folder are served, whatever a row says.
    async with transaction(sessions) as session:
        doc = await session.get(Document, made.photo)
        assert doc is not None
        doc.storage_path = "/etc/passwd"
    r = await decider.get(photo_url)
    assert r.status_code == 404 and "root:" not in r.text
    assert "Бұл құжаттың файлы қоймада табылмады." in r.text

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://console.test"
    ) as stranger:
        r = await stranger.get(photo_url)
        assert r.status_code == 303 and r.headers["location"] == "/console/login"
        assert r.content == b""

    # Who opened whose case and which of its files, in the lookup audit under the person's IIN;
    # what was refused (another case's document, a file not in the store) shows nobody.
    async with sessions() as session:
        seen = (await session.scalars(select(StaffLookup).order_by(StaffLookup.id))).all()
    assert [(v.kind, v.iin, v.filters) for v in seen] == [
        (LookupKind.CASE, iin_for(7), f"case={made.case}"),
        (LookupKind.CASE, iin_for(7), f"case={made.case}&document={made.photo}"),
        (LookupKind.CASE, iin_for(7), f"case={made.case}&document={made.scan}"),
    ]


async def test_a_paper_original_has_no_file_to_serve(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], env: CaseEnv
) -> None:
    case = await paper_case(sessions, env, 1)
    async with sessions() as session:
        app = await intake.load_application(session, case)
        doc = app.documents[0].id
    clerk = await sign_in(Role.INTAKE_OFFICE, locale="ru")
    page = (await clerk.get(f"/console/cases/{case}")).text
    assert "Бумажный оригинал просмотрен при приёме" in page and "<iframe" not in page
    assert (await clerk.get(f"/console/cases/{case}/documents/{doc}")).status_code == 404


# ---------------------------------------------------------------- statements and words


async def test_the_case_page_runs_the_same_statements_for_3_cases_and_for_30(
    sign_in: SignIn,
    sessions: async_sessionmaker[AsyncSession],
    env: CaseEnv,
    settings: Settings,
    engine: AsyncEngine,
) -> None:
    made = await uploaded_case(sessions, env, settings)
    for n in (1, 2):
        await paper_case(sessions, env, n)
    clerk = await sign_in(Role.COMMISSION_SECRETARY)

    async def count() -> int:
        with statements(engine) as sql:
            assert (await clerk.get(f"/console/cases/{made.case}")).status_code == 200
        return len(sql)

    with_3 = await count()
    for n in range(10, 37):
        await paper_case(sessions, env, n)
    assert await count() == with_3 < 25


def test_every_term_names_its_law_and_how_it_runs_in_both_languages() -> None:
    for rule in TERM_RULES:
        for locale in ("kk", "ru"):
            text = law_text(rule.law, locale, extended=True)
            assert text and not re.search(r"SR|DR|APPC|§|Model|from", text), text
        # The words say the same number of working days as the term table.
        span = TERM_SPANS[rule.term]
        if rule.working_days:
            assert str(abs(rule.working_days)) in span.split(), span
        else:
            assert span.startswith("On the day received"), span
        if rule.extended_working_days:
            assert EXTENDED_DECISION_SPAN.split()[0] == str(rule.extended_working_days)
    decision = next(r for r in TERM_RULES if r.term is Term.DECISION)
    assert law_text(decision.law, "ru") == "Районные правила оказания социальной помощи, п. 20"
    assert law_text(decision.law, "ru", extended=True) == (
        "Районные правила оказания социальной помощи, п. 20; Типовые правила, пп. 16–17"
    )
