"""The supervisors' overview: one read unit, the figures from one plain function
(rules/overview.py). The page, its live frames and the metrics all read it here."""

from __future__ import annotations

from hub.core.context import Context
from hub.rules.overview import Overview, build_overview, day_start
from hub.services import overview as overview_svc


class Supervision:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def overview(self) -> Overview:
        now = self.ctx.clock.now()
        since = day_start(now, self.ctx.tz)
        async with self.ctx.read() as u:
            entries = await overview_svc.entry_facts(u, since)
            advisors = await overview_svc.advisor_facts(u, now)
            ratings = await overview_svc.rating_facts(u, since)
        return build_overview(now, since, entries, advisors, ratings)
