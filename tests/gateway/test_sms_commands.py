"""Inbound SMS through the signed Twilio webhook: only the commands meant to act change anything,
only on cases the MCDB ties to the sending phone, and an objection only after "yes"."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from html import unescape

import httpx
import pytest
from sqlalchemy import func, select

from casework.law.notices import NoticeChannel
from casework.law.sms_commands import EXACT, GUESSABLE, Command, fold, one_edit_apart, parse
from casework.law.status import Status
from casework.steps.sms_replies import CONFIRM_WITHIN
from casework.system.env import CaseEnv
from casework.tables.applicants import Applicant
from casework.tables.hearings import Hearing, Objection
from casework.tables.sms_confirmations import SmsConfirmation
from gateway.providers.sandbox import SandboxProvider
from gateway.worker import Worker
from tests.builders import iin_for, local, phone_for
from tests.fakes.clock import FixedClock
from tests.gateway.conftest import Cases
from tests.gateway.sms_corpus import CORPUS
from tests.gateway.test_webhooks import signed

UNKNOWN = "+77017777777"
KAZAKH_LETTERS = re.compile("[әғқңөұүһі]", re.IGNORECASE)
_SIDS = itertools.count(1)


async def _sms(client: httpx.AsyncClient, phone: str, body: str, sid: str | None = None) -> str:
    """One SMS as Twilio posts it, signed; the words of our reply."""
    form = {"From": phone, "To": "+15005550006", "Body": body}
    form["MessageSid"] = sid or f"SM{next(_SIDS):032x}"
    r = await client.post("/twilio/inbound", data=form, headers=signed("/twilio/inbound", form))
    assert r.status_code == 200
    found = re.search(r"<Message>(.*)</Message>", r.text, re.DOTALL)
    return unescape(found.group(1)) if found else ""


async def _delivered(case_builder: Cases, env: CaseEnv) -> None:
    await Worker(case_builder.sessions, env, {NoticeChannel.SMS: SandboxProvider()}).drain()


class World:
    """What the database says of each applicant's case, in the corpus's words."""

    def __init__(self, case_builder: Cases, apps: dict[str, int]) -> None:
        self.cb, self.apps = case_builder, apps
        self.names = {app_id: name for name, app_id in apps.items()}

    async def snapshot(self) -> dict[str, object]:
        async with self.cb.sessions() as s:
            objections = dict(
                (
                    await s.execute(
                        select(Hearing.application_id, func.count(Objection.id))
                        .join(Objection, Objection.hearing_id == Hearing.id)
                        .group_by(Hearing.application_id)
                    )
                ).all()
            )
            attending = set(
                await s.scalars(
                    select(Hearing.application_id).where(
                        Hearing.attendance_confirmed_at.is_not(None)
                    )
                )
            )
            stopped = set(
                await s.scalars(select(Applicant.iin).where(Applicant.sms_opt_out_at.is_not(None)))
            )
            pending = {
                p.id: (p.application_id, p.outcome)
                for p in await s.scalars(select(SmsConfirmation))
            }
        return {
            "objections": objections,
            "attending": attending,
            "stopped": stopped,
            "pending": pending,
        }

    def effects(self, before: dict, after: dict) -> tuple[str, ...]:  # type: ignore[type-arg]
        found = []
        for app_id, n in after["objections"].items():
            if n > before["objections"].get(app_id, 0):
                found.append(f"object {self.names[app_id]}")
        found += [f"attend {self.names[a]}" for a in after["attending"] - before["attending"]]
        iins = {iin_for(n): name for n, name in ((1, "K"), (2, "R"), (3, "S"))}
        found += [f"stop {iins[i]}" for i in after["stopped"] - before["stopped"]]
        for pid, (app_id, outcome) in after["pending"].items():
            if pid not in before["pending"]:
                found.append(f"ask {self.names[app_id]}")
            was = before["pending"].get(pid, (app_id, None))[1]
            if was is None and outcome not in (None, "confirmed"):
                found.append(f"drop {self.names[app_id]}")
        return tuple(sorted(found))


@pytest.fixture
async def world(case_builder: Cases, env: CaseEnv) -> World:
    apps = {
        "K": await case_builder.preliminary_refusal(1, locale="kk"),
        "R": await case_builder.preliminary_refusal(2, locale="ru"),
        # S gave K's phone, but the MCDB registers it to K only.
        "S": await case_builder.preliminary_refusal(3, locale="ru", phone=phone_for(1), mcdb=False),
    }
    await _delivered(case_builder, env)
    return World(case_builder, apps)


async def test_the_corpus_changes_only_what_it_means_to(
    client: httpx.AsyncClient,
    world: World,
) -> None:
    assert len(CORPUS) >= 60
    phones = {"K": phone_for(1), "R": phone_for(2), "U": UNKNOWN}
    sids = {tag: f"SM{next(_SIDS):032x}" for tag in {m.tag for m in CORPUS} if tag}
    other = f"№{world.apps['S']}"
    changed = []
    for sms in CORPUS:
        before = await world.snapshot()
        reply = await _sms(client, phones[sms.sender], sms.body, sids.get(sms.tag or ""))
        changed.append((sms.sender, sms.body, world.effects(before, await world.snapshot())))
        assert reply, sms
        assert other not in reply, f"S's case disclosed to {sms.sender}: {reply}"
        if sms.sender == "R":
            assert not KAZAKH_LETTERS.search(reply), reply
        if sms.sender == "U":
            assert "№" not in reply and " / " in reply, reply
    assert changed == [(m.sender, m.body, tuple(sorted(m.effects))) for m in CORPUS]
    s_case = await world.cb.application(world.apps["S"])
    assert s_case.status is Status.PRELIMINARY_REFUSAL and not s_case.hearings[-1].objections


async def test_a_status_question_names_only_the_phones_own_case(
    client: httpx.AsyncClient,
    world: World,
) -> None:
    reply = await _sms(client, phone_for(1), "статус")
    assert f"№{world.apps['K']} өтініш" in reply
    # S's number asked from K's phone: neither its status nor whether it exists.
    reply = await _sms(client, phone_for(1), f"СТАТУС {world.apps['S']}")
    assert f"№{world.apps['K']} өтініш" in reply and f"№{world.apps['S']}" not in reply


async def test_a_phone_registered_to_nobody_learns_only_the_departments_phone(
    client: httpx.AsyncClient,
    world: World,
    env: CaseEnv,
) -> None:
    reply = await _sms(client, UNKNOWN, f"СТАТУС {world.apps['K']}")
    assert env.district.provider.compact_phone in reply
    assert not re.search(r"№|\d{2}\.\d{2}\.\d{4}", reply)


async def test_several_cases_ask_which_one_then_act_on_the_one_named(
    client: httpx.AsyncClient,
    case_builder: Cases,
    env: CaseEnv,
) -> None:
    first = await case_builder.preliminary_refusal(5, locale="ru")
    second = await case_builder.preliminary_refusal(5, locale="ru", mcdb=False)
    stranger = await case_builder.preliminary_refusal(6, locale="ru")
    await _delivered(case_builder, env)
    reply = await _sms(client, phone_for(5), "ВОЗРАЖЕНИЕ не согласна")
    assert f"№{first}" in reply and f"№{second}" in reply and "ВОЗРАЖЕНИЕ" in reply
    assert f"№{stranger}" not in reply
    reply = await _sms(client, phone_for(5), f"ВОЗРАЖЕНИЕ {stranger} не согласна")
    assert f"№ {stranger} не найдено" in reply
    reply = await _sms(client, phone_for(5), f"возражение №{second}: доход уменьшился")
    assert f"№ {second}" in reply and "ДА" in reply
    await _sms(client, phone_for(5), "да")
    objections = {
        a: (await case_builder.application(a)).hearings[-1].objections
        for a in (first, second, stranger)
    }
    assert [o.text for o in objections[second]] == ["доход уменьшился"]
    assert not objections[first] and not objections[stranger]
    assert "Заявление №" in await _sms(client, phone_for(5), f"статус {first}")


async def test_a_yes_after_the_window_counts_from_the_first_message(
    client: httpx.AsyncClient,
    case_builder: Cases,
    env: CaseEnv,
    clock: FixedClock,
) -> None:
    # Received Monday 16 November 2026: the 2 working days end on Wednesday the 18th.
    app_id = await case_builder.preliminary_refusal(1, locale="kk")
    await _delivered(case_builder, env)
    clock.set(local(2026, 11, 18, 23, 30))
    ask = await _sms(client, phone_for(1), "ҚАРСЫЛЫҚ табысым азайды")
    assert "19.11.2026, 09:00" in ask  # the next working day's opening, before 24 hours
    clock.set(local(2026, 11, 19, 8, 45))
    assert "тіркелді" in await _sms(client, phone_for(1), "иә")
    objection = (await case_builder.application(app_id)).hearings[-1].objections[-1]
    assert objection.received_at == local(2026, 11, 18, 23, 30)


async def test_a_yes_too_late_or_a_first_message_after_the_window_records_nothing(
    client: httpx.AsyncClient,
    case_builder: Cases,
    env: CaseEnv,
    clock: FixedClock,
) -> None:
    app_id = await case_builder.preliminary_refusal(1, locale="ru")
    await _delivered(case_builder, env)
    await _sms(client, phone_for(1), "ВОЗРАЖЕНИЕ доход уменьшился")
    clock.set(clock.now() + CONFIRM_WITHIN + timedelta(minutes=1))
    assert "Срок ответа прошёл" in await _sms(client, phone_for(1), "ДА")
    clock.set(local(2026, 11, 19, 10))
    reply = await _sms(client, phone_for(1), "ВОЗРАЖЕНИЕ доход уменьшился")
    assert "Срок для возражения истёк" in reply
    assert "Срок" not in await _sms(client, phone_for(1), "ДА")  # nothing waits for it
    app = await case_builder.application(app_id)
    assert app.status is Status.PRELIMINARY_REFUSAL and not app.hearings[-1].objections
    async with case_builder.sessions() as s:
        outcomes = list(await s.scalars(select(SmsConfirmation.outcome)))
    assert outcomes == ["expired"]


async def test_attendance_by_sms_confirms_the_hearing(
    client: httpx.AsyncClient,
    case_builder: Cases,
    env: CaseEnv,
) -> None:
    app_id = await case_builder.preliminary_refusal(1, locale="kk")
    reply = await _sms(client, phone_for(1), "Қатысамын")
    assert "Рахмет" in reply and "сағат" in reply
    hearing = (await case_builder.application(app_id)).hearings[-1]
    assert hearing.attendance_confirmed_at == env.now()


@pytest.mark.parametrize(
    ("body", "command"),
    [
        ("CTATYC", Command.STATUS),
        ("мәртебе", Command.STATUS),
        ("МАРТЕБЕ", Command.STATUS),
        ("Статус: 12", Command.STATUS),
        ("???", Command.STATUS),
        ("ҚАРСЫЛЫҚ себебім", Command.OBJECT),
        ("KAPCЫЛЫK себебім", Command.OBJECT),
        ("карсылык себебім", Command.OBJECT),
        ("возражение — причина", Command.OBJECT),
        ("ВОЗРОЖЕНИЕ причина", Command.OBJECT),
        ("Қатысамын", Command.ATTEND),
        ("ПРИДУ", Command.ATTEND),
        ("Көмек", Command.HELP),
        ("HELP", Command.HELP),
        ("ПОМОШЬ", Command.HELP),
        ("СТОП", Command.STOP),
        ("CTOП", Command.STOP),
        ("ИӘ", Command.YES),
        ("Иа!", Command.YES),
        ("ДА", Command.YES),
        ("жок", Command.NO),
        ("НЕТ.", Command.NO),
    ],
)
def test_commands_are_read_in_any_script_and_common_spelling(body: str, command: Command) -> None:
    parsed = parse(body)
    assert parsed is not None and parsed.command is command


@pytest.mark.parametrize(
    "body",
    [
        "Рахмет",
        "Менің өтінішім қалай?",
        "спасибо",
        "Возражений нет",
        "Қарсылығым жоқ",
        "Не приду",
        "Иә, қатысамын",
        "Стоп пожалуйста",
        "возраженя причина",
        "N12",
        "123",
    ],
)
def test_anything_else_is_no_command(body: str) -> None:
    assert parse(body) is None


def test_the_number_and_the_text_after_the_word() -> None:
    parsed = parse("ҚАРСЫЛЫҚ №123: табысым азайды")
    assert parsed is not None and (parsed.number, parsed.text) == (123, "табысым азайды")
    parsed = parse("карсылык 3 балам бар")
    assert parsed is not None and (parsed.number, parsed.after_word) == (3, "3 балам бар")


def test_no_guess_is_ever_ambiguous() -> None:
    """A word one letter from a guessable command is never as close to any other word."""
    guessable = [w for w, c in EXACT.items() if c in GUESSABLE and len(w) >= 5]
    for word, command in EXACT.items():
        for g in guessable:
            if EXACT[g] is not command:
                assert not one_edit_apart(word, g), (word, g)
    assert fold("CTATYC") == fold("статус")
