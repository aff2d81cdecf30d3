"""A district's configuration: names, office, hours, income threshold, assistance kinds, holidays.

Every district has the same rules with its own amounts and lists (see shared/DOMAIN.md), so all of
that lives in one TOML file per district, validated here. A wrong file fails at start-up with the
file name and the field path, not later in the middle of a case.
"""

from __future__ import annotations

import tomllib
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Annotated, Self, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from casework.law.rules import Ground, Periodicity

Tenge = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
Count = Annotated[Decimal, Field(gt=0)]
Text = Annotated[str, Field(min_length=1)]


Day = date  # Holiday has a field named `date`: its methods name the type by this alias


class DistrictConfigError(ValueError):
    pass


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Names(_Model):
    kk: Text
    ru: Text


class Provider(_Model):
    """The district akimat's employment and social programmes department, as printed on notices."""

    name: Names
    address: Names
    # As people read it on a letter: "+7 (72631) 2-00-00"; an SMS writes `compact_phone`.
    phone: Text

    @field_validator("phone")
    @classmethod
    def _dialable(cls, value: str) -> str:
        try:
            number = phonenumbers.parse(value, "KZ")
        except NumberParseException:
            raise ValueError(f"{value!r} is not a phone number") from None
        if not phonenumbers.is_valid_number(number):
            raise ValueError(f"{value!r} is not a valid phone number")
        return value

    @property
    def compact_phone(self) -> str:
        """E.164 with no spaces ("+77263120000"): every SMS character counts, and a phone
        dials it from the message as it is."""
        number = phonenumbers.parse(self.phone, "KZ")
        return phonenumbers.format_number(number, PhoneNumberFormat.E164)


class WorkingHours(_Model):
    start: time
    end: time

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        return self


class Income(_Model):
    # DR §8 item 4: per-capita income not above this multiple of the subsistence minimum.
    threshold_multiple: Count
    subsistence_minimum: dict[int, Tenge]


def _one_amount(tenge: Decimal | None, mci: Decimal | None, name: str) -> None:
    if (tenge is None) == (mci is None):
        raise ValueError(f"give exactly one of {name} (tenge) or {name}_mci")


class AssistanceKind(_Model):
    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    name: Names
    grounds: Annotated[list[Ground], Field(min_length=1)]
    periodicity: Annotated[list[Periodicity], Field(min_length=1)]
    # The ceiling (шекті мөлшер, DR §2 item 11) per payment: in tenge, or in monthly calculation
    # indices (АЕК) as district decisions usually state it, converted with the year's АЕК.
    ceiling: Tenge | None = None
    ceiling_mci: Count | None = None

    @model_validator(mode="after")
    def _one_ceiling(self) -> Self:
        _one_amount(self.ceiling, self.ceiling_mci, "ceiling")
        return self


class HolidayCategory(_Model):
    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    name: Names
    amount: Tenge | None = None
    amount_mci: Count | None = None

    @model_validator(mode="after")
    def _one_amount(self) -> Self:
        _one_amount(self.amount, self.amount_mci, "amount")
        return self


class Holiday(_Model):
    """A holiday or memorable day paid without an application (DR §12, §28)."""

    date: Annotated[str, Field(pattern=r"^\d{2}-\d{2}$")]
    name: Names
    categories: Annotated[list[HolidayCategory], Field(min_length=1)]
    # DR §2 items 8–9: a мереке күні is a national or state holiday; an атаулы күн (memorial day)
    # is a professional or other one, and is never called a holiday.
    memorial: bool = False

    @field_validator("date")
    @classmethod
    def _real_day(cls, value: str) -> str:
        month, day = (int(part) for part in value.split("-"))
        try:
            date(2000, month, day)  # a leap year, so 02-29 passes
        except ValueError:
            raise ValueError(f"{value} is not a calendar day (MM-DD)") from None
        return value

    def on(self, year: int) -> Day:
        month, day = (int(part) for part in self.date.split("-"))
        return Day(year, month, day)

    def category(self, value: str) -> HolidayCategory | None:
        """By code, or by its Kazakh or Russian name as information-system exports write it."""
        wanted = " ".join(value.split()).casefold()
        for category in self.categories:
            if wanted in (
                n.casefold() for n in (category.code, category.name.kk, category.name.ru)
            ):
                return category
        return None


