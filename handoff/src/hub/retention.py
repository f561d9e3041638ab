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
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy import bindparam, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.bot import BotUnavailable, RasaClient
from hub.clock import Clock
from hub.db.engine import create_engine
from hub.services import conversations as conv_svc
from hub.settings import Settings
from hub.unit import Unit

log = logging.getLogger("hub")

BATCH = 200
PARALLEL_ERASES = 8
# Any fixed 64-bit number, the same in every hub on the database.
ADVISORY_LOCK_KEY = 7_312_146_001

UnitFactory = Callable[..., AbstractAsyncContextManager[Unit]]


class TrackersNotErased(Exception):
    """Rasa's tracker events for a batch could not be deleted."""


class TrackerEraser(Protocol):
    async def erase(self, sender_ids: Sequence[str]) -> None:
        """Delete Rasa's events for these conversations, or raise TrackersNotErased."""

    async def close(self) -> None: ...


class RasaApiEraser:
    """Through Rasa's HTTP API: for its in-memory tracker store."""

    def __init__(self, bot: RasaClient) -> None:
        self.bot = bot

    async def erase(self, sender_ids: Sequence[str]) -> None:
        turns = asyncio.Semaphore(PARALLEL_ERASES)

        async def one(sender: str) -> None:
            async with turns:
                await self.bot.erase_tracker(sender)

        try:
            async with asyncio.TaskGroup() as group:
                for sender in sender_ids:
                    group.create_task(one(sender))
        except* BotUnavailable as failed:
            raise TrackersNotErased(str(failed.exceptions[0])) from None

    async def close(self) -> None:
        return None


class RasaSqlEraser:
    """In Rasa's SQL tracker store (table ``events``, one row per event, ``sender_id``)."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, null_pool=True)

    async def erase(self, sender_ids: Sequence[str]) -> None:
        statement = text("DELETE FROM events WHERE sender_id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        )
        try:
            async with self.engine.begin() as conn:
                await conn.execute(statement, {"ids": list(sender_ids)})
        except SQLAlchemyError as exc:
            raise TrackersNotErased(type(exc).__name__) from None

    async def close(self) -> None:
        await self.engine.dispose()


def tracker_eraser(settings: Settings, bot: RasaClient) -> TrackerEraser:
    if settings.rasa_tracker_db_url:
        return RasaSqlEraser(settings.rasa_tracker_db_url)
    return RasaApiEraser(bot)


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
