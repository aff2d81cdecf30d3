"""Domain errors become sentences in the clerk's language: every rule code of the procedure has
one in Kazakh and Russian, the law is named in words, and the first lawful (or last) day given."""

from __future__ import annotations

import inspect
import re
from datetime import date
from decimal import Decimal

import pytest

from casework.law import procedure
from casework.law.errors import (
    DomainError,
    IllegalTransition,
    LateError,
    NotFound,
    RuleError,
    Unlawful,
)
from casework.law.procedure import GUARDS
from casework.law.status import Status
from casework.steps.payments import InvalidAccount, OverBudget, checked_account
from casework.texts.i18n import LOCALES, translations
from casework.texts.labels import label
from gateway.console.errors import CODES, GENERAL, RULES, STEP_RULES, explain, law_words

# Every rule code the procedure can answer with: its guards, and the checks of what staff ask
# for (refusal grounds, hearing time) and the state check, found in the module's own text.
SOURCE_CODES = set(re.findall(r'(?:Guard|Blocked)\(\s*"(\w+)"', inspect.getsource(procedure)))
GUARD_CODES = {guard.rule for guards in GUARDS.values() for guard in guards}
LAWS = sorted(
    {guard.law for guards in GUARDS.values() for guard in guards}
    | set(re.findall(r'"((?:SR|DR|APPC) [^"]*)"', inspect.getsource(procedure)))
)


def test_the_procedure_has_codes_to_check() -> None:
    assert GUARD_CODES <= SOURCE_CODES
    assert {"grounds_heard", "income_above_threshold", "hearing_time", "state"} <= SOURCE_CODES
    assert len(LAWS) > 5


@pytest.mark.parametrize("locale", LOCALES)
def test_every_rule_code_has_a_sentence_in_both_languages(locale: str) -> None:
    catalog = translations(locale)._catalog
    missing = sorted(SOURCE_CODES - RULES.keys())
    assert not missing, f"rule codes without a sentence: {missing}"
    messages = [*RULES.values(), *STEP_RULES.values(), *CODES.values(), *GENERAL.values()]
    untranslated = [m for m in messages if not catalog.get(m) or catalog[m] == m]
    assert not untranslated, f"{locale}: {untranslated}"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("law", LAWS)
def test_every_law_of_the_procedure_reads_in_words(locale: str, law: str) -> None:
    words = law_words(law, locale)
    assert not re.search(r"\b(SR|DR|APPC|art|item)\b|§", words), words
    for number in re.findall(r"\d+", law):
        assert number in words


def test_law_words_read_as_a_citation() -> None:
    assert law_words("SR §15, DR §20; APPC art. 73(3)", "ru") == (
        "Правила оказания государственной услуги, п. 15; "
        "Районные правила оказания социальной помощи, п. 20; "
        "Административный процедурно-процессуальный кодекс РК, п. 3 ст. 73"
    )
    assert law_words("DR §8 item 4, §20", "kk") == (
        "Әлеуметтік көмек көрсетудің аудандық қағидалары, 8-тармақтың 4) тармақшасы, 20-тармақ"
    )
    assert law_words("something else", "kk") == "something else"


def plain(text: str) -> str:
    """Babel writes "2026 г." with a narrow no-break space: compared as a reader sees it."""
    return " ".join(text.split())


def unlawful(rule: str, law: str, step: str, lawful_from: date | None = None) -> Unlawful:
    return Unlawful(
        f"{step}: needs …", step=step, rule=rule, law=law, missing="…", lawful_from=lawful_from
    )


def test_a_step_lawful_later_names_its_rule_law_and_first_day() -> None:
    exc = unlawful(
        "refusal_notice_period", "SR §15, DR §20; APPC art. 73", "refuse", date(2026, 11, 23)
    )
    assert explain(exc, "kk") == (
        "Бас тарту туралы шешім алдын ала бас тарту шығарылғаннан кейін кемінде 3 жұмыс күні "
        "өткен соң ғана қабылданады. Негіздеме: Мемлекеттік қызмет көрсету қағидалары, "
        "15-тармақ; Әлеуметтік көмек көрсетудің аудандық қағидалары, 20-тармақ; ҚР Әкімшілік "
        "рәсімдік-процестік кодексі, 73-бап. 2026 жылғы 23 қарашадан бастап мүмкін болады."
    )
    assert plain(explain(exc, "ru")).endswith("Это станет возможно с 23 ноября 2026 г.")


