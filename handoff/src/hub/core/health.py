"""What the operations endpoints read: the database answers, and the gauges."""

from __future__ import annotations

from hub.core.context import Context
from hub.core.overview import Supervision
from hub.db.advisory import REPORTER_LOCK_KEY, HeldLock
from hub.services import conversations as conv_svc


class Health:
    def __init__(self, ctx: Context, supervision: Supervision) -> None:
        self.ctx = ctx
        self.supervision = supervision
        bind = ctx.sessions.kw.get("bind")
        # With several hubs on one PostgreSQL database only one reports the figures read
        # from the database, so that a sum over the instances is the figure itself.
        self.reporter = HeldLock(bind, REPORTER_LOCK_KEY) if bind is not None else None

    async def database_ready(self) -> bool:
        try:
            async with self.ctx.read() as u:
                await conv_svc.ping(u)
        except Exception:
            return False
        return True

    async def update_metrics(self) -> None:
        """The gauges read from the database (queues, chats, advisors, today's figures):
        set by the reporting instance, left empty by the others."""
        metrics = self.ctx.metrics
        if self.reporter is not None and not await self.reporter.held():
            metrics.clear_database_figures()
            return
        metrics.set_database_figures(await self.supervision.overview())

    async def close(self) -> None:
        if self.reporter is not None:
            await self.reporter.close()
