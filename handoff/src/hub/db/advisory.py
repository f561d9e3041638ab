"""One hub instance at a time: a PostgreSQL advisory lock (SQLite: a single process)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# Any fixed 64-bit number, the same in every hub on the database.
ADVISORY_LOCK_KEY = 7_312_146_001


@asynccontextmanager
async def one_instance(engine: AsyncEngine) -> AsyncIterator[bool]:
    """Whether this instance may sweep now: it holds the lock for the block.

    A session-level advisory lock on a connection of its own (autocommit: no
    transaction stays open); it goes with the connection if the process dies.
    """
    if engine.dialect.name != "postgresql":
        yield True
        return
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        key = {"key": ADVISORY_LOCK_KEY}
        got = bool((await conn.execute(text("SELECT pg_try_advisory_lock(:key)"), key)).scalar())
        try:
            yield got
        finally:
            if got:
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), key)


# The instance that reports the figures read from the database (/metrics).
REPORTER_LOCK_KEY = 7_312_146_002


class HeldLock:
    """A session-level advisory lock kept as long as this process lives (PostgreSQL;
    SQLite: always held, one process). Taken on the first ``held()`` that finds it free,
    on a connection of its own; the lock goes with that connection if the process dies,
    and the next instance that asks takes it."""

    def __init__(self, engine: AsyncEngine, key: int) -> None:
        self.engine, self.key = engine, key
        self._conn: AsyncConnection | None = None

    async def held(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return True
        if self._conn is not None:
            try:
                await self._conn.execute(text("SELECT 1"))
                return True
            except Exception:  # the connection broke (a database restart): ask again
                await self.close()
        conn = await self.engine.connect()
        try:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            got = await conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})
            if got.scalar():
                self._conn = conn
                return True
        except Exception:
            await conn.close()
            raise
        await conn.close()
        return False

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()