def test_a_missed_window_names_its_last_day() -> None:
    exc = LateError(
        "preliminary_refusal: …",
        deadline=date(2026, 11, 23),
        step="preliminary_refusal",
        rule="preliminary_refusal_in_time",
        law="SR §15, DR §20; APPC art. 73",
        lawful_from=None,
    )
    assert explain(exc, "kk").startswith("Алдын ала бас тартуға кеш")
    assert explain(exc, "kk").endswith("Мұның соңғы күні 2026 жылғы 23 қараша болды.")
    assert plain(explain(exc, "ru")).endswith("Последним днём для этого было 23 ноября 2026 г.")
    # As the JSON API writes it: dates as text.
    exc.params["deadline"] = "2026-11-23"
    assert "23 ноября 2026 г." in plain(explain(exc, "ru"))


def test_the_same_code_reads_by_its_step() -> None:
    held = unlawful("hearing_time", "SR §15, DR §20", "hold_hearing", date(2026, 11, 20))
    chosen = unlawful("hearing_time", "SR §15, DR §20", "preliminary_refusal")
    assert explain(held, "ru").startswith("Заслушивание нельзя провести раньше назначенного")
    assert explain(chosen, "ru").startswith("Выберите время заслушивания позже текущего момента")


def test_a_state_conflict_names_the_status_in_words() -> None:
    exc = IllegalTransition(
        "application 1 is registered: …",
        rule="state",
        law="DOMAIN.md",
        step="grant",
        current="registered",
        lawful_from=None,
    )
    assert (
        explain(exc, "ru")
        == "Это действие невозможно, пока заявление в статусе «Заявление зарегистрировано»."
    )
    moved = IllegalTransition(
        "cannot go from refused_to_accept to registered",
        current="refused_to_accept",
        target="registered",
    )
    assert f"«{label(Status.REFUSED_TO_ACCEPT, 'kk')}»" in explain(moved, "kk")
    conflict = DomainError("application 1 is granted, expected …", current="granted")
    assert f"«{label(Status.GRANTED, 'ru')}»" in explain(conflict, "ru")


def test_other_errors_by_code_then_by_class() -> None:
    with pytest.raises(InvalidAccount) as caught:
        checked_account("KZ86125KZT5004100101")
    assert explain(caught.value, "kk").startswith("IBAN-да қате бар")
    over = OverBudget("…", kind="disease", years=[])
    assert "растау белгісін қойыңыз" in explain(over, "kk")
    ceiling = RuleError(
        "the amount must be above 0 and at most 64875.00", ceiling=Decimal("64875.00")
    )
    assert explain(ceiling, "ru") == (
        "Сумма должна быть больше нуля и не больше 64\xa0875 ₸ за одну выплату."
    )
    assert explain(NotFound("application 9 not found", application_id=9), "ru").startswith(
        "Такого заявления или записи нет"
    )
    assert explain(RuleError("the conclusion needs its text"), "kk") == (
        "Бұл қағидаларға сәйкес келмейді. Енгізгеніңізді тексеріңіз."
    )
    assert explain(LateError("window closed"), "ru") == "Срок для этого действия истёк."
    assert explain(unlawful("a_rule_added_tomorrow", "SR §1", "grant"), "ru") == (
        "Порядок рассмотрения сейчас не допускает этого действия."
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_no_sentence_leaks_a_code_or_the_domains_english(locale: str) -> None:
    for rule in sorted(SOURCE_CODES):
        text = explain(unlawful(rule, "SR §15", "refuse", date(2026, 11, 20)), locale)
        assert rule not in text and not re.search(r"[A-Za-z]{4,}", text), text
