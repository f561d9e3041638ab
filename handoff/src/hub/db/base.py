"""Declarative base, naming convention and the domain enums stored as strings."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, DateTime, Enum, Integer, MetaData, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase

# The enums are pure (rules/kinds.py); re-exported here beside their column mapping.
from hub.rules.kinds import AdvisorStatus as AdvisorStatus
from hub.rules.kinds import EntryState as EntryState
from hub.rules.kinds import Helpful as Helpful
from hub.rules.kinds import Owner as Owner
from hub.rules.kinds import RatingValue as RatingValue
from hub.rules.kinds import Role as Role
from hub.rules.kinds import Sender as Sender

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Every id (and every reference to one) is 64-bit: BIGINT on PostgreSQL, where
# INTEGER stops at 2**31 - 1. SQLite's INTEGER is 64-bit already, and only an
# "INTEGER PRIMARY KEY" column numbers itself (a BIGINT one would not).
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=16, validate_strings=True)


class Base(AsyncAttrs, DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        Owner: _enum(Owner),
        Sender: _enum(Sender),
        EntryState: _enum(EntryState),
        AdvisorStatus: _enum(AdvisorStatus),
        RatingValue: _enum(RatingValue),
        Helpful: _enum(Helpful),
        Role: _enum(Role),
        list[dict[str, str]]: JSON(),
        list[str]: JSON(),
    }
