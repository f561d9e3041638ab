"""A unit of work: one short transaction plus the events to send after it commits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.adapters.broker import Broker, Outbox


@dataclass
class Unit:
    session: AsyncSession
    outbox: Outbox


READ_ONLY = "hub_read_only"


@asynccontextmanager
async def unit_of_work(
    sessions: async_sessionmaker[AsyncSession], broker: Broker, *, read_only: bool = False
) -> AsyncIterator[Unit]:
    """``async with unit_of_work(...) as u``: commit on success, then publish.

    ``read_only`` units must not write: on SQLite they start a plain (deferred)
    transaction, which reads a snapshot beside the writers instead of waiting
    for the write lock (see ``db.engine``).
    """
    outbox = Outbox()
    async with sessions() as session, session.begin():
        if read_only:
            await session.connection(execution_options={READ_ONLY: True})
        yield Unit(session, outbox)
    outbox.flush(broker)
