"""Declarative base, naming convention and the domain enums stored as strings."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, DateTime, Enum, Integer, MetaData, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Owner(enum.StrEnum):
    bot = "bot"
    queue = "queue"
    advisor = "advisor"
    closed = "closed"


class Sender(enum.StrEnum):
    visitor = "visitor"
    bot = "bot"
    advisor = "advisor"
    system = "system"


class EntryState(enum.StrEnum):
    waiting = "waiting"
    assigned = "assigned"
    closed = "closed"


class AdvisorStatus(enum.StrEnum):
    available = "available"
    away = "away"


class Role(enum.StrEnum):
    """What a console login may do: advisors chat; editors read what the bot could not answer."""

    advisor = "advisor"
    editor = "editor"


class RatingValue(enum.StrEnum):
    ja = "ja"
    nei = "nei"
    delvis = "delvis"


class Helpful(enum.StrEnum):
    """The visitor's answer to "Var svaret nyttig?" under one of the bot's FAQ answers."""

    ja = "ja"
    nei = "nei"


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
