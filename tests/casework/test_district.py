from datetime import date, time
from decimal import Decimal as D
from pathlib import Path

import pytest

from casework.law.district import DistrictConfigError, load_district
from casework.law.rules import Ground, Periodicity
from casework.system.settings import DEFAULT_DISTRICT_FILE

SHIPPED = Path(__file__).resolve().parents[2] / "casework" / "law" / "districts" / "t_ryskulov.toml"
SOURCE = SHIPPED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def district():
    return load_district(SHIPPED)


def test_settings_default_points_at_shipped_file():
    assert DEFAULT_DISTRICT_FILE == SHIPPED


def test_shipped_file_loads(district):
    assert district.code == "t_ryskulov"
    assert district.name.kk == "Т.Рысқұлов ауданы"
    assert district.region.ru == "Жамбылская область"
    assert "жұмыспен қамту және әлеуметтік бағдарламалар бөлімі" in district.provider.name.kk
    assert district.timezone == "Asia/Almaty"
    assert district.zone.key == "Asia/Almaty"
    assert (district.working_hours.start, district.working_hours.end) == (time(9), time(18, 30))


def test_every_ground_has_an_assistance_kind(district):
    covered = {g for kind in district.assistance for g in kind.grounds}
    assert covered == set(Ground)


def test_assistance_kind_lookup(district):
    fire = district.assistance_kind("fire_damage")
    assert fire.grounds == [Ground.FIRE]
    assert fire.periodicity == [Periodicity.ONE_OFF]
    with pytest.raises(KeyError, match="nope"):
        district.assistance_kind("nope")


def test_ceiling_in_tenge_follows_the_years_mci(district):
    mci = district.assistance_kind("fire_damage").ceiling_mci
    assert district.ceiling("fire_damage", 2025) == mci * D(3932)
    assert district.ceiling("fire_damage", 2026) == mci * D(4325)
    with pytest.raises(DistrictConfigError, match="2019"):
        district.ceiling("fire_damage", 2019)


def test_income_threshold(district):
    assert district.subsistence_minimum(2025) == D(46228)
    assert district.income_threshold(2025) == (D(46228) * district.income.threshold_multiple)


def test_missing_year_is_a_clear_error(district):
    with pytest.raises(DistrictConfigError, match=r"subsistence minimum for 2031"):
        district.subsistence_minimum(2031)
    with pytest.raises(DistrictConfigError, match="2031"):
        district.income_threshold(2031)


def test_holidays(district):
    victory = next(h for h in district.holidays if h.date == "05-09")
    assert victory.on(2026) == date(2026, 5, 9)
    assert victory.name.kk == "Жеңіс күні"
    assert all(district.holiday_amount(c, 2026) > 0 for c in victory.categories)


def broken(tmp_path, text):
    path = tmp_path / "t_ryskulov.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DistrictConfigError) as exc:
        load_district(path)
    return str(exc.value)


def edit_assistance(index, old, new):
    """The shipped text with one [[assistance]] block edited."""
    head, *blocks = SOURCE.split("[[assistance]]")
    assert old in blocks[index]
    blocks[index] = blocks[index].replace(old, new, 1)
    return "[[assistance]]".join([head, *blocks])


def test_bad_ceiling_names_the_field(tmp_path):
    text = edit_assistance(2, "ceiling_mci = 15", "ceiling = -5")
    assert "t_ryskulov.toml: assistance.2.ceiling: Input should be greater than 0" in broken(
        tmp_path, text
    )


def test_missing_field_names_the_field(tmp_path):
    text = SOURCE.replace('threshold_multiple = "1.0"\n', "")
    assert "t_ryskulov.toml: income.threshold_multiple: Field required" in broken(tmp_path, text)


def test_unknown_ground_names_the_field(tmp_path):
    text = edit_assistance(1, 'grounds = ["fire"]', 'grounds = ["flood"]')
    message = broken(tmp_path, text)
    assert "t_ryskulov.toml: assistance.1.grounds.0:" in message
    assert "'fire'" in message  # lists the allowed values


def test_misspelt_key_is_rejected(tmp_path):
    text = edit_assistance(0, "ceiling_mci = 100", "ceiling_mci = 100\nceilling = 5")
    assert "assistance.0.ceilling: Extra inputs are not permitted" in broken(tmp_path, text)


def test_ceiling_needs_exactly_one_form(tmp_path):
    both = edit_assistance(0, "ceiling_mci = 100", "ceiling_mci = 100\nceiling = 5000")
    assert "assistance.0: Value error, give exactly one of ceiling" in broken(tmp_path, both)
    neither = edit_assistance(0, "ceiling_mci = 100", "")
    assert "assistance.0:" in broken(tmp_path, neither)


def test_impossible_holiday_date(tmp_path):
    text = SOURCE.replace('date = "05-09"', 'date = "02-30"')
    assert "holidays.2.date" in broken(tmp_path, text)


def test_bad_subsistence_minimum(tmp_path):
    text = SOURCE.replace('2026 = "50851"', '2026 = "0"')
    assert "income.subsistence_minimum.2026: Input should be greater than 0" in broken(
        tmp_path, text
    )


def test_duplicate_assistance_code(tmp_path):
    text = edit_assistance(1, 'code = "fire_damage"', 'code = "disaster_damage"')
    assert "duplicate assistance codes: disaster_damage" in broken(tmp_path, text)


def test_bad_timezone_and_hours(tmp_path):
    text = SOURCE.replace('timezone = "Asia/Almaty"', 'timezone = "Asia/Nowhere"')
    assert "timezone" in broken(tmp_path, text)
    text = SOURCE.replace('end = "18:30"', 'end = "08:00"')
    assert "working_hours: Value error, start must be before end" in broken(tmp_path, text)


def test_invalid_toml_and_missing_file(tmp_path):
    assert "t_ryskulov.toml: not valid TOML" in broken(tmp_path, SOURCE + "\n[[assistance\n")
    with pytest.raises(DistrictConfigError, match=r"absent\.toml: cannot read"):
        load_district(tmp_path / "absent.toml")
