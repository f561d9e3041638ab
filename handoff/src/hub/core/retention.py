"""Retention: conversations older than ``HUB_RETENTION_DAYS`` are deleted, together with
Rasa's tracker events for them, every ``HUB_RETENTION_SWEEP_MINUTES`` inside the hub
(and by ``hub purge``).

- One instance at a time: on PostgreSQL a sweep runs only while it holds an advisory
  lock (``pg_try_advisory_lock``); an instance that finds it taken skips that round.
  A hub on SQLite is a single process.
- Rasa first, then the hub: the hub's rows are the only record of which trackers to
  erase, so a batch whose trackers could not be erased (Rasa down) keeps its rows
  until a later sweep.
- Rasa's trackers: Rasa's default store (in memory) keeps one serialised tracker per
  conversation, and its HTTP API replaces the events with none
  (``RasaClient.erase_tracker``). An SQL tracker store only ever appends through that
  API, so with ``HUB_RASA_TRACKER_DB_URL`` the hub deletes the rows of Rasa's
  ``events`` table itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from hub.adapters.trackers import TrackerEraser, TrackersNotErased
from hub.clock import Clock
from hub.db.advisory import one_instance
from hub.db.unit import Unit
from hub.services import conversations as conv_svc
from hub.settings import Settings

log = logging.getLogger("hub")

BATCH = 200

UnitFactory = Callable[..., AbstractAsyncContextManager[Unit]]


@dataclass(frozen=True)
class Sweep:
    ran: bool  # False: another instance was sweeping
    deleted: int = 0
    complete: bool = True  # False: Rasa's trackers could not be erased; the rest waits


class Retention:
    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        unit: UnitFactory,
        engine: AsyncEngine,
        eraser: TrackerEraser,
    ) -> None:
        self.settings, self.clock, self.unit = settings, clock, unit
        self.engine, self.eraser = engine, eraser

    async def sweep(self, days: int | None = None) -> Sweep:
        """Delete the conversations created more than ``days`` (the setting) ago."""
        days = self.settings.retention_days if days is None else days
        cutoff = self.clock.now() - timedelta(days=days)
        async with one_instance(self.engine) as mine:
            if not mine:
                return Sweep(ran=False)
            deleted = 0
            while True:
                async with self.unit(read_only=True) as u:
                    ids = await conv_svc.expired_ids(u, cutoff, BATCH)
                if not ids:
                    return Sweep(ran=True, deleted=deleted)
                try:
                    await self.eraser.erase(ids)
                except TrackersNotErased as exc:
                    log.warning(
                        "rasa trackers not erased; those conversations wait for the next sweep",
                        extra={"error": str(exc), "deleted": deleted},
                    )
                    return Sweep(ran=True, deleted=deleted, complete=False)
                async with self.unit() as u:
                    await conv_svc.delete_conversations(u, ids)
                deleted += len(ids)

    async def run_forever(self) -> None:
        """A sweep at start, then every ``retention_sweep_minutes``."""
        while True:
            try:
                result = await self.sweep()
                if result.deleted:
                    log.info("retention sweep", extra={"deleted": result.deleted})
            except Exception:
                log.exception("retention sweep failed")
            await asyncio.sleep(self.settings.retention_sweep_minutes * 60)
