"""What every use case shares: settings, clock, short units of work, events, metrics,
the in-process limits, and the background tasks the use cases start."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.adapters.broker import Broker
from hub.clock import Clock
from hub.core.ratelimit import Limits, WindowFactory
from hub.db.unit import Unit, unit_of_work
from hub.metrics import Metrics
from hub.rules.admission import QueuePolicy
from hub.rules.hours import OpeningHours
from hub.settings import Settings

log = logging.getLogger("hub")


def build_policy(settings: Settings) -> QueuePolicy:
    hours = OpeningHours.parse(
        settings.opening_hours,
        settings.timezone,
        norwegian_holidays=settings.public_holidays.lower() == "norway",
        closed_dates=settings.closed_dates,
    )
    return QueuePolicy(hours, settings.queue_capacity, settings.always_open)


@dataclass
class Context:
    settings: Settings
    clock: Clock
    sessions: async_sessionmaker[AsyncSession]
    broker: Broker = field(default_factory=Broker, kw_only=True)
    metrics: Metrics = field(default_factory=Metrics, kw_only=True)
    # Where the limits every instance shares are counted (Redis); None: in this process.
    shared_limits: WindowFactory | None = field(default=None, kw_only=True)
    policy: QueuePolicy = field(init=False)
    limits: Limits = field(init=False)
    tz: ZoneInfo = field(init=False)
    _write_turn: asyncio.Lock | None = field(init=False)
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        self.policy = build_policy(self.settings)
        self.limits = Limits.from_settings(
            self.settings, lambda: self.clock.now().timestamp(), self.shared_limits
        )
        self.tz = ZoneInfo(self.settings.timezone)
        bind = self.sessions.kw.get("bind")
        sqlite = bind is not None and bind.dialect.name == "sqlite"
        self._write_turn = asyncio.Lock() if sqlite else None

    @asynccontextmanager
    async def unit(self, *, read_only: bool = False) -> AsyncIterator[Unit]:
        """A short transaction. On SQLite, writing units of this process take turns
        on an asyncio lock first: SQLite's own busy wait polls with sleeps of up to
        100 ms, which made a few replies ten times slower under concurrent load."""
        self.metrics.transactions.labels("read" if read_only else "write").inc()
        if read_only or self._write_turn is None:
            async with unit_of_work(self.sessions, self.broker, read_only=read_only) as u:
                yield u
            return
        async with self._write_turn, unit_of_work(self.sessions, self.broker) as u:
            yield u

    def present_since(self, now: datetime) -> datetime:
        """Advisors whose console was seen since then are at work."""
        return now - timedelta(seconds=self.settings.advisor_presence_seconds)

    def bot_reply_lost_after(self) -> float:
        """A bot exchange ends (replies or the "not answering" notice) within the Rasa
        timeout; a visitor message still waiting twice that plus a margin was lost."""
        return 2 * self.settings.rasa_timeout_seconds + 5

    @property
    def engine(self) -> AsyncEngine:
        engine: AsyncEngine = self.sessions.kw["bind"]
        return engine

    def read(self) -> AbstractAsyncContextManager[Unit]:
        """A read-only unit: no write lock (on SQLite a deferred BEGIN beside the writers)."""
        return self.unit(read_only=True)

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())

    async def drain(self) -> None:
        """Wait for background work (bot forwarding) to finish; tests and shutdown."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
