"""What the operations endpoints read: the database answers, and the gauges.

The queue and chat gauges describe the whole system, not one instance: with several
instances each would report the same numbers, and a ``sum`` over instances would count
them that many times. So one instance reports them: the one holding an advisory lock
(``db/advisory.py``) on a connection it keeps for the purpose; the others leave those
gauges out of their ``/metrics`` (``hub_reports_cluster_gauges`` says which one does).
If that instance stops, its connection and the lock go with it, and the next instance
scraped takes over. Per-instance numbers (WebSockets, counters, latencies) are each
instance's own and add up as they are.
"""

from __future__ import annotations

import contextlib
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.core.context import Context
from hub.db.advisory import GAUGES_LOCK_KEY
from hub.services import conversations as conv_svc
from hub.services import queue as queue_svc

log = logging.getLogger("hub")


class Health:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        # The connection that holds the gauges' lock while this instance reports them.
        self._reporting: AsyncConnection | None = None

    async def database_ready(self) -> bool:
        try:
            async with self.ctx.read() as u:
                await conv_svc.ping(u)
        except Exception:
            return False
        return True

    async def reports_cluster_gauges(self) -> bool:
        """Whether this instance reports the gauges of the whole system (SQLite: one
        instance, always)."""
        engine = self.ctx.engine
        if engine.dialect.name != "postgresql":
            return True
        if self._reporting is not None:
            try:
                await self._reporting.execute(text("SELECT 1"))
                return True
            except Exception:
                await self.close()  # the connection, and with it the lock, is gone
        conn = await engine.connect()
        try:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            got = (
                await conn.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": GAUGES_LOCK_KEY}
                )
            ).scalar()
        except Exception:
            await conn.close()
            raise
        if got:
            self._reporting = conn
            log.info("this instance reports the queue and chat gauges")
            return True
        await conn.close()
        return False

    async def update_metrics(self) -> None:
        """The gauges read from the database (queue lengths, chats going on), on the
        instance that reports them; left out on the others."""
        metrics = self.ctx.metrics
        if not await self.reports_cluster_gauges():
            metrics.cluster_gauges_reporter.set(0)
            metrics.cluster.clear()
            return
        async with self.ctx.read() as u:
            lengths = await queue_svc.lengths(u)
            active = await queue_svc.active_chats(u)
        metrics.cluster_gauges_reporter.set(1)
        metrics.cluster.set(lengths, active)

    async def close(self) -> None:
        if self._reporting is not None:
            conn, self._reporting = self._reporting, None
            with contextlib.suppress(Exception):
                await conn.close()
