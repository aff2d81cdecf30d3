"""Inbound SMS as applicants write them, in the order they arrive, with what each may change.

Senders: "K" — a Kazakh-speaking applicant whose phone the MCDB registers to her, her
preliminary refusal delivered (the objection window open); "R" — the same in Russian; "U" — a
phone the department does not know. A third applicant, "S", gave K's phone on a newer case but
the MCDB does not register it to her: nothing any sender writes may touch S's case.

Effects, as read back from the database after each message: "ask X" a pending objection waits
for X's yes, "drop X" one closed without being recorded (cancelled or replaced), "object X" an
objection recorded on X's case, "attend X" attendance confirmed, "stop X" optional messages
refused. A row's tag names its MessageSid: a row repeating a tag is a replay of that message.
"""

from __future__ import annotations

from typing import NamedTuple


class Sms(NamedTuple):
    sender: str
    body: str
    effects: tuple[str, ...] = ()
    tag: str | None = None


NOTHING: tuple[str, ...] = ()

CORPUS: list[Sms] = [
    # Thanks, greetings, questions, refusals without the keyword: help text, nothing changes.
    Sms("K", "Рахмет"),
    Sms("K", "Рахмет!!!"),
    Sms("K", "Рақмет сізге, түсіндім"),
    Sms("K", "Менің өтінішім қалай?"),
    Sms("K", "Сәлеметсіз бе, өтінішім не болды?"),
    Sms("K", "Мен келіспеймін, табысым азайды"),
    Sms("K", "Қарсымын"),
    Sms("K", "Қарсылығым жоқ"),
    Sms("K", "Тыңдауға бара алмаймын"),
    Sms("K", "Иә"),  # nothing was asked: not a yes to anything
    Sms("K", "ок"),
    Sms("K", "👍"),
    Sms("K", ""),
    Sms("K", "Стоп, кейін жазамын"),  # СТОП stands alone
    Sms("K", "Иә, қатысамын"),  # a yes with words is not a confirmation
    Sms("R", "спасибо"),
    Sms("R", "Спасибо большое!"),
    Sms("R", "Добрый день"),
    Sms("R", "Как моё заявление?"),
    Sms("R", "Когда будет решение?"),
    Sms("R", "Не согласна с отказом, доход уменьшился"),
    Sms("R", "Возражений нет"),
    Sms("R", "Не возражаю"),
    Sms("R", "Не приду"),
    Sms("R", "да"),
    Sms("R", "нет"),
    Sms("R", "Помогите пожалуйста"),
    Sms("R", "Da da"),
    # A phone the MCDB registers to nobody: whatever it writes changes nothing.
    Sms("U", "Статус"),
    Sms("U", "ҚАРСЫЛЫҚ келіспеймін"),
    Sms("U", "ВОЗРАЖЕНИЕ не согласна"),
    Sms("U", "да"),
    Sms("U", "ПРИДУ"),
    Sms("U", "СТОП"),
    # Status and help, in every spelling: answers only.
    Sms("K", "СТАТУС"),
    Sms("K", "статус?"),
    Sms("K", "CTATYC"),  # all Latin letters
    Sms("K", "Cтaтyc"),  # mixed scripts
    Sms("K", "Мәртебе"),
    Sms("K", "мартебе"),
    Sms("K", "Статс"),  # a letter missing
    Sms("K", "?"),
    Sms("K", "КӨМЕК"),
    Sms("K", "komek"),
    Sms("K", "HELP"),
    Sms("K", "Көмек керек"),
    Sms("R", "статус"),
    Sms("R", "STATUS"),
    Sms("R", "Статус ??"),
    Sms("R", "помощь"),
    Sms("R", "помощ"),
    Sms("R", "ПОМОЩЬ!"),
    # Objections: asked, confirmed, replayed, cancelled, replaced.
    Sms("K", "ҚАРСЫЛЫҚ"),  # no reason given: asked to write one
    Sms("K", "Қарсылық табысым азайды, анықтама әкелемін", ("ask K",), "k1"),
    Sms("K", "Қарсылық табысым азайды, анықтама әкелемін", NOTHING, "k1"),
    Sms("K", "Иә", ("object K",), "k2"),
    Sms("K", "Иә", NOTHING, "k2"),
    Sms("K", "Иә"),  # answered already: nothing waits
    Sms("K", "KAPCЫЛЫK тағы бір себеп: балам мүгедек", ("ask K",)),  # Latin look-alikes
    Sms("K", "жоқ", ("drop K",)),
    Sms("K", "иа"),
    Sms("K", "карсылык 3 балам бар", ("ask K",)),  # "3" is S's case number: text here
    Sms("K", "Карсылык екінші рет жазып тұрмын", ("ask K", "drop K")),
    Sms("K", "ИӘ!", ("object K",)),
    Sms("R", "ВОЗРАЖЕНИЕ: доход семьи уменьшился", ("ask R",), "r1"),
    Sms("R", "ВОЗРАЖЕНИЕ: доход семьи уменьшился", NOTHING, "r1"),
    Sms("R", "Возрожение доход уменьшился", ("ask R", "drop R")),  # a common misspelling
    Sms("R", "НЕТ", ("drop R",)),
    Sms("R", "ДА"),
    Sms("R", "Возражаю, у меня трое детей", ("ask R",)),
    Sms("R", "Да.", ("object R",), "r2"),
    Sms("R", "Да.", NOTHING, "r2"),
    # Attendance and opting out of optional messages.
    Sms("K", "ҚАТЫСАМЫН", ("attend K",)),
    Sms("K", "Катысамын"),  # already confirmed
    Sms("R", "Приду!", ("attend R",), "r3"),
    Sms("R", "Приду!", NOTHING, "r3"),
    Sms("K", "СТОП", ("stop K",)),
    Sms("K", "stop"),
    Sms("R", "Стоп", ("stop R",)),
]
