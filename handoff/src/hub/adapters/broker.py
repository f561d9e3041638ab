"""Live events inside one hub process, published only after a commit.

The database is the record; events are delivery. A visitor's WebSocket treats
most events as a hint to read the database again (messages after its last id,
and its state), so nothing is lost if an event is dropped or raised in another
instance: the periodic poll of each connection catches up. Typing indicators
are the only events that exist solely here.

Channels: ``conv:<id>`` (one conversation), ``queues`` (any queue changed),
``advisor:<id>`` (one advisor's console).
Every event is the ``{"type": ..., "data": {...}}`` envelope of the browser API.
With several instances on PostgreSQL, ``hub.pg_relay`` carries events between
them, so the poll is a fallback there too, not the way events travel.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Event = dict[str, Any]


def event(type_: str, **data: Any) -> Event:
    return {"type": type_, "data": data}


class Subscription:
    def __init__(self, maxsize: int) -> None:
        self.queue: asyncio.Queue[Event] = asyncio.Queue(maxsize)
        self.overflowed = False
        # Event-loop time of the latest delivery here. A read started at or after it sees
        # what every event taken so far announced (core/shared_read.py): the sockets that
        # one delivery wakes share its time, however late each of them gets to run.
        self.heard_at = 0.0

    def put(self, ev: Event, at: float | None = None) -> None:
        self.heard_at = asyncio.get_running_loop().time() if at is None else at
        try:
            self.queue.put_nowait(ev)
        except asyncio.QueueFull:
            self.overflowed = True

    async def get(self, wait: float) -> Event | None:
        try:
            return await asyncio.wait_for(self.queue.get(), wait)
        except TimeoutError:
            return None

    def drain(self) -> list[Event]:
        items: list[Event] = []
        while not self.queue.empty():
            items.append(self.queue.get_nowait())
        return items


class Broker:
    """Subscriptions of this process. ``forward``, when set, also hands every published
    event to other instances (``hub.pg_relay``); what arrives from them is ``deliver``ed
    here only, so nothing loops."""

    def __init__(self) -> None:
        self._subs: dict[str, set[Subscription]] = defaultdict(set)
        self.forward: Callable[[str, Event], None] | None = None

    @contextmanager
    def subscribe(self, *channels: str, maxsize: int = 500) -> Iterator[Subscription]:
        sub = Subscription(maxsize)
        for ch in channels:
            self._subs[ch].add(sub)
        try:
            yield sub
        finally:
            for ch in channels:
                subs = self._subs.get(ch)
                if subs is not None:
                    subs.discard(sub)
                    if not subs:
                        del self._subs[ch]

    def publish(self, channel: str, ev: Event) -> None:
        self.deliver(channel, ev)
        if self.forward is not None:
            self.forward(channel, ev)

    def deliver(self, channel: str, ev: Event) -> None:
        """To this process's subscribers only (all stamped with the same time)."""
        at = asyncio.get_running_loop().time()
        for sub in list(self._subs.get(channel, ())):
            sub.put(ev, at)

    def deliver_to_everyone(self, ev: Event) -> None:
        """To every subscription of this process, once each (whatever its channels)."""
        subs = {sub for channel_subs in self._subs.values() for sub in channel_subs}
        at = asyncio.get_running_loop().time()
        for sub in subs:
            sub.put(ev, at)

    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subs.values())


class Outbox:
    """Events gathered during a transaction, handed to the broker after commit."""

    def __init__(self) -> None:
        self.items: list[tuple[str, Event]] = []

    def add(self, channel: str, ev: Event) -> None:
        self.items.append((channel, ev))

    def flush(self, broker: Broker) -> None:
        seen: set[tuple[str, str]] = set()
        for channel, ev in self.items:
            if ev["type"] in {"sync", "queues"}:  # pure hints: once per channel is enough
                key = (channel, ev["type"])
                if key in seen:
                    continue
                seen.add(key)
            broker.publish(channel, ev)
        self.items.clear()
