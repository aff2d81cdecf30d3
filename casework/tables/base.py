"""The declarative base every table shares, and the column types they store with."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum as PyEnum
from typing import cast

from sqlalchemy import DateTime, Enum, MetaData, Numeric, Table, TypeDecorator
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and always hands back an aware datetime (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table(model: type[Base]) -> Table:
    """A model's table, for core statements: thousands of rows in one INSERT, where the ORM
    would insert them one by one to learn each new id."""
    return cast(Table, model.__table__)


Money = Numeric(14, 2)


def enum_column(cls: type[PyEnum]) -> Enum:
    """Values (readable in SQL) as plain strings, not native enum types: adding a value later
    must not need a PostgreSQL type migration."""
    return Enum(cls, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])
