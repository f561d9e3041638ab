"""One hub instance at a time: a PostgreSQL advisory lock (SQLite: a single process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

# Fixed 64-bit numbers, the same in every hub on the database: one per kind of sweep.
ADVISORY_LOCK_KEY = 7_312_146_001  # retention
PRESENCE_LOCK_KEY = 7_312_146_002  # chats of advisors no longer at a console


@asynccontextmanager
async def one_instance(engine: AsyncEngine, key: int = ADVISORY_LOCK_KEY) -> AsyncIterator[bool]:
    """Whether this instance may sweep now: it holds the lock for the block.

    A session-level advisory lock on a connection of its own (autocommit: no
    transaction stays open); it goes with the connection if the process dies.
    """
    if engine.dialect.name != "postgresql":
        yield True
        return
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        lock = {"key": key}
        got = bool((await conn.execute(text("SELECT pg_try_advisory_lock(:key)"), lock)).scalar())
        try:
            yield got
        finally:
            if got:
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), lock)
