"""One hub instance at a time: PostgreSQL advisory locks (SQLite: a single process).

Each kind of work has its own key (any fixed 64-bit number, the same in every hub on
the database), so a long retention sweep does not stop the queue sweep.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# Retention (core/retention.py).
ADVISORY_LOCK_KEY = 7_312_146_001
RETENTION_LOCK_KEY = ADVISORY_LOCK_KEY
# The housekeeping sweeps (core/sweeps.py): absent visitors, stranded chats, lost replies.
SWEEPS_LOCK_KEY = 7_312_146_003
# Alembic's upgrade at start (db/migrate.py): instances starting together take turns.
MIGRATION_LOCK_KEY = 7_312_146_004
# The presence sweep (core/sweeps.py): chats of advisors no longer at a console.
PRESENCE_LOCK_KEY = 7_312_146_005


@asynccontextmanager
async def one_instance(engine: AsyncEngine, key: int = RETENTION_LOCK_KEY) -> AsyncIterator[bool]:
    """Whether this instance may do the work of ``key`` now: it holds the lock for the block.

    A session-level advisory lock on a connection of its own (autocommit: no
    transaction stays open); it goes with the connection if the process dies. An
    instance that finds the lock taken gets False and skips that round.
    """
    if engine.dialect.name != "postgresql":
        yield True
        return
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        args = {"key": key}
        got = bool((await conn.execute(text("SELECT pg_try_advisory_lock(:key)"), args)).scalar())
        try:
            yield got
        finally:
            if got:
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), args)


def wait_for_lock_in_transaction(connection: Connection, key: int) -> None:
    """Wait for ``key``, held until the connection's transaction ends (PostgreSQL only)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


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
