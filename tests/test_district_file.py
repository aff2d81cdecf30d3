"""The district file's placeholders (what production refuses) and its holiday/memorial marks."""

from __future__ import annotations

from pathlib import Path

import pytest

from casework.law.district import DistrictConfigError, load_district
from casework.system.settings import DEFAULT_DISTRICT_FILE

SOURCE = DEFAULT_DISTRICT_FILE.read_text(encoding="utf-8")


def _load(tmp_path: Path, text: str):
    path = tmp_path / "t_ryskulov.toml"
    path.write_text(text, encoding="utf-8")
    return load_district(path)


def test_shipped_file_lists_its_placeholders() -> None:
    placeholders = load_district(DEFAULT_DISTRICT_FILE).placeholders
    assert list(placeholders) == [
        "provider.address",
        "provider.phone",
        "income.threshold_multiple",
        "income.subsistence_minimum",
        "assistance.ceiling_mci",
        "holidays",
    ]
    assert all(placeholders.values())  # each says why it is a stand-in


def test_a_file_without_the_table_has_no_placeholders(tmp_path: Path) -> None:
    complete = SOURCE.split("\n[placeholders]\n", 1)[0]
    assert _load(tmp_path, complete).placeholders == {}


@pytest.mark.parametrize(
    "path", ["income.treshold_multiple", "assistance.nope", "income.threshold_multiple.x", ""]
)
def test_a_placeholder_must_name_a_field(tmp_path: Path, path: str) -> None:
    with pytest.raises(DistrictConfigError) as exc:
        _load(tmp_path, SOURCE + f'"{path}" = "why"\n')
    assert f"placeholders: Value error, not a field of the district file: {path}" in str(exc.value)


def test_a_placeholder_says_why(tmp_path: Path) -> None:
    with pytest.raises(DistrictConfigError, match=r"placeholders\.mci: String should have"):
        _load(tmp_path, SOURCE + '"mci" = ""\n')


def test_memorial_days_are_marked_and_holidays_are_not() -> None:
    district = load_district(DEFAULT_DISTRICT_FILE)
    memorial = {h.date for h in district.holidays if h.memorial}
    # DR §2 item 9: атаулы күндер, the professional and other days of the Republic.
    assert memorial == {"02-15", "04-26", "05-31", "10-01"}
    # DR §2 item 8: Victory Day is a state holiday (мереке күні).
    victory = district.holiday("05-09")
    assert victory is not None and victory.memorial is False
    repressions = district.holiday("05-31")
    assert repressions is not None and repressions.memorial is True


def test_memorial_defaults_to_false_and_must_be_a_flag(tmp_path: Path) -> None:
    unmarked = _load(tmp_path, SOURCE.replace("\nmemorial = true\n", "\n"))
    assert not any(h.memorial for h in unmarked.holidays)
    with pytest.raises(DistrictConfigError, match=r"holidays\.0\.memorial"):
        _load(tmp_path, SOURCE.replace("\nmemorial = true", '\nmemorial = "sometimes"', 1))
