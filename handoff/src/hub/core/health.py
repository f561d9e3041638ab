"""What the operations endpoints read: the database answers, and the gauges."""

from __future__ import annotations

from hub.core.context import Context
from hub.services import conversations as conv_svc
from hub.services import queue as queue_svc


class Health:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def database_ready(self) -> bool:
        try:
            async with self.ctx.read() as u:
                await conv_svc.ping(u)
        except Exception:
            return False
        return True

    async def update_metrics(self) -> None:
        """The gauges read from the database (queue lengths, chats going on)."""
        async with self.ctx.read() as u:
            lengths = await queue_svc.lengths(u)
            active = await queue_svc.active_chats(u)
        for topic, n in lengths.items():
            self.ctx.metrics.queue_length.labels(topic).set(n)
        self.ctx.metrics.active_chats.set(active)
