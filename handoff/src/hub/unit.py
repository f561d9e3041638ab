"""A unit of work: one short transaction plus the events to send after it commits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.broker import Broker, Outbox


@dataclass
class Unit:
    session: AsyncSession
    outbox: Outbox


@asynccontextmanager
async def unit_of_work(
    sessions: async_sessionmaker[AsyncSession], broker: Broker
) -> AsyncIterator[Unit]:
    """``async with unit_of_work(...) as u``: commit on success, then publish."""
    outbox = Outbox()
    async with sessions() as session, session.begin():
        yield Unit(session, outbox)
    outbox.flush(broker)