class District(_Model):
    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    name: Names
    region: Names
    provider: Provider
    timezone: str = "Asia/Almaty"
    working_hours: WorkingHours
    income: Income
    # Monthly calculation index (АЕК/МРП) per year, set by the republican budget law.
    mci: dict[int, Tenge] = Field(default_factory=dict)
    assistance: Annotated[list[AssistanceKind], Field(min_length=1)]
    holidays: list[Holiday] = Field(default_factory=list)
    # The grounds whose families the precinct commission inspects first. SR §7 names grounds 1, 2
    # and 4 (the default); DR §14 reads as every ground of DR §8: the district chooses.
    inspected_grounds: frozenset[Ground] = frozenset(
        {Ground.DISASTER, Ground.FIRE, Ground.LOW_INCOME}
    )
    # Values still standing in for the district's decisions, by field path of this file
    # (`income.threshold_multiple`, `assistance.ceiling_mci`), with why; production refuses them.
    placeholders: dict[str, Text] = Field(default_factory=dict)

    def inspects(self, ground: Ground | None) -> bool:
        return ground in self.inspected_grounds

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("placeholders")
    @classmethod
    def _known_paths(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = [path for path in value if not _is_field_path(cls, path)]
        if unknown:
            raise ValueError(f"not a field of the district file: {', '.join(unknown)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        codes = [kind.code for kind in self.assistance]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"duplicate assistance codes: {', '.join(duplicates)}")
        uses_mci = any(k.ceiling_mci for k in self.assistance) or any(
            c.amount_mci for h in self.holidays for c in h.categories
        )
        if uses_mci and not self.mci:
            raise ValueError("amounts are given in АЕК (…_mci) but the [mci] table is empty")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def subsistence_minimum(self, year: int) -> Decimal:
        try:
            return self.income.subsistence_minimum[year]
        except KeyError:
            raise DistrictConfigError(
                f"district {self.code}: no subsistence minimum for {year} "
                f"(add income.subsistence_minimum.{year})"
            ) from None

    def income_threshold(self, year: int) -> Decimal:
        """The per-capita monthly income a family must not exceed (DR §8 item 4, §22 item 3)."""
        return _tenge(self.subsistence_minimum(year) * self.income.threshold_multiple)

    def mci_value(self, year: int) -> Decimal:
        try:
            return self.mci[year]
        except KeyError:
            raise DistrictConfigError(
                f"district {self.code}: no АЕК (MCI) value for {year} (add mci.{year})"
            ) from None

    def holiday(self, code: str) -> Holiday | None:
        """The holiday on `code` (MM-DD, as the district file writes it)."""
        return next((h for h in self.holidays if h.date == code), None)

    def assistance_kind(self, code: str) -> AssistanceKind:
        for kind in self.assistance:
            if kind.code == code:
                return kind
        raise KeyError(f"district {self.code}: no assistance kind {code!r}")

    def ceiling(self, code: str, year: int) -> Decimal:
        """The largest single payment of this kind in tenge for the given year."""
        kind = self.assistance_kind(code)
        if kind.ceiling is not None:
            return kind.ceiling
        assert kind.ceiling_mci is not None  # guaranteed by AssistanceKind._one_ceiling
        return _tenge(kind.ceiling_mci * self.mci_value(year))

    def holiday_amount(self, category: HolidayCategory, year: int) -> Decimal:
        if category.amount is not None:
            return category.amount
        assert category.amount_mci is not None  # guaranteed by HolidayCategory._one_amount
        return _tenge(category.amount_mci * self.mci_value(year))


def _is_field_path(model: type[BaseModel], path: str) -> bool:
    """Whether `path` names a field of the file's schema; a list is entered as its items' model."""
    kind: object = model
    for name in path.split("."):
        if not (isinstance(kind, type) and issubclass(kind, BaseModel)):
            return False
        field = kind.model_fields.get(name)
        if field is None:
            return False
        kind = field.annotation
        if get_origin(kind) is list:
            (kind,) = get_args(kind)
    return True


def _tenge(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _field_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def load_district(path: Path) -> District:
    """Read and validate a district file; any problem is a DistrictConfigError naming file+field."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise DistrictConfigError(f"{path.name}: cannot read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DistrictConfigError(f"{path.name}: not valid TOML: {exc}") from exc
    try:
        return District.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{path.name}: {_field_path(err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise DistrictConfigError(problems) from exc
